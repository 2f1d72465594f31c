"""cohort progress (learners × the roadmap, and the calendar) and cohort similar (pairs that agree beyond chance)."""

from __future__ import annotations

import csv
import json

from testing.cohort_kit import labels_csv, predictions_csv, sha_of, store_commit, write_cohort
from testing.common import run_cli

from roadmap_ci.roadmap import DELIVERABLES


def progress_cohort(tmp_path):
    logins = ["ada", "bob", "cy", "dee", "eve", "fay"]
    f = write_cohort(tmp_path, logins, deliverables=("churn", "houses"), templates={"houses": "tabular-regression"},
                     extensions=[{"learner": "fay", "deliverable": "churn", "due": "2027-06-30T23:59:00Z"}])
    s = tmp_path / "cohort"
    store_commit(s, "churn", "ada", sha_of("a"), predictions_csv(0, 0), created_at="2027-01-20T00:00:00Z", run_id=1)
    store_commit(s, "churn", "bob", sha_of("b"), predictions_csv(0, 0), created_at="2027-01-26T00:00:00Z", run_id=2)
    store_commit(s, "churn", "cy", sha_of("c"), predictions_csv(15, 15), created_at="2027-01-20T00:00:00Z", run_id=3)
    bad = store_commit(s, "churn", "eve", sha_of("e"), predictions_csv(0, 0), created_at="2027-01-20T00:00:00Z",
                       run_id=4)
    (bad / "evidence.json").write_text('{"schema_version": 1}')  # rejected: no deliverable
    store_commit(s, "houses", "ada", sha_of("h"), predictions_csv(0, 0), created_at="2027-01-20T00:00:00Z", run_id=5)
    return f


def test_progress_cells_calendar_and_outputs(tmp_path):
    f = progress_cohort(tmp_path)
    out = tmp_path / "progress.csv"
    r = run_cli("cohort", "progress", "-c", str(f), "--json", "--csv", str(out), "--now", "2027-05-30T12:00:00Z")
    # eve's rejected evidence is named in grade's words, and the exit code says that there was a problem
    assert r.returncode == 1 and r.stderr.splitlines() == [
        f"{f.parent / 'cohort' / 'churn' / 'eve' / sha_of('e') / 'evidence.json'}: eve: evidence.json: not valid "
        "evidence at deliverable: Field required"], r.stderr
    data = json.loads(r.stdout)
    # the calendar starts at houses (tabular-regression, the roadmap's weeks 9-11: the cohort's first in the
    # roadmap), opened 2027-01-11 09:00Z = the start of week 9; 19 weeks and 6 days later is week 28
    assert data["week"] == 28
    assert data["expected_now"] == ["nlp-pipeline"]
    assert data["expected_done"][:2] == ["math-foundations", "houses"]
    ids = [c["id"] for c in data["columns"]]
    assert len(ids) == len(DELIVERABLES)  # the 15 of the roadmap: the cohort's two under their own ids
    assert ids[1:3] == ["houses", "churn"] and ids[0] == "math-foundations"
    cells = {lr["github"]: lr["cells"] for lr in data["learners"]}
    assert cells["ada"]["churn"] == "passed" and cells["ada"]["houses"] == "passed"
    assert cells["bob"]["churn"] == "late"
    assert cells["cy"]["churn"] == "failed"
    assert cells["dee"]["churn"] == "not started"
    assert cells["eve"]["churn"] == "failed"  # a rejected hand-in
    assert all(c["math-foundations"] == "not started" for c in cells.values())
    behind = {lr["github"]: lr["behind"] for lr in data["learners"]}
    assert behind["ada"] == [] and behind["bob"] == ["houses"]
    assert behind["dee"] == ["houses", "churn"]
    assert behind["fay"] == ["houses"]  # churn's due is theirs: extended to June
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["churn"] == "passed" and rows[0]["week"] == "28" and rows[3]["behind"] == "houses churn"
    term = run_cli("cohort", "progress", "-c", str(f), "--now", "2027-05-30T12:00:00Z")
    assert term.returncode == 1 and "eve: evidence.json: not valid evidence" in term.stderr, term.stderr
    assert "Week 28 of 65" in term.stdout and "5 of 6 learners are behind" in term.stdout
    assert " 2 houses, weeks 9-11" in term.stdout and "(not in this cohort yet)" in term.stdout
    rows_shown = [line.split()[0] for line in term.stdout.splitlines() if line.strip()]
    assert all(login in rows_shown for login in ["ada", "bob", "cy", "dee", "eve", "fay"]), term.stdout


def test_the_heatmap_shows_every_login_whole_when_written_to_a_file(tmp_path):
    """Piped or redirected (no terminal, so 80 columns), the 15 deliverable columns used to squeeze the learner
    column to nothing: the rows lost their names. A login as long as GitHub allows stays whole."""
    logins = ["a-rather-long-github-login-for-a-test1", "bo"]
    f = write_cohort(tmp_path, logins)
    term = run_cli("cohort", "progress", "-c", str(f), "--now", "2027-05-30T12:00:00Z")
    assert term.returncode == 0, term.stderr
    firsts = [line.split()[0] for line in term.stdout.splitlines() if line.strip()]
    assert all(login in firsts for login in logins), term.stdout
    assert "learner" in firsts and "done" in term.stdout and "behind" in term.stdout


