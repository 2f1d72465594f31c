"""Stage predict: data/processed/test.csv -> data/predictions/predictions.csv (id, is_fraud, fraud_probability).

The probability is scored with PR-AUC on hidden labels; the 0/1 is_fraud (probability >= the threshold the
evaluate stage chose) with precision / recall / F1.
"""

from __future__ import annotations

import json

import joblib
import pandas as pd

from {{ cookiecutter.module_name }}.config import MODELS, PREDICTIONS, REPORTS
from {{ cookiecutter.module_name }}.data import ID
from {{ cookiecutter.module_name }}.features import load_processed


def main() -> None:
    ids, x, _ = load_processed("test")
    model = joblib.load(MODELS / "model.joblib")
    threshold = json.loads((REPORTS / "threshold.json").read_text())["threshold"]
    proba = model.predict_proba(x)[:, 1]
    out = pd.DataFrame({ID: ids, "is_fraud": (proba >= threshold).astype(int), "fraud_probability": proba.round(6)})
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"predict: {len(out)} transactions, {int(out['is_fraud'].sum())} flagged at {threshold:.3f}")


if __name__ == "__main__":
    main()
