"""``roadmap-ci cohort similar``: pairs of learners whose hidden-split predictions agree far beyond chance.

Three kinds of evidence, each a fact about the two files, never a verdict:

- **identical files** -- the same predictions, byte for byte once line endings and row order are normalised,
  with at least ``MIN_SHARED`` wrong (``telling``: two all-right files are the labels, twice);
- **another learner's ids** -- with per-learner hidden ids (a course secret and ``--learner``), a file whose ids
  are a peer's hidden ids and not the learner's own: the ids are mapped back to the learner they were issued to;
- **shared errors** -- on the rows both were graded on, the two make the *same wrong prediction* on many more
  rows than chance explains. Two independent learners share about n·e₁·e₂/(k−1) identical errors over n rows and
  k classes if errors fall uniformly; they do not (a hard row is wrong for most of the cohort), so where learners
  share their rows the expectation follows where the *rest* of the group's errors fall (``expected_shared``), and
  in a group of ``RARE_GROUP`` or more the rare errors are tested on their own too. A pair is listed when it
  shares at least 3 and the chance of that many is at most ``ALPHA`` over the number of pairs (``threshold``): in
  a cohort of any size, about one deliverable in twenty lists an honest pair by chance. For regression, the same
  value on the same row counts.

A mentor reads the pairs with the evidence and decides; nothing is penalised automatically.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.grade import DeliverableGrades
from roadmap_ci.errors import RoadmapError

MIN_SHARED = 3
ALPHA = 0.05  # the chance, per deliverable, that any honest pair is listed (Bonferroni over every pair)


@dataclass
class Submission:
    key: str
    file: Path
    digest: str  # of the normalised rows
    preds: dict[str, str]  # id -> predicted value (canonical)
    own_ids: frozenset[str]  # the ids of this learner's hidden set (their labels)
    truth: dict[str, str]  # id -> true label (their labels; one dict per labels file)
    graded: frozenset[str]  # the ids with both a prediction and a label
    wrong: frozenset[str]  # of those, the ones predicted wrong


@dataclass
class Pair:
    a: str
    b: str
    kind: str  # "identical files" | "another learner's ids" | "shared errors"
    evidence: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        e = self.evidence
        if self.kind == "identical files":
            wrong = f", the same {e['wrong']} wrong" if "wrong" in e else ""
            return f"identical predictions files ({e['rows']} rows{wrong}, sha256 {e['sha256'][:12]})"
        if self.kind == "another learner's ids":
            return (f"{e['of_ids']} of {e['rows']} ids in {self.a}'s file are {self.b}'s hidden ids "
                    f"({e['own_ids']} are {self.a}'s own)")
        text = (f"{e['shared_errors']} identical wrong predictions on {e['rows']} shared rows where about "
                f"{e['expected']:.1f} are expected from their error rates ({e['error_rate_a']:.0%}, "
                f"{e['error_rate_b']:.0%}) and the cohort's; chance {e['p']:.1e}")
        if "rare_shared_errors" in e:
            text += (f"; {e['rare_shared_errors']} of them where few of the cohort go wrong, about "
                     f"{e['rare_expected']:.1f} expected, chance {e['rare_p']:.1e}")
        return f"{text}; {e['agreement']:.0%} of predictions agree"


def _load(r: DeliverableGrades, key: str, folder: str) -> Submission | None:
    spec = r.spec
    if spec is None or spec.task == "ranking":
        return None
    labels_file = r.labels.get(key.lower())
    known = None
    if labels_file is not None:
        try:
            known = _truth(labels_file, spec)
        except (RoadmapError, OSError):  # as below: grade reported it
            known = None
    got = _fast(folder, spec, known) if known is not None else None
    if got is None:
        got = _slow(folder, spec)
    if got is None:
        return None
    file, preds = got
    digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in sorted(preds.items())).encode()).hexdigest()
    truth, ids = (known.truth, known.ids) if known is not None else ({}, frozenset())
    graded = ids if len(preds) == len(truth) and all(map(truth.__contains__, preds)) else \
        frozenset(i for i in preds if i in truth)
    wrong = frozenset(i for i in graded if preds[i] != truth[i])
    return Submission(key, file, digest, preds, ids, truth, graded, wrong)


def _fast(folder: str, spec: Any, known: _Truth) -> tuple[Path, dict[str, str]] | None:
    """The predictions copy as collect stored and validated it, split in C (grade's fast path), else None."""
    import os

    from roadmap_ci.cohort import fastpath, store
    from roadmap_ci.score.files import MAX_PREDICTIONS_BYTES

    try:
        prov = store.parse_provenance(store.read_provenance_bytes(os.path.join(folder, store.PROVENANCE)),
                                      os.path.basename(folder))
        trusted = fastpath.trusted_evidence(folder, prov)
        if trusted is None or trusted[1] is None:
            return None
        data = store.read_capped(trusted[1], MAX_PREDICTIONS_BYTES)
    except (ValueError, OSError):
        return None
    if store.digest(data) != trusted[2]:
        return None
    cols = fastpath.columns(data, spec, known.labels, tsv=trusted[1].lower().endswith(".tsv"))
    if cols is None:
        return None
    # the labels' own id strings: one string per id across the cohort, not one per file
    return Path(trusted[1]), dict(zip(map(known.canon.__getitem__, cols[0]), cols[1], strict=True))


def _slow(folder: str, spec: Any) -> tuple[Path, dict[str, str]] | None:
    """The predictions copy through the shared validation ci-report uses."""
    from roadmap_ci.ci.artifact import load_bundle
    from roadmap_ci.score.files import columns, predictions_csv
    from roadmap_ci.score.metrics import canonical_label

    try:
        bundle = load_bundle(Path(folder))
        if bundle.predictions is None:
            return None
        name = bundle.predictions.name
        header, rows = predictions_csv(bundle.predictions, name)
        cols = columns(header, {"id": spec.id_column, "pred": spec.prediction_column}, "the predictions file", name)
        width = max(cols.values()) + 1  # the reader streams: a bad row raises while it is read, here
        preds = {row[cols["id"]].strip(): canonical_label(row[cols["pred"]].strip())
                 for _, row in rows if len(row) >= width}
    except RoadmapError:  # grade already named every unreadable file; nothing to compare here
        return None
    return bundle.predictions, preds


@dataclass
class _Truth:
    """A labels file as similar reads it: id -> true label, grade's parsed labels, their ids, and each id's own
    string (so every learner's predictions are keyed by the same strings)."""

    truth: dict[str, str]
    labels: Any
    ids: frozenset[str]
    canon: dict[str, str]


_TRUTH: dict[str, _Truth] = {}
_BY_CONTENT: dict[frozenset[tuple[str, str]], dict[str, str]] = {}


def _truth(path: Path, spec: Any) -> _Truth:
    """A labels file read once (grade's cache reads it again when it changes): learners who share the file -- or a
    copy of it -- share the truth dict (``is``), so they are one group in the pairs."""
    from roadmap_ci.cohort.grade import _labels

    labels = _labels(str(path), False, spec)[0]
    got = _TRUTH.get(str(path))
    if got is None or got.labels is not labels:
        truth = {k: lab.target for k, lab in labels.items()}
        truth = _BY_CONTENT.setdefault(frozenset(truth.items()), truth)
        got = _TRUTH[str(path)] = _Truth(truth, labels, frozenset(truth), {k: k for k in labels})
    return got


def submissions(r: DeliverableGrades) -> list[Submission]:
    """The predictions files of one deliverable's graded commits that can be compared."""
    return [s for g in r.grades.values() if (s := _load(r, g.key, g.folder)) is not None]


def find_pairs(r: DeliverableGrades) -> tuple[list[Pair], int]:
    """The flagged pairs of one deliverable and how many submissions were compared."""
    subs = submissions(r)
    return pairs_among(subs), len(subs)


def perfect(s: Submission) -> bool:
    """Every prediction graded and right: two such files are the same file by necessity, not by copying."""
    return bool(s.graded) and not s.wrong and len(s.graded) == len(s.preds)


def telling(s: Submission) -> bool:
    """Whether a file another learner also handed in says anything: it has ``MIN_SHARED`` wrong predictions (two
    files right but for the same row or two agree with the labels, so with each other), or no labels to tell.
    The count of shared mistakes is in the evidence: in a cohort of thousands, three the same is not rare."""
    return not s.graded or len(s.wrong) >= MIN_SHARED


def pairs_among(subs: list[Submission]) -> list[Pair]:
    """The flagged pairs among loaded submissions: identical files, another learner's ids, shared errors."""
    subs = sorted(subs, key=lambda s: s.key)  # index order is key order: a pair (i < j) is (a, b) with a < b
    pairs: list[Pair] = []
    flagged: set[tuple[str, str]] = set()

    def add(p: Pair) -> None:
        key = tuple(sorted((p.a, p.b)))
        if key not in flagged:
            flagged.add(key)  # type: ignore[arg-type]
            pairs.append(p)

    by_digest: dict[str, list[Submission]] = defaultdict(list)
    for s in subs:
        by_digest[s.digest].append(s)
    for group in by_digest.values():
        if not all(map(telling, group)):
            continue
        for a, b in combinations(group, 2):
            wrong = {"wrong": len(a.wrong)} if a.graded and a.truth is b.truth else {}
            add(Pair(a.key, b.key, "identical files", {"rows": len(a.preds), **wrong, "sha256": a.digest}))
    # ids mapped back to the learner they were issued to (per-learner hidden sets)
    owner: dict[str, str] = {}
    seen: set[int] = set()
    for s in subs:
        if id(s.own_ids) not in seen:  # learners with one labels file share the set: once
            seen.add(id(s.own_ids))
            for i in s.own_ids:
                owner.setdefault(i, s.key)
    for s in subs:
        if not s.own_ids or s.preds.keys() <= s.own_ids:  # every id the learner's own (one hidden set: everyone)
            continue
        counts: dict[str, int] = defaultdict(int)
        for i in s.preds:
            if i not in s.own_ids and i in owner:
                counts[owner[i]] += 1
        for other, n in counts.items():
            if n >= max(MIN_SHARED, len(s.preds) // 2):
                add(Pair(s.key, other, "another learner's ids", {"rows": len(s.preds), "of_ids": n,
                                                                 "own_ids": len(s.preds.keys() & s.own_ids)}))
    for a, b, ev in _shared_errors(subs, flagged):
        add(Pair(a.key, b.key, "shared errors", ev))
    pairs.sort(key=lambda p: (p.kind != "identical files", p.kind != "another learner's ids",
                              min(float(p.evidence.get("p", 0)), float(p.evidence.get("rare_p", 1))), p.a, p.b))
    return pairs


def expected_shared(wa: float, wb: float, keys: float, rest: tuple[float, float, float] | None) -> float:
    """How many identical wrong predictions two independent learners with ``wa`` and ``wb`` errors among ``keys``
    possible wrong values (n rows × (k−1) wrong classes) share.

    With no cohort to learn from (``rest`` None), errors fall uniformly: wa·wb/keys, which is n·ea·eb/(k−1). With
    one, ``rest`` is what the *other* learners of the pair's group did -- (m learners, E₁ = Σc and E₂ = Σc(c−1) over
    the count c of them making each wrong value) -- and each learner's errors fall where the others' do, in
    proportion q: wa·wb·Σq²/(Σq)², a row most get wrong expected in both. Σc(c−1)/(m(m−1)) estimates Σq² without
    the bias of squaring a sample; by Cauchy–Schwarz Σq²/(Σq)² is never below 1/keys, so the larger is taken.
    """
    floor = 1 / keys
    if rest is None or rest[0] < 2 or rest[1] <= 0:
        return wa * wb * floor
    m, e1, e2 = rest
    return wa * wb * max(floor, m * e2 / ((m - 1) * e1 * e1))


def threshold(size: int) -> float:
    """The chance at or below which a pair of a ``size``-learner cohort is listed: ALPHA over the pairs."""
    return ALPHA / max(1, size * (size - 1) // 2)


BLOCK = 512  # learners per block of the pair matrices: a block × cohort matrix of float32 (20 MB at 10,000)
DENSE_CELLS = 25_000_000  # learners × error values up to which the matrices are dense (100 MB of float32)
RARE_GROUP = 100  # learners sharing their rows from which errors "few make" are told apart (counts, not noise)
RARE_SHARE = 0.1  # a wrong value at most this share of the others make is a rare error


class _Stratum:
    """A set of wrong values (columns of the learner × value matrix) and what the pair's group made of them."""

    def __init__(self, e: Any, cols: Any, c_group: Any, keys: float) -> None:
        """``cols``: the stratum's columns of ``e``, None for all of them."""
        import numpy as np

        sub = e if cols is None else e[:, cols]
        self.keys = keys
        self.w = np.asarray(sub.sum(axis=1)).ravel().astype(np.float64)
        c = c_group if cols is None else c_group[cols]
        self.c1, self.c2 = float(c.sum()), float((c * c).sum())
        self.popularity = np.asarray(sub @ c).ravel()  # Σ over a learner's errors of how many in the group made each
        pairable = np.asarray(sub.sum(axis=0)).ravel() >= 2  # a value made once is shared by no pair
        self.e = sub[:, pairable].tocsr()
        self.dense = self.e.shape[1] * self.e.shape[0] <= DENSE_CELLS
        self.ed = self.e.toarray() if self.dense else None
        self.et = self.ed.T if self.dense else self.e.T.tocsr()

    def counts(self, i0: int, i1: int) -> Any:
        """Shared wrong values of learners i0..i1 (rows) with every learner (columns), as float64."""
        import numpy as np

        got = self.ed[i0:i1] @ self.et if self.dense else (self.e[i0:i1] @ self.et).toarray()
        return got.astype(np.float64)

    def expected(self, i0: int, i1: int, shared: Any, m: float) -> Any:
        """expected_shared for the block's pairs within the group (rows: learners i0..i1, columns: everyone)."""
        import numpy as np

        wa, wb = self.w[i0:i1, None], self.w[None, :]
        product = wa * wb
        if m < 2:
            return product / self.keys
        e1 = (self.c1 - wa) - wb
        e2 = (self.c2 - self.c1 - 2 * self.popularity[i0:i1, None] + 2 * wa) + (2 * wb - 2 * self.popularity[None, :])
        e2 += 2 * shared
        with np.errstate(divide="ignore", invalid="ignore"):
            model = np.where(e1 > 0, m * e2 / ((m - 1) * e1 * e1), 0.0)
        return product * np.maximum(1 / self.keys, model)

    def rest(self, a: int, b: int, shared: int, m: float) -> tuple[float, float, float]:
        """What the group's others made of this stratum, for expected_shared: (m, Σc, Σc(c−1))."""
        wa, wb = int(self.w[a]), int(self.w[b])
        pa, pb = int(self.popularity[a]), int(self.popularity[b])
        return (m, int(self.c1) - wa - wb, int(self.c2) - int(self.c1) - 2 * pa - 2 * pb + 2 * wa + 2 * wb + 2 * shared)


def _shared_errors(subs: list[Submission], flagged: set[tuple[str, str]]
                   ) -> Iterator[tuple[Submission, Submission, dict[str, Any]]]:
    """(a, b, evidence) of every pair with ``MIN_SHARED`` or more identical wrong predictions whose chance is at most
    ``threshold``. Every pair is counted, with no cap on how many share an error: the counts are matrix products, a
    block of learners against the cohort at a time, and the screens run over whole blocks -- a z screen (the
    binomial's and Poisson's right tails are heavier than the normal's, so a margin below the normal quantile of
    the threshold loses no pair), then the exact tails of the few left -- before each listed pair's evidence is
    written out from the scalar formulas.

    Two tests where the pair's group is large (``RARE_GROUP``), each at half the threshold: every error (binomial
    over the shared rows), and the *rare* errors, the wrong values at most ``RARE_SHARE`` of the others make
    (Poisson): a copy whose common errors look like everyone's is told by the uncommon ones it shares."""
    import numpy as np
    from scipy import sparse
    from scipy.special import betainc, gammainc, ndtri  # scipy.stats costs a second more to import

    size = len(subs)
    if size < 2:
        return
    classes: set[str] = set()
    for s in subs:
        classes.update(s.truth.values())
    k = max(2, len(classes))
    # the pair's group: learners graded on the same rows against the same labels (the usual case: one hidden set)
    groups: dict[tuple[int, frozenset[str]], list[int]] = defaultdict(list)
    for i, s in enumerate(subs):
        groups[(id(s.truth), s.graded)].append(i)
    members = max(groups.values(), key=len)
    in_group = np.zeros(size, dtype=bool)
    if len(members) >= 4:  # the others of a pair (m >= 2) say where errors fall
        in_group[members] = True
    group = int(in_group.sum())
    m = float(group - 2)
    n0 = len(subs[members[0]].graded)
    two_tests = group >= RARE_GROUP
    limit = threshold(size) / (2 if two_tests else 1)
    screen = max(0.0, float(-ndtri(limit)) - 1.5)
    # error values (row, wrong value): the learner × value matrix
    values: dict[tuple[str, str], int] = {}
    rows_of: list[int] = []
    cols: list[int] = []
    for i, s in enumerate(subs):
        for r in s.wrong:
            cols.append(values.setdefault((r, s.preds[r]), len(values)))
        rows_of.extend([i] * len(s.wrong))
    col = np.asarray(cols, dtype=np.int64)
    row = np.asarray(rows_of, dtype=np.int64)
    e = sparse.csr_matrix((np.ones(len(col), dtype=np.float32), (row, col)), shape=(size, len(values)))
    c_group = np.bincount(col[in_group[row]], minlength=len(values)).astype(np.float64)
    every = _Stratum(e, None, c_group, n0 * (k - 1))
    rare = None
    if two_tests:
        is_rare = (c_group >= 1) & (c_group <= 2 + RARE_SHARE * (group - 2))
        rare = _Stratum(e, np.nonzero(is_rare)[0], c_group, max(1, int(is_rare.sum())))
    every_group = bool(in_group.all())
    if not every_group:  # rows (row, true label) graded and wrong, for pairs outside the group
        rkey: dict[tuple[str, str], int] = {}
        rr, rc, wr, wc = [], [], [], []
        for i, s in enumerate(subs):
            for r in s.graded:
                j = rkey.setdefault((r, s.truth[r]), len(rkey))
                rr.append(i)
                rc.append(j)
                if r in s.wrong:
                    wr.append(i)
                    wc.append(j)
        shape = (size, len(rkey))
        g = sparse.csr_matrix((np.ones(len(rr), dtype=np.float32), (rr, rc)), shape=shape)
        wm = sparse.csr_matrix((np.ones(len(wr), dtype=np.float32), (wr, wc)), shape=shape)
        gt, wt = g.T.tocsr(), wm.T.tocsr()
    everyone = np.arange(size)
    for i0 in range(0, size, BLOCK):
        i1 = min(size, i0 + BLOCK)
        shared = every.counts(i0, i1)
        pairable = (shared >= MIN_SHARED) & (everyone[None, :] > everyone[i0:i1, None])  # each pair once
        if not pairable.any():
            continue
        both = in_group[i0:i1, None] & in_group[None, :]
        if every_group:
            n = float(n0)
            expected = every.expected(i0, i1, shared, m)
        else:  # outside the group: the rows both were graded on with the same label, errors uniform
            n = np.asarray((g[i0:i1] @ gt).todense(), dtype=np.float64)
            wa = np.asarray((wm[i0:i1] @ gt).todense(), dtype=np.float64)
            wb = np.asarray((g[i0:i1] @ wt).todense(), dtype=np.float64)
            n = np.where(both, float(n0), n)
            with np.errstate(divide="ignore", invalid="ignore"):
                uniform = wa * wb / (n * (k - 1))
            expected = np.where(both, every.expected(i0, i1, shared, m), uniform)
            pairable &= n > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.sqrt(np.maximum(expected * (1 - expected / n), 1e-9))
            hit = pairable & ((shared - expected) / sd >= screen)
        ii, jj = np.nonzero(hit)
        nn = n if every_group else n[ii, jj]
        chance = betainc(shared[ii, jj], nn - shared[ii, jj] + 1, np.minimum(1.0, expected[ii, jj] / nn))
        listed = {(int(x), int(y)) for x, y, c in zip(ii, jj, chance, strict=True) if c <= limit * 1.001}
        if rare is not None:
            r_shared = rare.counts(i0, i1)
            r_expected = rare.expected(i0, i1, r_shared, m)
            with np.errstate(divide="ignore", invalid="ignore"):
                r_hit = pairable & both & (r_shared >= MIN_SHARED) & (
                    (r_shared - r_expected) / np.sqrt(np.maximum(r_expected, 1e-9)) >= screen)
            ri, rj = np.nonzero(r_hit)
            r_chance = gammainc(r_shared[ri, rj], r_expected[ri, rj])
            listed |= {(int(x), int(y)) for x, y, c in zip(ri, rj, r_chance, strict=True) if c <= limit * 1.001}
        for x, y in sorted(listed):
            ev = _evidence(subs, i0 + x, y, every, rare, m, k, n0, bool(both[x, y]), limit,
                           int(shared[x, y]), int(r_shared[x, y]) if rare is not None else 0)
            if ev is not None and (subs[i0 + x].key, subs[y].key) not in flagged:
                yield subs[i0 + x], subs[y], ev


def _evidence(subs: list[Submission], a: int, b: int, every: _Stratum, rare: _Stratum | None, m: float, k: int,
              n0: int, paired: bool, limit: float, n_shared: int, r_shared: int) -> dict[str, Any] | None:
    """The pair's numbers from the scalar formulas, or None when neither test lists it."""
    from scipy.special import betainc, gammainc

    sa, sb = subs[a], subs[b]
    if paired:
        n, wa, wb = n0, int(every.w[a]), int(every.w[b])
    else:
        rows = [i for i in sa.graded & sb.graded if sa.truth[i] == sb.truth[i]]
        n, wa, wb = len(rows), sum(1 for i in rows if i in sa.wrong), sum(1 for i in rows if i in sb.wrong)
    expected = expected_shared(wa, wb, n * (k - 1), every.rest(a, b, n_shared, m) if paired else None)
    p = float(betainc(n_shared, n - n_shared + 1, min(1.0, expected / n)))  # P(X >= shared), binomial
    r_p, r_expected = 1.0, 0.0
    if rare is not None and paired and r_shared >= MIN_SHARED:
        r_expected = expected_shared(rare.w[a], rare.w[b], rare.keys, rare.rest(a, b, r_shared, m))
        r_p = float(gammainc(r_shared, r_expected))  # P(X >= shared), Poisson
    if p > limit and r_p > limit:
        return None
    common = sa.graded & sb.graded
    agreement = sum(1 for i in common if sa.preds[i] == sb.preds[i] and sa.truth[i] == sb.truth[i]) / n
    ev = {"rows": n, "shared_errors": n_shared, "expected": round(expected, 2),
          "z": round((n_shared - expected) / math.sqrt(max(expected * (1 - expected / n), 1e-9)), 2),
          "p": float(f"{p:.3g}"), "error_rate_a": round(wa / n, 4), "error_rate_b": round(wb / n, 4),
          "agreement": round(agreement, 4)}
    if rare is not None and paired:
        ev.update({"rare_shared_errors": r_shared, "rare_expected": round(r_expected, 2),
                   "rare_p": float(f"{r_p:.3g}")})
    return ev


def write_csv(pairs: list[Pair], deliverable: str, path: Path) -> None:
    """The pairs as CSV, written whole through the one writer ``grade -o`` and ``report --html`` use (a path that
    cannot be written is one ``cannot write`` line, exit 2)."""
    from roadmap_ci.cohort.rescore import _cell
    from roadmap_ci.safeio import write_csv

    write_csv(path, ["deliverable", "learner_a", "learner_b", "kind", "evidence"],
              ([deliverable, _cell(p.a), _cell(p.b), p.kind, _cell(p.describe())] for p in pairs))


def command(file: Path, deliverable: str, *, store_dir: Path | None = None, state: Path | None = None,
            labels: Path | None = None, csv_out: Path | None = None, as_json: bool = False) -> int:
    from roadmap_ci.cohort.grade import grade_all, problems_said, safe
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.console import stdout
    from roadmap_ci.errors import InvalidInput

    loaded = load_cohort(file)
    if csv_out is not None:
        from roadmap_ci.cohort.progress import refuse_an_input

        refuse_an_input(csv_out, loaded)
    chosen = [d for d in loaded.cohort.deliverables if d.id == deliverable]
    if not chosen:
        raise InvalidInput(f"no deliverable {deliverable!r} in {file} "
                           f"(deliverables: {', '.join(d.id for d in loaded.cohort.deliverables)})")
    r = grade_all(loaded, store_dir=store_dir, state=state, labels=labels, deliverables=chosen)[0]
    code = problems_said([r])  # who is not compared, and why: grade's words, one line each
    subs = submissions(r)
    pairs, compared, right = pairs_among(subs), len(subs), sum(map(perfect, subs))
    if csv_out is not None:
        write_csv(pairs, deliverable, csv_out)
    if as_json:
        print(json.dumps({"deliverable": deliverable, "compared": compared, "perfect_files": right,
                          "pairs": [{"a": p.a, "b": p.b, "kind": p.kind, "evidence": p.evidence} for p in pairs]},
                         indent=2))
        return code
    con = stdout()
    con.print(f"{deliverable}: {compared} predictions files compared; {len(pairs)} pair(s) to look at "
              "(evidence, not a verdict)", markup=False)
    if right > 1:
        con.print(f"{right} files have every prediction right: they agree with the labels, so with each other, "
                  "and are not paired", markup=False)
    for p in pairs:
        con.print(safe(f"{p.a} ~ {p.b}: {p.describe()}"), markup=False)
    return code
