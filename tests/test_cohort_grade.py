"""cohort grade: the collected commits scored with the pinned rubric and the mentor's labels, the late policy,
the gradebook and the LMS files; bad input named learner by learner while everyone else is still graded."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from testing.cohort_kit import expected_points, labels_csv, predictions_csv, sha_of, store_commit, write_cohort
from testing.common import run_cli
from testing.fakecanvas import FakeCanvas

from roadmap_ci.cohort.grade import grade_deliverable, late_policy_applied
from roadmap_ci.cohort.model import LatePolicy, load_cohort
from roadmap_ci.score.scoring import Totals

DUE = datetime(2027, 1, 24, 23, 59, tzinfo=UTC)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_late_policy_per_day_per_hour_cap_and_floor():
    raw = Totals(18.0, 20.0, 90.0, True, 0.0, {})
    on_time = late_policy_applied(LatePolicy(penalty=10), raw, 12, DUE, DUE)
    assert on_time == (0, 0.0, raw)
    # 25 hours late = 2 started days at 10 % of 20 points each
    late = datetime(2027, 1, 26, 0, 59, tzinfo=UTC)
    periods, penalty, final = late_policy_applied(LatePolicy(per="day", penalty=10), raw, 12, late, DUE)
    assert (periods, penalty, final.total, final.passed) == (2, 4.0, 14.0, True)
    # per hour: 25 periods at 2 % each = 50 %, capped at 30 % (6 points)
    periods, penalty, final = late_policy_applied(LatePolicy(per="hour", penalty=2, cap=30), raw, 12, late, DUE)
    assert (periods, penalty, final.total, final.passed) == (25, 6.0, 12.0, True)
    # the floor: never below 40 % of the maximum (8 points) ...
    _, _, floored = late_policy_applied(LatePolicy(per="hour", penalty=10, floor=40), raw, 12, late, DUE)
    assert floored.total == 8.0 and not floored.passed
    # ... and never above what the work earned
    low = Totals(5.0, 20.0, 25.0, False, 0.0, {})
    assert late_policy_applied(LatePolicy(per="hour", penalty=10, floor=40), low, 12, late, DUE)[2].total == 5.0


def test_grade_applies_labels_late_policy_and_extensions(tmp_path):
    logins = ["ada", "bob", "cy", "dee", "eve", "fay"]
    f = write_cohort(tmp_path, logins, extensions=[{"learner": "cy", "deliverable": "churn",
                                                     "due": "2027-01-27T23:59:00Z"}])
    s = tmp_path / "cohort"
    cases = {  # login: (wrong public, wrong private, created_at)
        "ada": (0, 0, "2027-01-24T23:58:59Z"),   # on time, a second before due
        "bob": (2, 4, "2027-01-25T00:30:00Z"),   # 1 started day late: -10 %
        "cy": (1, 1, "2027-01-27T12:00:00Z"),    # after due, within the extension: on time
        "dee": (4, 8, "2027-01-31T00:00:00Z"),   # 7 started days: 70 %, capped at 30 %
        "eve": (0, 20, "2027-01-20T10:00:00Z"),  # all private rows wrong
    }
    for i, (lg, (wp, wq, at)) in enumerate(cases.items()):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(wp, wq), created_at=at, run_id=100 + i)
    r = run_cli("cohort", "grade", "churn", "-c", str(f), "--criteria")
    assert r.returncode == 0, r.stderr
    book = {row["github"]: row for row in rows(tmp_path / "grades" / "gradebook.csv")}
    late_days = {"ada": 0, "bob": 1, "cy": 0, "dee": 7, "eve": 0}
    for lg, (wp, wq, _) in cases.items():
        raw = expected_points(wp, wq)
        final = round(raw - min(10 * late_days[lg], 30) / 100 * 20, 4)
        assert float(book[lg]["churn"]) == pytest.approx(final), lg
        assert float(book[lg]["churn.raw"]) == pytest.approx(raw)
        assert int(book[lg]["churn.late_periods"]) == late_days[lg]
        assert book[lg]["churn.passed"] == ("yes" if final >= 12 else "no")
        assert book[lg]["churn.commit"] == sha_of(lg)
    assert book["fay"]["churn"] == "" and "churn: missing (not collected" in book["fay"]["problems"]
    assert "late by 1 day(s), -2 points" in book["bob"]["problems"]
    assert "5 of 6 graded" in r.stdout and "2 late" in r.stdout


def test_lms_files_have_the_documented_columns(tmp_path):
    f = write_cohort(tmp_path, ["ada", "bob"], deliverables=("churn", "churn2"))
    s = tmp_path / "cohort"
    store_commit(s, "churn", "ada", sha_of("a"), predictions_csv(0, 0), created_at="2027-01-20T00:00:00Z", run_id=1)
    store_commit(s, "churn2", "bob", sha_of("b"), predictions_csv(10, 10), created_at="2027-01-20T00:00:00Z",
                 run_id=2)
    r = run_cli("cohort", "grade", "-c", str(f))
    assert r.returncode == 0, r.stderr
    with (tmp_path / "grades" / "canvas.csv").open(newline="") as fh:
        canvas = list(csv.reader(fh))
    title = "Kaggle-style tabular classification"
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"churn: {title}",
                         f"churn2: {title}"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "20.0", "20.0"]
    assert canvas[2] == ["Learner 0", "1000", "", "", "B", "20.0", ""]
    assert canvas[3] == ["Learner 1", "1001", "", "", "A", "", "10.0"]
    with (tmp_path / "grades" / "moodle.csv").open(newline="") as fh:
        moodle = list(csv.reader(fh))
    assert moodle[0][:3] == ["ID number", "Email address", "Full name"]
    assert moodle[1] == ["1000", "ada@example.test", "Learner 0", "20.0", ""]
    with (tmp_path / "grades" / "brightspace.csv").open(newline="") as fh:
        brightspace = list(csv.reader(fh))
    assert brightspace == [["OrgDefinedId", f"churn: {title} Points Grade", f"churn2: {title} Points Grade",
                            "End-of-Line Indicator"],
                           ["#1000", "20.0", "", "#"], ["#1001", "", "10.0", "#"]]
    assert f"Brightspace {tmp_path / 'grades' / 'brightspace.csv'}" in r.stdout
    blackboard_bytes = (tmp_path / "grades" / "blackboard.csv").read_bytes()
    assert blackboard_bytes.startswith(b'"Last Name","First Name","Username","Student ID",')  # all quoted
    with (tmp_path / "grades" / "blackboard.csv").open(newline="") as fh:
        blackboard = list(csv.reader(fh))
    assert blackboard == [["Last Name", "First Name", "Username", "Student ID", f"churn: {title}", f"churn2: {title}"],
                          ["0", "Learner", "1000", "", "20.0", ""], ["1", "Learner", "1001", "", "", "10.0"]]
    book = rows(tmp_path / "grades" / "gradebook.csv")
    assert [b["churn"] for b in book] == ["20.0", ""] and [b["churn2"] for b in book] == ["", "10.0"]

    # the LMS's own column ids: the imports update those columns instead of making new ones
    r = run_cli("cohort", "grade", "-c", str(f), "--canvas-assignment", "churn=4211",
                "--blackboard-column", "churn2=123456")
    assert r.returncode == 0, r.stderr
    with (tmp_path / "grades" / "canvas.csv").open(newline="") as fh:
        assert next(csv.reader(fh))[5:] == [f"churn: {title} (4211)", f"churn2: {title}"]
    with (tmp_path / "grades" / "blackboard.csv").open(newline="") as fh:
        assert next(csv.reader(fh))[4:] == [f"churn: {title}", f"churn2: {title} [Total Pts: 20 Score] |123456"]
    for bad, line in ((["--blackboard-column", "churn3=1"], "--blackboard-column churn3=…: no deliverable 'churn3'"),
                      (["--blackboard-column", "churn=x\x1b[2J"], "--blackboard-column 'churn=x\\x1b[2J': give "
                       "DELIVERABLE=COLUMN_ID (e.g. churn=123456)"),
                      (["--canvas-assignment", "churn=1", "--canvas-assignment", "churn=2"],
                       "--canvas-assignment 'churn' is given twice (1 and 2): give it once")):
        r = run_cli("cohort", "grade", "-c", str(f), *bad)
        assert r.returncode == 1 and line in r.stderr, (bad, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "\x1b" not in r.stderr


def test_bad_input_is_one_line_per_problem_and_everyone_else_is_graded(tmp_path):
    logins = ["ada", "bob", "cy", "dee", "eve", "fay", "gus"]
    f = write_cohort(tmp_path, logins, shared_labels=False,
                     names={"gus": "=HYPERLINK(\"http://evil.test\",\"click\")"})
    s = tmp_path / "cohort"
    at = "2027-01-20T10:00:00Z"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i, 0), created_at=at, run_id=10 + i)
    labels = tmp_path / "mentor-labels"
    labels.mkdir()
    for lg in logins:
        (labels / f"{lg}.csv").write_text(labels_csv())
    (labels / "dee.csv").write_text(labels_csv(prefix="x"))  # dee's labels: ids that match no prediction
    (s / "churn" / "notes.txt").write_text("mentor's scribbles")  # foreign file
    (s / "churn" / "zed").mkdir()  # a folder for no learner of the cohort
    (s / "churn" / "bob" / sha_of("bob") / "evidence.json").write_text("{not json")  # corrupt
    (s / "churn" / "cy" / sha_of("cy") / "evidence (1).json").write_text("{}")  # a second evidence file
    (s / "churn" / "eve" / sha_of("eve") / "provenance.json").unlink()  # not written by collect
    r = run_cli("cohort", "grade", "churn", "-c", str(f), "--labels", str(labels))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("6 problem(s)")
    problems = lines[:-1]
    assert len(problems) == 6, problems
    expect = {  # learner: (file, words)
        "-": [(str(s / "churn" / "notes.txt"), "foreign file"), (str(s / "churn" / "zed"), "not a learner")],
        "bob": [(str(s / "churn" / "bob" / sha_of("bob") / "evidence.json"), "")],
        "cy": [(str(s / "churn" / "cy" / sha_of("cy") / "evidence (1).json"), "two evidence files")],
        "dee": [(str(s / "churn" / "dee" / sha_of("dee") / "evidence.json"), "not in the hidden test set")],
        "eve": [(str(s / "churn" / "eve" / sha_of("eve") / "provenance.json"), "no provenance.json")],
    }
    for who, items in expect.items():
        for file, words in items:
            assert any(p.startswith(f"{file}: {who}: ") and words in p for p in problems), (who, file, problems)
    book = {row["github"]: row for row in rows(tmp_path / "grades" / "gradebook.csv")}
    for lg in ("ada", "fay"):
        assert float(book[lg]["churn"]) == expected_points(logins.index(lg), 0)
    assert book["dee"]["churn"] == "0.0"  # graded without the hidden points, and says why
    assert "not in the hidden test set" in book["dee"]["problems"]
    for lg in ("bob", "cy", "eve"):
        assert book[lg]["churn"] == "" and book[lg]["problems"].startswith("churn: missing (")
    assert book["gus"]["name"].startswith("'=")  # a spreadsheet formula from the roster, neutralised


def test_a_roster_learner_with_no_repo_is_named(tmp_path):
    f = write_cohort(tmp_path, ["ada", "bob", "cy"])
    text = f.read_text().replace("    rubric: {path", "    groups: {team-1: [ada, bob]}\n    rubric: {path")
    f.write_text(text)
    store_commit(tmp_path / "cohort", "churn", "team-1", sha_of("t"), predictions_csv(0, 0),
                 created_at="2027-01-20T00:00:00Z", run_id=5)
    r = run_cli("cohort", "grade", "-c", str(f))
    assert r.returncode == 1
    assert f"{f}: cy: no repo for this learner (in no group of churn)" in r.stderr
    book = {row["github"]: row for row in rows(tmp_path / "grades" / "gradebook.csv")}
    assert book["ada"]["churn"] == book["bob"]["churn"] == "20.0"  # a group's grade is each member's
    assert book["cy"]["churn"] == "" and "churn: no repo" in book["cy"]["problems"]


def test_regrade_with_a_tuned_rubric_shows_flips(tmp_path):
    logins = [f"l{i}" for i in range(8)]
    f = write_cohort(tmp_path, logins)
    for i, lg in enumerate(logins):
        store_commit(tmp_path / "cohort", "churn", lg, sha_of(lg), predictions_csv(i, i),
                     created_at="2027-01-20T00:00:00Z", run_id=i + 1)
    assert run_cli("cohort", "grade", "-c", str(f)).returncode == 0
    pinned = {p.name: p.read_bytes() for p in (tmp_path / "grades").iterdir() if p.is_file()}
    tuned = tmp_path / "tuned.yaml"
    tuned.write_text((tmp_path / "rubric.yaml").read_text().replace("pass_mark: 12", "pass_mark: 17"))
    r = run_cli("cohort", "grade", "churn", "-c", str(f), "--rubric", str(tuned))
    assert r.returncode == 0, r.stderr
    # totals 20 - i: pass at 12 for i <= 8 (all), at 17 for i <= 3: l4..l7 flip
    assert "pass/fail flips: 4 (0 now pass, 4 now fail)" in r.stdout
    assert r.stdout.count("now fails") == 4
    # a trial's files go beside the pinned rubric's, which stay as they were
    book = {row["github"]: row for row in rows(tmp_path / "grades" / "trial-tuned" / "gradebook.csv")}
    assert float(book["l5"]["churn"]) == 15.0
    assert {p.name: p.read_bytes() for p in (tmp_path / "grades").iterdir() if p.is_file()} == pinned


def test_a_tuned_rubric_with_other_labels_scores_the_pinned_one_with_its_own(tmp_path):
    # the tuned rubric reads other labels (4 public labels corrected): each rubric is scored with its own
    from roadmap_ci.score.load import load_rubric

    logins = [f"l{i}" for i in range(8)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i, i), created_at="2027-01-20T00:00:00Z",
                     run_id=i + 1)
    lines = labels_csv().splitlines()
    for j in range(1, 5):  # the first four public rows' truth flipped
        k, label, split = lines[j].split(",")
        lines[j] = f"{k},{'0' if label == '1' else '1'},{split}"
    (tmp_path / "labels-v2.csv").write_text("\n".join(lines) + "\n")
    tuned = tmp_path / "tuned2.yaml"
    tuned.write_text((tmp_path / "rubric.yaml").read_text().replace('version: "t1"', 'version: "t2"')
                     .replace("source: labels.csv", "source: labels-v2.csv").replace("pass_mark: 12", "pass_mark: 17"))
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]
    run_cli("cohort", "grade", "-c", str(f))  # the pinned rubric's caches
    hidden_cache = (s / "churn" / "_hidden.json").read_bytes()
    got = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1, new_rubric=load_rubric(tuned))
    for i, lg in enumerate(logins):
        g = got.grades[lg]
        # wrong on rows j < i of each split; the corrected labels make rows j < 4 of the public split flip
        assert (g.old.total, g.final.total) == (expected_points(i, i), expected_points(abs(i - 4), i)), lg
    assert (got.old_rubric_name, got.rubric_name) == ("rubric.yaml", "tuned2.yaml")
    assert (s / "churn" / "_hidden.json").read_bytes() == hidden_cache  # the trial keeps the pinned cache
    r = run_cli("cohort", "grade", "churn", "-c", str(f), "--rubric", str(tuned))
    assert r.returncode == 0, r.stderr
    # new totals 20 - (|i - 4| + i) / 2: below 17 for i = 6, 7 (the old ones, 20 - i, all pass at 12)
    assert "pass/fail flips: 2 (0 now pass, 2 now fail)" in r.stdout


def test_grade_refuses_a_mistyped_labels_path_a_rubric_for_another_deliverable_and_says_nothing_is_collected(
        tmp_path):
    f = write_cohort(tmp_path, ["ada", "bob"])
    r = run_cli("cohort", "grade", "churn", "-c", str(f))  # before collect
    assert r.returncode == 1
    assert f"{tmp_path / 'cohort' / 'churn'}: -: nothing collected yet: run `roadmap-ci cohort collect churn` " \
           "first" in r.stderr
    s = tmp_path / "cohort"
    for lg in ("ada", "bob"):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(1, 1), created_at="2027-01-20T00:00:00Z", run_id=1)
    (tmp_path / "empty").mkdir()
    other = tmp_path / "other.yaml"
    other.write_text((tmp_path / "rubric.yaml").read_text().replace("deliverable: tabular-classification",
                                                                    "deliverable: time-series"))
    for args, line in (
            (["--labels", str(tmp_path / "nope.csv")], f"error: --labels {tmp_path / 'nope.csv'}: no such file or "
                                                        "folder"),
            (["--labels", str(tmp_path / "empty")], f"error: --labels {tmp_path / 'empty'}: a folder with no "
                                                    "<learner>.csv (nor <deliverable>/<learner>.csv for churn)"),
            (["--rubric", str(other)], f"error: {other}: a rubric for 'time-series'; churn is graded with "
                                       "'tabular-classification' (rubric.yaml): not graded"),
            (["--rubric", str(other), "--canvas-course", "3"], "error: --canvas-course with --rubric: a tuned "
                                                                "rubric's grades are a trial")):
        shutil.rmtree(tmp_path / "grades", ignore_errors=True)
        r = run_cli("cohort", "grade", "churn", "-c", str(f), *args)
        assert r.returncode == 1 and r.stderr.startswith(line) and len(r.stderr.splitlines()) == 1, (args, r.stderr)
        assert not (tmp_path / "grades").exists()


def test_parallel_and_serial_grades_agree(tmp_path):
    import roadmap_ci.cohort.grade as g

    logins = [f"p{i:03d}" for i in range(30)]
    f = write_cohort(tmp_path, logins)
    for i, lg in enumerate(logins):
        store_commit(tmp_path / "cohort", "churn", lg, sha_of(lg), predictions_csv(i % 7, i % 5),
                     created_at=f"2027-01-{20 + i % 10:02d}T00:00:00Z", run_id=i + 1)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]
    serial = grade_deliverable(loaded, d, tmp_path / "cohort", state=tmp_path / "st", workers=1)
    was, g.PARALLEL_FROM = g.PARALLEL_FROM, 1
    try:
        par = grade_deliverable(loaded, d, tmp_path / "cohort", state=tmp_path / "st", workers=2)
    finally:
        g.PARALLEL_FROM = was
    assert {k: (v.final, v.late_periods) for k, v in serial.grades.items()} == \
        {k: (v.final, v.late_periods) for k, v in par.grades.items()}
    assert len(serial.grades) == 30


def test_pool_started_mid_way_grades_every_deliverable_as_serial(tmp_path):
    """The pool starts once the learners found reach PARALLEL_FROM (here: in the second deliverable), queues
    the deliverables scanned before it, and each deliverable is finished while later chunks run."""
    import roadmap_ci.cohort.grade as g
    from roadmap_ci.cohort.grade import grade_many

    logins = [f"m{i:03d}" for i in range(70)]
    ds = ("churn", "churn-b", "churn-c")
    f = write_cohort(tmp_path, logins, deliverables=ds)
    for k, d in enumerate(ds):
        for i, lg in enumerate(logins[: 70 - 10 * k]):  # fewer learners collected in each later deliverable
            store_commit(tmp_path / "cohort", d, lg, sha_of(f"{d}{lg}"), predictions_csv((i + k) % 7, i % 5),
                         created_at=f"2027-01-{20 + i % 10:02d}T00:00:00Z", run_id=i + 1)
    (tmp_path / "cohort" / "churn-b" / "stray.txt").write_text("x")
    loaded = load_cohort(f)
    deliverables = list(loaded.cohort.deliverables)

    def seen(results):
        return [({k: (v.final, v.late_periods, v.sha) for k, v in r.grades.items()}, r.missing,
                 [str(p) for p in r.problems]) for r in results]

    serial = grade_many(loaded, deliverables, tmp_path / "cohort", state=tmp_path / "st", workers=1)
    was, g.PARALLEL_FROM = g.PARALLEL_FROM, 100  # 70 found in the first deliverable, 130 after the second
    try:
        par = grade_many(loaded, deliverables, tmp_path / "cohort", state=tmp_path / "st", workers=2)
    finally:
        g.PARALLEL_FROM = was
    assert seen(par) == seen(serial)
    assert [len(r.grades) for r in par] == [70, 60, 50]
    assert any("foreign file" in str(p) for p in par[1].problems)


def test_trusted_fast_path_cache_and_full_validation_grade_alike(tmp_path):
    """Folders with collect's digests (parsed without re-validating), without them (the full validation),
    tampered after collect (validated again), and a second grade from the hidden-metrics cache: one grade."""
    import hashlib

    logins = [f"t{i:02d}" for i in range(12)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i % 4, i % 6), created_at="2027-01-20T00:00:00Z",
                     run_id=i + 1, digests=i % 2 == 0)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]

    def grade() -> dict[str, float]:
        got = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)
        return {k: g.raw.total for k, g in got.grades.items()}

    want = {lg: expected_points(i % 4, i % 6) for i, lg in enumerate(logins)}
    assert grade() == pytest.approx(want)
    cache = json.loads((s / "churn" / "_hidden.json").read_text())
    assert sorted(cache["learners"]) == logins
    assert grade() == pytest.approx(want)  # from the cache
    # a predictions copy changed after collect (digest recorded): its new metrics, not the cached ones
    t00 = s / "churn" / "t00" / sha_of("t00")
    (t00 / "predictions.csv").write_text(predictions_csv(3, 5))
    # an evidence file edited after collect into one ci-report refuses: the digest no longer matches,
    # so the full validation runs and rejects it
    t02 = s / "churn" / "t02" / sha_of("t02")
    (t02 / "evidence.json").write_text(json.dumps({"schema_version": "nope"}))
    got = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)
    assert got.grades["t00"].raw.total == pytest.approx(expected_points(3, 5))
    assert "t02" not in got.grades and got.missing["t02"].startswith("rejected: ")
    assert hashlib.sha256((t00 / "predictions.csv").read_bytes()).hexdigest() == \
        json.loads((s / "churn" / "_hidden.json").read_text())["learners"]["t00"]["predictions"]


def test_canvas_passback_sends_each_graded_learner(tmp_path, monkeypatch):
    pytest.importorskip("canvasapi")
    # due in the past (the rubric's private split is an after_due criterion): grades may be shown
    f = write_cohort(tmp_path, ["ada", "bob", "cy"], opens="2026-01", due="2026-02-20T23:59:00Z",
                     cutoff="2026-02-27T23:59:00Z")
    s = tmp_path / "cohort"
    store_commit(s, "churn", "ada", sha_of("a"), predictions_csv(0, 0), created_at="2026-02-15T00:00:00Z", run_id=1)
    store_commit(s, "churn", "bob", sha_of("b"), predictions_csv(4, 2), created_at="2026-02-15T00:00:00Z", run_id=2)
    with FakeCanvas() as canvas:
        monkeypatch.setenv("CANVAS_URL", canvas.url)
        monkeypatch.setenv("CANVAS_TOKEN", "canvas-token-1")
        r = run_cli("cohort", "grade", "-c", str(f), "--canvas-course", "31", "--canvas-assignment", "churn=4211")
        assert r.returncode == 0, r.stderr
    assert "churn: 2 grades sent to Canvas assignment 4211" in r.stdout and "held back" not in r.stdout
    assert len(canvas.posted) == 1
    sent = canvas.posted[0]
    assert sent["path"] == "/api/v1/courses/31/assignments/4211/submissions/update_grades"
    assert sent["grade_data[1000][posted_grade]"] == "20"
    assert sent["grade_data[1001][posted_grade]"] == f"{expected_points(4, 2):g}"
    assert not any(k.startswith("grade_data[1002]") for k in sent)  # cy: nothing collected, nothing sent
    assert all(a == "Bearer canvas-token-1" for a in canvas.auth)


def test_canvas_passback_holds_back_a_learner_whose_due_date_is_still_to_come(tmp_path, monkeypatch):
    # nothing after-due before due: Canvas shows a posted grade to its learner, and the total holds the
    # private split (an after_due criterion), so a learner not yet due (here by an extension) is not sent
    pytest.importorskip("canvasapi")
    f = write_cohort(tmp_path, ["ada", "bob"], opens="2026-01", due="2026-02-20T23:59:00Z",
                     cutoff="2026-02-27T23:59:00Z",
                     extensions=[{"learner": "bob", "deliverable": "churn", "due": "2099-01-01T00:00:00Z"}])
    s = tmp_path / "cohort"
    for lg in ("ada", "bob"):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(1, 1), created_at="2026-02-15T00:00:00Z", run_id=1)
    with FakeCanvas() as canvas:
        monkeypatch.setenv("CANVAS_URL", canvas.url)
        monkeypatch.setenv("CANVAS_TOKEN", "canvas-token-1")
        r = run_cli("cohort", "grade", "-c", str(f), "--canvas-course", "31", "--canvas-assignment", "churn=4211")
        assert r.returncode == 0, r.stderr
        assert ("churn: 1 grades sent to Canvas assignment 4211" in r.stdout
                and "; 1 held back until their due date (the totals include after-due criteria)" in r.stdout)
        assert [k for k in canvas.posted[0] if k.startswith("grade_data[")] == ["grade_data[1000][posted_grade]"]
        # before everyone's due date: nothing is sent, and the output says why
        f.write_text(f.read_text().replace("due: 2026-02-20T23:59:00Z", "due: 2098-02-20T23:59:00Z")
                     .replace("cutoff: 2026-02-27T23:59:00Z", "cutoff: 2098-02-27T23:59:00Z"))
        r = run_cli("cohort", "grade", "-c", str(f), "--canvas-course", "31", "--canvas-assignment", "churn=4211")
        assert r.returncode == 0, r.stderr
        assert len(canvas.posted) == 1
        assert "churn: no grades to send; 2 held back until their due date" in r.stdout
        assert "provisional; the totals include after-due criteria, not for learners' eyes before then" in r.stdout


def _slow_totals(folder: Path, rubric_file: Path, labels_file: Path) -> tuple[float, dict[str, float]]:
    """One commit folder graded by the shared code alone: ci-report's validation, hidden metrics, the scorer."""
    from roadmap_ci.ci.artifact import load_bundle
    from roadmap_ci.score.hidden import with_hidden_metrics
    from roadmap_ci.score.load import load_rubric
    from roadmap_ci.score.scoring import score

    loaded = load_rubric(rubric_file)
    bundle = load_bundle(folder)
    ev, _ = with_hidden_metrics(bundle.evidence, loaded, bundle.predictions, labels_file=labels_file,
                                display=bundle.evidence.predictions.path[:80])
    card = score(ev, loaded)
    return card.total, {c.id: c.points for c in card.criteria}


