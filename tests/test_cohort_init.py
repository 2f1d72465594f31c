"""`cohort init`: a cohort file on the roadmap's calendar, checked by the cohort model, with a course secret."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from testing.common import run_cli

from roadmap_ci.cohort import init
from roadmap_ci.cohort.model import load_cohort
from roadmap_ci.paths import rubrics_dir
from roadmap_ci.roadmap import DELIVERABLES
from roadmap_ci.score.load import load_rubric

ROSTER = "github,name,email,lms_id,section\nada-l,Ada,ada@uni.example,1,A\ngrace-h,Grace,,2,B\n"


def test_init_writes_the_whole_roadmap_on_its_calendar_in_the_mentors_time_zone(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    key = tmp_path / "keys" / "course.key"
    r = run_cli("cohort", "init", "--org", "ml-roadmap-2027", "--start", "2027-01-11", "--tz", "Europe/Berlin",
                "--secret-file", str(key), "--out", str(tmp_path / "cohort.yaml"))
    assert r.returncode == 0, r.stderr
    loaded = load_cohort(tmp_path / "cohort.yaml")  # every check the cohort commands make, the rubric pins included
    ds = loaded.cohort.deliverables
    assert [d.id for d in ds] == [d.id for d in DELIVERABLES] and all(d.template == d.id for d in ds)
    monday = datetime(2027, 1, 11)
    for d, rd in zip(ds, DELIVERABLES, strict=True):
        first, last = rd.weeks
        opens, due = d.opens.replace(tzinfo=None), d.due.replace(tzinfo=None)
        assert opens == monday + timedelta(weeks=first - 1, hours=9)  # Monday 09:00 of its first week
        assert due == monday + timedelta(weeks=last, days=-1, hours=23, minutes=59)  # Sunday 23:59 of its last
        assert due.weekday() == 6 and opens.weekday() == 0
        assert d.cutoff - d.due == timedelta(days=7) or d.cutoff.utcoffset() != d.due.utcoffset()
        assert d.rubric.version == load_rubric(rubrics_dir() / f"{d.id}.yaml").rubric.version
    # the offsets are Berlin's on each date: winter +01:00, summer +02:00 (from 2027-03-28)
    by_id = {d.id: d for d in ds}
    assert by_id["math-foundations"].opens.utcoffset() == timedelta(hours=1)
    assert by_id["tabular-regression"].due.isoformat() == "2027-03-28T23:59:00+02:00"
    assert by_id["capstone-rag-docqa"].due.isoformat() == "2028-04-09T23:59:00+02:00"
    longest = max((d.cutoff - d.opens).days for d in ds)
    assert loaded.cohort.artifact_retention_days == longest + 1 + init.RETENTION_MARGIN_DAYS
    assert loaded.cohort.late_policy.penalty == 10
    assert loaded.cohort.provision_ahead_days == 7  # repos appear a week before each deliverable opens
    # the course secret: made, 64 hex characters, readable by the owner alone; the cohort names it
    assert loaded.secret_path() == key
    assert len(key.read_text().strip()) == 64 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert "a new course secret" in r.stdout
    assert "note: specialisation: every learner gets a repo for each of recsys, time-series, gnn" in r.stderr
    lint = run_cli("cohort", "lint", "-c", str(tmp_path / "cohort.yaml"))
    assert lint.returncode == 0 and "15 deliverables, 30 repos" in lint.stdout
    # again, with --force: the same file, and the secret is never replaced
    before = key.read_bytes(), (tmp_path / "cohort.yaml").read_bytes()
    again = run_cli("cohort", "init", "--org", "ml-roadmap-2027", "--start", "2027-01-11", "--tz", "Europe/Berlin",
                    "--secret-file", str(key), "--out", str(tmp_path / "cohort.yaml"), "--force")
    assert again.returncode == 0 and "already there: kept" in again.stdout
    assert (key.read_bytes(), (tmp_path / "cohort.yaml").read_bytes()) == before


def test_a_cohort_of_part_of_the_roadmap_sits_where_the_roadmap_has_it(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    code = init.command(tmp_path / "cohort.yaml", organisation="ml-2027", start="2027-01-11", tz="UTC",
                        deliverables=["time-series", "tabular-classification"], mentors="mentors",
                        roster="roster.csv", secret_file=None, grace_days=3, force=False)
    assert code == 0
    text = (tmp_path / "cohort.yaml").read_text()
    assert "# course_secret_file:" in text and "\ncourse_secret_file" not in text  # --no-secret: said, not set
    loaded = load_cohort(tmp_path / "cohort.yaml")
    ds = {d.id: d for d in loaded.cohort.deliverables}
    assert list(ds) == ["tabular-classification", "time-series"]  # the roadmap's order
    assert ds["tabular-classification"].opens.isoformat() == "2027-03-29T09:00:00+00:00"
    assert ds["time-series"].cutoff - ds["time-series"].due == timedelta(days=3)
    # progress places it at the roadmap's week, not back at week 1
    for when, week, now in (("2027-03-30T12:00:00Z", 12, ["tabular-classification"]),
                            ("2027-12-01T12:00:00Z", 47, ["recsys", "time-series", "gnn"])):
        r = run_cli("cohort", "progress", "-c", str(tmp_path / "cohort.yaml"), "--json", "--now", when)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["week"] == week and data["expected_now"] == now


@pytest.mark.parametrize(("args", "says"), [
    (["--start", "2027-13-01"], "--start '2027-13-01': give the cohort's first day as YYYY-MM-DD"),
    (["--tz", "Mars/Olympus"], "--tz 'Mars/Olympus': not a time zone"),
    (["--tz", "+25:00"], "an offset is less than 24 hours"),
    (["--deliverables", "churn"], "--deliverables: no deliverable 'churn' in the roadmap"),
    (["--org", "-bad-"], "--organisation '-bad-': not a GitHub organisation name"),
    (["--grace-days", "99"], "--grace-days 99: between 0 and 60"),
    (["--deliverables", " , "], "--deliverables: name at least one deliverable"),
    (["--tz", "../../etc/passwd"], "not a time zone"),
    (["--start", "9" * 100_000], "--start '" + "9" * 60 + "…': give the cohort's first day"),  # cut, one line
    # an OverflowError (exit 2) past the end of the calendar, 45 validation errors (exit 2) at year 1
    (["--start", "9999-12-27"], "--start '9999-12-27': the roadmap runs 65 weeks from the start; give a day from "
                                "1970-01-01 to 9997-06-27"),
    (["--start", "0001-01-01"], "--start '0001-01-01': the roadmap runs 65 weeks from the start; give a day from "
                                "1970-01-01 to 9997-06-27"),
    (["--start", "9997-06-28"], "give a day from 1970-01-01 to 9997-06-27"),
    (["--start", "1969-12-29"], "give a day from 1970-01-01 to 9997-06-27"),
    # a final line break passed the patterns' '$' and broke the file's YAML (exit 2, "does not validate")
    (["--org", "ml-2027\n"], "--organisation 'ml-2027\\n': not a GitHub organisation name"),
    (["--mentors", "mentors\n"], "--mentors 'mentors\\n': a team slug"),
])
def test_bad_options_are_one_line_and_exit_1_with_nothing_written(tmp_path, args, says):
    base = {"--org": "ml-2027", "--start": "2027-01-11"}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    flat = [x for k, v in {**base, **extra}.items() for x in (k, v)]
    r = run_cli("cohort", "init", *flat, "--no-secret", "--out", str(tmp_path / "cohort.yaml"))
    assert r.returncode == 1
    line, = r.stderr.strip().splitlines()
    assert line.startswith("error: ") and says in line
    assert "Traceback" not in r.stderr and not (tmp_path / "cohort.yaml").exists()


@pytest.mark.parametrize(("start", "tz"), [("1970-01-01", "-12:00"), ("9997-06-27", "+14:00")])
def test_the_first_and_last_start_init_names_make_a_cohort_that_lints(tmp_path, start, tz):
    """The range the --start error names is one that works, at its ends, in the zones furthest from UTC, with
    the longest grace."""
    (tmp_path / "roster.csv").write_text(ROSTER)
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", start, "--tz", tz, "--grace-days", "60",
                "--no-secret", "--out", str(tmp_path / "cohort.yaml"))
    assert r.returncode == 0, r.stderr
    lint = run_cli("cohort", "lint", "-c", str(tmp_path / "cohort.yaml"))
    assert lint.returncode == 0, lint.stderr
    assert init.start_range() == (65, init.EARLIEST_START, init.date(9997, 6, 27))


def test_an_existing_file_needs_force_and_a_non_monday_start_is_noted(tmp_path, capsys):
    (tmp_path / "cohort.yaml").write_text("mine\n")
    with pytest.raises(init.InvalidInput, match="exists; --force replaces it"):
        init.command(tmp_path / "cohort.yaml", organisation="ml-2027", start="2027-01-13", tz="+01:00",
                     deliverables=["unsupervised"], mentors="mentors", roster="roster.csv", secret_file=None,
                     grace_days=7, force=False)
    assert (tmp_path / "cohort.yaml").read_text() == "mine\n"
    init.command(tmp_path / "cohort.yaml", organisation="ml-2027", start="2027-01-13", tz="+01:00",
                 deliverables=["unsupervised"], mentors="mentors", roster="roster.csv", secret_file=None,
                 grace_days=7, force=True)
    err = capsys.readouterr().err
    assert "warning:" not in err
    assert "note: 2027-01-13 is a Wednesday; weeks run from it, so dues fall on Tuesdays" in err
    assert "opens: 2027-04-21T09:00+01:00" in (tmp_path / "cohort.yaml").read_text()


def test_a_mentors_first_day_init_roster_lint_and_apply_against_the_fake_github(tmp_path):
    """What a mentor coming from GitHub Classroom does first, with the commands as shipped: init a cohort for one
    deliverable, build the roster from Classroom's and Canvas's exports (examples/cohort/exports), lint, apply.
    Every learner of the roster gets a repo whose data is the course's (the secret init made), and the labels in
    the environment secret are that data's -- never the public practice labels."""
    from test_cohort_apply import run_apply
    from testing.common import ROOT
    from testing.fakegithub import FakeGitHub

    from roadmap_ci.cohort.apply import ENVIRONMENT, LABELS_SECRET
    from roadmap_ci.github.secrets import unpack_labels

    course = tmp_path / "course"
    course.mkdir()
    key = tmp_path / "keys" / "ml-2027.key"
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--tz", "Europe/London",
                "--deliverables", "time-series", "--secret-file", str(key), "--out", str(course / "cohort.yaml"))
    assert r.returncode == 0, r.stderr
    ex = ROOT / "examples" / "cohort" / "exports"
    r = run_cli("cohort", "roster", str(ex / "classroom_roster.csv"), str(ex / "canvas.csv"),
                "--out", str(course / "roster.csv"))
    assert r.returncode == 1 and "Joan Clarke" in r.stderr  # the one learner who never linked GitHub
    r = run_cli("cohort", "lint", "-c", str(course / "cohort.yaml"))
    assert r.returncode == 0 and "3 learners, 1 deliverables, 3 repos" in r.stdout, r.stdout + r.stderr
    practice = (ROOT / "labels" / "time-series.csv").read_bytes()
    logins = ["ada-l", "grace-h", "alan-t"]
    with FakeGitHub() as fk:
        fk.add_org("ml-2027")
        fk.add_users(*logins)
        # a week before time-series opens (init's provision_ahead_days: 7), as the mentor's weekly apply runs
        _, result = run_apply(fk, course / "cohort.yaml", now=datetime(2027, 11, 22, 12, tzinfo=UTC))
        assert result.failures == []
        assert sorted(fk.repos) == sorted(f"ml-2027/time-series-{g}" for g in logins)
        seen = set()
        for g in logins:
            full = f"ml-2027/time-series-{g}"
            labels = unpack_labels(fk.secret_value(full, LABELS_SECRET, ENVIRONMENT))
            kept = course / ".roadmap-ci" / "labels" / "time-series" / f"{g}.csv"
            assert labels != practice and labels == kept.read_bytes()
            seen.add(labels)
            (inv,) = fk.invitations[full]
            assert inv["invitee"]["login"] == g
        assert len(seen) == len(logins)  # each learner's own ids


