"""`roadmap-ci new`: real cookiecutter rendering and a real git repo."""

from __future__ import annotations

import json
import subprocess

import pytest

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.new import available, new


@pytest.fixture
def templates(tmp_path):
    root = tmp_path / "templates"
    t = root / "tabular-regression"
    (t / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (t / "cookiecutter.json").write_text(json.dumps({"project_name": "House prices",
                                                     "project_slug": "{{ cookiecutter.project_name.lower()"
                                                                     ".replace(' ', '-') }}"}))
    (t / "{{cookiecutter.project_slug}}" / "README.md").write_text("# {{ cookiecutter.project_name }}\n")
    return root


def test_new_renders_and_commits(templates, tmp_path):
    out = new("tabular-regression", tmp_path / "work", no_input=True, root=templates,
              extra={"project_name": "My Houses"})
    assert out.name == "my-houses"
    assert (out / "README.md").read_text() == "# My Houses\n"
    log = subprocess.run(["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True)
    assert "Start from the roadmap-ci template" in log.stdout
    assert available(templates) == ["tabular-regression"]


def test_new_refuses_to_overwrite(templates, tmp_path):
    new("tabular-regression", tmp_path, no_input=True, root=templates, git=False)
    with pytest.raises(CannotRun, match="choose another project name"):
        new("tabular-regression", tmp_path, no_input=True, root=templates, git=False)


def test_unknown_deliverable_and_missing_template(templates, tmp_path):
    with pytest.raises(InvalidInput, match="unknown deliverable 'tabular-regresion'"):
        new("tabular-regresion", tmp_path, root=templates)
    with pytest.raises(CannotRun, match=r"no template for 'gnn' yet \(templates: tabular-regression\)"):
        new("gnn", tmp_path, root=templates)


def test_cli_new_unknown(cli, tmp_path):
    res = cli("new", "no-such-thing", "-o", str(tmp_path))
    assert res.returncode == 1 and "unknown deliverable 'no-such-thing'" in res.stderr


def test_cli_new_with_its_questions_unanswerable_says_how_to_take_the_defaults(tmp_path):
    import sys

    res = subprocess.run([sys.executable, "-m", "roadmap_ci", "new", "ml-pipeline", "--no-git", "-o", str(tmp_path)],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and res.stderr.strip().endswith(
        "error: no answer to the template's questions (standard input is closed): run it in a terminal, or add "
        "--no-input to take every default"), res.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_new_output_is_a_file_an_existing_repo_and_a_path_with_a_space(cli, tmp_path):
    (tmp_path / "afile").write_text("")
    res = cli("new", "ml-pipeline", "--no-input", "--no-git", "-o", str(tmp_path / "afile"))
    assert res.returncode == 1 and res.stderr.strip() == (
        f"{tmp_path / 'afile'}: is a file, not a folder: -o names the folder the new repo goes into"), res.stderr
    where = tmp_path / "my work"
    res = cli("new", "ml-pipeline", "--no-input", "--no-git", "-o", str(where))
    assert res.returncode == 0, res.stderr
    (repo,) = where.iterdir()
    # the hint is pasteable as is, and installs the evaluator where it runs (the project's .venv)
    assert res.stdout.splitlines()[-1] == f"next: cd '{repo}' && make setup && make evaluate"
    res = cli("new", "ml-pipeline", "--no-input", "--no-git", "-o", str(where))
    assert res.returncode == 2 and res.stderr.strip() == (
        f'error: "{repo}" directory already exists — choose another project name or output directory')


# ---------------------------------------------------------------- a course secret (mentor side)

SECRET = "a-course-secret-for-the-tests-0123456789"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "course.secret"
    path.write_text(SECRET + "\n")
    return path


def test_new_with_a_course_secret_writes_the_course_data_and_labels_outside(tmp_path):
    """ml-pipeline: the lightest real generator. The repo's data is the course's, the labels go to PATH only."""
    from roadmap_ci.paths import templates_dir

    practice_raw = templates_dir() / "ml-pipeline" / "{{cookiecutter.project_slug}}" / "data" / "raw"
    labels = tmp_path / "mentor" / "alice.csv"
    repo = new("ml-pipeline", tmp_path / "work", no_input=True, secret=SECRET.encode(), labels_out=labels,
               learner="alice")
    raw = repo / "data" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(p.name for p in practice_raw.iterdir())
    for name in ("train.csv", "test.csv", "new_batch.csv"):
        assert (raw / name).read_bytes() != (practice_raw / name).read_bytes(), name
    rows = labels.read_text().splitlines()
    assert rows[0] == "id,late,split" and len(rows) == 5501  # a course has 5,500 test orders (practice 2,000)
    test_ids = {line.split(",")[0] for line in (raw / "test.csv").read_text().splitlines()[1:]}
    assert {line.split(",")[0] for line in rows[1:]} == test_ids  # the labels are this repo's test rows
    assert not any("late,split" in p.read_text() for p in repo.rglob("*.csv")), "hidden labels inside the repo"
    committed = subprocess.run(["git", "show", "HEAD:data/raw/test.csv"], cwd=repo, capture_output=True,
                               check=True).stdout
    assert committed == (raw / "test.csv").read_bytes()  # the first commit holds the course's data
    log = subprocess.run(["git", "log", "--oneline"], cwd=repo, capture_output=True, text=True, check=True)
    assert "Start from the roadmap-ci template" in log.stdout

    # the same secret and learner reproduce the labels; another learner gets other ids
    again = new("ml-pipeline", tmp_path / "again", no_input=True, secret=SECRET.encode(),
                labels_out=tmp_path / "again.csv", learner="Alice", git=False)
    assert (tmp_path / "again.csv").read_bytes() == labels.read_bytes()
    assert (again / "data" / "raw" / "train.csv").read_bytes() == (raw / "train.csv").read_bytes()
    new("ml-pipeline", tmp_path / "bob", no_input=True, secret=SECRET.encode(), labels_out=tmp_path / "bob.csv",
        learner="bob", git=False)
    bob_ids = {line.split(",")[0] for line in (tmp_path / "bob.csv").read_text().splitlines()[1:]}
    assert len(bob_ids & test_ids) <= 2


def test_new_without_a_secret_keeps_the_practice_data(tmp_path):
    from roadmap_ci.paths import templates_dir

    practice_raw = templates_dir() / "ml-pipeline" / "{{cookiecutter.project_slug}}" / "data" / "raw"
    repo = new("ml-pipeline", tmp_path, no_input=True, git=False)
    for path in practice_raw.iterdir():
        assert (repo / "data" / "raw" / path.name).read_bytes() == path.read_bytes()


def test_cli_new_with_a_course_secret(cli, tmp_path, secret_file):
    res = cli("new", "ml-pipeline", "--no-input", "-o", str(tmp_path / "w"), "--course-secret-file", str(secret_file),
              "--labels-out", str(tmp_path / "labels.csv"), "--learner", "alice")
    assert res.returncode == 0, res.stderr
    assert "with the course's data for alice" in res.stdout and str(tmp_path / "labels.csv") in res.stdout
    assert (tmp_path / "labels.csv").read_text().startswith("id,late,split\n")


def test_cli_new_refuses_labels_inside_the_repo_and_leaves_nothing(cli, tmp_path, secret_file):
    inside = tmp_path / "w" / "late-delivery-predictor" / "labels.csv"
    res = cli("new", "ml-pipeline", "--no-input", "-o", str(tmp_path / "w"), "--course-secret-file", str(secret_file),
              "--labels-out", str(inside))
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "lies inside the new repo" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "w" / "late-delivery-predictor").exists() and not inside.exists()


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--labels-out", "l.csv"], 1, "--labels-out needs --course-secret-file"),
    (["--learner", "alice"], 1, "--learner needs --course-secret-file"),
    (["--course-secret-file", "{secret}"], 1, "--course-secret-file needs --labels-out"),
    (["--course-secret-file", "{short}", "--labels-out", "l.csv"], 1, "needs at least 16 bytes"),
    (["--course-secret-file", "{missing}", "--labels-out", "l.csv"], 2, "no such course-secret file"),
])
def test_cli_new_bad_secret_flags(cli, tmp_path, secret_file, args, code, message):
    (tmp_path / "short").write_text("tiny\n")
    paths = {"secret": str(secret_file), "short": str(tmp_path / "short"), "missing": str(tmp_path / "nope")}
    res = cli("new", "ml-pipeline", "--no-input", "-o", str(tmp_path / "w"), *(a.format(**paths) for a in args),
              cwd=tmp_path)
    assert res.returncode == code and message in res.stderr, (res.returncode, res.stderr)
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "w").exists()


