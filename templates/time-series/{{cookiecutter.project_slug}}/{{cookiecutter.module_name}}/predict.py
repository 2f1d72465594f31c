"""Stage predict: the 28 days after the history → data/predictions/predictions.csv (id, sales).

This file is what the hidden labels are scored against: one row per test id, the forecast units sold.
"""

from __future__ import annotations

import joblib
import pandas as pd

from .config import DATE, ID, MODELS, PREDICTIONS, PROCESSED, TARGET


def main() -> None:
    model = joblib.load(MODELS / "model.joblib")
    test = pd.read_csv(PROCESSED / "test.csv", parse_dates=[DATE])
    out = pd.DataFrame({ID: test[ID], TARGET: model.predict(test).round(3)}).sort_values(ID)
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"predict: {len(out)} rows, {out[TARGET].sum():,.0f} units forecast")


if __name__ == "__main__":
    main()
