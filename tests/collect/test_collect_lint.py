"""lint collector: real ruff, findings by rule; the learner's `fix = true` never rewrites files."""

from __future__ import annotations

from pathlib import Path

from testing.collect_util import ctx, make_repo

from roadmap_ci.collect import lint


def test_findings_by_rule_and_no_fix(tmp_path: Path) -> None:
    src = "import os\nimport sys\n\n\ndef f():\n    return undefined_name\n"
    repo = make_repo(tmp_path / "r", {"pkg/a.py": src, "ruff.toml": "fix = true\n[lint]\nselect = ['F']\n"})
    got = lint.collect(ctx(repo, {"lint": {"paths": ["pkg"]}}))["lint"]
    assert got.status == "ok"
    assert got.by_rule == {"F401": 2, "F821": 1} and got.total == 3
    assert {(f.code, f.path, f.line) for f in got.findings} == {("F401", "pkg/a.py", 1), ("F401", "pkg/a.py", 2),
                                                                 ("F821", "pkg/a.py", 6)}
    assert (repo / "pkg/a.py").read_text() == src  # not fixed


def test_syntax_error_is_a_finding(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "def f(:\n"})
    got = lint.collect(ctx(repo, {"lint": {}}))["lint"]
    assert got.status == "ok" and got.total >= 1


def test_nothing_to_lint(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    got = lint.collect(ctx(repo, {"lint": {"paths": ["src"]}}))["lint"]
    assert got.status == "error" and got.message == "nothing to lint: src not found"


def test_broken_ruff_config_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "x = 1\n", "ruff.toml": "[lint\n"})
    got = lint.collect(ctx(repo, {"lint": {}}))["lint"]
    assert got.status == "error" and got.message.startswith("ruff failed:")