def test_templates_whose_generator_cannot_take_a_secret(templates, tmp_path):
    t = templates / "tabular-regression"
    with pytest.raises(CannotRun, match="the template has no data generator"):
        new("tabular-regression", tmp_path / "a", no_input=True, root=templates, secret=b"s" * 32,
            labels_out=tmp_path / "l.csv")
    (t / "generate_data.py").write_text("RAW = LABELS = None\n\ndef generate(raw_dir, labels_file):\n    pass\n")
    with pytest.raises(CannotRun, match=r"generate\(\) takes no course secret yet"):
        new("tabular-regression", tmp_path / "b", no_input=True, root=templates, secret=b"s" * 32,
            labels_out=tmp_path / "l.csv")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_generator_missing_a_package_names_the_template_and_what_to_install(templates, tmp_path):
    (templates / "tabular-regression" / "generate_data.py").write_text(
        "import numpy_that_is_not_installed as np\n\n"
        "def generate(raw_dir, labels_file, *, secret=None, learner=None):\n    pass\n")
    # a module the course extra does not bring: named as imported (its distribution may be named otherwise)
    with pytest.raises(CannotRun, match=r"tabular-regression: its data generator needs 'numpy_that_is_not_installed', "
                                        r"which this environment lacks; install it and run again"):
        new("tabular-regression", tmp_path / "a", no_input=True, root=templates, secret=b"s" * 32,
            labels_out=tmp_path / "l.csv")


