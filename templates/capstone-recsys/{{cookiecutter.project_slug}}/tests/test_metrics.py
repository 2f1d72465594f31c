import math

import pytest

from {{ cookiecutter.module_name }} import metrics as m


def test_ranking_metrics_by_hand():
    relevant, ranked = {2, 5}, [5, 1, 2, 9]
    assert m.precision_at_k(relevant, ranked, 4) == 0.5
    assert m.recall_at_k(relevant, ranked, 2) == 0.5
    assert m.hit_rate_at_k(relevant, ranked, 1) == 1.0
    dcg = 1 + 1 / math.log2(4)
    assert m.ndcg_at_k(relevant, ranked, 4) == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    assert m.map_at_k(relevant, ranked, 4) == pytest.approx((1 + 2 / 3) / 2)


def test_perfect_and_empty_rankings():
    assert m.ndcg_at_k({1, 2}, [1, 2, 3], 3) == pytest.approx(1.0)
    assert m.ndcg_at_k({1}, [4, 5, 6], 3) == 0.0
    assert m.coverage({1: [1, 2], 2: [2, 3]}, 10, 2) == 0.3
