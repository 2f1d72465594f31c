"""A learner's first `pre-commit run --all-files` changes nothing: every rendered template is already formatted
and linted the way its own `.pre-commit-config.yaml` (ruff --fix, ruff-format) does it.

The hooks' tool is run directly (offline: pre-commit would fetch ruff-pre-commit from GitHub), at the version the
config pins. Fix a failure with `python tools/format_templates.py` (renders, formats, writes back).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from roadmap_ci.paths import template_ids

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [ROOT / "templates" / t for t in template_ids(ROOT / "templates")]
RUFF = [sys.executable, "-m", "ruff"]
FIX = "run `python tools/format_templates.py` to format the template's sources"


def _ruff_version() -> str:
    return subprocess.run([*RUFF, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".ruff_cache" not in p.parts}


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_pre_commit_hooks_are_ruff_at_the_version_checked_here(template):
    config = yaml.safe_load((template / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert [(h["id"], h.get("args", [])) for h in repo["hooks"]] == [("ruff", ["--fix"]), ("ruff-format", [])]
    assert repo["rev"] == f"v{_ruff_version()}", (
        f"the template pins ruff {repo['rev']} but the checks run ruff {_ruff_version()}: "
        "`python tools/format_templates.py --pin` pins it and reformats")


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_first_pre_commit_run_changes_nothing(template, tmp_path):
    repo = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path)))
    before = _snapshot(repo)
    lint = subprocess.run([*RUFF, "check", "--fix", "--no-cache", "."], cwd=repo, capture_output=True, text=True)
    assert lint.returncode == 0, f"ruff check --fix: {lint.stdout[-3000:]}{lint.stderr[-1000:]}"
    fmt = subprocess.run([*RUFF, "format", "--no-cache", "."], cwd=repo, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stderr[-2000:]
    after = _snapshot(repo)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"the hooks rewrote {changed}: {FIX}"
    assert any(k.endswith(".py") for k in after), "nothing for the hooks to check"
