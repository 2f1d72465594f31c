"""The model: preprocessing + estimator in one scikit-learn Pipeline (what gets registered and served)."""

from __future__ import annotations

from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import feature_columns


def make_model(params: dict[str, Any]) -> Pipeline:
    numeric, categorical = feature_columns(params)
    kind = params["model"]["type"]
    cfg = dict(params["model"].get(kind) or {})
    seed = params.get("seed", 0)
    num = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    cat = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"), OneHotEncoder(handle_unknown="ignore")
    )
    pre = ColumnTransformer([("num", num, numeric), ("cat", cat, categorical)])
    if kind == "logistic":
        est = LogisticRegression(max_iter=1000, **cfg)
    elif kind == "random_forest":
        est = RandomForestClassifier(random_state=seed, n_jobs=1, **cfg)
    elif kind == "hist_gb":
        est = HistGradientBoostingClassifier(random_state=seed, **cfg)
    else:
        raise ValueError(f"model.type {kind!r}: use logistic, random_forest or hist_gb")
    return Pipeline([("pre", pre), ("model", est)])
