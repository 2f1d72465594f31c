"""Kaggle-style hidden-label scoring: the learner's predictions file against labels they never see.

Pure and small (``csv`` + ``math``; no pandas, no sklearn): the privileged report step (and a mentor's
local run) calls :func:`score_predictions` with the rubric's ``hidden_labels`` section, the labels file
(mentor-controlled: see ``docs/security.md``) and the learner's predictions file. The result becomes
``evidence.hidden`` -- whatever the learner's own job wrote there is discarded:

* ``public.<metric>``  -- rows whose split column says ``public`` (shown on every PR)
* ``private.<metric>`` -- rows whose split column says ``private`` (or every row when there is no
  split column); counted in the grade, usually ``visibility: after_due``.

The predictions file is learner-controlled, so it is validated hard (size, encoding, columns, ids,
numbers). Every problem is a :class:`HiddenError` with a one-line message; :func:`hidden_metrics` turns it
into an ``evidence.errors`` entry (collector ``hidden``) so the hidden-label criteria score 0 *with that
reason* instead of crashing the report.

Metrics (names as in the rubric's ``metrics:`` list):

| name      | definition                                                                         |
|-----------|------------------------------------------------------------------------------------|
| accuracy  | share of rows whose prediction equals the label                                    |
| precision, recall, f1 | binary for ``positive_label``; else the macro average over every class in  |
|           | labels or predictions (an empty class scores 0, as scikit-learn's ``zero_division=0``) |
| roc_auc   | area under the ROC curve from ``score_column`` (binary; ties count one half)        |
| pr_auc    | average precision from ``score_column`` (scikit-learn's step-wise definition)      |
| mae, rmse | mean absolute / root mean squared error                                            |
| r2        | 1 - SS_res / SS_tot (a constant target: 1 if predicted exactly, else 0)           |
| smape     | symmetric MAPE in percent (0–200; 0/0 counts 0), as the M4 competition defines it  |
| wape      | total absolute error over total actuals, in percent                                |

``task: ranking`` (recommenders, retrieval): the labels hold one row per relevant item of each id (a
user, a query), the predictions one row per recommended item, best first (``score_column`` descending,
else the file's order); each id's first ``k`` count, binary relevance, averaged over the ids of a split:

| name           | definition                                                                    |
|----------------|-------------------------------------------------------------------------------|
| precision_at_k | relevant items in the top k, over k                                           |
| recall_at_k    | relevant items in the top k, over the id's relevant items                    |
| hit_rate_at_k  | 1 if any of the top k is relevant                                             |
| ndcg_at_k      | DCG of the top k (gain 1/log2(rank+1)) over the best possible DCG              |
| map_at_k       | mean of precision@i at each relevant rank i ≤ k, over min(k, relevant items)  |
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from roadmap_ci.errors import InvalidInput
from roadmap_ci.rubric import HiddenLabels, LoadedRubric

MAX_PREDICTIONS_BYTES = 32 * 1024 * 1024  # a predictions file larger than this is refused unread
MAX_PREDICTION_ROWS = 500_000  # rows of a predictions file: refused past this, before the row is kept
MAX_LABELS_BYTES = 256 * 1024 * 1024  # the mentor's labels file
MAX_LABEL_ROWS = 2_000_000
MAX_FIELD_CHARS = 4096  # one cell; longer is refused (csv's own limit is 128 KiB)
COLLECTOR = "hidden"  # the evidence.errors entry that carries a hidden-label problem

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
SCORE_METRICS = ("roc_auc", "pr_auc")
REGRESSION_METRICS = ("mae", "rmse", "r2", "smape", "wape")
RANKING_METRICS = ("ndcg_at_k", "recall_at_k", "precision_at_k", "map_at_k", "hit_rate_at_k")
METRICS = CLASSIFICATION_METRICS + SCORE_METRICS + REGRESSION_METRICS + RANKING_METRICS
SPLITS = ("public", "private")


class HiddenError(InvalidInput):
    """A one-line problem with the predictions (learner's) or the labels (mentor's)."""


# ---------------------------------------------------------------- values


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def canonical_label(text: str) -> str:
    """Labels compare as text after trimming; numbers compare by value ("6", "6.0" and " 6 " agree)."""
    text = text.strip()
    x = _number(text)
    if x is None:
        return text
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def _show(text: str, limit: int = 40) -> str:
    """A learner-supplied value, quoted and truncated, safe on one line."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


