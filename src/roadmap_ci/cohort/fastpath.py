"""Grade's fast paths: the verdicts of the shared validation, at cohort scale.

``cohort grade`` reads 150,000 commit folders for a full roadmap; the shared code that ``ci-report`` and
``collect`` validate with (:func:`roadmap_ci.ci.artifact.load_bundle`,
:func:`roadmap_ci.score.files.read_predictions`) streams and re-checks everything, file by file. Each function here
handles the common, well-formed case and returns ``None`` for anything else -- then the caller runs the shared
code, which gives the verdict and explains the error in its own words. So a fast path never accepts what the shared
code refuses, nor says anything the shared code would not.

- :func:`trusted_evidence`: an ``evidence.json`` whose bytes still have the sha256 that ``collect`` recorded
  in the provenance when it validated the artifact with ci-report's code is parsed (with the schema, in Rust)
  without the artifact checks again; a changed file, or a folder collected before the digests, is not.
- :func:`predictions`: a predictions CSV with no quotes and no carriage returns splits exactly as
  :mod:`csv` splits it; the rows are then checked as ``read_predictions`` checks them, and any row it
  would refuse sends the whole file to it.
"""

from __future__ import annotations

import math
import operator
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from roadmap_ci.cohort import store


def trusted_evidence(root: Path | str, prov: store.Provenance, data: bytes | None = None,
                     sha: str | None = None) -> tuple[Any, str | None, str | None] | None:
    """(evidence, predictions copy, the copy's recorded sha256) when ``evidence.json`` is as collect stored it.

    ``data``: the evidence file's bytes when the caller has read them (at most ``MAX_EVIDENCE_BYTES + 1``);
    ``sha``: their sha256, when the caller has computed it."""
    from roadmap_ci.errors import RoadmapError
    from roadmap_ci.evidence import MAX_EVIDENCE_BYTES, parse_evidence_fast
    from roadmap_ci.safeio import decode_text

    want = prov.files.get(store.EVIDENCE)
    if not want:
        return None
    root = os.fspath(root)
    if data is None:
        sha = None
        try:
            with open(os.path.join(root, store.EVIDENCE), "rb") as fh:
                data = fh.read(MAX_EVIDENCE_BYTES + 1)
        except OSError:
            return None
    if len(data) > MAX_EVIDENCE_BYTES or (sha if sha is not None else store.digest(data)) != want:
        return None
    try:  # strict UTF-8 without a BOM: the text encodes back to these bytes, whose sha256 is ``want``
        ev = parse_evidence_fast(decode_text(data, store.EVIDENCE, "evidence file"), store.EVIDENCE,
                                 sha256=None if data.startswith(b"\xef\xbb\xbf") else want)
    except RoadmapError:
        return None
    if ev.predictions is None or not ev.predictions.bundled_as:
        return ev, None, None
    bundled = ev.predictions.bundled_as
    parts = bundled.split("/")
    if all(parts) and "." not in parts:  # a plain relative path: PurePosixPath's parts and as_posix() are these
        name, rel_parts = bundled, parts
    else:
        rel = PurePosixPath(bundled)
        if rel.is_absolute():
            return None
        name, rel_parts = rel.as_posix(), list(rel.parts)
    if ".." in rel_parts or "\\" in bundled or name not in prov.files:
        return None
    return ev, os.path.join(root, *rel_parts), prov.files[name]


