"""Models, imbalance handling and cross-validation.

Resampling (SMOTE) lives *inside* an imbalanced-learn Pipeline, so during cross-validation it only ever
sees the training folds: synthetic frauds built from a validation row would leak it into training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

FAMILIES = ("logistic_regression", "lightgbm", "random_forest")


def make_estimator(family: str, hyper: dict[str, Any], class_weight: str | None, seed: int, threads: int = 1) -> Any:
    if family == "logistic_regression":
        return LogisticRegression(max_iter=2000, class_weight=class_weight, **hyper)
    if family == "random_forest":
        return RandomForestClassifier(class_weight=class_weight, random_state=seed, n_jobs=threads, **hyper)
    if family == "lightgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(class_weight=class_weight, random_state=seed, n_jobs=threads, verbose=-1, **hyper)
    raise ValueError(f"unknown model.family {family!r} (allowed: {', '.join(FAMILIES)})")


def build_pipeline(
    model_cfg: dict[str, Any], imbalance_cfg: dict[str, Any], seed: int, hyper: dict[str, Any] | None = None
) -> Pipeline:
    """[SMOTE ->] estimator. strategy: none | class_weight | smote."""
    family = model_cfg["family"]
    params = {**(model_cfg.get(family) or {}), **(hyper or {})}
    strategy = imbalance_cfg["strategy"]
    if strategy not in ("none", "class_weight", "smote"):
        raise ValueError(f"unknown imbalance.strategy {strategy!r} (none, class_weight, smote)")
    steps: list[tuple[str, Any]] = []
    if strategy == "smote":
        steps.append(
            (
                "smote",
                SMOTE(
                    sampling_strategy=imbalance_cfg.get("smote_ratio", 0.3),
                    k_neighbors=imbalance_cfg.get("smote_k_neighbors", 5),
                    random_state=seed,
                ),
            )
        )
    weight = "balanced" if strategy == "class_weight" else None
    steps.append(("model", make_estimator(family, params, weight, seed, model_cfg.get("threads", 1))))
    return Pipeline(steps)


def out_of_fold(make: Any, x: pd.DataFrame, y: pd.Series, folds: int, seed: int) -> tuple[np.ndarray, list[float]]:
    """Stratified k-fold: every row predicted by a model that never saw it; PR-AUC per fold."""
    oof = np.zeros(len(y))
    scores = []
    for train_idx, valid_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        model = make().fit(x.iloc[train_idx], y.iloc[train_idx])
        oof[valid_idx] = model.predict_proba(x.iloc[valid_idx])[:, 1]
        scores.append(float(average_precision_score(y.iloc[valid_idx], oof[valid_idx])))
    return oof, scores


def suggest(trial: Any, family: str) -> dict[str, Any]:
    """The Optuna search space of each model family."""
    if family == "logistic_regression":
        return {"C": trial.suggest_float("C", 1e-3, 10.0, log=True)}
    if family == "random_forest":
        return {
            "n_estimators": trial.suggest_int("n_estimators", 100, 400, step=50),
            "max_depth": trial.suggest_int("max_depth", 3, 16),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20),
        }
    return {
        "n_estimators": trial.suggest_int("n_estimators", 100, 400, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 7, 47),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 100),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }
