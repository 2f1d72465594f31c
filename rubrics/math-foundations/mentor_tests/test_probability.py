import numpy as np
import pytest
from scipy import stats


@pytest.fixture(scope="module")
def prob(learner):
    return learner("probability")


def test_gaussian_mle_matches_numpy(prob):
    x = np.random.default_rng(41).normal(3.0, 2.0, size=50)
    mu, var = prob.gaussian_mle(x)
    assert mu == pytest.approx(x.mean()) and var == pytest.approx(x.var(ddof=0))


def test_gaussian_mle_is_consistent(prob):
    mu, var = prob.gaussian_mle(np.random.default_rng(42).normal(-1.0, 0.5, size=100_000))
    assert mu == pytest.approx(-1.0, abs=0.01) and var == pytest.approx(0.25, rel=0.02)


def test_bayes_posterior_is_proportional_to_prior_times_likelihood(prob):
    prior, lik = np.array([0.2, 0.3, 0.5]), np.array([0.9, 0.1, 0.4])
    post = prob.bayes_posterior(prior, lik)
    assert post.sum() == pytest.approx(1.0)
    assert np.allclose(post, prior * lik / np.sum(prior * lik))


def test_bayes_posterior_with_zero_evidence_raises(prob):
    with pytest.raises(ValueError):
        prob.bayes_posterior([0.5, 0.5], [0.0, 0.0])


def test_welch_t_test_matches_scipy(prob):
    rng = np.random.default_rng(43)
    a, b = rng.normal(0.0, 1.0, 25), rng.normal(0.6, 2.0, 40)
    t, p = prob.welch_t_test(a, b)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert t == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)


def test_permutation_p_value_matches_scipy(prob):
    rng = np.random.default_rng(44)
    a, b = rng.normal(0.0, 1.0, 40), rng.normal(0.35, 1.0, 40)
    p = prob.permutation_test(a, b, n_permutations=4999, seed=1)
    ref = stats.permutation_test((a, b), lambda u, v, axis: np.mean(u, axis=axis) - np.mean(v, axis=axis),
                                 n_resamples=4999, vectorized=True, random_state=2).pvalue
    assert abs(p - ref) < 0.04, (p, ref)


def test_permutation_p_value_bounds_and_seed(prob):
    a, b = np.arange(10.0), np.arange(10.0) + 100.0
    p = prob.permutation_test(a, b, n_permutations=199, seed=3)
    assert p == pytest.approx(1 / 200), "no shuffle beats a complete separation: p = 1/(1+n)"
    x, y = np.random.default_rng(45).normal(size=(2, 15))
    assert prob.permutation_test(x, y, 500, seed=7) == prob.permutation_test(x, y, 500, seed=7)
    assert 0 < prob.permutation_test(x, x, 500, seed=7) <= 1.0