def _finite(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


_MEMO: dict[bool, dict[str, str]] = {}  # per process: (regression?) -> raw prediction text -> its canonical label
_PLAIN = " \t\x0b\x0c\x1c\x1d\x1e\x1f"  # what ``str.strip`` removes from ASCII text, line breaks aside

Columns = tuple[list[str], list[str], list[float] | None]  # ids, canonical predictions, scores (or None), in row order


def columns(data: bytes, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> Columns | None:
    """``files.read_predictions``'s result for a well-formed file as three columns in row order, else None."""
    from roadmap_ci.safeio import CSV_MAX_FIELDS
    from roadmap_ci.score import files
    from roadmap_ci.score import metrics as score_metrics

    if spec.task == "ranking" or not data or len(data) > files.MAX_PREDICTIONS_BYTES:
        return None
    if b"\x00" in data or b'"' in data or b"\r" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    # a line longer than one cell may be (in characters) could break a cap: the shared reader decides
    if len(text) > files.MAX_FIELD_CHARS and max(map(len, lines)) > files.MAX_FIELD_CHARS:
        return None
    delimiter = "\t" if tsv else ","
    if "" in lines:  # blank lines (the last newline's included) hold no row
        lines = [ln for ln in lines if ln]
    if not lines or len(lines) > files.MAX_PREDICTION_ROWS + 1:
        return None
    header = [h.strip() for h in lines[0].split(delimiter)]
    width = len(header)
    if width > CSV_MAX_FIELDS or len(set(header)) != width:
        return None
    needs_score = any(m in score_metrics.SCORE_METRICS for m in spec.metrics)
    if needs_score and not spec.score_column:
        return None
    wanted = [spec.id_column, spec.prediction_column] + ([spec.score_column] if needs_score else [])
    if any(col not in header for col in wanted):
        return None
    ci, pi = header.index(spec.id_column), header.index(spec.prediction_column)
    si = header.index(spec.score_column) if needs_score else -1
    regression = spec.task == "regression"
    memo = _MEMO.setdefault(regression, {})
    if len(memo) > 100_000:
        memo.clear()
    body = lines[1:]
    if not needs_score:  # whole columns at once: the same checks as the row loop below, in C
        if not body:
            return ([], [], None) if not labels else None
        if set(map(operator.methodcaller("count", delimiter), body)) != {width - 1}:
            return None  # a row of another width
        cells = delimiter.join(body).split(delimiter)  # every row has ``width`` cells: row after row
        keys, raws = cells[ci::width], cells[pi::width]
        if not text.isascii() or any(ch in text for ch in _PLAIN):  # else strip() would change nothing
            keys, raws = list(map(str.strip, keys)), list(map(str.strip, raws))
        if not all(keys) or not all(raws):
            return None
        # the labels' ids in their file's order (the usual case) are distinct, as many as the labels, and known
        if keys != _order(labels) and (len(set(keys)) != len(keys) or len(keys) != len(labels)
                                       or not all(map(labels.__contains__, keys))):
            return None
        for raw in set(raws).difference(memo):
            if regression and _finite(raw) is None:
                return None
            memo[raw] = score_metrics.canonical_label(raw)
        return keys, list(map(memo.__getitem__, raws)), None
    keys, values, scores = [], [], []
    seen: set[str] = set()
    for row in (ln.split(delimiter) for ln in body):
        if len(row) != width:
            return None
        key, raw = row[ci].strip(), row[pi].strip()
        if not key or not raw or key in seen or key not in labels:
            return None
        score = _finite(row[si].strip())
        if score is None or (regression and _finite(raw) is None):
            return None
        seen.add(key)
        keys.append(key)
        values.append(score_metrics.canonical_label(raw))
        scores.append(score)
    if len(keys) != len(labels):  # every id is a label's and none twice: equal counts, every label predicted
        return None
    return keys, values, scores


def predictions(data: bytes, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> dict[str, Any] | None:
    """``files.read_predictions``'s result for a well-formed file, else None (then ask it)."""
    from roadmap_ci.score import metrics as score_metrics

    got = columns(data, spec, labels, tsv=tsv)
    if got is None:
        return None
    keys, values, scores = got
    return {k: score_metrics.Prediction(v, s) for k, v, s in zip(keys, values, scores or [None] * len(keys),
                                                                  strict=True)}


# id(labels) -> (labels, its ids in file order, per split with rows: (split, ids sorted, true labels, positions))
_SPLITS: dict[int, tuple[Any, list[str], list[tuple[str, list[str], list[str], list[int]]]]] = {}


def _indexed(labels: Mapping[str, Any]) -> tuple[list[str], list[tuple[str, list[str], list[str], list[int]]]]:
    """The labels' ids in file order, and per split: its ids sorted (as ``compute`` lists them), their true
    labels and their positions in file order -- once per labels file, not per learner."""
    from roadmap_ci.score import metrics as score_metrics

    got = _SPLITS.get(id(labels))
    if got is not None and got[0] is labels:
        return got[1], got[2]
    order = list(labels)
    at = {k: i for i, k in enumerate(order)}
    out = []
    for split in score_metrics.SPLITS:
        ids = sorted(k for k, lab in labels.items() if lab.split == split)
        if ids:
            out.append((split, ids, [labels[k].target for k in ids], [at[k] for k in ids]))
    if len(_SPLITS) > 64:
        _SPLITS.clear()
    _SPLITS[id(labels)] = (labels, order, out)
    return order, out


def _order(labels: Mapping[str, Any]) -> list[str]:
    return _indexed(labels)[0]


_VALUE, _SCORE = operator.attrgetter("value"), operator.attrgetter("score")
_LABEL_METRICS = ("accuracy", "precision", "recall", "f1")


def _accuracy(pairs: Counter[tuple[str, str]], y_true: list[str]) -> float:
    """``metrics.accuracy``: rows whose prediction equals the label, over the rows."""
    from roadmap_ci.score import metrics as score_metrics

    if not y_true:
        score_metrics._same_length(y_true, y_true)  # its error: no rows to score
    return sum(n for (t, p), n in pairs.items() if t == p) / len(y_true)


def _precision_recall_f1(pairs: Counter[tuple[str, str]], y_true: list[str], y_pred: list[str],
                         positive: str | None) -> tuple[float, float, float]:
    """``metrics.precision_recall_f1`` from the (label, prediction) counts: the same integers per class, then
    the same ``_prf`` and the same running sums."""
    from roadmap_ci.score import metrics as score_metrics

    score_metrics._same_length(y_true, y_pred)
    classes = [positive] if positive is not None else sorted(set(y_true) | set(y_pred))
    sums = [0.0, 0.0, 0.0]
    for c in classes:
        tp = pairs.get((c, c), 0)
        fp = y_pred.count(c) - tp
        fn = y_true.count(c) - tp
        for i, v in enumerate(score_metrics._prf(tp, fp, fn)):
            sums[i] += v
    n = len(classes)
    return sums[0] / n, sums[1] / n, sums[2] / n


def metrics(spec: Any, labels: Mapping[str, Any], preds: Mapping[str, Any]) -> dict[str, float]:
    """``metrics.compute(spec, labels, preds)`` (see :func:`metrics_of`)."""
    keys = list(preds)
    got = list(preds.values())
    return metrics_of(spec, labels, (keys, list(map(_VALUE, got)), list(map(_SCORE, got))))


def metrics_of(spec: Any, labels: Mapping[str, Any], cols: Columns) -> dict[str, float]:
    """``metrics.compute(spec, labels, preds)`` for predictions given as :func:`columns` (every label's id
    once): each split's ids sorted once per labels file (not per learner), and precision, recall and f1 from
    one pass (the same function ``compute`` calls for each)."""
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.score import metrics as score_metrics

    problem = score_metrics.metrics_problem(spec.metrics, spec.task)
    if problem:
        raise HiddenError(problem)
    positive = score_metrics.canonical_label(spec.positive_label) if spec.positive_label is not None else None
    keys, values, scores_col = cols
    order, splits = _indexed(labels)
    at = None
    if keys != order:  # rows in another order: each label's row found by its id
        pos = {k: i for i, k in enumerate(keys)}
        at = pos.__getitem__
    out: dict[str, float] = {}
    for split, ids, y_true, rows in splits:
        if at is not None:
            rows = list(map(at, ids))
        y_pred = list(map(values.__getitem__, rows))
        scores = list(map(scores_col.__getitem__, rows)) if scores_col is not None else [None] * len(rows)
        prf = None
        pairs: Counter[tuple[str, str]] | None = None
        for m in spec.metrics:
            try:
                if m in _LABEL_METRICS:  # counted in C; the same sums, in the same order, as metrics.py's
                    if pairs is None:
                        pairs = Counter(zip(y_true, y_pred, strict=True))
                    if m == "accuracy":
                        value = _accuracy(pairs, y_true)
                    else:
                        if prf is None:
                            prf = _precision_recall_f1(pairs, y_true, y_pred, positive)
                        value = prf[_LABEL_METRICS.index(m) - 1]
                else:
                    value = score_metrics._metric(m, spec, positive, y_true, y_pred, scores, split)
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):
                raise HiddenError(f"{split}.{m}: the predictions or labels are too large to score (the metric "
                                  "overflows the float range); keep values well below 1e150")
            out[f"{split}.{m}"] = value
    return dict(sorted(out.items()))


class Scorer:
    """``rescore.score_with`` for one plan, each criterion's rule looked up once per plan (not per learner).

    The rules are the scorer's own (:mod:`roadmap_ci.score.scoring`), called with ``explain=False`` as
    ``score_with`` calls them; the points, pending points and totals are summed in the same order with the
    same rounding, so the totals are equal. A group criterion goes through the scorer's own ``_outcome``.
    """

    def __init__(self, p: Any) -> None:
        from roadmap_ci.score import scoring

        self._s = scoring
        self.steps = []
        for c in p.criteria:
            rule = scoring._RULES.get(type(c))
            self.steps.append((c, rule, bool(c.hidden_only), c.points, scoring._pts(c.points)))
        self.rubrics = [self._totals_of(p.new.rubric, p.new_picks)]
        if p.old is not None and p.old_picks is not None:
            self.rubrics.append(self._totals_of(p.old.rubric, p.old_picks))

    def _totals_of(self, rubric: Any, picks: list[int]) -> tuple[Any, ...]:
        s = self._s
        return (picks, [c.id for c in rubric.criteria], s._pts(rubric.max_points), rubric.pass_mark)

    def __call__(self, ev: Any) -> tuple[Any, Any]:
        s = self._s
        pts_ = s._pts
        undone = ev.hidden is None and not any(e.collector == "hidden" for e in ev.errors)  # scoring._pending
        points: list[float] = []
        pending: list[bool] = []
        for c, rule, hidden_only, weight, _ in self.steps:
            if rule is None:
                o = s._outcome(c, ev, None, False)
                points.append(o.points)
                pending.append(o.status == "pending")
                continue
            if hidden_only and undone:
                points.append(0.0)
                pending.append(True)
                continue
            frac = rule(c, ev, None, False)[0]
            if not 0.0 <= frac <= 1.0:
                frac = min(1.0, max(0.0, frac)) if math.isfinite(frac) else 0.0
            points.append(pts_(weight * frac))
            pending.append(False)
        out = []
        for picks, ids, max_points, pass_mark in self.rubrics:
            mine = [points[i] for i in picks]
            total = pts_(sum(mine))
            held = pts_(sum([self.steps[i][4] for i in picks if pending[i]]))
            out.append(s.Totals(total, max_points, s._r(100 * (total / max_points)) if max_points else 0.0,
                                total >= pass_mark - 1e-9, held, dict(zip(ids, mine, strict=True))))
        return out[0], (out[1] if len(out) > 1 else None)
