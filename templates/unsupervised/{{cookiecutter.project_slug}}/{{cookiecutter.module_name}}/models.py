"""The two models: a clusterer (customer segments) and an anomaly detector (abusive accounts).

Both follow scikit-learn's fit/predict shape so they can be swapped from params.yaml alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import DBSCAN, KMeans
from sklearn.ensemble import IsolationForest
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors


class Clusterer:
    """k-means, a Gaussian mixture or DBSCAN behind one interface; label -1 is DBSCAN's noise."""

    def __init__(self, cfg: dict[str, Any], seed: int = 0) -> None:
        self.cfg = cfg
        self.seed = seed
        self.method = cfg["method"]
        self.model: Any = None
        self._core: tuple[np.ndarray, np.ndarray] | None = None

    def fit(self, x: np.ndarray) -> Clusterer:
        cfg = self.cfg
        if self.method == "kmeans":
            self.model = KMeans(n_clusters=cfg["n_clusters"], n_init=cfg.get("n_init", 4), random_state=self.seed)
        elif self.method == "gmm":
            self.model = GaussianMixture(
                n_components=cfg["n_clusters"],
                covariance_type=cfg.get("covariance", "full"),
                n_init=cfg.get("n_init", 2),
                random_state=self.seed,
            )
        elif self.method == "dbscan":
            self.model = DBSCAN(eps=cfg["dbscan_eps"], min_samples=cfg["dbscan_min_samples"])
        else:
            raise ValueError(f"unknown cluster.method {self.method!r} (kmeans, gmm, dbscan)")
        self.model.fit(x)
        if self.method == "dbscan":
            core = self.model.core_sample_indices_
            self._core = (x[core], self.model.labels_[core])
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.method != "dbscan":
            return self.model.predict(x)
        core_x, core_labels = self._core  # type: ignore[misc]
        if len(core_x) == 0:
            return np.full(len(x), -1)
        dist, idx = NearestNeighbors(n_neighbors=1).fit(core_x).kneighbors(x)
        return np.where(dist[:, 0] <= self.cfg["dbscan_eps"], core_labels[idx[:, 0]], -1)


def _ecdf(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of reference scores at or below each value: puts different detectors on one 0-1 scale."""
    ref = np.sort(reference)
    return np.searchsorted(ref, values, side="right") / len(ref)


class AnomalyDetector:
    """Isolation forest, a Gaussian-mixture likelihood, or both (ensemble). Higher score = more anomalous.

    The flag threshold is the (1 - contamination) quantile of the training scores.
    """

    def __init__(self, cfg: dict[str, Any], seed: int = 0) -> None:
        self.cfg = cfg
        self.seed = seed
        self.method = cfg["method"]
        self.members: dict[str, Any] = {}
        self.reference: dict[str, np.ndarray] = {}
        self.threshold = np.inf

    def _make(self, name: str) -> Any:
        cfg = self.cfg
        if name == "isolation_forest":
            return IsolationForest(
                n_estimators=cfg["n_estimators"],
                max_samples=cfg.get("max_samples", "auto"),
                max_features=cfg.get("max_features", 1.0),
                random_state=self.seed,
                n_jobs=1,
            )
        if name == "gmm":
            return GaussianMixture(
                n_components=cfg.get("gmm_components", 4), covariance_type="full", n_init=2, random_state=self.seed
            )
        raise ValueError(f"unknown anomaly.method {name!r} (isolation_forest, gmm, ensemble)")

    def fit(self, x: np.ndarray) -> AnomalyDetector:
        names = ["isolation_forest", "gmm"] if self.method == "ensemble" else [self.method]
        for name in names:
            self.members[name] = self._make(name).fit(x)
            self.reference[name] = -self.members[name].score_samples(x)
        self.threshold = float(np.quantile(self.score(x), 1 - self.cfg["contamination"]))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        raw = {name: -m.score_samples(x) for name, m in self.members.items()}
        if len(raw) == 1:
            return next(iter(raw.values()))
        return np.mean([_ecdf(self.reference[name], s) for name, s in raw.items()], axis=0)

    def flag(self, x: np.ndarray) -> np.ndarray:
        return (self.score(x) > self.threshold).astype(int)
