import numpy as np
import pytest


@pytest.fixture(scope="module")
def la(learner):
    return learner("linalg")


def test_project_matches_the_formula_and_leaves_an_orthogonal_residual(la):
    rng = np.random.default_rng(11)
    for _ in range(5):
        v, u = rng.normal(size=4), rng.normal(size=4)
        p = la.project(v, u)
        assert np.allclose(p, (v @ u) / (u @ u) * u)
        assert abs((v - p) @ u) < 1e-10


def test_project_onto_zero_raises(la):
    with pytest.raises(ValueError):
        la.project(np.array([1.0, 2.0]), np.zeros(2))


def test_power_iteration_matches_eigh(la):
    rng = np.random.default_rng(12)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a = q @ np.diag([9.0, 4.0, 3.0, 2.0, 1.0, 0.5]) @ q.T
    value, vector = la.power_iteration(a)
    assert value == pytest.approx(9.0, rel=1e-8)
    assert np.linalg.norm(vector) == pytest.approx(1.0)
    assert min(np.linalg.norm(vector - q[:, 0]), np.linalg.norm(vector + q[:, 0])) < 1e-5


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(13)
    return rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4)) + np.array([5.0, -2.0, 0.0, 10.0])


def test_pca_components_are_orthonormal(la, cloud):
    components, ratio = la.pca(cloud, 3)
    assert components.shape == (3, 4) and ratio.shape == (3,)
    assert np.allclose(components @ components.T, np.eye(3), atol=1e-10)


def test_pca_matches_numpy_svd_up_to_sign(la, cloud):
    components, _ = la.pca(cloud, 4)
    _, _, vt = np.linalg.svd(cloud - cloud.mean(axis=0))
    for mine, ref in zip(components, vt, strict=True):
        assert min(np.abs(mine - ref).max(), np.abs(mine + ref).max()) < 1e-8
        assert mine[np.argmax(np.abs(mine))] > 0, "sign convention: largest-|value| entry positive"


def test_pca_explained_variance_ratio(la, cloud):
    _, ratio = la.pca(cloud, 4)
    eig = np.linalg.eigvalsh(np.cov(cloud, rowvar=False))[::-1]
    assert np.allclose(ratio, eig / eig.sum())
    assert np.all(np.diff(ratio) <= 0) and ratio.sum() == pytest.approx(1.0)


def test_pca_centres_the_data(la, cloud):
    a, ra = la.pca(cloud, 2)
    b, rb = la.pca(cloud + 100.0, 2)
    assert np.allclose(a, b, atol=1e-8) and np.allclose(ra, rb)
