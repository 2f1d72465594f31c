import numpy as np
import pytest
from scipy import stats


@pytest.fixture(scope="module")
def info(learner):
    return learner("information")


def dist(rng, n):
    p = rng.random(n)
    return p / p.sum()


def test_entropy_of_a_uniform_distribution_is_log_n(info):
    for n in (2, 5, 16):
        assert info.entropy(np.full(n, 1 / n)) == pytest.approx(np.log2(n))
        assert info.entropy(np.full(n, 1 / n), base=np.e) == pytest.approx(np.log(n))


def test_entropy_matches_scipy(info):
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert info.entropy(p) == pytest.approx(stats.entropy(p, base=2)) == pytest.approx(1.5)


def test_cross_entropy_is_entropy_plus_kl(info):
    rng = np.random.default_rng(51)
    p, q = dist(rng, 6), dist(rng, 6)
    assert info.cross_entropy(p, q) == pytest.approx(stats.entropy(p, base=2) + stats.entropy(p, q, base=2))


def test_kl_matches_scipy(info):
    rng = np.random.default_rng(52)
    for _ in range(5):
        p, q = dist(rng, 5), dist(rng, 5)
        assert info.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q, base=2))
        assert info.kl_divergence(p, q, base=np.e) == pytest.approx(stats.entropy(p, q))


def test_kl_is_non_negative_and_zero_only_for_equal_distributions(info):
    rng = np.random.default_rng(53)
    p = dist(rng, 4)
    assert info.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    for _ in range(20):
        assert info.kl_divergence(p, dist(rng, 4)) > 0


def test_kl_is_asymmetric_and_infinite_off_support(info):
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    assert info.kl_divergence(p, q) != pytest.approx(info.kl_divergence(q, p))
    assert info.kl_divergence(q, np.array([1.0, 0.0])) == np.inf
    assert info.kl_divergence(np.array([1.0, 0.0]), q) == pytest.approx(1.0)


def test_mi_of_independent_variables_is_zero(info):
    rng = np.random.default_rng(54)
    assert info.mutual_information(np.outer(dist(rng, 3), dist(rng, 4))) == pytest.approx(0.0, abs=1e-12)


def test_mi_of_a_variable_with_itself_is_its_entropy(info):
    p = np.array([0.1, 0.2, 0.3, 0.4])
    assert info.mutual_information(np.diag(p)) == pytest.approx(stats.entropy(p, base=2))


def test_mi_equals_hx_plus_hy_minus_hxy(info):
    rng = np.random.default_rng(55)
    joint = rng.random((3, 5))
    joint[0, 1] = 0.0
    joint /= joint.sum()
    h = lambda d: stats.entropy(d.ravel(), base=2)  # noqa: E731
    assert info.mutual_information(joint) == pytest.approx(h(joint.sum(1)) + h(joint.sum(0)) - h(joint))
