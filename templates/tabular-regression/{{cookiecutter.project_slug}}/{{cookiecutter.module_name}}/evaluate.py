"""Stage evaluate: score the model on the held-out validation split → metrics.json + residual plot data."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from .config import FIGURES, ID, MODELS, PROCESSED, REPORTS, ROOT, TARGET, write_json
from .model import coefficients


def main() -> None:
    bundle = joblib.load(MODELS / "model.joblib")
    model = bundle["model"]
    valid = pd.read_csv(PROCESSED / "valid.csv")
    X, y = valid.drop(columns=[ID, TARGET])[bundle["features"]], valid[TARGET].to_numpy(dtype=float)
    pred = model.predict(X)
    train_info = json.loads((REPORTS / "train.json").read_text(encoding="utf-8"))
    residual = y - pred

    metrics = {
        "mae": mean_absolute_error(y, pred),
        "rmse": root_mean_squared_error(y, pred),
        "r2": r2_score(y, pred),
        "mape": float(np.mean(np.abs(residual) / y)),
        "cv": {
            "rmse_mean": train_info["cv"]["rmse_mean"],
            "rmse_std": train_info["cv"]["rmse_std"],
            "r2": train_info["cv"]["r2"],
        },
        "rows": {"train": train_info["rows"], "valid": len(y)},
        "features": train_info["features"],
    }
    write_json(ROOT / "metrics.json", _rounded(metrics))

    FIGURES.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({ID: valid[ID], "actual": y, "predicted": pred.round(0), "residual": residual.round(0)}).to_csv(
        FIGURES / "residuals.csv", index=False
    )
    coef = coefficients(model, bundle["features"])
    top = sorted(coef.items(), key=lambda kv: -abs(kv[1]))[:25]
    pd.DataFrame(top, columns=["feature", "weight"]).round(4).to_csv(FIGURES / "coefficients.csv", index=False)
    print(f"evaluate: RMSE {metrics['rmse']:,.0f}, MAE {metrics['mae']:,.0f}, R² {metrics['r2']:.3f}")


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(float(value), 6) if isinstance(value, float | np.floating) else value


if __name__ == "__main__":
    main()
