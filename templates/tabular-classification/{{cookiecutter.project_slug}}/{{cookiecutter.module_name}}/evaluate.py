"""Stage evaluate: score the model on the held-out validation split → metrics.json + DVC plot data."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from .config import FIGURES, ID, MODELS, PROCESSED, REPORTS, ROOT, TARGET, write_json
from .model import importances

ROC_POINTS = 200  # enough for a smooth curve, small enough for a diff


def main() -> None:
    bundle = joblib.load(MODELS / "model.joblib")
    model, threshold = bundle["model"], bundle["threshold"]
    valid = pd.read_csv(PROCESSED / "valid.csv")
    X, y = valid.drop(columns=[ID, TARGET])[bundle["features"]], valid[TARGET].to_numpy()
    proba = model.predict_proba(X)[:, 1]
    pred = (proba >= threshold).astype(int)
    train_info = json.loads((REPORTS / "train.json").read_text(encoding="utf-8"))

    metrics = {
        "roc_auc": roc_auc_score(y, proba),
        "pr_auc": average_precision_score(y, proba),
        "f1": f1_score(y, pred),
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred),
        "accuracy": accuracy_score(y, pred),
        "threshold": threshold,
        "cv": {"roc_auc_mean": train_info["cv"]["roc_auc_mean"], "roc_auc_std": train_info["cv"]["roc_auc_std"]},
        "rows": {"train": train_info["rows"], "valid": len(y)},
        "features": train_info["features"],
    }
    write_json(ROOT / "metrics.json", _rounded(metrics))

    FIGURES.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"actual": y, "predicted": pred}).to_csv(FIGURES / "confusion.csv", index=False)
    fpr, tpr, _ = roc_curve(y, proba)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), ROC_POINTS)).round().astype(int))
    pd.DataFrame({"fpr": fpr[keep], "tpr": tpr[keep]}).round(4).to_csv(FIGURES / "roc.csv", index=False)
    imp = importances(model, bundle["features"])
    (
        pd.DataFrame(sorted(imp.items(), key=lambda kv: -kv[1])[:20], columns=["feature", "importance"])
        .round(4)
        .to_csv(FIGURES / "feature_importance.csv", index=False)
    )
    print(f"evaluate: ROC-AUC {metrics['roc_auc']:.3f}, F1 {metrics['f1']:.3f} at threshold {threshold:.3f}")


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(float(value), 6) if isinstance(value, float | np.floating) else value


if __name__ == "__main__":
    main()
