"""Stage predict: the test customers → data/predictions/predictions.csv (id, churned, churn_probability).

This file is what the hidden labels are scored against: one row per test id, `churned` as 0/1 at the chosen
threshold and the probability for ROC-AUC.
"""

from __future__ import annotations

import joblib
import pandas as pd

from .config import ID, MODELS, PREDICTIONS, PROBABILITY, PROCESSED, TARGET


def main() -> None:
    bundle = joblib.load(MODELS / "model.joblib")
    test = pd.read_csv(PROCESSED / "test.csv")
    proba = bundle["model"].predict_proba(test[bundle["features"]])[:, 1]
    out = pd.DataFrame({ID: test[ID], TARGET: (proba >= bundle["threshold"]).astype(int), PROBABILITY: proba.round(6)})
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"predict: {len(out)} rows, {out[TARGET].mean():.1%} predicted to churn")


if __name__ == "__main__":
    main()