def test_a_secret_made_inside_the_mentors_repository_is_warned_about_and_lint_refuses_it(tmp_path, capsys,
                                                                                        monkeypatch):
    import subprocess

    monkeypatch.chdir(tmp_path)  # --secret-file course.key: in the current directory, beside cohort.yaml here
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "roster.csv").write_text(ROSTER)
    init.command(tmp_path / "cohort.yaml", organisation="ml-2027", start="2027-01-11", tz="UTC",
                 deliverables=["unsupervised"], mentors="mentors", roster="roster.csv", secret_file="course.key",
                 grace_days=7, force=False)
    err = capsys.readouterr().err
    assert f"warning: course.key is inside the git repository {tmp_path} and not ignored" in err
    lint = run_cli("cohort", "lint", "-c", str(tmp_path / "cohort.yaml"))
    assert lint.returncode == 1 and "a commit would publish the course secret" in lint.stderr


def test_paths_with_yaml_syntax_in_them_stay_whole(tmp_path):
    """The roster and secret paths go into the file quoted when they need it: a '#', ': ' or a line break is part
    of the path, not a comment, a key or a second line."""
    odd = tmp_path / "keys #1: course\nnext: x.key"
    init.command(tmp_path / "cohort.yaml", organisation="ml-2027", start="2027-01-11", tz="UTC",
                 deliverables=["unsupervised"], mentors="mentors", roster="my roster #2.csv", secret_file=str(odd),
                 grace_days=7, force=False)
    (tmp_path / "my roster #2.csv").write_text(ROSTER)
    loaded = load_cohort(tmp_path / "cohort.yaml")
    assert loaded.cohort.roster == "my roster #2.csv" and loaded.secret_path() == odd
    assert odd.is_file() and len(loaded.learners) == 2