def test_a_failing_generator_leaves_no_repo_and_no_labels(templates, tmp_path):
    template = templates / "tabular-regression"
    (template / "generate_data.py").write_text(
        "from pathlib import Path\n"
        "HERE = Path(__file__).resolve().parent\n"
        "RAW = HERE / '{{cookiecutter.project_slug}}' / 'data' / 'raw'\n"
        "LABELS = HERE / 'labels.csv'\n\n"
        "def generate(raw_dir, labels_file, *, secret=None, learner=None):\n"
        "    raise ValueError('the process ran out of customers')\n")
    with pytest.raises(CannotRun, match="tabular-regression: the data generator failed: ValueError: the process"):
        new("tabular-regression", tmp_path / "a", no_input=True, root=templates, secret=b"s" * 32,
            labels_out=tmp_path / "l.csv", extra={"project_name": "Houses"})
    assert not (tmp_path / "a" / "houses").exists() and not (tmp_path / "l.csv").exists()


def test_labels_out_that_cannot_be_written_is_one_line_and_leaves_no_repo(cli, tmp_path, secret_file):
    (tmp_path / "a-file").write_text("not a directory\n")
    res = cli("new", "ml-pipeline", "--no-input", "-o", str(tmp_path / "w"), "--course-secret-file", str(secret_file),
              "--labels-out", str(tmp_path / "a-file" / "labels.csv"))
    assert res.returncode == 2 and "cannot write the hidden labels" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "w" / "late-delivery-predictor").exists()
