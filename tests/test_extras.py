"""The extras: the core installs light, and a command whose extra is missing says which one to install (exit 2).

The slow test builds a real venv with the core package only (uv, from the package registry with uv's cache)
and runs the commands that need each extra there; the fast ones hide one library from this interpreter
(``sys.modules[name] = None`` makes ``import name`` fail exactly as an absent library does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from roadmap_ci import extras
from roadmap_ci.cli import main
from roadmap_ci.errors import CannotRun

ROOT = Path(__file__).resolve().parent.parent
# a workflow_run event as the report workflow receives it (a push to the learner's own repository)
EVENT = {"repository": {"full_name": "o/r", "owner": {"login": "o"}},
         "workflow_run": {"id": 1, "head_sha": "a" * 40, "event": "push", "conclusion": "success",
                          "head_branch": "main", "head_repository": {"full_name": "o/r", "owner": {"login": "o"}}}}


def test_every_extra_module_is_declared_in_pyproject():
    opt = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    declared = {extra: " ".join(reqs).lower() for extra, reqs in opt.items()}
    dist_of = {"great_expectations": "great-expectations", "github3": "github3.py", "mlflow": "mlflow-skinny",
               "nacl": "pynacl", "sklearn": "scikit-learn"}
    for extra, modules in extras.EXTRAS.items():
        for module in modules:
            if module == "requests":  # github3.py's own dependency, imported beside it
                continue
            assert dist_of.get(module, module) in declared[extra], f"{module} is not in the {extra} extra"
    assert opt["all"] == ["roadmap-ci[collect,github,mlflow,scaffold,course,cohort]"]
    assert "roadmap-ci[scaffold]" in opt["course"] and "roadmap-ci[github,course]" in opt["cohort"]
    assert "roadmap-ci[all]" in opt["dev"]


def test_need_and_imports_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "github3", None)
    with pytest.raises(CannotRun) as exc, extras.imports("github", "ci-report posts with it"):
        import github3  # noqa: F401
    assert str(exc.value) == ("the github3 library is not installed (ci-report posts with it): it comes with the "
                              "'github' extra, pip install 'roadmap-ci[github]' (or `uv pip install ...`, or "
                              "`roadmap-ci[all]`)")
    with pytest.raises(CannotRun, match=r"roadmap-ci\[collect\]"):
        extras.need("collect", "no_such_module_of_collect")
    extras.need("collect", "json")  # present: nothing raised


def test_an_unrelated_missing_module_is_not_blamed_on_an_extra():
    with pytest.raises(ModuleNotFoundError), extras.imports("github"):
        import no_such_module_at_all  # noqa: F401


def test_ci_report_without_github3_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    event = tmp_path / "event.json"
    event.write_text(json.dumps(EVENT))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    monkeypatch.setitem(sys.modules, "github3", None)
    with pytest.raises(SystemExit) as exc:
        main(["ci-report"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.count("\n") == 1 and "pip install 'roadmap-ci[github]'" in err and "Traceback" not in err


def test_new_with_a_course_secret_without_the_generators_stack_names_the_course_extra(tmp_path, monkeypatch, capsys):
    """unsupervised's generator fits a scikit-learn forest to match a course's process: without it, one line naming
    the extra (not a traceback, not `pip install sklearn`, which is no package), exit 2, no labels written."""
    secret = tmp_path / "course.secret"
    secret.write_text("a-course-secret-of-the-mentor-0001\n")
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] + ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)  # a submodule another test imported would still load
    with pytest.raises(SystemExit) as exc:
        main(["new", "unsupervised", "--no-input", "--output-dir", str(tmp_path / "out"), "--course-secret-file",
              str(secret), "--learner", "alice", "--labels-out", str(tmp_path / "alice.csv")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "the sklearn library is not installed (unsupervised's data generator draws a course's data with it)" in err
    assert "pip install 'roadmap-ci[course]'" in err, err
    assert not (tmp_path / "alice.csv").exists()


def test_collect_without_dvc_stops_before_running_anything(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    (repo / ".dvc").mkdir(parents=True)
    (repo / "dvc.yaml").write_text("stages: {}\n")
    (repo / ".roadmap-ci.yml").write_text("deliverable: tabular-classification\npipeline: {}\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):  # collect needs a commit first
        subprocess.run([*git, *cmd], cwd=repo, check=True, capture_output=True)
    monkeypatch.setitem(sys.modules, "dvc", None)
    real_find_spec = extras.importlib.util.find_spec
    monkeypatch.setattr(extras.importlib.util, "find_spec",
                        lambda name, *a: None if name == "dvc" else real_find_spec(name, *a))
    with pytest.raises(SystemExit) as exc:
        main(["collect", str(repo), "--quiet"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "the dvc library is not installed (the pipeline collector runs it)" in err
    assert "pip install 'roadmap-ci[collect]'" in err and err.count("\n") == 1
    assert not (repo / ".roadmap-ci" / "evidence.json").exists()


def _venv_with(tmp_path: Path, requirement: str) -> tuple[str, Path]:
    """A fresh venv with only ``requirement`` installed, by uv (from the registry, through uv's cache). uv comes
    with the dev install (`make .venv/.installed`); without it these tests fail rather than skip."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None, "uv is missing: `make .venv/.installed` installs it with the dev extra"
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), requirement],
                   check=True)
    return uv, venv


