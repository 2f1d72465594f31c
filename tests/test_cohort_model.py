"""`cohort.yaml` and its roster: every problem on one line with its place, before anything touches GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing.common import ROOT

from roadmap_ci.cohort.model import lint_cohort, load_cohort

GOOD = """\
version: 1
organisation: ml-2027
roster: roster.csv
mentors: mentors
deliverables:
  - id: churn
    template: tabular-classification
    opens: 2027-01-11T09:00:00+01:00
    due: 2027-01-24T23:59:00+01:00
    cutoff: 2027-01-31T23:59:00+01:00
    rubric: {id: tabular-classification, version: "2026.12"}
"""
ROSTER = "github,name,email,lms_id,section\nada-l,Ada,ada@example.edu,1,A\ngrace-h,Grace,grace@example.edu,2,B\n"


def cohort(tmp: Path, text: str = GOOD, roster: str = ROSTER) -> Path:
    (tmp / "roster.csv").write_text(roster)
    (tmp / "cohort.yaml").write_text(text)
    return tmp / "cohort.yaml"


def lines(path: Path) -> list[str]:
    return [str(e) for e in lint_cohort(path)]


def test_the_example_cohort_is_clean_and_expands_to_seats():
    loaded = load_cohort(ROOT / "examples" / "cohort" / "cohort.yaml")
    seats = loaded.seats()
    assert [s.repo for s in seats] == ["churn-ada-l", "churn-grace-h", "churn-alan-t", "forecast-team-a",
                                       "forecast-team-b"]
    assert [m.github for m in seats[3].members] == ["ada-l", "grace-h"]
    grace = seats[1]
    due, cutoff = loaded.deadline(grace)
    assert due.isoformat() == "2027-01-27T23:59:00+01:00" and cutoff.isoformat() == "2027-01-31T23:59:00+01:00"


def test_roster_problems_are_named_by_line(tmp_path):
    roster = ROSTER + ("ADA-L,Dup,dup@example.edu,3,A\n-bad-,Bad,b@example.edu,4,A\nok-1,Ok,not-mail,5,A\nshort,row\n"
                       "same-id,Same,same@example.edu,5,A\nsame-mail,Mail,SAME@example.edu,6,A\n"
                       '"esc-1","Eve\x1b[31m",e@example.edu,7,A\nnl-1,Nel,n@example.edu,"8\n9",A\n')
    assert lines(cohort(tmp_path, roster=roster)) == [
        f"{tmp_path}/roster.csv:4: github: 'ADA-L' is listed twice (first on line 2)",
        f"{tmp_path}/roster.csv:5: github: '-bad-' is not a valid GitHub login",
        f"{tmp_path}/roster.csv:6: email: 'not-mail' is not an e-mail address",
        f"{tmp_path}/roster.csv:7: 2 columns, the header has 5",
        # two learners on one LMS user: the imports and passback would put two grades on one row
        f"{tmp_path}/roster.csv:8: lms_id: '5' is same-id's and also the learner's on line 6",
        f"{tmp_path}/roster.csv:9: email: 'SAME@example.edu' is same-mail's and also the learner's on line 8",
        f"{tmp_path}/roster.csv:10: name: holds the control character U+001B",
        f"{tmp_path}/roster.csv:11: lms_id: holds the control character U+000A",  # where its row starts
    ]
    assert lines(cohort(tmp_path, roster="login,name\nada,Ada\n")) == [
        f"{tmp_path}/roster.csv:1: roster header lacks github, email, lms_id, section "
        "(it has 'login', 'name'; a roster's columns: github, name, email, lms_id, section)"]
    assert lines(cohort(tmp_path, roster="github;name;email;lms_id;section\nada;Ada;a@x.edu;1;A\n")) == [
        f"{tmp_path}/roster.csv:1: roster is semicolon-separated: save it as comma-separated CSV (columns: "
        "github, name, email, lms_id, section)"]


@pytest.mark.parametrize("edit, expected", [
    (("due: 2027-01-24T23:59:00+01:00", "due: 2027-01-04T23:59:00+01:00"),
     "9:10: due (2027-01-04T23:59:00+01:00) is before opens (2027-01-11T09:00:00+01:00)"),
    (("cutoff: 2027-01-31T23:59:00+01:00", "cutoff: 2027-01-20T23:59:00+01:00"),
     "10:13: cutoff (2027-01-20T23:59:00+01:00) is before due (2027-01-24T23:59:00+01:00)"),
    (("opens: 2027-01-11T09:00:00+01:00", "opens: 2027-01-11T09:00:00"),
     "8:12: opens: give the time zone explicitly (e.g. 2027-01-24T23:59:00+01:00 or …Z)"),
    (("template: tabular-classification", "template: no-such-template"), "7:15: template: no template "
                                                                         "'no-such-template' (templates: "),
    (('version: "2026.12"', 'version: "1999.1"'),
     "11:51: rubric: pinned version '1999.1', but tabular-classification.yaml is version '2026.12'"),
    (("rubric: {id: tabular-classification,", "rubric: {id: no-rubric,"), "11:18: rubric: no bundled rubric "
                                                                          "'no-rubric'"),
    (("mentors: mentors", "mentors: mentors\ncourse_secret: s3cr3t-value"),
     "5:1: course_secret: never write the secret into cohort.yaml"),
    (("organisation: ml-2027", "organisation: -ml"), "2:15: organisation: not a valid GitHub organisation name"),
    (("    template:", "    colour: blue\n    template:"), "7:5: unknown key 'colour'"),
    (("mentors: mentors", "mentors: mentors\nartifact_retention_days: 500"),
     "5:26: artifact_retention_days: Input should be less than or equal to 400"),
    (("mentors: mentors", "mentors: mentors\nartifact_retention_days: \"30\""),
     "5:26: artifact_retention_days: Input should be a valid integer"),
    (("id: churn", "id: churn\n    repo: \"{deliverable}-{login}\""),
     "7:11: repo pattern: unknown field {login} (allowed: {deliverable}, {github}, {group}, {section})"),
    (("mentors: mentors", "mentors: mentors\nrubrics: {repository: grading, token_file: t}"),
     "5:23: rubrics: repository: 'grading' is not owner/name (a GitHub account, then a repository)"),
    (("mentors: mentors", "mentors: mentors\nrubrics: {repository: ml-2027/.., token_file: t}"),
     "5:23: rubrics: repository: 'ml-2027/..' is not owner/name"),
    (("mentors: mentors", "mentors: mentors\nrubrics: {repository: ml-2027/grading, token: ghp_x}"),
     "5:40: rubrics: never write the token into cohort.yaml"),
    (("mentors: mentors", "mentors: mentors\nrubrics: {repository: ml-2027/grading}"),
     "5:1: missing required key 'token_file'"),
    (("mentors: mentors", "mentors: mentors\nrubrics: {repository: ml-2027/grading, token_file: no.token}"),
     "5:52: rubrics: token_file: "),
])
def test_cohort_file_problems_have_a_place(tmp_path, edit, expected):
    path = cohort(tmp_path, GOOD.replace(*edit))
    found = lines(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:{expected}"), found


def test_cross_checks_groups_extensions_repos_and_secret_file(tmp_path):
    text = GOOD + """\
  - id: pair
    template: time-series
    opens: 2027-02-01T09:00:00Z
    due: 2027-02-14T23:59:00Z
    rubric: {id: time-series, version: "2026.12"}
    groups: {team-a: [ada-l, nobody], team-b: [ada-l]}
