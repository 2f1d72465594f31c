"""Stage fit: data/processed/train_features.csv -> models/{clusterer,detector}.joblib."""

from __future__ import annotations

import time

import joblib

from {{ cookiecutter.module_name }}.config import MODELS, REPORTS, load_params, write_json
from {{ cookiecutter.module_name }}.features import load_features
from {{ cookiecutter.module_name }}.models import AnomalyDetector, Clusterer


def main() -> None:
    params = load_params()
    _, x, cols = load_features("train")
    t0 = time.perf_counter()
    clusterer = Clusterer(params["cluster"], params["seed"]).fit(x)
    t1 = time.perf_counter()
    detector = AnomalyDetector(params["anomaly"], params["seed"]).fit(x)
    t2 = time.perf_counter()
    MODELS.mkdir(parents=True, exist_ok=True)
    joblib.dump(clusterer, MODELS / "clusterer.joblib")
    joblib.dump(detector, MODELS / "detector.joblib")
    write_json(
        {
            "cluster_method": clusterer.method,
            "anomaly_method": detector.method,
            "features": cols,
            "rows": int(len(x)),
            "cluster_seconds": round(t1 - t0, 3),
            "anomaly_seconds": round(t2 - t1, 3),
        },
        REPORTS / "fit_info.json",
    )
    print(f"fit: {clusterer.method} in {t1 - t0:.2f}s, {detector.method} in {t2 - t1:.2f}s on {x.shape}")


if __name__ == "__main__":
    main()
