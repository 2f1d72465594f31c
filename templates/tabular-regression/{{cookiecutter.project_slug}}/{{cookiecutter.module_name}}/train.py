"""Stage train: cross-validate on the training split, fit, save the model.

Out-of-fold (OOF) predictions give an honest estimate of the error on houses the model has not seen and are
where you compare settings; the validation split stays untouched for the final check in evaluate.
"""

from __future__ import annotations

import time

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import KFold

from .config import ID, MODELS, PROCESSED, REPORTS, TARGET, load_params, seed_everything, write_json
from .model import build_model


def out_of_fold(model, X: pd.DataFrame, y: np.ndarray, folds: int, seed: int) -> tuple[np.ndarray, list[float]]:
    oof = np.zeros(len(y))
    rmses = []
    for fit_idx, val_idx in KFold(folds, shuffle=True, random_state=seed).split(X):
        fitted = clone(model).fit(X.iloc[fit_idx], y[fit_idx])
        oof[val_idx] = fitted.predict(X.iloc[val_idx])
        rmses.append(float(root_mean_squared_error(y[val_idx], oof[val_idx])))
    return oof, rmses


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    data = pd.read_csv(PROCESSED / "train.csv")
    X, y = data.drop(columns=[ID, TARGET]), data[TARGET].to_numpy(dtype=float)
    model = build_model(params)
    started = time.perf_counter()
    oof, rmses = out_of_fold(model, X, y, int(params["train"]["cv_folds"]), params["seed"])
    model.fit(X, y)
    seconds = time.perf_counter() - started
    MODELS.mkdir(parents=True, exist_ok=True)
    joblib.dump({"model": model, "features": list(X.columns), "type": params["model"]["type"]}, MODELS / "model.joblib")
    write_json(
        REPORTS / "train.json",
        {
            "model": params["model"]["type"],
            "log_target": bool(params["model"].get("log_target")),
            "features": len(X.columns),
            "rows": len(X),
            "cv": {
                "folds": len(rmses),
                "rmse_mean": round(float(np.mean(rmses)), 2),
                "rmse_std": round(float(np.std(rmses)), 2),
                "mae": round(float(mean_absolute_error(y, oof)), 2),
                "r2": round(float(r2_score(y, oof)), 6),
            },
            "seconds": round(seconds, 3),
        },
    )
    print(
        f"train: {params['model']['type']} on {X.shape[1]} features, CV RMSE {np.mean(rmses):,.0f} "
        f"± {np.std(rmses):,.0f}, CV R² {r2_score(y, oof):.3f}"
    )


if __name__ == "__main__":
    main()