extensions:
  - {learner: alan-t, deliverable: churn, due: 2027-01-27T23:59:00+01:00}
  - {learner: ada-l, deliverable: nope, due: 2027-01-27T23:59:00+01:00}
  - {learner: grace-h, deliverable: churn, due: 2027-01-27T23:59:00+01:00}
  - {learner: Grace-H, deliverable: churn, due: 2027-02-27T23:59:00+01:00}
course_secret_file: missing.key
"""
    path = cohort(tmp_path, text)
    got = [line.split(": ", 1)[1] for line in lines(path)]
    assert got == ["group 'team-a': 'nobody' is not in the roster",
                   "group 'team-b': 'ada-l' is already in group 'team-a'",
                   "learner 'alan-t' is not in the roster",
                   "no deliverable 'nope' in this cohort",
                   "a second extension for Grace-H on churn (the first is extensions[2]): keep one",
                   f"course_secret_file: {tmp_path}/missing.key: no such course-secret file"]
    # `extensions:` with nothing under it is no extension (not a type error)
    assert lines(cohort(tmp_path, GOOD + "extensions:\n")) == []


def test_two_seats_may_not_share_a_repo(tmp_path):
    path = cohort(tmp_path, GOOD.replace("id: churn", "id: churn\n    repo: \"{deliverable}-{section}\""),
                  roster=ROSTER + "alan-t,Alan,alan@example.edu,3,A\n")
    assert [line.split(": ", 1)[1] for line in lines(path)] == [
        "repo: churn/alan-t and churn/ada-l would share the repo 'churn-A'"]


def test_cli_lint_and_schema(cli, tmp_path):
    good = cohort(tmp_path)
    res = cli("cohort", "lint", "-c", str(good))
    assert res.returncode == 0 and "ok (2 learners, 1 deliverables, 2 repos)" in res.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("2027-01-24T23:59:00+01:00", "2027-01-01T00:00:00+01:00"))
    res = cli("cohort", "lint", str(bad))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip() == f"{bad}:9:10: due (2027-01-01T00:00:00+01:00) is before opens " \
                                 "(2027-01-11T09:00:00+01:00)"
    schema = json.loads(cli("cohort", "schema").stdout)
    assert schema["title"] == "roadmap-ci cohort" and "course_secret_file" in schema["properties"]
    # a group deliverable that leaves a learner out of every group: a note (it may be meant), not a problem
    grouped = tmp_path / "grouped.yaml"
    grouped.write_text(GOOD.replace("    rubric:", "    groups: {team-a: [ada-l]}\n    rubric:", 1))
    res = cli("cohort", "lint", "-c", str(grouped))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[1:] == ["note: churn: 1 learner(s) in no group (grace-h): no repo for them; add "
                                           "them to a group under groups: if they take part"]


def test_cli_lint_of_a_missing_cohort_file_could_not_run_like_every_cohort_command(cli, tmp_path):
    missing = tmp_path / "missing.yaml"
    res = cli("cohort", "lint", "-c", str(missing))
    grade = cli("cohort", "grade", "-c", str(missing))
    assert res.returncode == grade.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == grade.stderr.strip() == f"{missing}: cohort file not found"
    # the other files are still checked; the exit is the worse one: 2 over 1 over 0
    good = cohort(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("2027-01-24T23:59:00+01:00", "2027-01-01T00:00:00+01:00"))
    both = cli("cohort", "lint", str(good), str(missing), str(bad))
    assert both.returncode == 2 and "ok (2 learners" in both.stdout
    assert both.stderr.splitlines() == [f"{missing}: cohort file not found",
                                        f"{bad}:9:10: due (2027-01-01T00:00:00+01:00) is before opens "
                                        "(2027-01-11T09:00:00+01:00)"]
    assert cli("cohort", "lint", str(tmp_path)).returncode == 2  # a directory is no file to read either
    # a roster it cannot read is a problem of the cohort file, at its `roster:` key: invalid input, exit 1
    (tmp_path / "roster.csv").unlink()
    no_roster = cli("cohort", "lint", str(good))
    assert no_roster.returncode == 1 and "roster" in no_roster.stderr and no_roster.stderr.startswith(f"{good}:")


def test_every_cohort_command_reads_cohort_yaml_here_or_the_file_c_names(cli, tmp_path):
    good = cohort(tmp_path)
    (tmp_path / "cohort.yaml").write_text(good.read_text())
    here = cli("cohort", "lint", cwd=tmp_path)  # no file given: ./cohort.yaml
    assert here.returncode == 0 and "ok (2 learners" in here.stdout, here.stderr
    old = cli("cohort", "plan", str(good), "-c", str(good))  # the older positional form, and -c too: once only
    assert old.returncode == 1 and "the cohort file is given twice" in old.stderr and "Traceback" not in old.stderr
    none = cli("cohort", "status", cwd=tmp_path.parent)
    assert none.returncode == 2 and "cohort.yaml: cohort file not found" in none.stderr
    assert "Traceback" not in none.stderr
    closing = cli("cohort", "close", "a", "b", "c", "-c", str(good))
    assert closing.returncode == 1 and "give one deliverable" in closing.stderr



def test_the_rubrics_token_file_holds_one_token(tmp_path):
    text = GOOD.replace("mentors: mentors", "mentors: mentors\nrubrics: {repository: ml-2027/grading, "
                                            "token_file: grading.token}")
    path = cohort(tmp_path, text)
    token = tmp_path / "grading.token"
    assert lines(path) == [f"{path}:5:52: rubrics: token_file: {token}: no such token file"]
    for content, says in (("\n", "the token file is empty"),
                          ("ghp_a ghp_b\n", "the token file holds more than one token"),
                          ("g" * 5000, "a token file holds one token, at most 4096 bytes")):
        token.write_text(content)
        (line,) = lines(path)
        assert line.startswith(f"{path}:5:52: rubrics: token_file: {token}: {says}"), line
    token.write_text("ghp_readonly\n")
    loaded = load_cohort(path)
    assert loaded.cohort.rubrics.repository == "ml-2027/grading" and loaded.rubrics_token() == "ghp_readonly"


def test_a_secret_or_token_file_git_would_commit_is_a_lint_problem(tmp_path):
    """cohort.yaml lives in the mentor's repository; a key file beside it that `git add -A` would take is one
    push from publishing every learner's hidden labels (or the rubrics repository's token)."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "course.key").write_text("ab" * 32 + "\n")
    (tmp_path / "grading.token").write_text("ghp_" + "x" * 36 + "\n")
    text = GOOD.replace("mentors: mentors\n", "mentors: mentors\ncourse_secret_file: course.key\nrubrics:\n"
                        "  repository: ml-2027/grading\n  token_file: grading.token\n")
    f = cohort(tmp_path, text)
    got = lines(f)
    assert len(got) == 2, got
    assert got[0].startswith(f"{f}:5:") and "course_secret_file: " in got[0]
    assert f"is inside the git repository {tmp_path} and not ignored: a commit would publish the course secret" \
        in got[0]
    assert "rubrics: token_file: " in got[1] and "publish the token" in got[1]
    (tmp_path / ".gitignore").write_text("*.key\n*.token\n")
    assert lines(f) == []
    # ignored but committed anyway: tracked files are git's to push, whatever .gitignore says
    subprocess.run(["git", "-C", str(tmp_path), "add", "-f", "course.key"], check=True)
    (got,) = lines(f)
    assert "course_secret_file: " in got and "not ignored" in got


def test_a_roster_under_the_home_folder_is_found_as_the_secret_file_is(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "course-roster.csv").write_text(ROSTER)
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "cohort.yaml").write_text(GOOD.replace("roster: roster.csv", "roster: ~/course-roster.csv"))
    loaded = load_cohort(tmp_path / "cohort.yaml")
    assert [lr.github for lr in loaded.learners] == ["ada-l", "grace-h"]
    assert loaded.roster_path() == home / "course-roster.csv"
