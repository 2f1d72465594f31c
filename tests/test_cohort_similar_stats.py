"""cohort similar's shared-errors statistics at cohort scale: every pair counted, hard rows expected, chance
bounded over the pairs -- checked against a plain all-pairs count written out here."""

from __future__ import annotations

import hashlib
import random
from itertools import combinations
from pathlib import Path

from roadmap_ci.cohort import similar
from roadmap_ci.cohort.similar import Submission, expected_shared, pairs_among, threshold


def sub(key: str, preds: dict[str, str], truth: dict[str, str]) -> Submission:
    digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in sorted(preds.items())).encode()).hexdigest()
    graded = frozenset(i for i in preds if i in truth)
    wrong = frozenset(i for i in graded if preds[i] != truth[i])
    return Submission(key, Path(f"{key}.csv"), digest, preds, frozenset(), truth, graded, wrong)


def cohort(rnd: random.Random, size: int, rate_of_row: list[float], classes: int = 2):
    """``size`` learners, each wrong on row r with probability rate_of_row[r] scaled by their own skill."""
    truth = {f"r{j:04d}": str(rnd.randrange(classes)) for j in range(len(rate_of_row))}
    subs = []
    for i in range(size):
        skill = rnd.uniform(0.6, 1.4)
        preds = {}
        for (rid, t), rate in zip(truth.items(), rate_of_row, strict=True):
            if rnd.random() < min(0.95, rate * skill):
                preds[rid] = str((int(t) + rnd.randrange(1, classes)) % classes)
            else:
                preds[rid] = t
        subs.append(sub(f"l{i:05d}", preds, truth))
    return subs, truth


def copy_of(rnd: random.Random, key: str, original: Submission, truth: dict[str, str], changed: float,
            classes: int = 2) -> Submission:
    """``original``'s file with a share of its rows changed to another value (a copy dressed up)."""
    preds = dict(original.preds)
    for rid in preds:
        if rnd.random() < changed:
            preds[rid] = str((int(preds[rid]) + rnd.randrange(1, classes)) % classes)
    return sub(key, preds, truth)


def shared_kinds(pairs):
    return {(p.a, p.b) for p in pairs if p.kind == "shared errors"}


def test_a_copy_is_found_when_every_error_is_shared_by_hundreds():
    """600 learners, 40 % of rows wrong: each wrong value is made by about 240 of them. Counting only errors at
    most 200 learners share (as this command did) left nothing to count, and the copy went unseen."""
    rnd = random.Random(1)
    subs, truth = cohort(rnd, 600, [0.4] * 200)
    subs.append(copy_of(rnd, "zz-copy", subs[17], truth, 0.1))
    makers: dict[tuple[str, str], int] = {}
    for s in subs:
        for r in s.wrong:
            makers[(r, s.preds[r])] = makers.get((r, s.preds[r]), 0) + 1
    assert min(makers.values()) > 200  # the case the old cap could not count
    found = shared_kinds(pairs_among(subs))
    assert found == {("l00017", "zz-copy")}


def test_rows_most_learners_get_wrong_are_expected_in_both_and_flag_no_honest_pair():
    """A realistic cohort: a few hard rows most models get wrong, many easy ones. Under the uniform expectation
    honest pairs that share the hard rows' errors look copied; with the expectation learned from the rest of the
    cohort none does, and the copy -- whose errors on easy rows nobody else makes -- still stands out."""
    rnd = random.Random(2)
    rates = [0.75] * 20 + [0.04] * 180
    subs, truth = cohort(rnd, 300, rates)
    subs.append(copy_of(rnd, "zz-copy", subs[3], truth, 0.05))
    honest = subs[:-1]
    limit = threshold(len(subs))
    uniform_flags = 0
    from scipy.stats import binom

    for a, b in combinations(honest, 2):
        n_shared = sum(1 for r in a.wrong & b.wrong if a.preds[r] == b.preds[r])
        e = expected_shared(len(a.wrong), len(b.wrong), len(truth), None)
        if n_shared >= 3 and binom.sf(n_shared - 1, len(truth), e / len(truth)) <= limit:
            uniform_flags += 1
    assert uniform_flags > 50  # the uniform model would list dozens of honest pairs
    found = shared_kinds(pairs_among(subs))
    assert found == {("l00003", "zz-copy")}