def test_similar_flags_identical_files_shared_errors_and_peer_ids(tmp_path):
    logins = [f"s{i:02d}" for i in range(12)]
    f = write_cohort(tmp_path, logins, shared_labels=False)
    s = tmp_path / "cohort"
    labels = tmp_path / "labels"
    labels.mkdir()
    for lg in logins:
        (labels / f"{lg}.csv").write_text(labels_csv())
    at = "2027-01-20T00:00:00Z"
    (labels / "s11.csv").write_text(labels_csv(prefix="k"))  # s01 and s11: their own hidden ids (per learner)
    (labels / "s01.csv").write_text(labels_csv(prefix="q"))
    for i, lg in enumerate(logins[:8]):  # independent work: different rows wrong
        prefix = "q" if lg == "s01" else "c"
        wrong = 4 if lg == "s00" else 2
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(wrong, wrong, shift=2 * i, prefix=prefix),
                     created_at=at, run_id=i + 1)
    # s08 and s09: the same file
    store_commit(s, "churn", "s08", sha_of("s08"), predictions_csv(3, 3, shift=17), created_at=at, run_id=9)
    store_commit(s, "churn", "s09", sha_of("s09"), predictions_csv(3, 3, shift=17), created_at=at, run_id=10)
    # s10: s00's file with one of its eight errors corrected (not identical; the same mistakes)
    text = predictions_csv(4, 4, shift=0).splitlines()
    text[1] = predictions_csv(0, 0).splitlines()[1]
    store_commit(s, "churn", "s10", sha_of("s10"), "\n".join(text) + "\n", created_at=at, run_id=11)
    # s11 handed in s01's file, whose ids are s01's
    store_commit(s, "churn", "s11", sha_of("s11"), predictions_csv(2, 2, shift=2, prefix="q"), created_at=at,
                 run_id=13)
    r = run_cli("cohort", "similar", "churn", "-c", str(f), "--labels", str(labels), "--json")
    assert r.returncode == 1 and "s11: hidden labels s11.csv: outputs/predictions.csv:2: id 'q000' is not in the " \
        "hidden test set" in r.stderr, r.stderr  # graded without the hidden points: named, exit 1
    data = json.loads(r.stdout)
    assert data["compared"] == 12
    found = {(p["a"], p["b"]): p for p in data["pairs"]}
    assert found[("s08", "s09")]["kind"] == "identical files"
    assert found[("s01", "s11")]["kind"] == "identical files"
    shared = found[("s00", "s10")]
    # 7 of 40 rows wrong the same way where 40 x 0.2 x 0.175 = 1.4 are expected: a binomial chance of 4.3e-4,
    # under 0.05 over the 66 pairs of 12 learners (7.6e-4); with 3 shared it would be 3.4e-3, and not listed
    ev = shared["evidence"]
    assert shared["kind"] == "shared errors" and ev["shared_errors"] == 7 and ev["expected"] == 1.4
    assert ev["p"] == 0.000434 and ev["p"] <= 0.05 / 66 and ev["agreement"] == 0.975
    # honest independent work is not listed: the ten pairs above are all
    independent = [p for p in data["pairs"] if {p["a"], p["b"]} <= {f"s{i:02d}" for i in range(8)} - {"s01"}]
    assert independent == []
    peer = [p for p in data["pairs"] if p["kind"] == "another learner's ids"]
    assert peer == [] or peer[0]["a"] == "s11"  # already listed as identical files: one line per pair
    term = run_cli("cohort", "similar", "churn", "-c", str(f), "--labels", str(labels))
    assert "pair(s) to look at (evidence, not a verdict)" in term.stdout
    assert "s11: " in term.stderr and "not in the hidden test set" in term.stderr  # who was not scored, and why
    assert "s00 ~ s10: 7 identical wrong predictions" in term.stdout and "chance 4.3e-04" in term.stdout


def test_similar_maps_per_learner_ids_back_to_their_owner(tmp_path):
    logins = ["ann", "ben", "col"]
    f = write_cohort(tmp_path, logins, shared_labels=False)
    labels = tmp_path / "labels"
    labels.mkdir()
    for lg, prefix in zip(logins, "abc", strict=True):
        (labels / f"{lg}.csv").write_text(labels_csv(prefix=prefix))
    s = tmp_path / "cohort"
    at = "2027-01-20T00:00:00Z"
    store_commit(s, "churn", "ann", sha_of("ann"), predictions_csv(2, 2, prefix="a"), created_at=at, run_id=1)
    # ben's file: ann's ids (a copy of ann's work with a few predictions changed)
    store_commit(s, "churn", "ben", sha_of("ben"), predictions_csv(5, 1, prefix="a"), created_at=at, run_id=2)
    store_commit(s, "churn", "col", sha_of("col"), predictions_csv(3, 3, prefix="c"), created_at=at, run_id=3)
    r = run_cli("cohort", "similar", "churn", "-c", str(f), "--labels", str(labels), "--json")
    data = json.loads(r.stdout)
    assert [(p["a"], p["b"], p["kind"]) for p in data["pairs"]] == [("ben", "ann", "another learner's ids")]
    assert data["pairs"][0]["evidence"] == {"rows": 40, "of_ids": 40, "own_ids": 0}
    g = run_cli("cohort", "grade", "-c", str(f), "--labels", str(labels))
    assert "ben: " in g.stderr and "not in the hidden test set" in g.stderr