@pytest.mark.slow
def test_a_core_only_venv_is_light_and_names_each_missing_extra(tmp_path):
    uv, venv = _venv_with(tmp_path, str(ROOT))
    py = venv / "bin" / "python"
    listed = subprocess.run([uv, "pip", "list", "--python", str(py), "--format", "json"], check=True,
                            capture_output=True, text=True).stdout
    names = {d["name"].lower() for d in json.loads(listed)}
    assert not names & {"dvc", "mlflow", "mlflow-skinny", "great-expectations", "github3-py", "pandas", "pyarrow",
                        "cookiecutter"}, names
    assert len(names) <= 25, sorted(names)
    exe = venv / "bin" / "roadmap-ci"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ROADMAP_CI_"))}

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *args], cwd=tmp_path, capture_output=True, text=True,
                              env={**env, **extra_env})

    # the light core works: the curriculum, a bundled rubric
    assert run("roadmap").returncode == 0
    assert run("rubric", "lint", str(ROOT / "rubrics" / "tabular-classification.yaml")).returncode == 0
    # each heavy command: one line naming its extra, exit 2
    event = tmp_path / "event.json"
    event.write_text(json.dumps(EVENT))
    cases = {
        "github": run("ci-report", GITHUB_EVENT_PATH=str(event), GITHUB_TOKEN="ghs_x", RUNNER_TEMP=str(tmp_path)),
        "scaffold": run("new", "tabular-classification", "--no-input", "--output-dir", str(tmp_path / "out")),
    }
    repo = tmp_path / "repo"
    (repo / ".dvc").mkdir(parents=True)
    (repo / "dvc.yaml").write_text("stages: {}\n")
    (repo / ".roadmap-ci.yml").write_text("deliverable: tabular-classification\npipeline: {}\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):  # collect needs a commit first
        subprocess.run([*git, *cmd], cwd=repo, check=True, capture_output=True)
    cases["collect"] = run("collect", str(repo), "--quiet")
    # the core scores (pure); publishing the scorecard to MLflow needs the mlflow extra
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps({"schema_version": 1, "deliverable": "tabular-classification"}))
    scored = run("score", "-e", str(evidence), "-r", str(ROOT / "rubrics" / "tabular-classification.yaml"),
                 "-o", str(tmp_path / "scorecard.json"))
    assert scored.returncode in (0, 1) and (tmp_path / "scorecard.json").is_file(), scored.stderr
    cases["mlflow"] = run("publish", "-s", str(tmp_path / "scorecard.json"), "--mlflow",
                          "--out-dir", str(tmp_path / "published"))
    for extra, proc in cases.items():
        assert proc.returncode == 2, (extra, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert f"pip install 'roadmap-ci[{extra}]'" in proc.stderr, proc.stderr


@pytest.mark.slow
def test_the_course_extra_alone_renders_a_course_s_data(tmp_path):
    """What a mentor installs to render course data (`roadmap-ci[course]`, nothing else) runs the generators that
    need the most of it: unsupervised's (a scikit-learn forest) and image-classifier's (SciPy, scikit-learn's
    digits)."""
    _, venv = _venv_with(tmp_path, f"{ROOT}[course]")
    secret = tmp_path / "course.secret"
    secret.write_text("a-course-secret-of-the-mentor-0001\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ROADMAP_CI_"))}
    for template in ("unsupervised", "image-classifier"):
        labels = tmp_path / f"{template}-alice.csv"
        res = subprocess.run([str(venv / "bin" / "roadmap-ci"), "new", template, "--no-input", "--output-dir",
                              str(tmp_path / template), "--course-secret-file", str(secret), "--learner", "alice",
                              "--labels-out", str(labels)], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert res.returncode == 0, (template, res.stdout, res.stderr)
        assert labels.read_text(encoding="utf-8").count("\n") > 100, template
        repo, = (tmp_path / template).iterdir()
        assert not list(repo.rglob(labels.name)), f"{template}: the hidden labels must stay out of the repo"

