"""Stage predict: the test houses → data/predictions/predictions.csv (id, sale_price).

This file is what the hidden labels are scored against: one row per test id, the predicted price in dollars.
"""

from __future__ import annotations

import joblib
import pandas as pd

from .config import ID, MODELS, PREDICTIONS, PROCESSED, TARGET


def main() -> None:
    bundle = joblib.load(MODELS / "model.joblib")
    test = pd.read_csv(PROCESSED / "test.csv")
    pred = bundle["model"].predict(test[bundle["features"]])
    out = pd.DataFrame({ID: test[ID], TARGET: pred.round(0)})
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"predict: {len(out)} rows, median predicted price {out[TARGET].median():,.0f}")


if __name__ == "__main__":
    main()
