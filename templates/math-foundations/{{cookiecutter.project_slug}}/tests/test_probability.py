import numpy as np
import pytest

from {{ cookiecutter.module_name }}.probability import bayes_posterior, gaussian_mle, permutation_test, welch_t_test


def test_gaussian_mle_uses_one_over_n():
    mu, var = gaussian_mle(np.array([1.0, 2.0, 3.0, 6.0]))
    assert mu == pytest.approx(3.0) and var == pytest.approx(3.5)


def test_bayes_posterior_of_a_disease_test():
    # 1% prevalence, 90% sensitivity, 5% false positives: P(disease | positive) ≈ 15%
    post = bayes_posterior([0.01, 0.99], [0.90, 0.05])
    assert post.sum() == pytest.approx(1.0)
    assert post[0] == pytest.approx(0.009 / (0.009 + 0.0495))


def test_welch_t_test_sign_and_p_value_range():
    t, p = welch_t_test([5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 2.5])
    assert t > 0 and 0 < p < 0.05


def test_permutation_test_p_value():
    rng = np.random.default_rng(1)
    same = permutation_test(rng.normal(size=30), rng.normal(size=30), n_permutations=999)
    shifted = permutation_test(rng.normal(size=30), rng.normal(loc=2.0, size=30), n_permutations=999)
    assert 0.05 < same <= 1.0
    assert shifted == pytest.approx(1 / 1000)
