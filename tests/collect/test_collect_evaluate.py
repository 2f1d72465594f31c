"""`roadmap-ci collect` / `evaluate` end to end through the real CLI: real git, dvc, GX, pytest, ruff."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from testing.collect_util import PY, make_repo

from roadmap_ci.collect.run import collect

RUBRIC = """\
version: "t1"
deliverable: tiny
pass_mark: {pass_mark}
criteria:
  - {{id: pipeline, points: 10, rule: pass, evidence: pipeline}}
  - {{id: tests, points: 10, rule: fraction, evidence: tests}}
  - {{id: data, points: 5, rule: fraction, evidence: data}}
  - {{id: acc, points: 10, rule: threshold, evidence: "metric:metrics.json:acc", min: 0.5, target: 1.0}}
  - {{id: readme, points: 5, rule: exists, evidence: ["readme:Results", "file:src/train.py", "file:out/preds.csv"]}}
  - {{id: preds, points: 5, rule: pass, evidence: predictions}}
  - {{id: lint, points: 5, rule: threshold, evidence: lint, better: lower, min: 10, target: 0}}
"""

FILES = {
    ".roadmap-ci.yml": """\
        deliverable: tiny
        rubric: rubric/rubric.yaml
        pipeline: {timeout: 120}
        metrics: [metrics.json]
        data: {suites: gx/*.json}
        tests: {paths: [tests]}
        lint: {paths: [src, tests]}
        predictions: {path: out/preds.csv, id_column: id}
        """,
    "dvc.yaml": f"""\
        stages:
          train:
            cmd: {PY} src/train.py
            deps: [src/train.py, data.csv]
            outs: [out/preds.csv]
            metrics:
              - metrics.json:
                  cache: false
        """,
    "data.csv": "id,x\n1,0.5\n2,0.7\n3,0.9\n",
    "src/train.py": """\
        import csv
        import json
        from pathlib import Path

        rows = list(csv.DictReader(open("data.csv")))
        Path("out").mkdir(exist_ok=True)
        with open("out/preds.csv", "w") as fh:
            fh.write("id,label\\n" + "".join(f"{r['id']},{int(float(r['x']) > 0.6)}\\n" for r in rows))
        json.dump({"acc": 0.75}, open("metrics.json", "w"))
        print("trained on", len(rows), "rows")
        """,
    "tests/test_train.py": "def test_truth():\n    assert 1 + 1 == 2\n",
    "gx/data.json": json.dumps({"name": "data", "meta": {"data_file": "data.csv"}, "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min_value": 0, "max_value": 1}}]}),
    "README.md": "# Tiny\n\n## Results\n\nacc 0.75\n",
    ".gitignore": "/out\n/metrics.json\n.roadmap-ci/\n",
    "ruff.toml": "[lint]\nselect = ['F']\n",  # hermetic: no ruff config from a parent directory
}


def _cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    import subprocess

    return subprocess.run([sys.executable, "-m", "roadmap_ci", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env=env)


def _repo(tmp_path: Path, pass_mark: int = 30) -> Path:
    files = dict(FILES)
    files["rubric/rubric.yaml"] = RUBRIC.format(pass_mark=pass_mark)
    return make_repo(tmp_path / "learner", files, dvc=True)


@pytest.mark.slow
def test_evaluate_pass_then_unchanged_rerun_below_a_stricter_pass_mark(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    res = _cli("evaluate", str(repo), "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    out = repo / ".roadmap-ci"
    ev = json.loads((out / "evidence.json").read_text())
    card = json.loads((out / "scorecard.json").read_text())
    assert ev["pipeline"]["status"] == "ok" and ev["pipeline"]["stages"][0]["status"] == "ran"
    assert ev["metrics"] == {"metrics.json:acc": 0.75}
    assert ev["tests"]["status"] == "ok" and ev["data"][0]["status"] == "ok"
    assert ev["predictions"]["rows"] == 3 and (out / ev["predictions"]["bundled_as"]).is_file()
    assert len(ev["commit"]) == 40 and ev["hidden"] is None
    # a file: criterion about a pipeline output sees it on the very first run (structure waits for the pipeline)
    assert {f["path"]: f["kind"] for f in ev["structure"]["files"]}["out/preds.csv"] == "file"
    assert card["passed"] is True and card["total"] == 45.0  # acc 0.75 -> half of 10 points
    assert card["evidence_digest"].startswith("sha256:")
    assert (out / "report.md").read_text().strip()
    assert "tiny" in res.stdout and "45/50" in res.stdout  # the scorecard table

    # unchanged repo, stricter rubric: DVC skips the stage, same facts, now below the pass mark (exit 1)
    strict = tmp_path / "strict.yaml"
    strict.write_text(RUBRIC.format(pass_mark=50))
    again = _cli("evaluate", str(repo), "--rubric", str(strict), "--json")
    assert again.returncode == 1, again.stderr
    card2 = json.loads(again.stdout)
    assert card2["total"] == 45.0 and card2["passed"] is False and card2["pass_mark"] == 50
    ev2 = json.loads((out / "evidence.json").read_text())
    assert ev2["pipeline"]["stages"][0]["status"] == "cached"
    assert ev2["metrics"] == ev["metrics"] and ev2["tests"]["cases"][0]["outcome"] == "passed"

    # hidden-label criteria: pending on a learner's run (no labels here) -- unless the report step's readers
    # already refuse the predictions, here a column the rubric names and the file lacks: then 0, CI's reason
    for column, status in (("label", "pending"), ("pred", "missing")):
        hidden_rubric = tmp_path / f"hidden-{column}.yaml"
        hidden_rubric.write_text(RUBRIC.format(pass_mark=30) + (
            "  - {id: hidden-acc, points: 20, rule: threshold, evidence: hidden:public.accuracy, min: 0, target: 1,\n"
            "     help: Write the prediction column the rubric names.}\n"
            f"hidden_labels: {{source: labels.csv, target_column: label, prediction_column: {column}, "
            "metrics: [accuracy]}\n"))
        res = _cli("evaluate", str(repo), "--rubric", str(hidden_rubric), "--json")
        card3 = json.loads(res.stdout)
        got = {c["id"]: c for c in card3["criteria"]}["hidden-acc"]
        assert got["status"] == status, (column, got)
        if status == "missing":
            assert "out/preds.csv: the predictions file lacks the column(s) 'pred' (found: 'id', 'label')" in \
                got["reason"]
            assert json.loads((out / "evidence.json").read_text())["errors"] == []  # evidence.json as collected
            # the terminal says what to improve (the rubric's hint), as report.md does
            res = _cli("evaluate", str(repo), "--rubric", str(hidden_rubric), "--quiet")
            assert "💡 hidden-acc (+20): Write the prediction column the rubric names." in res.stdout, res.stdout


@pytest.mark.parametrize("cmd", ["collect", "evaluate"])
def test_a_directory_that_is_not_a_git_repo_is_exit_2_with_how_to_fix(tmp_path: Path, cmd: str) -> None:
    """A learner's folder before `git init`: nothing is run or scored (the commit is what CI grades)."""
    repo = make_repo(tmp_path / "plain", {".roadmap-ci.yml": "deliverable: tiny\nrubric: rubric.yaml\n",
                                          "rubric.yaml": RUBRIC.format(pass_mark=30),
                                          "README.md": "# Plain\n## Results\n"}, use_git=False)
    res = _cli(cmd, str(repo))
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip() == (f"{repo.resolve()}: not a git repository: run `git init && git add -A && "
                                  'git commit -m "First version"` there, then evaluate again')
    assert not (repo / ".roadmap-ci").exists(), "nothing is written for a folder that cannot be evaluated"


@pytest.mark.parametrize("cmd", ["collect", "evaluate"])
def test_a_repo_without_commits_is_exit_2_with_how_to_fix(tmp_path: Path, cmd: str) -> None:
    repo = make_repo(tmp_path / "fresh", {".roadmap-ci.yml": "deliverable: tiny\nrubric: rubric.yaml\n",
                                          "rubric.yaml": RUBRIC.format(pass_mark=30)}, commit=False)
    res = _cli(cmd, str(repo))
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.strip() == (f"{repo.resolve()}: the git repository has no commits yet: run `git add -A && "
                                  'git commit -m "First version"` there, then evaluate again')


def test_no_config_is_exit_2_with_one_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    for cmd in ("collect", "evaluate"):
        res = _cli(cmd, str(repo))
        assert res.returncode == 2
        assert res.stderr.count("\n") == 1 and "no .roadmap-ci.yml" in res.stderr and "Traceback" not in res.stderr


def test_invalid_config_is_exit_2_with_place(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".roadmap-ci.yml": "deliverable: tiny\ntests:\n  timeout: soon\n"})
    res = _cli("evaluate", str(repo))
    assert res.returncode == 2
    assert res.stderr.strip() == (f"{repo.resolve()}/.roadmap-ci.yml:3:12: tests.timeout: "
                                  "Input should be a valid number, unable to parse string as a number")


def test_unknown_rubric_id(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".roadmap-ci.yml": "deliverable: tiny\nrubric: no-such-rubric\n"})
    res = _cli("evaluate", str(repo))
    assert res.returncode == 2
    bundled = sorted(f.stem for f in (Path(__file__).parents[2] / "rubrics").glob("*.yaml") if f.stem != "base")
    assert f"rubric 'no-such-rubric' is not a bundled rubric (allowed: {', '.join(bundled)}; or give a path)" \
        in res.stderr


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    res = _cli("evaluate", str(tmp_path / "nope"))
    assert res.returncode == 2 and "not a directory" in res.stderr


def test_collect_api_records_a_crashing_collector_as_an_error(tmp_path: Path, monkeypatch) -> None:
    from roadmap_ci.collect import structure

    def boom(ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(structure, "collect", boom)
    repo = make_repo(tmp_path / "r", {".roadmap-ci.yml": "deliverable: tiny\n"})
    ev = collect(repo, tmp_path / "out")
    assert ev.structure is None
    assert [(e.collector, e.message) for e in ev.errors] == [("structure", "RuntimeError: disk on fire")]


@pytest.mark.slow
def test_a_learners_second_evaluate_reuses_the_tests_locally(tmp_path: Path) -> None:
    """The learner's loop: `roadmap-ci evaluate` in the repo, twice. The first run's pipeline writes its
    outputs while the tests run beside it; the second run skips every stage and reuses the tests' result."""
    import os

    repo = _repo(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "ROADMAP_CI_NO_CACHE")}
    first = _cli("evaluate", ".", "--quiet", cwd=repo, env=env)
    assert first.returncode == 0, first.stderr
    ev1 = json.loads((repo / ".roadmap-ci" / "evidence.json").read_text())
    assert ev1["pipeline"]["stages"][0]["status"] == "ran" and not ev1["tests"]["cached"]
    second = _cli("evaluate", ".", "--quiet", cwd=repo, env=env)
    assert second.returncode == 0, second.stderr
    ev2 = json.loads((repo / ".roadmap-ci" / "evidence.json").read_text())
    assert ev2["pipeline"]["stages"][0]["status"] == "cached" and ev2["tests"]["cached"]
    assert ev2["tests"]["cases"] == ev1["tests"]["cases"]


@pytest.mark.slow
def test_the_second_evaluate_reuses_the_tests_although_dvc_wrote_gitignore_files(tmp_path: Path) -> None:
    """A hand-written repo whose .gitignore does not list the pipeline's outputs: the first `dvc repro` adds
    `out/.gitignore`. That write is the evaluation's own, so the second run reuses the tests and says so;
    a learner's edit afterwards is a change."""
    import os

    files = {**FILES, ".gitignore": ".venv/\n", "rubric/rubric.yaml": RUBRIC.format(pass_mark=30)}
    repo = make_repo(tmp_path / "learner", files, dvc=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "ROADMAP_CI_NO_CACHE")}
    first = _cli("evaluate", ".", cwd=repo, env=env)
    assert first.returncode == 0, first.stderr
    assert (repo / "out" / ".gitignore").read_text() == "/preds.csv\n", "DVC ignores its output"
    assert "reused" not in first.stderr
    second = _cli("evaluate", ".", cwd=repo, env=env)
    assert second.returncode == 0, second.stderr
    (line,) = [ln for ln in second.stderr.splitlines() if ln.startswith("collect tests:")]
    assert "reused: no file changed since the last run" in line, second.stderr
    assert json.loads((repo / ".roadmap-ci" / "evidence.json").read_text())["tests"]["cached"] is True
    (repo / "tests" / "test_more.py").write_text("def test_more():\n    assert 2 * 2 == 4\n")
    third = _cli("evaluate", ".", cwd=repo, env=env)
    ev3 = json.loads((repo / ".roadmap-ci" / "evidence.json").read_text())
    assert third.returncode == 0 and ev3["tests"]["cached"] is False and len(ev3["tests"]["cases"]) == 2