def test_score_cache_equals_the_slow_path_and_notices_every_change(tmp_path):
    """A cold grade and a re-grade from ``_scores.json`` equal the shared code's result for every learner; a
    re-grade after collect's files were edited (evidence, provenance, predictions) or the labels changed grades
    those again -- the edited evidence through the full validation, reported as before."""
    logins = [f"s{i:02d}" for i in range(10)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i % 5, (3 * i) % 7, shift=i),
                     created_at="2027-01-20T00:00:00Z", run_id=i + 1)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]

    def grade() -> object:
        return grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)

    def slow(lg: str) -> tuple[float, dict[str, float]]:
        return _slow_totals(s / "churn" / lg / sha_of(lg), tmp_path / "rubric.yaml", tmp_path / "labels.csv")

    cold = grade()
    assert cold.timings["score"] > 0
    cache = json.loads((s / "churn" / "_scores.json").read_text())
    assert sorted(cache["learners"]) == logins
    warm = grade()
    assert warm.timings["score"] == 0.0 and warm.timings["hidden"] == 0.0  # every learner read from the cache
    for lg in logins:
        want = slow(lg)
        for got in (cold, warm):
            g = got.grades[lg]
            assert (g.raw.total, g.raw.points) == want
            assert (g.final, g.late_periods, g.sha, g.ref, g.failing) == \
                (cold.grades[lg].final, 0, sha_of(lg), cold.grades[lg].ref, cold.grades[lg].failing)

    def folder(lg: str) -> Path:
        return s / "churn" / lg / sha_of(lg)

    # s01: evidence edited after collect into one ci-report accepts (no predictions declared): its digest no
    # longer matches, so it is validated again and graded as it now is -- without the hidden points, saying why
    (folder("s01") / "evidence.json").write_text(json.dumps({"schema_version": 1, "deliverable": "tabular-"
                                                             "classification", "commit": sha_of("s01")}))
    # s02: evidence edited into one ci-report refuses: rejected, one problem naming the file
    (folder("s02") / "evidence.json").write_text(json.dumps({"schema_version": "nope"}))
    # s03: the provenance now says the run was created late: the late policy applies to the cached score
    prov = json.loads((folder("s03") / "provenance.json").read_text())
    (folder("s03") / "provenance.json").write_text(json.dumps({**prov, "created_at": "2027-01-26T10:00:00Z"}))
    # s04: a predictions copy changed after collect (collect's digest kept): validated again, its new metrics
    (folder("s04") / "predictions.csv").write_text(predictions_csv(0, 0))
    got = grade()
    assert got.grades["s01"].raw.total == 0.0 and got.grades["s01"].hidden_error
    assert "no predictions" in got.grades["s01"].hidden_error
    assert any(p.learner == "s01" and p.file.endswith("evidence.json") for p in got.problems)
    assert "s02" not in got.grades and got.missing["s02"].startswith("rejected: ")
    assert [p.file for p in got.problems if p.learner == "s02"] == [str(folder("s02") / "evidence.json")]
    assert got.grades["s03"].late_periods == 2 and got.grades["s03"].raw == cold.grades["s03"].raw
    assert got.grades["s03"].final.total < cold.grades["s03"].final.total
    assert (got.grades["s04"].raw.total, got.grades["s04"].raw.points) == slow("s04")
    assert got.grades["s04"].raw.total == 20.0
    for lg in logins[5:]:  # untouched: still the cached result, equal to the slow path
        assert (got.grades[lg].raw.total, got.grades[lg].raw.points) == slow(lg)
    # the mentor fixes the labels: every learner's hidden metrics and score again
    (tmp_path / "labels.csv").write_text(labels_csv().replace(",1,public", ",0,public", 3))
    relabelled = grade()
    assert relabelled.timings["hidden"] > 0
    for lg in logins[5:]:
        assert (relabelled.grades[lg].raw.total, relabelled.grades[lg].raw.points) == slow(lg)
    assert any(relabelled.grades[lg].raw != got.grades[lg].raw for lg in logins[5:])


