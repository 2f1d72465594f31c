"""tests collector: real pytest in a subprocess with JUnit XML; mentor tests copied in and removed after."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from testing.collect_util import ctx, make_repo, write

from roadmap_ci.collect import tests as tests_collector
from roadmap_ci.score.load import load_rubric

LEARNER = {
    "mylib.py": "def add(a, b):\n    return a + b\n",
    "tests/test_lib.py": (
        "import pytest\nfrom mylib import add\n\n"
        "def test_add():\n    assert add(1, 2) == 3\n\n"
        "def test_wrong():\n    assert add(1, 1) == 3, 'one and one'\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n"
    ),
    "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n",
}


def _rubric(tmp_path: Path, mentor_files: dict[str, str]) -> Path:
    d = tmp_path / "mentor"
    (d / "mentor_tests").mkdir(parents=True)
    for name, text in mentor_files.items():
        (d / "mentor_tests" / name).write_text(text)
    (d / "rubric.yaml").write_text("version: '1'\npass_mark: 1\nmentor_tests: mentor_tests\ncriteria:\n"
                                   "  - {id: t, points: 1, rule: fraction, evidence: tests}\n")
    return d / "rubric.yaml"


def test_learner_and_mentor_tests(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", LEARNER)
    rubric = load_rubric(_rubric(tmp_path, {"test_hidden.py": "from mylib import add\n\n"
                                            "def test_commutes():\n    assert add(2, 5) == add(5, 2)\n"}))
    got = tests_collector.collect(ctx(repo, {"tests": {"paths": ["tests"]}}, rubric=rubric))["tests"]
    assert got.status == "failed"
    cases = {c.id.rsplit("::", 1)[-1]: c for c in got.cases}
    assert cases["test_add"].outcome == "passed" and cases["test_add"].source == "learner"
    assert cases["test_wrong"].outcome == "failed" and "one and one" in cases["test_wrong"].message
    assert cases["test_later"].outcome == "skipped"
    assert cases["test_commutes"].outcome == "passed" and cases["test_commutes"].source == "mentor"
    assert cases["test_commutes"].id == "mentor.test_hidden::test_commutes"  # a stable name for rubrics
    assert cases["test_add"].id == "tests.test_lib::test_add"
    assert all(c.duration_s is not None for c in got.cases)
    assert not [p for p in repo.iterdir() if p.name.startswith(tests_collector.MENTOR_PREFIX)]


def test_mentor_tests_removed_even_when_pytest_times_out(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", LEARNER)
    rubric = load_rubric(_rubric(tmp_path, {"test_slow.py": "import time\n\ndef test_forever():\n"
                                            "    time.sleep(600)\n"}))
    got = tests_collector.collect(ctx(repo, {"tests": {"timeout": 4}}, rubric=rubric))["tests"]
    assert got.status == "timeout" and "within 4 s" in got.message
    assert not [p for p in repo.iterdir() if p.name.startswith(tests_collector.MENTOR_PREFIX)]


def test_zero_tests_collected(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"tests/test_nothing.py": "X = 1\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.status == "no_tests" and got.message == "pytest collected no tests" and got.cases == []


def test_missing_tests_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {"paths": ["tests"]}}))["tests"]
    assert got.status == "no_tests" and got.message == "no tests: tests not found"


def test_crash_at_import(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "tests/test_ok.py": "def test_fine():\n    pass\n",
        "tests/test_broken.py": "import not_a_module_anywhere\n\ndef test_x():\n    pass\n",
    })
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.status == "error"
    assert "ModuleNotFoundError" in got.message or "not_a_module_anywhere" in got.message
    assert "\n" not in got.message
    broken = [c for c in got.cases if c.outcome == "error"]
    assert broken and "test_broken" in broken[0].id


def test_conftest_crash_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"tests/conftest.py": "raise RuntimeError('conftest exploded')\n",
                                      "tests/test_a.py": "def test_a():\n    pass\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.status == "error" and "conftest" in got.message


def test_unchanged_repo_reuses_the_result_locally_and_any_change_reruns(tmp_path: Path, monkeypatch) -> None:
    # a developer's run: the local cache is on (CI runs this suite with CI=true, which turns it off)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    repo = make_repo(tmp_path / "r", LEARNER)
    config = {"tests": {"paths": ["tests"]}}
    first = tests_collector.collect(ctx(repo, config))["tests"]
    assert first.status == "failed" and not first.cached
    again = tests_collector.collect(ctx(repo, config))["tests"]
    assert again.cached and again.status == "failed"
    assert again.model_dump(exclude={"cached"}) == first.model_dump(exclude={"cached"})
    # fix the code: the tests run again and see the fix
    (repo / "mylib.py").write_text("def add(a, b):\n    return a + b if (a, b) != (1, 1) else 3\n")
    fixed = tests_collector.collect(ctx(repo, config))["tests"]
    assert not fixed.cached and {c.id.rsplit("::", 1)[-1]: c.outcome for c in fixed.cases}["test_wrong"] == "passed"
    # a new untracked data file the tests could read also counts as a change
    assert tests_collector.collect(ctx(repo, config))["tests"].cached
    (repo / "extra.csv").write_text("a\n1\n")
    assert not tests_collector.collect(ctx(repo, config))["tests"].cached
    # other arguments, another result
    assert not tests_collector.collect(ctx(repo, {"tests": {"paths": ["tests"], "args": ["-k", "add"]}}))[
        "tests"].cached
    # CI never reuses a result
    monkeypatch.setenv("CI", "true")
    assert not tests_collector.collect(ctx(repo, config))["tests"].cached


def test_tests_that_change_the_repo_are_not_cached(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    repo = make_repo(tmp_path / "r", {"tests/test_writes.py": "import time\nfrom pathlib import Path\n\n"
                                      "def test_writes():\n    Path('out.txt').write_text(str(time.time_ns()))\n"})
    config = {"tests": {"paths": ["tests"]}}
    assert tests_collector.collect(ctx(repo, config))["tests"].status == "ok"
    assert not tests_collector.collect(ctx(repo, config))["tests"].cached


def test_pipeline_outputs_do_not_invalidate_tests_that_run_beside_the_pipeline(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    files = {**LEARNER, "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    wdir: .\n"
             "    outs: [models/]\n    metrics: [{metrics.json: {cache: false}}]\n"}
    repo = make_repo(tmp_path / "r", files)
    beside = {"tests": {"paths": ["tests"]}}
    assert not tests_collector.collect(ctx(repo, beside))["tests"].cached
    # what the pipeline writes (its declared outputs, dvc.lock) leaves the result valid ...
    (repo / "models").mkdir()
    (repo / "models" / "model.bin").write_bytes(b"\x00" * 10)
    (repo / "metrics.json").write_text('{"acc": 0.9}')
    (repo / "dvc.lock").write_text("schema: '2.0'\n")
    assert tests_collector.collect(ctx(repo, beside))["tests"].cached
    # ... but not for tests that wait for the pipeline (they may read its outputs)
    after = {"tests": {"paths": ["tests"], "after_pipeline": True}}
    assert not tests_collector.collect(ctx(repo, after))["tests"].cached
    assert tests_collector.collect(ctx(repo, after))["tests"].cached
    (repo / "models" / "model.bin").write_bytes(b"\x01" * 10)
    assert not tests_collector.collect(ctx(repo, after))["tests"].cached
    # any other file still counts
    (repo / "params.yaml").write_text("train: {c: 1.0}\n")
    assert not tests_collector.collect(ctx(repo, beside))["tests"].cached


def test_gitignore_lines_dvc_adds_for_outputs_do_not_invalidate_the_tests(tmp_path: Path, monkeypatch) -> None:
    """A first `dvc repro` appends `/model.bin` to models/.gitignore (creating it) and `/metrics.json` to the
    root .gitignore: the evaluation's own writes. A learner's own .gitignore edit still counts."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    files = {**LEARNER, ".gitignore": ".venv/", "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"
             "    outs: [models/model.bin, 'data/[raw] copy.csv', reports]\n    metrics: [metrics.json]\n"}
    repo = make_repo(tmp_path / "r", files)
    beside = {"tests": {"paths": ["tests"]}}
    after = {"tests": {"paths": ["tests"], "after_pipeline": True}}
    assert not tests_collector.collect(ctx(repo, beside))["tests"].cached
    # DVC's appends, byte for byte as scmrepo writes them (a newline first when the file lacks one; globs escaped)
    (repo / "models").mkdir()
    (repo / "models" / ".gitignore").write_text("/model.bin\n")
    (repo / "data").mkdir()
    (repo / "data" / ".gitignore").write_text("/\\[raw\\] copy.csv\n")
    with (repo / ".gitignore").open("a") as fh:
        fh.write("\n/metrics.json\n/reports\n")
    assert tests_collector.collect(ctx(repo, beside))["tests"].cached
    assert tests_collector.collect(ctx(repo, after))["tests"].cached  # no output itself was written
    # the learner's own lines are a change, wherever they are
    with (repo / "models" / ".gitignore").open("a") as fh:
        fh.write("*.tmp\n")
    assert not tests_collector.collect(ctx(repo, beside))["tests"].cached
    assert tests_collector.collect(ctx(repo, beside))["tests"].cached
    (repo / ".gitignore").write_text(".venv/\n/metrics.json\n/reports\n/notes.txt\n")
    assert not tests_collector.collect(ctx(repo, beside))["tests"].cached


