from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, roc_auc_score

from {{ cookiecutter.module_name }}.models import AnomalyDetector, Clusterer

BLOBS, TRUTH = make_blobs(n_samples=600, centers=4, cluster_std=0.6, random_state=3)


def test_kmeans_and_gmm_recover_separated_blobs():
    for method in ("kmeans", "gmm"):
        model = Clusterer({"method": method, "n_clusters": 4}, seed=0).fit(BLOBS)
        assert adjusted_rand_score(TRUTH, model.predict(BLOBS)) > 0.95, method


def test_dbscan_finds_the_blobs_and_calls_far_points_noise():
    model = Clusterer({"method": "dbscan", "dbscan_eps": 0.8, "dbscan_min_samples": 10}).fit(BLOBS)
    assert adjusted_rand_score(TRUTH, model.predict(BLOBS)) > 0.9
    far = np.array([[100.0, 100.0], [-100.0, 50.0]])
    assert model.predict(far).tolist() == [-1, -1]


def _with_outliers(rng):
    normal = rng.normal(size=(500, 3))
    outliers = rng.normal(size=(20, 3)) * 0.5 + 6
    return np.vstack([normal, outliers]), np.r_[np.zeros(500), np.ones(20)]


def test_every_detector_ranks_planted_outliers_first():
    x, y = _with_outliers(np.random.default_rng(0))
    for method in ("isolation_forest", "gmm", "ensemble"):
        # one mixture component: with more, a tight group of outliers can earn a component of its own
        det = AnomalyDetector(
            {"method": method, "n_estimators": 100, "contamination": 0.04, "gmm_components": 1}, seed=0
        ).fit(x)
        assert roc_auc_score(y, det.score(x)) > 0.95, method


def test_flag_rate_matches_contamination():
    x, _ = _with_outliers(np.random.default_rng(1))
    det = AnomalyDetector({"method": "isolation_forest", "n_estimators": 50, "contamination": 0.05}, seed=0).fit(x)
    assert abs(det.flag(x).mean() - 0.05) < 0.01


def test_same_seed_same_scores():
    x, _ = _with_outliers(np.random.default_rng(2))
    cfg = {"method": "ensemble", "n_estimators": 50, "contamination": 0.04, "gmm_components": 1}
    a = AnomalyDetector(cfg, seed=7).fit(x).score(x)
    b = AnomalyDetector(cfg, seed=7).fit(x).score(x)
    assert np.array_equal(a, b)