# ---------------------------------------------------------------- metrics (pure functions on lists)


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    _same_length(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def precision_recall_f1(y_true: Sequence[str], y_pred: Sequence[str],
                        positive: str | None = None) -> tuple[float, float, float]:
    """Binary for ``positive``; otherwise the macro average over the classes in y_true ∪ y_pred."""
    _same_length(y_true, y_pred)
    classes = [positive] if positive is not None else sorted(set(y_true) | set(y_pred))
    sums = [0.0, 0.0, 0.0]
    for c in classes:
        tp = fp = fn = 0
        for t, p in zip(y_true, y_pred, strict=True):
            if p == c:
                if t == c:
                    tp += 1
                else:
                    fp += 1
            elif t == c:
                fn += 1
        for i, v in enumerate(_prf(tp, fp, fn)):
            sums[i] += v
    n = len(classes)
    return sums[0] / n, sums[1] / n, sums[2] / n


def _binary(y_true: Sequence[str], positive: str) -> list[int]:
    y = [1 if t == positive else 0 for t in y_true]
    if not 0 < sum(y) < len(y):
        only = "positive" if sum(y) else "negative"
        raise HiddenError(f"only {only} rows: the score is undefined for this split")
    return y


def roc_auc(y_true: Sequence[str], scores: Sequence[float], positive: str) -> float:
    """P(score of a random positive > score of a random negative), ties counting 1/2 (Mann-Whitney U)."""
    _same_length(y_true, scores)
    y = _binary(y_true, positive)
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):  # average ranks over ties
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(y)
    n_neg = len(y) - n_pos
    rank_sum = sum(r for r, label in zip(ranks, y, strict=True) if label)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def average_precision(y_true: Sequence[str], scores: Sequence[float], positive: str) -> float:
    """Σ (R_k − R_{k−1}) · P_k over the distinct score thresholds, highest first (scikit-learn's AP)."""
    _same_length(y_true, scores)
    y = _binary(y_true, positive)
    n_pos = sum(y)
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    tp = fp = 0
    ap = prev_recall = 0.0
    i = 0
    while i < len(order):
        s = scores[order[i]]
        while i < len(order) and scores[order[i]] == s:  # one threshold takes all its ties
            tp += y[order[i]]
            fp += 1 - y[order[i]]
            i += 1
        recall = tp / n_pos
        ap += (recall - prev_recall) * (tp / (tp + fp))
        prev_recall = recall
    return ap


