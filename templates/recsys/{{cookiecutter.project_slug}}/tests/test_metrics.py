from __future__ import annotations

import math

import pytest

from {{ cookiecutter.module_name }}.metrics import (
    coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_report,
    recall_at_k,
)

RELEVANT = {"a", "c", "x"}  # "x" is never recommended
RANKED = ["a", "b", "c", "d"]


def test_precision_recall_hit_rate_by_hand():
    assert precision_at_k(RELEVANT, RANKED, 4) == pytest.approx(2 / 4)
    assert recall_at_k(RELEVANT, RANKED, 4) == pytest.approx(2 / 3)
    assert precision_at_k(RELEVANT, RANKED, 2) == pytest.approx(1 / 2)
    assert hit_rate_at_k(RELEVANT, RANKED, 1) == 1.0
    assert hit_rate_at_k({"d"}, RANKED, 3) == 0.0


def test_ndcg_by_hand():
    dcg = 1 / math.log2(2) + 1 / math.log2(4)  # hits at ranks 1 and 3
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)  # three relevant items, k = 4
    assert ndcg_at_k(RELEVANT, RANKED, 4) == pytest.approx(dcg / ideal)
    assert ndcg_at_k({"a"}, ["a", "b"], 2) == 1.0
    assert ndcg_at_k({"b"}, ["a", "b"], 2) == pytest.approx(1 / math.log2(3))


def test_map_by_hand():
    assert map_at_k(RELEVANT, RANKED, 4) == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert map_at_k({"b"}, RANKED, 4) == pytest.approx(1 / 2)
    assert map_at_k(RELEVANT, RANKED, 1) == pytest.approx(1.0)  # min(k, |relevant|) = 1


def test_only_the_first_k_count():
    assert precision_at_k({"d"}, RANKED, 3) == 0.0 and recall_at_k({"d"}, RANKED, 4) == 1.0


def test_report_averages_over_users_and_coverage():
    rep = ranking_report({"u1": {"a"}, "u2": {"z"}}, {"u1": ["a", "b"], "u2": ["a", "b"]}, 2)
    assert rep["hit_rate_at_k"] == 0.5 and rep["ndcg_at_k"] == 0.5 and rep["precision_at_k"] == 0.25
    assert coverage({"u1": ["a", "b"], "u2": ["a", "c"]}, n_items=10, k=2) == pytest.approx(0.3)
