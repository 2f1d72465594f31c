"""The model families params.yaml can pick (`model.type`), built from their own params section."""

from __future__ import annotations

from typing import Any

MODELS = ("logistic_regression", "decision_tree", "random_forest", "lightgbm", "xgboost")


def build_model(params: dict[str, Any]) -> Any:
    """A fresh, unfitted classifier with predict_proba. XGBoost/LightGBM are imported only when chosen."""
    kind = params["model"]["type"]
    if kind not in MODELS:
        raise ValueError(f"model.type {kind!r} is not one of {', '.join(MODELS)}")
    hp = dict(params["model"].get(kind) or {})
    seed, n_jobs = params["seed"], params.get("n_jobs", 1)
    if kind == "logistic_regression":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=2000, random_state=seed, **hp)
    if kind == "decision_tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(random_state=seed, **hp)
    if kind == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(random_state=seed, n_jobs=n_jobs, **hp)
    if kind == "lightgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(random_state=seed, n_jobs=n_jobs, subsample_freq=1, verbose=-1, **hp)
    from xgboost import XGBClassifier

    return XGBClassifier(random_state=seed, n_jobs=n_jobs, eval_metric="logloss", **hp)


def importances(model: Any, names: list[str]) -> dict[str, float]:
    """|coefficients| for linear models, split importances for trees; normalised to sum to 1."""
    raw = getattr(model, "feature_importances_", None)
    if raw is None and hasattr(model, "coef_"):
        raw = abs(model.coef_[0])
    if raw is None:
        return {}
    total = float(sum(raw)) or 1.0
    return {name: float(v) / total for name, v in zip(names, raw, strict=True)}