def mae(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    _same_length(y_true, y_pred)
    return math.fsum(abs(t - p) for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def rmse(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    _same_length(y_true, y_pred)
    return math.sqrt(math.fsum((t - p) ** 2 for t, p in zip(y_true, y_pred, strict=True)) / len(y_true))


def smape(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Symmetric MAPE in percent (0–200), as the M4 forecasting competition defines it; 0/0 counts as 0."""
    _same_length(y_true, y_pred)
    return 200 * math.fsum(abs(t - p) / (abs(t) + abs(p)) if abs(t) + abs(p) else 0.0
                           for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def wape(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Weighted absolute percentage error in percent: total absolute error over total actuals (zeros-safe)."""
    _same_length(y_true, y_pred)
    total = math.fsum(abs(t) for t in y_true)
    err = math.fsum(abs(t - p) for t, p in zip(y_true, y_pred, strict=True))
    if total == 0:
        return 0.0 if err == 0 else 100.0
    return 100 * (err / total)


def r2(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    _same_length(y_true, y_pred)
    mean = math.fsum(y_true) / len(y_true)
    ss_res = math.fsum((t - p) ** 2 for t, p in zip(y_true, y_pred, strict=True))
    ss_tot = math.fsum((t - mean) ** 2 for t in y_true)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1 - ss_res / ss_tot


def ranking_metrics(relevant: Sequence[frozenset[str]], ranked: Sequence[Sequence[str]], k: int) -> dict[str, float]:
    """The five ranking metrics, each averaged over the ids (``relevant[i]`` and ``ranked[i]`` belong together)."""
    _same_length(relevant, ranked)
    discounts = [1 / math.log2(i + 2) for i in range(k)]
    sums = dict.fromkeys(RANKING_METRICS, 0.0)
    for rel, items in zip(relevant, ranked, strict=True):
        if not rel:
            raise HiddenError("an id without relevant items cannot be scored")
        hits = [i for i, item in enumerate(items[:k]) if item in rel]
        sums["precision_at_k"] += len(hits) / k
        sums["recall_at_k"] += len(hits) / len(rel)
        sums["hit_rate_at_k"] += 1.0 if hits else 0.0
        ideal = math.fsum(discounts[: min(len(rel), k)])
        sums["ndcg_at_k"] += math.fsum(discounts[i] for i in hits) / ideal
        sums["map_at_k"] += math.fsum((n + 1) / (i + 1) for n, i in enumerate(hits)) / min(len(rel), k)
    return {m: v / len(relevant) for m, v in sums.items()}


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b) or not a:
        raise HiddenError("no rows to score" if not a else "labels and predictions differ in length")


# ---------------------------------------------------------------- reading files


@dataclass(frozen=True)
class Label:
    target: str
    split: str


def _read_csv(path: Path, what: str, name: str, max_bytes: int,
              max_rows: int) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and a stream of (line number, row) pairs; every problem a one-line HiddenError.

    Streaming (:func:`roadmap_ci.safeio.csv_rows`): bytes, rows, fields and cell sizes are checked as
    the file is read, before a row is kept, so memory follows what the caller keeps, not the file.
    """
    from roadmap_ci.safeio import csv_rows

    rows = csv_rows(path, name, what, max_bytes=max_bytes, max_rows=max_rows, max_field_chars=MAX_FIELD_CHARS)
    try:
        _, header = next(rows)
    except InvalidInput as exc:
        raise HiddenError(str(exc)) from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise HiddenError(f"{name}:1: {what} repeats the column(s) {', '.join(map(_show, dupes))}")

    def body() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, row in rows:
                if len(row) != len(header):
                    raise HiddenError(f"{name}:{line}: {what} row has {len(row)} fields, the header has "
                                      f"{len(header)}")
                yield line, row
        except HiddenError:
            raise
        except InvalidInput as exc:
            raise HiddenError(str(exc)) from None

    return header, body()


def _labels_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        if not path.is_file():
            raise HiddenError(f"hidden labels not readable: {path.name}: not a file")
    except OSError as exc:
        raise HiddenError(f"hidden labels not readable: {path.name}: {exc.strerror or exc}") from None
    return _read_csv(path, "the labels file", path.name, MAX_LABELS_BYTES, MAX_LABEL_ROWS)


def _columns(header: list[str], want: dict[str, str], what: str, name: str) -> dict[str, int]:
    missing = [col for col in want.values() if col not in header]
    if missing:
        found = ", ".join(map(_show, header[:8])) + (" …" if len(header) > 8 else "")
        raise HiddenError(f"{name}: {what} lacks the column(s) {', '.join(map(repr, missing))} (found: {found})")
    return {key: header.index(col) for key, col in want.items()}


def read_labels(path: Path, spec: HiddenLabels) -> dict[str, Label]:
    """The mentor's labels: id -> (target, split). Errors name the file (it is the mentor's to fix)."""
    header, rows = _labels_csv(path)
    want = {"id": spec.id_column, "target": spec.target_column}
    split_col = spec.split_column if spec.split_column and spec.split_column in header else None
    if split_col:
        want["split"] = split_col
    cols = _columns(header, want, "the labels file", path.name)
    labels: dict[str, Label] = {}
    for line, row in rows:
        key = row[cols["id"]].strip()
        if not key:
            raise HiddenError(f"{path.name}:{line}: empty id in the labels file")
        if key in labels:
            raise HiddenError(f"{path.name}:{line}: id {_show(key)} appears twice in the labels file")
        split = row[cols["split"]].strip().lower() if split_col else "private"
        if split not in SPLITS:
            raise HiddenError(f"{path.name}:{line}: split {_show(split)} is neither 'public' nor 'private'")
        labels[key] = Label(canonical_label(row[cols["target"]]), split)
    if not labels:
        raise HiddenError(f"{path.name}: the labels file has no rows")
    return labels


def _predictions_csv(path: Path, name: str, max_bytes: int) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The learner's file, refused unread when it is a symlink, not a file, or too large; then streamed."""
    try:
        if path.is_symlink():
            raise HiddenError(f"{name}: the predictions file is a symlink")
        size = path.stat().st_size
    except FileNotFoundError:
        raise HiddenError(f"{name}: the predictions file is missing") from None
    except OSError as exc:
        raise HiddenError(f"{name}: the predictions file is not readable ({exc.strerror or exc})") from None
    if not path.is_file():
        raise HiddenError(f"{name}: the predictions path is not a file")
    if size > max_bytes:
        raise HiddenError(f"{name}: the predictions file is {size:,} bytes, more than the {max_bytes:,} allowed")
    return _read_csv(path, "the predictions file", name, max_bytes, MAX_PREDICTION_ROWS)


@dataclass(frozen=True)
class Prediction:
    value: str
    score: float | None


def read_predictions(path: Path, spec: HiddenLabels, labels: Mapping[str, Label],
                     max_bytes: int = MAX_PREDICTIONS_BYTES, display: str | None = None) -> dict[str, Prediction]:
    """The learner's predictions, validated against the labels' ids. ``display`` names the file in messages."""
    name = display or path.name
    header, rows = _predictions_csv(path, name, max_bytes)
    want = {"id": spec.id_column, "pred": spec.prediction_column}
    needs_score = any(m in SCORE_METRICS for m in spec.metrics)
    if needs_score:
        if not spec.score_column:
            raise HiddenError("the rubric asks for roc_auc/pr_auc but names no score_column")
        want["score"] = spec.score_column
    cols = _columns(header, want, "the predictions file", name)
    regression = spec.task == "regression"
    preds: dict[str, Prediction] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        key = row[cols["id"]].strip()
        if not key:
            raise HiddenError(f"{name}:{line}: empty {spec.id_column!r}")
        if key in preds:
            raise HiddenError(f"{name}:{line}: id {_show(key)} is predicted twice (first on line {first_line[key]})")
        if key not in labels:
            raise HiddenError(f"{name}:{line}: id {_show(key)} is not in the hidden test set")
        raw = row[cols["pred"]].strip()
        if not raw:
            raise HiddenError(f"{name}:{line}: empty {spec.prediction_column!r} for id {_show(key)}")
        if regression and _number(raw) is None:
            raise HiddenError(f"{name}:{line}: {spec.prediction_column!r} is {_show(raw)}, not a finite number")
        score = None
        if needs_score:
            score = _number(row[cols["score"]].strip())
            if score is None:
                raise HiddenError(f"{name}:{line}: {spec.score_column!r} is {_show(row[cols['score']])}, "
                                  "not a finite number")
        preds[key] = Prediction(canonical_label(raw), score)
        first_line[key] = line
    absent = [k for k in labels if k not in preds]
    if absent:
        raise HiddenError(f"{name}: {len(absent)} of {len(labels)} ids of the hidden test set have no prediction "
                          f"(e.g. {_show(absent[0])})")
    return preds


# ---------------------------------------------------------------- ranking files


@dataclass(frozen=True)
class Relevant:
    items: frozenset[str]
    split: str


def read_ranking_labels(path: Path, spec: HiddenLabels) -> dict[str, Relevant]:
    """The mentor's labels for ``task: ranking``: id -> its relevant items and split (one row per item)."""
    header, rows = _labels_csv(path)
    want = {"id": spec.id_column, "item": spec.target_column}
    split_col = spec.split_column if spec.split_column and spec.split_column in header else None
    if split_col:
        want["split"] = split_col
    cols = _columns(header, want, "the labels file", path.name)
    items: dict[str, set[str]] = {}
    splits: dict[str, str] = {}
    for line, row in rows:
        key, item = row[cols["id"]].strip(), row[cols["item"]].strip()
        if not key or not item:
            raise HiddenError(f"{path.name}:{line}: empty {'id' if not key else 'item'} in the labels file")
        split = row[cols["split"]].strip().lower() if split_col else "private"
        if split not in SPLITS:
            raise HiddenError(f"{path.name}:{line}: split {_show(split)} is neither 'public' nor 'private'")
        if splits.setdefault(key, split) != split:
            raise HiddenError(f"{path.name}:{line}: id {_show(key)} is in both splits")
        if item in items.setdefault(key, set()):
            raise HiddenError(f"{path.name}:{line}: item {_show(item)} appears twice for id {_show(key)}")
        items[key].add(item)
    if not items:
        raise HiddenError(f"{path.name}: the labels file has no rows")
    return {k: Relevant(frozenset(v), splits[k]) for k, v in items.items()}


def read_ranking_predictions(path: Path, spec: HiddenLabels, labels: Mapping[str, Relevant],
                             max_bytes: int = MAX_PREDICTIONS_BYTES,
                             display: str | None = None) -> dict[str, list[str]]:
    """The learner's recommendations: id -> items, best first (``score_column`` descending, else file order)."""
    name = display or path.name
    header, rows = _predictions_csv(path, name, max_bytes)
    want = {"id": spec.id_column, "item": spec.prediction_column}
    if spec.score_column:
        want["score"] = spec.score_column
    cols = _columns(header, want, "the predictions file", name)
    ranked: dict[str, list[tuple[float, int, str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        key, item = row[cols["id"]].strip(), row[cols["item"]].strip()
        if not key:
            raise HiddenError(f"{name}:{line}: empty {spec.id_column!r}")
        if key not in labels:
            raise HiddenError(f"{name}:{line}: id {_show(key)} is not in the hidden test set")
        if not item:
            raise HiddenError(f"{name}:{line}: empty {spec.prediction_column!r} for id {_show(key)}")
        if (key, item) in seen:
            raise HiddenError(f"{name}:{line}: item {_show(item)} is recommended twice for id {_show(key)} "
                              f"(first on line {seen[key, item]})")
        seen[key, item] = line
        score = 0.0
        if spec.score_column:
            number = _number(row[cols["score"]].strip())
            if number is None:
                raise HiddenError(f"{name}:{line}: {spec.score_column!r} is {_show(row[cols['score']])}, "
                                  "not a finite number")
            score = number
        ranked.setdefault(key, []).append((-score, line, item))
    absent = [k for k in labels if k not in ranked]
    if absent:
        raise HiddenError(f"{name}: {len(absent)} of {len(labels)} ids of the hidden test set have no prediction "
                          f"(e.g. {_show(absent[0])})")
    return {k: [item for _, _, item in sorted(v)] for k, v in ranked.items()}


def compute_ranking(spec: HiddenLabels, labels: Mapping[str, Relevant],
                    ranked: Mapping[str, Sequence[str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for split in SPLITS:
        ids = sorted(k for k, lab in labels.items() if lab.split == split)
        if not ids:
            continue
        scores = ranking_metrics([labels[k].items for k in ids], [ranked[k] for k in ids], spec.k)
        out.update({f"{split}.{m}": scores[m] for m in spec.metrics})
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- putting it together


def compute(spec: HiddenLabels, labels: Mapping[str, Label], preds: Mapping[str, Prediction]) -> dict[str, float]:
    """``{split}.{metric}`` for each split that has rows. Raises HiddenError for an unknown metric."""
    unknown = [m for m in spec.metrics if m not in METRICS]
    if unknown:
        raise HiddenError(f"unknown hidden-label metric(s) {', '.join(unknown)} (allowed: {', '.join(METRICS)})")
    positive = canonical_label(spec.positive_label) if spec.positive_label is not None else None
    out: dict[str, float] = {}
    for split in SPLITS:
        ids = sorted(k for k, lab in labels.items() if lab.split == split)
        if not ids:
            continue
        y_true = [labels[k].target for k in ids]
        y_pred = [preds[k].value for k in ids]
        for m in spec.metrics:
            try:
                value = _metric(m, spec, positive, y_true, y_pred, [preds[k].score for k in ids], split)
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):  # finite inputs near 1e308 whose squares or sums overflow
                raise HiddenError(f"{split}.{m}: the predictions or labels are too large to score (the metric "
                                  "overflows the float range); keep values well below 1e150")
            out[f"{split}.{m}"] = value
    return dict(sorted(out.items()))


def _metric(m: str, spec: HiddenLabels, positive: str | None, y_true: list[str], y_pred: list[str],
            scores: list[float | None], split: str) -> float:
    if m in REGRESSION_METRICS:
        t = [_number(x) for x in y_true]
        if any(x is None for x in t):
            raise HiddenError(f"{m} needs numeric labels; the labels file has text targets")
        p = [_number(x) for x in y_pred]
        if any(x is None for x in p):
            raise HiddenError(f"{m} needs numeric predictions")
        tf = [x for x in t if x is not None]
        pf = [x for x in p if x is not None]
        return {"mae": mae, "rmse": rmse, "r2": r2, "smape": smape, "wape": wape}[m](tf, pf)
    if m == "accuracy":
        return accuracy(y_true, y_pred)
    if m in ("precision", "recall", "f1"):
        p, r, f = precision_recall_f1(y_true, y_pred, positive)
        return {"precision": p, "recall": r, "f1": f}[m]
    # roc_auc / pr_auc
    if positive is None:
        raise HiddenError(f"{m} needs positive_label in the rubric's hidden_labels (binary tasks only)")
    s = [x for x in scores if x is not None]
    try:
        return roc_auc(y_true, s, positive) if m == "roc_auc" else average_precision(y_true, s, positive)
    except HiddenError as exc:
        raise HiddenError(f"{split}.{m}: {exc}") from None


def is_practice(labels_file: Path) -> bool:
    """Labels shipped with roadmap-ci (``labels/``) are practice labels: public, feedback only."""
    from roadmap_ci.paths import labels_dir

    try:
        return labels_file.resolve().is_relative_to(labels_dir().resolve())
    except OSError:
        return False


def labels_path(spec: HiddenLabels, rubric_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where the labels are: ``env:VAR`` (a path held by an environment variable, e.g. from a CI secret)
    or a path relative to the rubric's directory."""
    env = os.environ if env is None else env
    if spec.source.startswith("env:"):
        var = spec.source[4:]
        value = env.get(var, "").strip()
        if not value:
            raise HiddenError(f"hidden labels are not available here (environment variable {var} is not set)")
        return Path(value)
    return rubric_dir / spec.source


@dataclass
class HiddenResult:
    metrics: dict[str, float] | None
    error: str | None = None
    details: dict[str, int] = field(default_factory=dict)
    practice: bool = False  # computed against the public practice labels (feedback, not a grade)


def _score(spec: HiddenLabels, labels_file: Path, predictions: Path, max_bytes: int,
           display: str | None) -> tuple[dict[str, float], dict[str, int]]:
    """The metrics and how many ids each split holds; raises HiddenError."""
    labels: Mapping[str, Label | Relevant]
    if spec.task == "ranking":
        labels = read_ranking_labels(labels_file, spec)
        ranked = read_ranking_predictions(predictions, spec, labels, max_bytes=max_bytes, display=display)
        metrics = compute_ranking(spec, labels, ranked)
    else:
        labels = read_labels(labels_file, spec)
        preds = read_predictions(predictions, spec, labels, max_bytes=max_bytes, display=display)
        metrics = compute(spec, labels, preds)
    return metrics, {s: sum(1 for lab in labels.values() if lab.split == s) for s in SPLITS}


def score_predictions(spec: HiddenLabels, labels_file: Path, predictions: Path,
                      max_bytes: int = MAX_PREDICTIONS_BYTES, display: str | None = None) -> dict[str, float]:
    """Read both files and compute the metrics; raises HiddenError with a one-line reason."""
    return _score(spec, labels_file, predictions, max_bytes, display)[0]


def hidden_metrics(loaded: LoadedRubric, predictions: Path | None, labels_file: Path | None = None,
                   env: Mapping[str, str] | None = None, max_bytes: int = MAX_PREDICTIONS_BYTES,
                   display: str | None = None) -> HiddenResult:
    """Never raises for bad input: the rubric's hidden-label metrics, or None and the reason."""
    spec = loaded.rubric.hidden_labels
    if spec is None:
        return HiddenResult(None, "the rubric has no hidden_labels section")
    if predictions is None:
        return HiddenResult(None, "no predictions file was produced (declare predictions: in .roadmap-ci.yml)")
    try:
        src = labels_file if labels_file is not None else labels_path(spec, loaded.directory, env)
        metrics, counts = _score(spec, src, predictions, max_bytes, display)
    except HiddenError as exc:
        return HiddenResult(None, str(exc))
    return HiddenResult(metrics, None, counts, practice=is_practice(src))


def apply(evidence, result: HiddenResult):  # type: ignore[no-untyped-def]
    """Evidence with ``hidden`` replaced by ``result`` (whatever the learner's job claimed is dropped)."""
    from roadmap_ci.evidence import CollectorError

    errors = [e for e in evidence.errors if e.collector != COLLECTOR]
    if result.error:
        errors.append(CollectorError(collector=COLLECTOR, message=result.error))
    return evidence.model_copy(update={"hidden": result.metrics, "errors": errors})
