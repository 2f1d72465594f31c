"""Stage evaluate: out-of-fold metrics, the decision threshold, SHAP importances -> metrics.json + reports/.

Every number comes from out-of-fold predictions (reports/oof.csv): no row is scored by a model that saw it.
With ~3% positives, accuracy is meaningless (always "legit" scores 97%); we report PR-AUC (threshold-free,
sensitive to the rare class), and precision / recall / F1 at the threshold this stage chooses.
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

from {{ cookiecutter.module_name }}.config import MODELS, REPORTS, ROOT, load_params, write_json
from {{ cookiecutter.module_name }}.data import TARGET
from {{ cookiecutter.module_name }}.features import load_processed


def choose_threshold(y: np.ndarray, proba: np.ndarray, cfg: dict[str, Any]) -> float:
    """fixed: cfg['value']; f1_optimal: the probability cut that maximises F1 on the out-of-fold predictions."""
    if cfg["strategy"] == "fixed":
        return float(cfg["value"])
    if cfg["strategy"] != "f1_optimal":
        raise ValueError(f"unknown evaluate.threshold.strategy {cfg['strategy']!r} (fixed, f1_optimal)")
    precision, recall, cuts = precision_recall_curve(y, proba)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(cuts[int(np.argmax(f1[:-1]))])


def shap_importance(model: Any, x: pd.DataFrame, family: str, sample: int, seed: int) -> pd.DataFrame:
    """Mean |SHAP value| per feature on a sample of train rows (the model's own estimator, after resampling)."""
    import shap

    est = model.named_steps["model"]
    xs = x.sample(min(sample, len(x)), random_state=seed)
    if family == "logistic_regression":
        values = shap.LinearExplainer(est, xs).shap_values(xs)
    else:
        values = shap.TreeExplainer(est).shap_values(xs, check_additivity=False)
    if isinstance(values, list):  # older shap: one array per class
        values = values[1]
    values = np.asarray(values)
    if values.ndim == 3:  # (rows, features, classes)
        values = values[..., 1]
    imp = np.abs(values).mean(axis=0)
    return (
        pd.DataFrame({"feature": x.columns, "mean_abs_shap": imp.round(6)})
        .sort_values("mean_abs_shap", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def main() -> None:
    params = load_params()
    seed, ev = params["seed"], params["evaluate"]
    oof = pd.read_csv(REPORTS / "oof.csv")
    y, proba = oof[TARGET].to_numpy(), oof["oof_probability"].to_numpy()
    threshold = choose_threshold(y, proba, ev["threshold"])
    pred = (proba >= threshold).astype(int)
    cv = pd.read_json(REPORTS / "cv_results.json", typ="series")

    REPORTS.mkdir(parents=True, exist_ok=True)
    precision, recall, _ = precision_recall_curve(y, proba)
    keep = np.r_[0, np.flatnonzero(np.diff(recall.round(3))) + 1] if len(recall) > 1 else np.arange(len(recall))
    pd.DataFrame({"recall": recall[keep].round(4), "precision": precision[keep].round(4)}).to_csv(
        REPORTS / "pr_curve.csv", index=False
    )
    pd.DataFrame({"actual": y, "predicted": pred}).to_csv(REPORTS / "confusion.csv", index=False)
    write_json({"threshold": threshold, "strategy": ev["threshold"]["strategy"]}, REPORTS / "threshold.json")

    model = joblib.load(MODELS / "model.joblib")
    _, x, _ = load_processed("train")
    importance = shap_importance(model, x, params["model"]["family"], ev["shap_sample"], seed)
    importance.to_csv(REPORTS / "shap_importance.csv", index=False)

    folds = list(cv["fold_pr_auc"])
    metrics = {
        "cv": {
            "pr_auc": round(float(average_precision_score(y, proba)), 4),
            "pr_auc_fold_std": round(float(np.std(folds)), 4),
            "roc_auc": round(float(roc_auc_score(y, proba)), 4),
            "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
            "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
            "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
            "threshold": round(threshold, 4),
            "folds": len(folds),
        },
        "tuning": {"n_trials": int(cv["n_trials"])},
        "data": {"rows": int(len(y)), "positives": int(y.sum()), "positive_rate": round(float(y.mean()), 4)},
        "shap": {
            "features": int(len(importance)),
            "top3_share": round(
                float(importance["mean_abs_shap"].head(3).sum() / max(importance["mean_abs_shap"].sum(), 1e-12)), 4
            ),
        },
    }
    write_json(metrics, ROOT / "metrics.json")
    top = ", ".join(importance["feature"].head(3))
    print(
        f"evaluate: CV PR-AUC {metrics['cv']['pr_auc']:.3f}, F1 {metrics['cv']['f1']:.3f} at "
        f"{threshold:.3f}; top SHAP features: {top}"
    )


if __name__ == "__main__":
    main()