def test_similar_gives_the_same_pairs_with_one_shared_labels_file_and_with_a_copy_per_learner(tmp_path):
    """Learners who share one labels file share its rows (grade's fast path compares them as sets at once); a
    copy per learner goes through the row-by-row check. Same files, same labels: the same pairs and evidence."""
    logins = [f"t{i:02d}" for i in range(8)]
    out = {}
    for shared in (True, False):
        base = tmp_path / ("shared" if shared else "copies")
        f = write_cohort(base, logins, shared_labels=shared)
        args = []
        if not shared:
            (base / "labels").mkdir()
            for lg in logins:
                (base / "labels" / f"{lg}.csv").write_text(labels_csv())
            args = ["--labels", str(base / "labels")]
        s = base / "cohort"
        at = "2027-01-20T00:00:00Z"
        for i, lg in enumerate(logins[:5]):  # independent work
            wrong = 4 if lg == "t00" else 2
            store_commit(s, "churn", lg, sha_of(lg), predictions_csv(wrong, wrong, shift=3 * i), created_at=at,
                         run_id=i + 1)
        text = predictions_csv(4, 4, shift=0).splitlines()  # t05: t00's mistakes but one
        text[1] = predictions_csv(0, 0).splitlines()[1]
        store_commit(s, "churn", "t05", sha_of("t05"), "\n".join(text) + "\n", created_at=at, run_id=6)
        for lg in ("t06", "t07"):  # the same file
            store_commit(s, "churn", lg, sha_of(lg), predictions_csv(3, 3, shift=17), created_at=at, run_id=7)
        r = run_cli("cohort", "similar", "churn", "-c", str(f), *args, "--json")
        assert r.returncode == 0, r.stderr
        out[shared] = json.loads(r.stdout)["pairs"]
    assert out[True] == out[False]
    kinds = {(p["a"], p["b"]): p["kind"] for p in out[True]}
    assert kinds[("t00", "t05")] == "shared errors" and kinds[("t06", "t07")] == "identical files"


def test_a_csv_that_cannot_be_written_is_one_cannot_write_line_like_grade_and_report(tmp_path):
    """`--csv .` (a folder) or a path under a file used to end in `internal error: IsADirectoryError` or
    `NotADirectoryError`; progress and similar write through the one writer grade -o and report --html use."""
    f = progress_cohort(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "file").write_text("x")
    cases = [(tmp_path / "out", "it is a directory"),
             (tmp_path / "file" / "p.csv", f"{tmp_path / 'file'} is not a directory")]
    for out, why in cases:
        for args in (["progress", "--now", "2027-05-30T12:00:00Z"], ["similar", "churn"]):
            r = run_cli("cohort", *args, "-c", str(f), "--csv", str(out))
            assert r.returncode == 2, (args, out, r.stderr)
            assert r.stderr.splitlines()[-1] == f"error: cannot write {out}: {why}", (args, r.stderr)
            assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not list(tmp_path.rglob(".*.tmp"))
    # and a writable path still gets the whole sheet
    ok = run_cli("cohort", "similar", "churn", "-c", str(f), "--csv", str(tmp_path / "out" / "pairs.csv"))
    assert ok.returncode == 1 and "eve: evidence.json" in ok.stderr, ok.stderr  # eve's rejected evidence
    assert (tmp_path / "out" / "pairs.csv").read_text().startswith("deliverable,learner_a,learner_b,kind,evidence")


def test_a_csv_that_would_replace_the_cohort_file_or_the_roster_is_refused(tmp_path):
    """`--csv roster.csv` replaced the roster with the sheet (and `--csv cohort.yaml` the cohort file)."""
    f = progress_cohort(tmp_path)
    roster = f.parent / "roster.csv"
    before = f.read_bytes(), roster.read_bytes()
    for out, what in ((roster, "the roster"), (f, "the cohort file")):
        for args in (["progress"], ["similar", "churn"]):
            r = run_cli("cohort", *args, "-c", str(f), "--csv", str(out))
            assert r.returncode == 1, (args, r.stderr)
            assert r.stderr == f"error: --csv {out}: is {what}; write the sheet elsewhere\n", (args, r.stderr)
    assert (f.read_bytes(), roster.read_bytes()) == before
