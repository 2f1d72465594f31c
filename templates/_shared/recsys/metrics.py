"""Ranking metrics at k with binary relevance, averaged over users (the definitions the hidden labels use).

``relevant``: the items a user interacted with in the held-out period; ``ranked``: the recommendations, best
first. Only the first k count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

METRICS = ("ndcg_at_k", "recall_at_k", "precision_at_k", "map_at_k", "hit_rate_at_k")


def precision_at_k(relevant: set, ranked: Sequence, k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at_k(relevant: set, ranked: Sequence, k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def hit_rate_at_k(relevant: set, ranked: Sequence, k: int) -> float:
    return float(any(item in relevant for item in ranked[:k]))


def ndcg_at_k(relevant: set, ranked: Sequence, k: int) -> float:
    """DCG (gain 1/log2(rank + 1), rank from 1) over the DCG of a perfect ranking."""
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def map_at_k(relevant: set, ranked: Sequence, k: int) -> float:
    """Mean of precision@i at every rank i ≤ k holding a relevant item, over min(k, |relevant|)."""
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:k]):
        if item in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / min(len(relevant), k)


FUNCTIONS = {
    "ndcg_at_k": ndcg_at_k,
    "recall_at_k": recall_at_k,
    "precision_at_k": precision_at_k,
    "map_at_k": map_at_k,
    "hit_rate_at_k": hit_rate_at_k,
}


def ranking_report(relevant: dict, ranked: dict, k: int) -> dict[str, float]:
    """Every metric averaged over the users of ``relevant`` (each must have recommendations in ``ranked``)."""
    users = [u for u, rel in relevant.items() if rel]
    if not users:
        raise ValueError("no user with relevant items")
    return {
        name: float(np.mean([fn(set(relevant[u]), list(ranked[u]), k) for u in users]))
        for name, fn in FUNCTIONS.items()
    }


def coverage(ranked: dict, n_items: int, k: int) -> float:
    """Share of the catalogue that appears in somebody's top k."""
    shown: set = set()
    for items in ranked.values():
        shown.update(list(items)[:k])
    return len(shown) / n_items


def mean_of(values: Iterable[float]) -> float:
    values = list(values)
    return float(np.mean(values)) if values else float("nan")