def test_a_relative_secret_file_is_from_the_current_directory_and_the_cohort_file_points_at_it(tmp_path):
    """`--out sub/c.yaml --secret-file k.key` said `k.key: a new course secret` but made sub/k.key. A relative
    --secret-file is from the current directory, as every path the CLI takes; the cohort file names it from its
    own folder (../k.key), so every cohort command finds the one key init made and reported."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "roster.csv").write_text(ROSTER)
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--deliverables", "unsupervised",
                "--out", "sub/c.yaml", "--secret-file", "k.key", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "k.key: a new course secret" in r.stdout
    assert (tmp_path / "k.key").is_file() and not (tmp_path / "sub" / "k.key").exists()
    assert "\ncourse_secret_file: ../k.key " in (tmp_path / "sub" / "c.yaml").read_text()
    loaded = load_cohort(tmp_path / "sub" / "c.yaml")
    assert loaded.secret_path().resolve() == (tmp_path / "k.key").resolve()
    lint = run_cli("cohort", "lint", "-c", "sub/c.yaml", cwd=tmp_path)
    assert lint.returncode == 0, lint.stderr
    # beside the cohort file, and again with --force: the same key, kept
    again = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--deliverables",
                    "unsupervised", "--out", "sub/c.yaml", "--secret-file", "sub/k2.key", "--force", cwd=tmp_path)
    assert again.returncode == 0 and "sub/k2.key: a new course secret" in again.stdout
    assert "\ncourse_secret_file: k2.key " in (tmp_path / "sub" / "c.yaml").read_text()
    assert (tmp_path / "sub" / "k2.key").is_file()


@pytest.mark.parametrize("kind", ["folder", "empty", "short"])
def test_an_unusable_secret_already_there_is_one_line_exit_1_not_kept(tmp_path, kind):
    """init never replaces a secret; one that no cohort command could use (a folder, an empty or short file) was
    reported as 'a course secret is already there: kept', exit 0, for lint to refuse later."""
    key = tmp_path / "course.key"
    if kind == "folder":
        key.mkdir()
        says = "cannot read the course secret"
    else:
        key.write_text("" if kind == "empty" else "abc\n")
        says = "a course secret needs at least 16 bytes"
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--secret-file", str(key),
                "--out", str(tmp_path / "cohort.yaml"))
    assert r.returncode == 1, r.stderr
    line, = r.stderr.strip().splitlines()
    assert line.startswith(f"error: --secret-file: {key}") and says in line and "never replaces" in line
    assert not (tmp_path / "cohort.yaml").exists() and "kept" not in r.stdout


def test_the_next_commands_are_shell_quoted_and_run_as_pasted(tmp_path):
    """The `next:` hints named paths unquoted: `--out my course/roster.csv` pasted into a shell is two
    arguments. Each path is shell-quoted; the lint command, split as a shell splits it, lints the file init made."""
    import shlex

    course = tmp_path / "my course's"
    course.mkdir()
    (course / "the roster.csv").write_text(ROSTER)
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--deliverables", "unsupervised",
                "--no-secret", "--roster", "the roster.csv", "--out", "my course's/c $1.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    hint = next(line for line in r.stdout.splitlines() if line.startswith("next: "))
    roster_cmd, lint_cmd, plan_cmd = (shlex.split(part) for part in hint.removeprefix("next: ").split("; "))
    assert roster_cmd[-2:] == ["--out", "my course's/the roster.csv"]
    assert lint_cmd == ["roadmap-ci", "cohort", "lint", "-c", "my course's/c $1.yaml"]
    assert plan_cmd[:3] == ["roadmap-ci", "cohort", "plan"] and plan_cmd[-1] == "my course's/c $1.yaml"
    lint = run_cli(*lint_cmd[1:], cwd=tmp_path)
    assert lint.returncode == 0, lint.stderr


def test_a_zone_with_white_space_around_it_is_the_zone_and_a_folder_out_is_refused_first(tmp_path):
    """`--tz $'Europe/Berlin\\n'` was read as Berlin but written into the file's comment whole, whose second line
    broke the YAML (exit 2). And `--out FOLDER --force` made the course secret, then could not write the file."""
    (tmp_path / "roster.csv").write_text(ROSTER)
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--tz", " Europe/Berlin\n",
                "--deliverables", "unsupervised", "--no-secret", "--out", str(tmp_path / "cohort.yaml"))
    assert r.returncode == 0, r.stderr
    assert "\n# (Europe/Berlin). Each" in (tmp_path / "cohort.yaml").read_text()
    assert load_cohort(tmp_path / "cohort.yaml").cohort.deliverables[0].opens.utcoffset() == timedelta(hours=2)
    folder = tmp_path / "out"
    folder.mkdir()
    key = tmp_path / "course.key"
    r = run_cli("cohort", "init", "--org", "ml-2027", "--start", "2027-01-11", "--secret-file", str(key),
                "--out", str(folder), "--force")
    assert r.returncode == 2 and r.stderr == f"error: cannot write {folder}: it is a directory\n"
    assert not key.exists()
