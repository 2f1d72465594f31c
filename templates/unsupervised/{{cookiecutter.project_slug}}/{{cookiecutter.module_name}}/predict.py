"""Stage predict: data/processed/test_features.csv -> data/predictions/predictions.csv.

One row per test account: its segment (cluster), an anomaly score (higher = more suspicious; scored as
ROC-AUC / PR-AUC on hidden labels) and a 0/1 flag (scored as precision / recall / F1).
"""

from __future__ import annotations

import joblib
import pandas as pd

from {{ cookiecutter.module_name }}.config import MODELS, PREDICTIONS
from {{ cookiecutter.module_name }}.data import ID
from {{ cookiecutter.module_name }}.features import load_features


def main() -> None:
    ids, x, _ = load_features("test")
    clusterer = joblib.load(MODELS / "clusterer.joblib")
    detector = joblib.load(MODELS / "detector.joblib")
    scores = detector.score(x)
    out = pd.DataFrame(
        {
            ID: ids,
            "cluster": clusterer.predict(x),
            "anomaly_score": scores.round(6),
            "is_anomaly": (scores > detector.threshold).astype(int),
        }
    )
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"predict: {len(out)} accounts, {int(out['is_anomaly'].sum())} flagged")


if __name__ == "__main__":
    main()
