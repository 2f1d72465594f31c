import numpy as np
import pytest

from {{ cookiecutter.module_name }}.information import cross_entropy, entropy, kl_divergence, mutual_information


def test_entropy_of_a_fair_coin_is_one_bit():
    assert entropy([0.5, 0.5]) == pytest.approx(1.0)
    assert entropy([1.0, 0.0]) == 0.0


def test_entropy_rejects_a_non_distribution():
    with pytest.raises(ValueError):
        entropy([0.5, 0.6])


def test_cross_entropy_is_at_least_the_entropy():
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.3, 0.3, 0.4])
    assert cross_entropy(p, q) > entropy(p)
    assert cross_entropy(p, p) == pytest.approx(entropy(p))


def test_kl_is_cross_entropy_minus_entropy():
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.3, 0.3, 0.4])
    assert kl_divergence(p, q) == pytest.approx(cross_entropy(p, q) - entropy(p))


def test_mutual_information_of_a_copied_bit_is_one_bit():
    assert mutual_information(np.array([[0.5, 0.0], [0.0, 0.5]])) == pytest.approx(1.0)
