"""Hidden-label metrics: their names, the one check of a rubric's ``metrics:`` list, and the maths.

Pure and small (``math`` only: no pandas, no sklearn, no I/O): functions on lists of labels,
predictions and scores, and :func:`compute` / :func:`compute_ranking`, which apply a rubric's
``hidden_labels`` section split by split to what :mod:`roadmap_ci.score.files` read. The rubric model
(:mod:`roadmap_ci.score.model`) validates its ``metrics:`` with :func:`metrics_problem`, the same check
:func:`compute` makes, so this module imports nothing of the rubric at run time.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from roadmap_ci.errors import HiddenError

if TYPE_CHECKING:
    from roadmap_ci.score.model import HiddenLabels

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
SCORE_METRICS = ("roc_auc", "pr_auc")
REGRESSION_METRICS = ("mae", "rmse", "r2", "smape", "wape")
RANKING_METRICS = ("ndcg_at_k", "recall_at_k", "precision_at_k", "map_at_k", "hit_rate_at_k")
METRICS = CLASSIFICATION_METRICS + SCORE_METRICS + REGRESSION_METRICS + RANKING_METRICS
SPLITS = ("public", "private")


def metrics_problem(metrics: Sequence[str], task: str | None) -> str | None:
    """Why a ``metrics:`` list does not fit (an unknown name, or one of another task); None when it does."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        return f"unknown metric(s) {', '.join(unknown)} (allowed: {', '.join(METRICS)})"
    ranking = task == "ranking"
    wrong = [m for m in metrics if (m in RANKING_METRICS) != ranking]
    if wrong:
        allowed = RANKING_METRICS if ranking else tuple(m for m in METRICS if m not in RANKING_METRICS)
        verb = "does" if len(wrong) == 1 else "do"
        return f"{', '.join(wrong)} {verb} not apply to task {task!r} (allowed: {', '.join(allowed)})"
    return None


# ---------------------------------------------------------------- values


def number(text: str) -> float | None:
    """A finite float, or None (text that is not a number, inf, nan)."""
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def canonical_label(text: str) -> str:
    """Labels compare as text after trimming; numbers compare by value ("6", "6.0" and " 6 " agree)."""
    text = text.strip()
    x = number(text)
    if x is None:
        return text
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


# ---------------------------------------------------------------- what the files hold


@dataclass(frozen=True)
class Label:
    """One id of the labels file: its true label (canonical) and its split."""

    target: str
    split: str


@dataclass(frozen=True)
class Prediction:
    """One id of the predictions file: the prediction (canonical) and its score, when a metric needs one."""

    value: str
    score: float | None


@dataclass(frozen=True)
class Relevant:
    """One id of a ranking task's labels: its relevant items and its split."""

    items: frozenset[str]
    split: str


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


# ---------------------------------------------------------------- per split


def compute(spec: HiddenLabels, labels: Mapping[str, Label], preds: Mapping[str, Prediction]) -> dict[str, float]:
    """``{split}.{metric}`` for each split that has rows. Raises HiddenError for an unknown metric
    (or one that does not fit the task)."""
    problem = metrics_problem(spec.metrics, spec.task)
    if problem:
        raise HiddenError(problem)
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
        t = [number(x) for x in y_true]
        if any(x is None for x in t):
            raise HiddenError(f"{m} needs numeric labels; the labels file has text targets")
        p = [number(x) for x in y_pred]
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




def compute_ranking(spec: HiddenLabels, labels: Mapping[str, Relevant],
                    ranked: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """``{split}.{metric}`` of a ranking task for each split that has ids."""
    out: dict[str, float] = {}
    for split in SPLITS:
        ids = sorted(k for k, lab in labels.items() if lab.split == split)
        if not ids:
            continue
        scores = ranking_metrics([labels[k].items for k in ids], [ranked[k] for k in ids], spec.k)
        out.update({f"{split}.{m}": scores[m] for m in spec.metrics})
    return dict(sorted(out.items()))
