"""Stage train: cross-validate on the training split, pick the decision threshold, fit, save the model.

Out-of-fold (OOF) probabilities give an honest estimate of how the model does on customers it has not seen,
and are the right place to choose a threshold (`train.threshold: auto`): the validation split stays untouched
for the final check in evaluate.
"""

from __future__ import annotations

import time

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from .config import ID, MODELS, PROCESSED, REPORTS, TARGET, load_params, seed_everything, write_json
from .model import build_model


def best_f1_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """The probability cut-off that maximises F1 (precision and recall weighted equally)."""
    precision, recall, thresholds = precision_recall_curve(y, proba)
    f1 = 2 * precision[:-1] * recall[:-1] / np.clip(precision[:-1] + recall[:-1], 1e-12, None)
    return float(thresholds[int(np.argmax(f1))])


def out_of_fold(model, X: pd.DataFrame, y: np.ndarray, folds: int, seed: int) -> tuple[np.ndarray, list[float]]:
    oof = np.zeros(len(y))
    aucs = []
    for fit_idx, val_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        fitted = clone(model).fit(X.iloc[fit_idx], y[fit_idx])
        oof[val_idx] = fitted.predict_proba(X.iloc[val_idx])[:, 1]
        aucs.append(float(roc_auc_score(y[val_idx], oof[val_idx])))
    return oof, aucs


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    data = pd.read_csv(PROCESSED / "train.csv")
    X, y = data.drop(columns=[ID, TARGET]), data[TARGET].to_numpy()
    model = build_model(params)
    started = time.perf_counter()
    oof, aucs = out_of_fold(model, X, y, int(params["train"]["cv_folds"]), params["seed"])
    wanted = params["train"]["threshold"]
    threshold = best_f1_threshold(y, oof) if wanted == "auto" else float(wanted)
    model.fit(X, y)
    seconds = time.perf_counter() - started
    MODELS.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {"model": model, "threshold": threshold, "features": list(X.columns), "type": params["model"]["type"]},
        MODELS / "model.joblib",
    )
    write_json(
        REPORTS / "train.json",
        {
            "model": params["model"]["type"],
            "features": len(X.columns),
            "rows": len(X),
            "threshold": round(threshold, 6),
            "cv": {
                "folds": len(aucs),
                "roc_auc_mean": round(float(np.mean(aucs)), 6),
                "roc_auc_std": round(float(np.std(aucs)), 6),
                "f1": round(float(f1_score(y, oof >= threshold)), 6),
            },
            "seconds": round(seconds, 3),
        },
    )
    print(
        f"train: {params['model']['type']} on {X.shape[1]} features, CV ROC-AUC {np.mean(aucs):.3f} "
        f"± {np.std(aucs):.3f}, threshold {threshold:.3f}"
    )


if __name__ == "__main__":
    main()
