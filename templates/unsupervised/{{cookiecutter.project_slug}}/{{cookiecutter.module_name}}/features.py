"""Stage features: data/interim -> data/processed/{train,test}_features.csv, fitted on train only.

Distances drive both clustering and anomaly detection, so the feature space *is* the model here:
skewed money and count columns, ratios, scaling and encoding all change who looks "far away".
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, RobustScaler, StandardScaler

from {{ cookiecutter.module_name }}.config import INTERIM, MODELS, PROCESSED, load_params
from {{ cookiecutter.module_name }}.data import ID

RATIOS = ["spend_per_order", "sessions_per_order", "spend_per_item"]
HEAVY_TAILED = [
    "orders_12m",
    "spend_12m",
    "avg_items_per_order",
    "sessions_per_month",
    "days_since_last_order",
    "account_age_days",
    "support_tickets_12m",
    *RATIOS,
]


def engineer(df: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """Add the derived columns the params ask for (no fitting: safe to apply to train and test alike)."""
    out = df.copy()
    orders = out["orders_12m"]
    out["never_ordered"] = (orders == 0).astype(float)
    if cfg.get("ratios"):
        out["spend_per_order"] = out["spend_12m"] / orders.where(orders > 0)
        out["sessions_per_order"] = out["sessions_per_month"] * 12 / (orders.fillna(0) + 1)
        items = out["avg_items_per_order"]
        out["spend_per_item"] = out["spend_per_order"] / items.where(items > 0)
    if cfg.get("log_transform"):
        for col in HEAVY_TAILED:
            if col in out.columns:
                out[col] = np.log1p(out[col].clip(lower=0))
    return out


def feature_columns(cfg: dict[str, Any]) -> tuple[list[str], list[str]]:
    numeric = list(cfg["numeric"]) + ["never_ordered"] + (RATIOS if cfg.get("ratios") else [])
    return numeric, list(cfg.get("categorical") or [])


def build_preprocessor(cfg: dict[str, Any], seed: int = 0) -> Pipeline:
    numeric, categorical = feature_columns(cfg)
    scaler = {"standard": StandardScaler, "robust": RobustScaler}[cfg.get("scaler", "standard")]()
    parts = [("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", scaler)]), numeric)]
    if categorical:
        parts.append(
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                categorical,
            )
        )
    steps: list[tuple[str, Any]] = [("columns", ColumnTransformer(parts, verbose_feature_names_out=False))]
    if cfg.get("pca_components"):
        steps.append(("pca", PCA(n_components=cfg["pca_components"], random_state=seed)))
    return Pipeline(steps).set_output(transform="pandas")


def to_frame(ids: pd.Series, features: pd.DataFrame) -> pd.DataFrame:
    out = features.reset_index(drop=True).astype(float).round(6)
    out.insert(0, ID, ids.reset_index(drop=True).to_numpy())
    return out


def main() -> None:
    params = load_params()
    cfg = params["features"]
    train = engineer(pd.read_csv(INTERIM / "train.csv"), cfg)
    test = engineer(pd.read_csv(INTERIM / "test.csv"), cfg)
    for frame in (train, test):  # categoricals stay text even when a column is all missing
        for col in feature_columns(cfg)[1]:
            frame[col] = frame[col].astype(object)
    pre = build_preprocessor(cfg, params["seed"])
    x_train = pre.fit_transform(train)
    x_test = pre.transform(test)
    PROCESSED.mkdir(parents=True, exist_ok=True)
    MODELS.mkdir(parents=True, exist_ok=True)
    to_frame(train[ID], x_train).to_csv(PROCESSED / "train_features.csv", index=False)
    to_frame(test[ID], x_test).to_csv(PROCESSED / "test_features.csv", index=False)
    joblib.dump(pre, MODELS / "features.joblib")
    print(f"features: {x_train.shape[1]} columns: {', '.join(x_train.columns)}")


def load_features(name: str) -> tuple[pd.Series, np.ndarray, list[str]]:
    """(ids, matrix, column names) of data/processed/<name>_features.csv."""
    frame = pd.read_csv(PROCESSED / f"{name}_features.csv")
    cols = [c for c in frame.columns if c != ID]
    return frame[ID], frame[cols].to_numpy(dtype=float), cols


if __name__ == "__main__":
    main()
