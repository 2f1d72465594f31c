"""Stage train: fit the forecaster on the whole history and save it for predict."""

from __future__ import annotations

import time

import joblib
import pandas as pd

from .config import DATE, MODELS, PROCESSED, REPORTS, load_params, seed_everything, write_json
from .features import feature_columns
from .models import build_model


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    history = pd.read_csv(PROCESSED / "train.csv", parse_dates=[DATE])
    started = time.perf_counter()
    model = build_model(params).fit(history)
    seconds = time.perf_counter() - started
    MODELS.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODELS / "model.joblib")
    numeric, categorical = feature_columns(params)
    uses_features = params["model"]["type"] != "seasonal_naive"
    write_json(
        REPORTS / "train.json",
        {
            "model": params["model"]["type"],
            "log_target": bool(params["model"].get("log_target")),
            "features": numeric + categorical if uses_features else [],
            "rows": len(history),
            "last_day": str(history[DATE].max().date()),
            "seconds": round(seconds, 3),
        },
    )
    print(f"train: {params['model']['type']} on {len(history)} rows in {seconds:.1f} s")


if __name__ == "__main__":
    main()