def test_a_rubric_change_invalidates_the_score_cache(tmp_path):
    from testing.cohort_kit import RUBRIC

    logins = [f"r{i}" for i in range(6)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i, 2 * i), created_at="2027-01-20T00:00:00Z",
                     run_id=i + 1)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]
    first = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)
    assert {k: g.raw.total for k, g in first.grades.items()} == \
        pytest.approx({lg: expected_points(i, 2 * i) for i, lg in enumerate(logins)})
    key = json.loads((s / "churn" / "_scores.json").read_text())["key"]
    # the same pinned version, edited: public accuracy now worth 5 points, not 10
    (tmp_path / "rubric.yaml").write_text(RUBRIC.replace("    points: 10\n", "    points: 5\n", 1))
    second = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1)
    assert second.timings["score"] > 0
    want = {lg: round(5 * (20 - i) / 20 + 10 * (20 - 2 * i) / 20, 2) for i, lg in enumerate(logins)}
    assert {k: g.raw.total for k, g in second.grades.items()} == pytest.approx(want)
    assert second.max_points == 15
    assert json.loads((s / "churn" / "_scores.json").read_text())["key"] != key
    # a --rubric trial neither reads nor replaces the pinned rubric's cache
    from roadmap_ci.score.load import load_rubric

    (tmp_path / "tuned.yaml").write_text(RUBRIC.replace("pass_mark: 12", "pass_mark: 15"))
    before = (s / "churn" / "_scores.json").read_bytes()
    tuned = grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=1,
                              new_rubric=load_rubric(tmp_path / "tuned.yaml"))
    assert tuned.timings["score"] > 0 and (s / "churn" / "_scores.json").read_bytes() == before


