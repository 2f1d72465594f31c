"""rescore: a mentor re-scores stored evidence with a new rubric (no learner code runs)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from testing.common import EXAMPLE_EVIDENCE, EXAMPLE_RUBRIC, ROOT

from roadmap_ci.cohort import expand, rescore
from roadmap_ci.score.load import load_rubric


def cohort(tmp_path: Path, f1s: list[float]) -> Path:
    base = json.loads(EXAMPLE_EVIDENCE.read_text())
    d = tmp_path / "cohort"
    for i, f1 in enumerate(f1s):
        ev = json.loads(json.dumps(base))
        ev["learner"] = f"learner-{i}"
        ev["repo"] = f"org/learner-{i}"
        ev["metrics"]["metrics.json:f1"] = f1
        ev["hidden"]["f1"] = f1
        target = d / f"learner-{i}" / ".roadmap-ci" / "evidence.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(ev))
    return d


def stricter(tmp_path: Path, pass_mark: int) -> Path:
    text = EXAMPLE_RUBRIC.read_text().replace("pass_mark: 50", f"pass_mark: {pass_mark}")
    text = text.replace("../../rubrics/base.yaml", os.path.relpath(ROOT / "rubrics" / "base.yaml", tmp_path))
    p = tmp_path / "new.yaml"
    p.write_text(text)
    return p


def test_rescore_reports_flips_and_distribution(tmp_path):
    d = cohort(tmp_path, [0.5, 0.7, 0.8, 0.95])
    old = load_rubric(EXAMPLE_RUBRIC)
    new = load_rubric(stricter(tmp_path, 75))
    result = rescore(new, expand([d]), old, workers=1)
    assert [r.learner for r in result.rows] == ["learner-0", "learner-1", "learner-2", "learner-3"]
    # same criteria, higher pass mark: totals unchanged, some learners now fail
    assert all(r.delta == 0 for r in result.rows)
    flips = [r.learner for r in result.flips]
    assert flips and all(not r.new.passed for r in result.flips)
    assert result.stats().pass_rate < result.stats(old=True).pass_rate
    totals = sorted(r.new.total for r in result.rows)
    assert result.stats().minimum == totals[0] and result.stats().maximum == totals[-1]


def test_parallel_and_serial_agree(tmp_path):
    d = cohort(tmp_path, [0.6 + i * 0.01 for i in range(30)])
    r = load_rubric(EXAMPLE_RUBRIC)
    import roadmap_ci.cohort as c

    c_from, c.PARALLEL_FROM = c.PARALLEL_FROM, 1
    try:
        par = rescore(r, expand([d]), workers=2)
    finally:
        c.PARALLEL_FROM = c_from
    ser = rescore(r, expand([d]), workers=1)
    assert [(x.learner, x.new) for x in par.rows] == [(x.learner, x.new) for x in ser.rows]


def test_cli_rescore_gradebook_and_bad_file(cli, tmp_path):
    d = cohort(tmp_path, [0.5, 0.9])
    bad = d / "broken" / "evidence.json"
    bad.parent.mkdir()
    bad.write_text('{"schema_version": 1, "deliverable": 3}')
    gradebook = tmp_path / "grades.csv"
    res = cli("rescore", str(d), "--rubric", str(stricter(tmp_path, 75)), "--baseline", str(EXAMPLE_RUBRIC),
              "--csv", str(gradebook))
    # one bad file is reported, the cohort is still scored, and the exit code says something was wrong
    assert res.returncode == 1
    assert f"{bad}: not valid evidence at deliverable" in res.stderr and "Traceback" not in res.stderr
    assert "pass/fail flips: 1 (0 now pass, 1 now fail)" in res.stdout
    assert "new rubric: n=2" in res.stdout and "pass rate=" in res.stdout
    assert "1 skipped (listed on stderr and in the gradebook's problems column)" in res.stdout
    rows = list(csv.DictReader(gradebook.open()))
    # the skipped learner is a row too: its reason in the problems column, no scores
    assert [r["learner"] for r in rows] == ["learner-0", "learner-1", "broken"]
    assert rows[1]["passed"] == "yes" and rows[1]["old_passed"] == "yes" and rows[1]["problems"] == ""
    assert float(rows[0]["tests"]) == 7.5 and "f1-hidden" in rows[0]
    assert rows[2]["evidence"] == str(bad) and rows[2]["total"] == "" and rows[2]["passed"] == ""
    assert rows[2]["problems"].startswith("not valid evidence at deliverable")


def test_gradebook_neutralises_spreadsheet_formulas(tmp_path):
    d = cohort(tmp_path, [0.8])
    p = d / "learner-0" / ".roadmap-ci" / "evidence.json"
    ev = json.loads(p.read_text())
    ev["learner"] = '=HYPERLINK("http://evil","x")'
    p.write_text(json.dumps(ev))
    from roadmap_ci.cohort import write_gradebook

    out = tmp_path / "g.csv"
    write_gradebook(rescore(load_rubric(EXAMPLE_RUBRIC), expand([d]), workers=1), out)
    (row,) = list(csv.DictReader(out.open()))
    assert row["learner"].startswith("'=")


def test_empty_directory_is_a_clear_error(cli, tmp_path):
    res = cli("rescore", str(tmp_path), "--rubric", str(EXAMPLE_RUBRIC))
    assert res.returncode == 2
    assert res.stderr.strip() == f"{tmp_path}: no evidence.json or *.evidence.json files in this directory"


def test_rescore_matches_scoring_each_rubric_alone(tmp_path):
    """Criteria the two rubrics share are evaluated once per learner; the totals must not notice."""
    from roadmap_ci.evidence import load_evidence
    from roadmap_ci.score.scoring import score

    d = cohort(tmp_path, [0.55, 0.66, 0.72, 0.81, 0.9])
    old = load_rubric(EXAMPLE_RUBRIC)
    # a mentor tunes one threshold and one weight; every other criterion is shared
    text = stricter(tmp_path, 60).read_text().replace("min: 0.6\n    target: 0.85\n    help: Engineer",
                                                       "min: 0.7\n    target: 0.9\n    help: Engineer")
    text = text.replace("  - id: roc-auc-validation\n    title: Validation ROC-AUC\n    points: 10",
                        "  - id: roc-auc-validation\n    title: Validation ROC-AUC\n    points: 5")
    text = text.replace("total: 100\n", "total: 95\n")
    (tmp_path / "new.yaml").write_text(text)
    new = load_rubric(tmp_path / "new.yaml")
    files = expand([d])
    result = rescore(new, files, old, workers=1)
    assert any(r.delta for r in result.rows)  # the changed criteria do change totals
    for row in result.rows:
        ev = load_evidence(Path(row.path))
        for got, rubric in ((row.new, new), (row.old, old)):
            card = score(ev, rubric)
            assert (got.total, got.max, got.percent, got.passed) == (card.total, card.max, card.percent, card.passed)
            assert got.points == {c.id: c.points for c in card.criteria}


def test_cli_table_lists_flips_first_and_says_how_many_more(cli, tmp_path):
    """A screenful: pass/fail flips first, then the largest changes; the rest are counted, not dropped silently."""
    f1s = [0.6 + i * 0.005 for i in range(56)]
    d = cohort(tmp_path, f1s)
    text = stricter(tmp_path, 75).read_text().replace("min: 0.6\n    target: 0.85\n    help: Engineer",
                                                       "min: 0.7\n    target: 0.9\n    help: Engineer")
    (tmp_path / "new.yaml").write_text(text)
    res = cli("rescore", str(d), "--rubric", str(tmp_path / "new.yaml"), "--baseline", str(EXAMPLE_RUBRIC))
    result = rescore(load_rubric(tmp_path / "new.yaml"), expand([d]), load_rubric(EXAMPLE_RUBRIC), workers=1)
    changed = result.notable()
    assert len(changed) > 50 and result.flips
    listed = [line.split("│")[1].strip() for line in res.stdout.splitlines() if line.startswith("│ learner-")]
    assert len(listed) == 50
    assert listed == [r.learner for r in changed[:50]]
    assert set(listed[: len(result.flips)]) == {r.learner for r in result.flips}
    deltas = [abs(r.delta) for r in changed[len(result.flips):50]]
    assert deltas == sorted(deltas, reverse=True)
    assert f"… and {len(changed) - 50} more changed: --all lists every learner" in res.stdout
    everyone = cli("rescore", str(d), "--rubric", str(tmp_path / "new.yaml"), "--baseline", str(EXAMPLE_RUBRIC),
                   "--all")
    assert sum(line.startswith("│ learner-") for line in everyone.stdout.splitlines()) == len(f1s)
