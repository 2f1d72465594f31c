"""``roadmap-ci cohort similar``: pairs of learners whose hidden-split predictions agree far beyond chance.

Three kinds of evidence, each a fact about the two files, never a verdict:

- **identical files** -- the same predictions, byte for byte once line endings and row order are normalised;
- **another learner's ids** -- with per-learner hidden ids (a course secret and ``--learner``), a file whose ids
  are a peer's hidden ids and not the learner's own: the ids are mapped back to the learner they were issued to;
- **shared errors** -- on the rows both were graded on, the two make the *same wrong prediction* on many more
  rows than their error rates explain. Two independent models with error rates e₁ and e₂ share about
  n·e₁·e₂/(k−1) identical errors over n rows and k classes; a pair is listed when the observed count is at
  least 3 and ``MIN_Z`` standard deviations above that. For regression, the same value on the same row counts.

A mentor reads the pairs with the evidence and decides; nothing is penalised automatically.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.grade import DeliverableGrades
from roadmap_ci.errors import RoadmapError

MIN_SHARED = 3
MIN_Z = 4.0
MAX_PAIRS_PER_ERROR = 200  # an error most of the cohort makes (a hard row) says nothing about a pair


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
            return f"identical predictions files ({e['rows']} rows, sha256 {e['sha256'][:12]})"
        if self.kind == "another learner's ids":
            return (f"{e['of_ids']} of {e['rows']} ids in {self.a}'s file are {self.b}'s hidden ids "
                    f"({e['own_ids']} are {self.a}'s own)")
        return (f"{e['shared_errors']} identical wrong predictions on {e['rows']} shared rows where about "
                f"{e['expected']:.1f} are expected from their error rates ({e['error_rate_a']:.0%}, "
                f"{e['error_rate_b']:.0%}); z = {e['z']:.1f}; {e['agreement']:.0%} of predictions agree")


def _load(r: DeliverableGrades, key: str, folder: str) -> Submission | None:
    from roadmap_ci.ci.artifact import load_bundle
    from roadmap_ci.score.files import columns, predictions_csv
    from roadmap_ci.score.metrics import canonical_label

    spec = r.spec
    if spec is None or spec.task == "ranking":
        return None
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
    digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in sorted(preds.items())).encode()).hexdigest()
    labels_file = r.labels.get(key.lower())
    truth: dict[str, str] = {}
    if labels_file is not None:
        try:
            truth = _truth(labels_file, spec)
        except RoadmapError:  # as above: grade reported it
            truth = {}
    graded = frozenset(i for i in preds if i in truth)
    wrong = frozenset(i for i in graded if preds[i] != truth[i])
    return Submission(key, bundle.predictions, digest, preds, frozenset(truth), truth, graded, wrong)


_TRUTH: dict[str, dict[str, str]] = {}


def _truth(path: Path, spec: Any) -> dict[str, str]:
    """id -> true label of a labels file, read once: learners who share the file share the dict (``is``)."""
    from roadmap_ci.score.files import read_labels

    if str(path) not in _TRUTH:
        _TRUTH[str(path)] = {k: lab.target for k, lab in read_labels(path, spec).items()}
    return _TRUTH[str(path)]


def find_pairs(r: DeliverableGrades) -> tuple[list[Pair], int]:
    """The flagged pairs of one deliverable and how many submissions were compared."""
    subs = [s for g in r.grades.values() if (s := _load(r, g.key, g.folder)) is not None]
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
        for a, b in combinations(sorted(group, key=lambda s: s.key), 2):
            add(Pair(a.key, b.key, "identical files", {"rows": len(a.preds), "sha256": a.digest}))
    # ids mapped back to the learner they were issued to (per-learner hidden sets)
    owner: dict[str, str] = {}
    for s in subs:
        for i in s.own_ids:
            owner.setdefault(i, s.key)
    for s in subs:
        if not s.own_ids:
            continue
        counts: dict[str, int] = defaultdict(int)
        for i in s.preds:
            if i not in s.own_ids and i in owner:
                counts[owner[i]] += 1
        for other, n in counts.items():
            if n >= max(MIN_SHARED, len(s.preds) // 2):
                add(Pair(s.key, other, "another learner's ids", {"rows": len(s.preds), "of_ids": n,
                                                                 "own_ids": len(s.preds.keys() & s.own_ids)}))
    # identical errors on shared rows
    errors: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    classes: set[str] = set()
    for s in subs:
        classes.update(s.truth.values())
        for i, v in s.preds.items():
            t = s.truth.get(i)
            if t is not None and v != t:
                errors[(i, v)].append(s)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    by_key = {s.key: s for s in subs}
    for group in errors.values():
        if 1 < len(group) <= MAX_PAIRS_PER_ERROR:
            for a, b in combinations(sorted(s.key for s in group), 2):
                shared[(a, b)] += 1
    k = max(2, len(classes))
    for (ka, kb), n_shared in shared.items():
        if n_shared < MIN_SHARED or (ka, kb) in flagged:
            continue
        a, b = by_key[ka], by_key[kb]
        # the rows both were graded on with the same true label, as set operations (this runs for every pair with
        # MIN_SHARED shared errors, a hundred thousand pairs in a cohort of 1,000); one labels file: the same labels
        if a.truth is b.truth and a.graded == b.graded:  # the usual case: no intersection (3.8 -> 3.0 s for 1,000)
            rows, wrong_a, wrong_b = a.graded, a.wrong, b.wrong
        else:
            rows = a.graded & b.graded
            if a.truth is not b.truth:
                rows = frozenset(i for i in rows if a.truth[i] == b.truth[i])
            wrong_a, wrong_b = a.wrong & rows, b.wrong & rows
        if not rows:
            continue
        n = len(rows)
        ea = len(wrong_a) / n
        eb = len(wrong_b) / n
        expected = n * ea * eb / (k - 1)
        sd = math.sqrt(max(expected * (1 - expected / n), 1e-9))
        z = (n_shared - expected) / sd
        if z >= MIN_Z:
            agreement = sum(1 for i in rows if a.preds[i] == b.preds[i]) / n
            add(Pair(ka, kb, "shared errors", {"rows": n, "shared_errors": n_shared, "expected": round(expected, 2),
                                               "z": round(z, 2), "error_rate_a": round(ea, 4),
                                               "error_rate_b": round(eb, 4), "agreement": round(agreement, 4)}))
    pairs.sort(key=lambda p: (p.kind != "identical files", p.kind != "another learner's ids",
                              -float(p.evidence.get("z", 0)), p.a, p.b))
    return pairs, len(subs)


def write_csv(pairs: list[Pair], deliverable: str, path: Path) -> None:
    from roadmap_ci.cohort.rescore import _cell

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["deliverable", "learner_a", "learner_b", "kind", "evidence"])
        for p in pairs:
            w.writerow([deliverable, _cell(p.a), _cell(p.b), p.kind, _cell(p.describe())])


def command(file: Path, deliverable: str, *, store_dir: Path | None = None, state: Path | None = None,
            labels: Path | None = None, csv_out: Path | None = None, as_json: bool = False) -> int:
    from roadmap_ci.cohort.grade import grade_all, safe
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.console import stdout
    from roadmap_ci.errors import EXIT_OK, InvalidInput

    loaded = load_cohort(file)
    chosen = [d for d in loaded.cohort.deliverables if d.id == deliverable]
    if not chosen:
        raise InvalidInput(f"no deliverable {deliverable!r} in {file} "
                           f"(deliverables: {', '.join(d.id for d in loaded.cohort.deliverables)})")
    r = grade_all(loaded, store_dir=store_dir, state=state, labels=labels, deliverables=chosen)[0]
    pairs, compared = find_pairs(r)
    if csv_out is not None:
        write_csv(pairs, deliverable, csv_out)
    if as_json:
        print(json.dumps({"deliverable": deliverable, "compared": compared,
                          "pairs": [{"a": p.a, "b": p.b, "kind": p.kind, "evidence": p.evidence} for p in pairs]},
                         indent=2))
        return EXIT_OK
    con = stdout()
    con.print(f"{deliverable}: {compared} predictions files compared; {len(pairs)} pair(s) to look at "
              "(evidence, not a verdict)", markup=False)
    for p in pairs:
        con.print(safe(f"{p.a} ~ {p.b}: {p.describe()}"), markup=False)
    return EXIT_OK
