"""cohort grade's two caches (``_hidden.json``, ``_scores.json``): each entry encoded in the worker that made it,
the file the same bytes as ``json.dumps`` of the whole, and rewritten exactly when an entry is new, changed or
gone (an unchanged re-grade writes nothing)."""

from __future__ import annotations

import json
import math
import shutil

import pytest
from testing.cohort_kit import predictions_csv, sha_of, store_commit, write_cohort

from roadmap_ci.cohort import grade
from roadmap_ci.cohort.grade import grade_deliverable
from roadmap_ci.cohort.model import load_cohort


def _whole(head: dict, entries: dict, *, allow_nan: bool = True) -> str:
    return json.dumps({**head, "learners": dict(sorted(entries.items()))}, separators=(",", ":"),
                      allow_nan=allow_nan)


def test_document_is_json_dumps_of_the_whole_with_entries_given_as_text_or_objects():
    entries = {
        "zoë": {"commit": "c" * 40, "metrics": {"public.f1": 0.1 + 0.2, "private.accuracy": 1e-17}, "error": None},
        "ada": ["d" * 64, "predictions.csv", ["2027-01-20T00:00:00Z", [1.5, 2.0, True], None, "x\u2028\"y", []]],
        "bob": {"display": "out/\x00\n\tpred\u00e9.csv", "nested": [[], {}, [1, [2, {"k": -0.0}]]]},
    }
    head = {"schema": "s", "key": "k"}
    want = _whole(head, entries)
    assert grade._document(head, entries) == want
    as_text = {k: grade.encoded(v) for k, v in entries.items()}
    assert grade._document(head, as_text) == want
    mixed = {k: (as_text[k] if k != "bob" else v) for k, v in entries.items()}
    assert grade._document(head, mixed) == want
    assert grade._document(head, {}) == _whole(head, {})
    assert json.loads(grade._document(head, mixed)) == json.loads(want)
    # a NaN: json.dumps with allow_nan=False refuses the whole, and so do these
    bad = {"ada": [math.nan]}
    with pytest.raises(ValueError):
        _whole(head, bad, allow_nan=False)
    with pytest.raises(ValueError):
        grade._document(head, bad, allow_nan=False)
    assert grade.encoded(bad["ada"], allow_nan=False) is None
    assert grade.encoded(bad["ada"]) == "[NaN]" and grade._document(head, bad) == _whole(head, bad)


def test_for_main_says_same_text_none_or_unencodable():
    entry = {"a": [1, 2.5], "b": None}
    assert grade._for_main(None, entry) is None
    assert grade._for_main(dict(entry), entry) == grade.SAME  # equal by value, as the main process compared
    assert grade._for_main(entry, None) == json.dumps(entry, separators=(",", ":"))
    assert grade._for_main({**entry, "a": [1, 2.6]}, entry) == json.dumps({**entry, "a": [1, 2.6]},
                                                                          separators=(",", ":"))
    assert grade._for_main([math.inf], None, allow_nan=False) is False
    # a tuple is not equal to the list the cache file gave back: encoded again (and the file rewritten)
    assert grade._for_main(["x", (1, 2)], ["x", [1, 2]]) == '["x",[1,2]]'


@pytest.mark.parametrize("workers", [1, 2])
def test_caches_written_as_json_dumps_and_rewritten_only_when_an_entry_changes(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(grade, "PARALLEL_FROM", 1)  # the pool for workers=2, even for a few learners
    logins = [f"c{i:02d}" for i in range(8)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins):
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i % 4, (2 * i) % 5, shift=i),
                     created_at="2027-01-20T00:00:00Z", run_id=i + 1)
    loaded = load_cohort(f)
    d = loaded.cohort.deliverables[0]
    here = s / "churn"

    def run() -> grade.DeliverableGrades:
        return grade_deliverable(loaded, d, s, state=tmp_path / "st", workers=workers)

    def files() -> dict[str, bytes]:
        return {n: (here / n).read_bytes() for n in (grade.CACHE, grade.SCORES)}

    def as_dumps(raw: bytes, allow_nan: bool) -> bytes:
        data = json.loads(raw)
        head = {k: v for k, v in data.items() if k != "learners"}
        return _whole(head, data["learners"], allow_nan=allow_nan).encode()

    cold = run()
    first = files()
    assert as_dumps(first[grade.CACHE], True) == first[grade.CACHE]
    assert as_dumps(first[grade.SCORES], False) == first[grade.SCORES]
    assert sorted(json.loads(first[grade.SCORES])["learners"]) == logins
    stamps = {n: (here / n).stat().st_mtime_ns for n in first}
    inodes = {n: (here / n).stat().st_ino for n in first}
    warm = run()
    assert files() == first
    assert {n: (here / n).stat().st_ino for n in first} == inodes  # not replaced: nothing changed
    assert {n: (here / n).stat().st_mtime_ns for n in first} == stamps
    assert {k: g.final for k, g in warm.grades.items()} == {k: g.final for k, g in cold.grades.items()}

    # one learner's predictions changed (collect's digest kept: validated again, not cached) and one gone
    (here / "c03" / sha_of("c03") / "predictions.csv").write_text(predictions_csv(0, 0))
    shutil.rmtree(here / "c05")
    again = run()
    now = files()
    assert now != first
    for n, nan in ((grade.CACHE, True), (grade.SCORES, False)):
        assert as_dumps(now[n], nan) == now[n]
        old, new = json.loads(first[n])["learners"], json.loads(now[n])["learners"]
        assert "c05" in old and "c05" not in new
        assert {k: v for k, v in new.items() if k != "c03"} == {k: v for k, v in old.items()
                                                                if k not in ("c03", "c05")}
    assert "c03" not in json.loads(now[grade.SCORES])["learners"]  # off the trusted path: not cached
    assert json.loads(now[grade.CACHE])["learners"]["c03"] != json.loads(first[grade.CACHE])["learners"]["c03"]
    assert "c05" not in again.grades and again.grades["c03"].raw != cold.grades["c03"].raw