def test_a_learner_without_an_lms_id_is_noted_and_left_out_of_brightspace_only(tmp_path):
    f = write_cohort(tmp_path, ["ada", "bob"])
    roster = tmp_path / "roster.csv"
    roster.write_text(roster.read_text().replace(",1001,", ",,"))  # bob: no LMS id yet
    s = tmp_path / "cohort"
    for lg, run in (("ada", 1), ("bob", 2)):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(0, 0), created_at="2027-01-20T00:00:00Z", run_id=run)
    r = run_cli("cohort", "grade", "-c", str(f))
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines() == [
        "note: 1 learner(s) without an lms_id in the roster (bob): the LMS imports cannot place their grades "
        "(`cohort roster` fills it from the LMS's export)"]
    with (tmp_path / "grades" / "brightspace.csv").open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)] == ["OrgDefinedId", "#1000"]
    with (tmp_path / "grades" / "canvas.csv").open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["Points Possible", "Learner 0", "Learner 1"]
    with (tmp_path / "grades" / "blackboard.csv").open(newline="") as fh:
        assert [row[2] for row in csv.reader(fh)] == ["Username", "1000"]  # Blackboard matches by username only


def test_a_damaged_collect_status_and_a_folder_no_deliverable_owns_are_named(tmp_path):
    f = write_cohort(tmp_path, ["ada", "bob"])
    s = tmp_path / "cohort"
    store_commit(s, "churn", "ada", sha_of("ada"), predictions_csv(1, 1), created_at="2027-01-20T00:00:00Z", run_id=1)
    (s / "churn" / "_collect.json").write_text('{"learners": {"bob": {"status": "no-run"')  # torn
    (s / "churm").mkdir()  # a typo'd deliverable folder, say
    r = run_cli("cohort", "grade", "-c", str(f))
    assert r.returncode == 1
    assert (f"{s / 'churn' / '_collect.json'}: -: not readable as the JSON collect writes (JSONDecodeError): why "
            "learners are missing is unknown; run `roadmap-ci cohort collect churn` again") in r.stderr
    assert f"{s / 'churm'}: -: not a deliverable of this cohort (left alone)" in r.stderr
    book = {row["github"]: row for row in rows(tmp_path / "grades" / "gradebook.csv")}
    assert book["ada"]["churn"] == f"{expected_points(1, 1)}"  # everyone else still graded