def test_declared_pipeline_outputs_are_read_from_dvc_yaml(tmp_path: Path) -> None:
    from roadmap_ci.collect._dvc import read_dvc_yaml

    (tmp_path / "dvc.yaml").write_text(
        "stages:\n  prep:\n    cmd: x\n    outs: [data/clean.csv]\n"
        "  train:\n    cmd: y\n    wdir: src\n    outs: [../models/]\n"
        "    metrics: [{../metrics.json: {cache: false}}]\n    plots: [../plots/roc.csv]\n")
    assert read_dvc_yaml(tmp_path).outputs == ["data/clean.csv", "models", "metrics.json", "plots/roc.csv"]
    (tmp_path / "dvc.yaml").write_text("stages:\n  train:\n    cmd: y\n    outs:\n      - models/${model.kind}\n")
    assert read_dvc_yaml(tmp_path).outputs is None  # templated: unknowable without dvc


def test_a_virtual_environment_inside_the_repo_counts_by_name_only(tmp_path: Path, monkeypatch) -> None:
    import hashlib
    import sys

    from roadmap_ci.collect import _cache

    repo = tmp_path / "r"
    (repo / ".venv" / "lib" / "site-packages").mkdir(parents=True)
    (repo / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (repo / "train.py").write_text("x = 1\n")

    def state() -> str:
        h = hashlib.sha256()
        _cache.tree_state(repo, h)
        return h.hexdigest()

    before = state()
    (repo / ".venv" / "lib" / "site-packages" / "pkg.py").write_text("y = 2\n")  # thousands, in real life
    assert state() == before
    (repo / "train.py").write_text("x = 2\n")
    assert state() != before
    # ... but when that venv is the running interpreter's, its package directory still counts (by mtime)
    site = str(repo / ".venv" / "lib" / "site-packages")
    monkeypatch.setattr(sys, "path", [str(repo), str(repo / "src"), site])
    (repo / "src").mkdir()
    entries = _cache.site_state(repo)
    assert [e.rsplit(":", 1)[0] for e in entries] == [site]  # the repo itself and src/ are the tree's


def test_shell_bookkeeping_variables_do_not_make_the_tests_run_again(tmp_path: Path, monkeypatch) -> None:
    """`cd /tmp && cd -`, a nested shell, `make evaluate` (its own PATH entry, MAKEFLAGS with a fresh jobserver
    fifo) or a new terminal change the environment, not the tests' result: it is reused. A variable the tests
    can read still counts."""
    from roadmap_ci.collect._context import learner_env

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    repo = make_repo(tmp_path / "r", LEARNER)
    config = {"tests": {"paths": ["tests"]}}
    env = {**learner_env(), "PWD": str(repo), "OLDPWD": "/home/l", "SHLVL": "1"}
    assert not tests_collector.collect(ctx(repo, config, env=env))["tests"].cached
    bindir, rest = env["PATH"].split(os.pathsep, 1)
    shell = {**env, "PWD": str(repo), "OLDPWD": "/tmp", "SHLVL": "3", "_": "/usr/bin/make", "MAKELEVEL": "1",
             "MAKEFLAGS": " --jobserver-auth=fifo:/tmp/GMfifo4242", "TERM_SESSION_ID": "w0t1p0:42",
             "VSCODE_GIT_IPC_HANDLE": "/run/user/1000/vscode-git-42.sock",
             # make evaluate: PATH=.venv/bin:$PATH (relative, before the absolute one learner_env puts first)
             "PATH": os.pathsep.join([bindir, os.path.relpath(bindir, repo), rest])}
    assert tests_collector.collect(ctx(repo, config, env=shell))["tests"].cached
    for name, value in [("PYTHONHASHSEED", "1"), ("MYPROJECT_SEED", "7"), ("PATH", rest + os.pathsep + bindir)]:
        changed = tests_collector.collect(ctx(repo, config, env={**env, name: value}))["tests"]
        assert not changed.cached, name


def _scored(got, *evidence: str) -> dict[str, Any]:
    """The report's criteria for ``got`` under a rubric of one ``fraction`` criterion per evidence reference."""
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.model import Rubric
    from roadmap_ci.score.scoring import score

    rubric = Rubric.model_validate({"version": "t", "pass_mark": 0, "criteria": [
        {"id": f"c{i}", "points": 10, "rule": "fraction", "evidence": e} for i, e in enumerate(evidence)]})
    card = score(Evidence.model_validate({"deliverable": "demo", "tests": got.model_dump(mode="json")}), rubric)
    return {e: c for e, c in zip(evidence, card.criteria, strict=True)}


PASSING = {"mylib.py": "def add(a, b):\n    return a + b\n",
           "tests/test_lib.py": "from mylib import add\n\ndef test_add():\n    assert add(1, 2) == 3\n\n"
                                "def test_predict_batch_matches_single_predictions():\n    assert add(0, 0) == 0\n",
           "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n"}


def test_a_test_file_pytest_cannot_collect_is_named_with_its_line_and_the_run_scores_no_test_points(
        tmp_path: Path) -> None:
    """A syntax error in one new test file: the reason names the file and line (not a bare 'SyntaxError'), the
    other files still run (their results are in the evidence and the reason), and no test criterion scores --
    a named one says why instead of 'no tests were collected matching'."""
    repo = make_repo(tmp_path / "r", {**PASSING, "tests/test_zz_learner.py": "def test_x(:\n    pass\n",
                                      "helpers.py": "x = 1\ndef f(:\n",
                                      "tests/test_uses_helpers.py": "import helpers\n\ndef test_h():\n    pass\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.status == "error" and "\n" not in got.message
    assert got.message.startswith("cannot collect tests/test_uses_helpers.py (at helpers.py:2): SyntaxError: "
                                  "invalid syntax (and 1 more test file): while a test file cannot be collected, "
                                  "no test scores")
    outcomes = {c.id: (c.outcome, c.message) for c in got.cases}
    assert outcomes["tests.test_zz_learner"] == ("error", "tests/test_zz_learner.py:1: SyntaxError: invalid syntax")
    assert outcomes["tests.test_lib::test_add"] == ("passed", "")  # the other files ran
    crit = _scored(got, "tests", "tests:*::test_predict_batch_matches_single_predictions")
    assert all(c.points == 0 for c in crit.values())
    named = crit["tests:*::test_predict_batch_matches_single_predictions"].reason
    assert "no tests were collected" not in named and "helpers.py:2" in named and "1 of 1 tests passed" in named
    assert "2 of 2 tests passed" in crit["tests"].reason


def test_an_uncollectable_mentor_test_file_never_raises_the_score(tmp_path: Path) -> None:
    """Learner code that breaks the import of a mentor test file hides its tests: even with the learner's own
    --continue-on-collection-errors, the run scores no test points (one error case must not stand for many
    failing tests)."""
    files = {**PASSING, "mylib.py": "raise RuntimeError('half written')\n",
             "tests/test_lib.py": "def test_mine():\n    pass\n", ".roadmap-ci.yml": "deliverable: demo\n"}
    repo = make_repo(tmp_path / "r", files)
    rubric = load_rubric(_rubric(tmp_path, {"test_hidden.py": "from mylib import add\n\n" + "".join(
        f"def test_{i}():\n    assert add({i}, 1) == {i + 1}\n\n" for i in range(5))}))
    config = {"tests": {"args": ["--continue-on-collection-errors"]}}
    got = tests_collector.collect(ctx(repo, config, rubric=rubric))["tests"]
    assert got.status == "error"
    assert got.message.startswith("cannot collect mentor_tests/test_hidden.py (at mylib.py:1): RuntimeError: half "
                                  "written")
    assert {c.id: c.outcome for c in got.cases} == {"mentor.test_hidden": "error",
                                                    "tests.test_lib::test_mine": "passed"}
    crit = _scored(got, "tests", "tests:mentor.*", "tests:tests.*")
    assert [c.points for c in crit.values()] == [0, 0, 0]


def test_a_pytest_that_dies_says_its_exit_code_and_the_test_that_was_running(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {**PASSING, "tests/test_zexit.py": "import os\n\ndef test_exit():\n"
                                      "    os._exit(3)\n\ndef test_after():\n    pass\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.status == "error"
    assert got.message == ("pytest exited with code 3 while tests/test_zexit.py::test_exit was running, "
                           "before writing its report")
    assert {c.id: c.outcome for c in got.cases} == {
        "tests.test_lib::test_add": "passed", "tests.test_lib::test_predict_batch_matches_single_predictions": "passed",
        "tests.test_zexit::test_exit": "error"}
    reason = _scored(got, "tests")["tests"].reason
    assert "code 3" in reason and "2 of 3 tests passed (failing: test_exit)" in reason
    # a signal, with faulthandler's line; a usage error is argparse's line, not the last one pytest printed
    write(repo, {"tests/test_zexit.py": "import ctypes\n\ndef test_segfault():\n    ctypes.string_at(0)\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {}}))["tests"]
    assert got.message == ("pytest was killed by signal 11 (SIGSEGV) while tests/test_zexit.py::test_segfault was "
                           "running, before writing its report (Fatal Python error: Segmentation fault)")
    got = tests_collector.collect(ctx(repo, {"tests": {"args": ["--no-such-option"]}}))["tests"]
    assert got.status == "error" and got.message == "pytest: unrecognized arguments: --no-such-option"


def test_a_timeout_names_the_test_that_was_running_and_keeps_the_finished_results(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {**PASSING, "tests/test_zhang.py": "import time\n\ndef test_fails():\n"
                                      "    assert 1 == 2, 'one is not two'\n\ndef test_hang():\n    time.sleep(600)\n"})
    got = tests_collector.collect(ctx(repo, {"tests": {"timeout": 5}}))["tests"]
    assert got.status == "timeout"
    assert got.message == ("pytest did not finish within 5 s; the process group was killed while "
                           "tests/test_zhang.py::test_hang was running")
    cases = {c.id: (c.outcome, c.message) for c in got.cases}
    assert cases["tests.test_lib::test_add"] == ("passed", "")
    outcome, message = cases["tests.test_zhang::test_fails"]
    assert outcome == "failed" and "one is not two" in message
    assert cases["tests.test_zhang::test_hang"] == ("error", "still running after 5 s, when the run was killed")
    crit = _scored(got, "tests")["tests"]
    assert crit.points == 0 and "test_hang was running" in crit.reason
    assert "2 of 4 tests passed (failing: test_fails, test_hang)" in crit.reason