def naive_pairs(subs: list[Submission]) -> dict[tuple[str, str], dict]:
    """Every pair, the slow way, from the definitions in similar's docstrings."""
    from scipy.stats import binom, poisson

    subs = sorted(subs, key=lambda s: s.key)
    groups: dict = {}
    for s in subs:
        groups.setdefault((id(s.truth), s.graded), []).append(s)
    group = max(groups.values(), key=len)
    group = group if len(group) >= 4 else []
    in_group = {s.key for s in group}
    two_tests = len(group) >= similar.RARE_GROUP
    k = max(2, len({v for s in subs for v in s.truth.values()}))
    limit = threshold(len(subs)) / (2 if two_tests else 1)

    def made_by(learners):
        made: dict[tuple[str, str], int] = {}
        for s in learners:
            for r in s.wrong:
                made[(r, s.preds[r])] = made.get((r, s.preds[r]), 0) + 1
        return made

    everyone = made_by(group)
    rare = {v for v, c in everyone.items() if c <= 2 + similar.RARE_SHARE * (len(group) - 2)}
    out = {}
    for a, b in combinations(subs, 2):
        if a.digest == b.digest:
            continue  # identical files: listed as such
        same = [r for r in a.wrong & b.wrong if a.preds[r] == b.preds[r]]
        rows = [r for r in a.graded & b.graded if a.truth[r] == b.truth[r]]
        if len(same) < 3 or not rows:
            continue
        wa = sum(1 for r in rows if r in a.wrong)
        wb = sum(1 for r in rows if r in b.wrong)
        paired = a.key in in_group and b.key in in_group
        others = dict(everyone) if paired else {}  # the group's counts less the pair's own errors
        for s in (a, b) if paired else ():
            for r in s.wrong:
                others[(r, s.preds[r])] -= 1

        def rest(keys, others=others, paired=paired):
            cs = [others.get(v, 0) for v in keys]
            return (len(group) - 2, sum(cs), sum(c * (c - 1) for c in cs)) if paired else None

        e = expected_shared(wa, wb, len(rows) * (k - 1), rest(everyone))
        p = float(binom.sf(len(same) - 1, len(rows), min(1.0, e / len(rows))))
        ev = {"shared_errors": len(same), "rows": len(rows), "expected": round(e, 2), "p": float(f"{p:.3g}")}
        listed = p <= limit
        if two_tests and paired:
            r_same = sum(1 for r in same if (r, a.preds[r]) in rare)
            r_wa = sum(1 for r in a.wrong if (r, a.preds[r]) in rare)
            r_wb = sum(1 for r in b.wrong if (r, b.preds[r]) in rare)
            r_e = expected_shared(r_wa, r_wb, len(rare), rest(rare))
            r_p = float(poisson.sf(r_same - 1, r_e))
            ev.update({"rare_shared_errors": r_same, "rare_expected": round(r_e, 2), "rare_p": float(f"{r_p:.3g}")})
            listed = listed or (r_same >= 3 and r_p <= limit)
        if listed:
            out[(a.key, b.key)] = ev
    return out


def matrix_pairs(subs, monkeypatch):
    """pairs_among's shared-errors pairs, dense in one block and sparse in blocks of 7: both must agree."""
    got = []
    for dense_cells, block in ((10**9, 512), (0, 7)):
        monkeypatch.setattr(similar, "DENSE_CELLS", dense_cells)
        monkeypatch.setattr(similar, "BLOCK", block)
        got.append({(p.a, p.b): {key: p.evidence[key] for key in p.evidence
                                 if key in ("shared_errors", "rows", "expected", "p") or key.startswith("rare_")}
                    for p in pairs_among(subs) if p.kind == "shared errors"})
    assert got[0] == got[1]
    return got[0]


def test_the_matrix_counts_equal_a_plain_count_of_every_pair(monkeypatch):
    """Three classes, copies and near-copies, learners with missing rows, one with a labels file of their own
    (outside the group, so the uniform expectation), dense and sparse matrices, several blocks: the listed
    pairs and their numbers are those of the all-pairs count above."""
    rnd = random.Random(3)
    subs, truth = cohort(rnd, 40, [0.5] * 20 + [0.08] * 100, classes=3)
    for i, src in enumerate((2, 5, 5, 11)):
        subs.append(copy_of(rnd, f"m{i}", subs[src], truth, 0.05 * i, classes=3))
    short = dict(subs[8].preds)
    for rid in list(short)[:7]:
        del short[rid]
    subs.append(sub("m-short", short, truth))
    other_truth = dict(truth)
    other_truth["r0001"] = str((int(truth["r0001"]) + 1) % 3)
    subs.append(sub("m-other", dict(subs[11].preds), other_truth))
    expected = naive_pairs(subs)
    assert len(expected) >= 4  # the copies are there to be found
    assert matrix_pairs(subs, monkeypatch) == expected


def test_the_rare_errors_test_equals_a_plain_count_too(monkeypatch):
    """A group past RARE_GROUP: both tests, each at half the threshold, against the plain count."""
    rnd = random.Random(4)
    subs, truth = cohort(rnd, similar.RARE_GROUP + 5, [0.7] * 20 + [0.05] * 180)
    for i, src in enumerate((1, 2, 3)):
        subs.append(copy_of(rnd, f"m{i}", subs[src], truth, 0.02 + 0.03 * i))
    expected = naive_pairs(subs)
    assert any(ev["rare_p"] < ev["p"] for ev in expected.values())  # listed for the rare errors they share
    assert matrix_pairs(subs, monkeypatch) == expected


def test_the_fast_read_gives_what_the_shared_validation_gives(tmp_path, monkeypatch):
    """similar reads a predictions copy as collect stored it (its sha256 in the provenance) with grade's fast
    split; a copy changed since, a file with quotes or one from before the digests goes through load_bundle. Each
    way, the same submissions."""
    from testing.cohort_kit import predictions_csv, sha_of, store_commit, write_cohort

    from roadmap_ci.cohort.grade import grade_all
    from roadmap_ci.cohort.model import load_cohort

    logins = [f"f{i:02d}" for i in range(6)]
    f = write_cohort(tmp_path, logins)
    s = tmp_path / "cohort"
    at = "2027-01-20T00:00:00Z"
    folders = {}
    for i, lg in enumerate(logins):
        folders[lg] = store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i, 3, shift=i), created_at=at,
                                   run_id=i + 1, digests=lg != "f04")
    text = predictions_csv(1, 1).replace("c005,", '"c005",')  # quoted: the shared reader's csv module
    (folders["f02"] / "predictions.csv").write_text(text)  # and changed since collect: not trusted either
    fast_used = []
    real_fast = similar._fast

    def counting(*args):
        got = real_fast(*args)
        fast_used.append(got is not None)
        return got

    def subs_of(fast: bool):
        similar._TRUTH.clear()
        monkeypatch.setattr(similar, "_fast", counting if fast else (lambda *a: None))
        r = grade_all(load_cohort(f), deliverables=None)[0]
        return {g.key: similar._load(r, g.key, g.folder) for g in r.grades.values()}

    fast, slow = subs_of(True), subs_of(False)
    assert sorted(fast_used) == [False, False] + [True] * 4  # f02 (changed) and f04 (no digests) read the slow way
    assert set(fast) == set(logins)
    for lg in logins:
        a, b = fast[lg], slow[lg]
        assert (a.preds, a.digest, a.graded, a.wrong, a.truth, a.file) == (b.preds, b.digest, b.graded, b.wrong,
                                                                           b.truth, b.file)
    assert fast["f02"].preds["c005"] == slow["f02"].preds["c005"] and len(fast["f03"].wrong) == 6


def test_identical_files_are_listed_when_they_share_mistakes_not_the_truth():
    """Two learners who got every row right hand in the same file by necessity, and two wrong on the same one or
    two rows are not told apart from chance; the same file with three mistakes is listed. No labels (nothing to
    tell right from wrong): listed."""
    truth = {f"r{j:03d}": str(j % 2) for j in range(50)}

    def with_errors(key, rows, labels=truth):
        return sub(key, {r: (str(1 - int(t)) if int(r[1:]) in rows else t) for r, t in truth.items()}, labels)

    subs = [with_errors("p1", ()), with_errors("p2", ()), with_errors("o1", (4,)), with_errors("o2", (4,)),
            with_errors("t1", (4, 9, 30)), with_errors("t2", (4, 9, 30)),
            with_errors("u1", (1,), labels={}), with_errors("u2", (1,), labels={})]
    subs += [with_errors(f"x{i}", (10 + i, 40 - i)) for i in range(6)]
    listed = {(p.a, p.b): p.kind for p in pairs_among(subs)}
    assert listed == {("t1", "t2"): "identical files", ("u1", "u2"): "identical files"}
    assert [s.key for s in subs if similar.perfect(s)] == ["p1", "p2"]
    t = next(p for p in pairs_among(subs) if p.a == "t1")
    assert t.evidence["wrong"] == 3 and "(50 rows, the same 3 wrong, sha256 " in t.describe()
