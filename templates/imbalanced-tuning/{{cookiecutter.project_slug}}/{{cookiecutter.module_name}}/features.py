"""Stage features: data/interim -> data/processed/{train,test}.csv (numeric matrix, fitted on train only)."""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from {{ cookiecutter.module_name }}.config import INTERIM, MODELS, PROCESSED, load_params
from {{ cookiecutter.module_name }}.data import ID, TARGET

ENGINEERED = ["amount_to_avg_log", "log_amount", "log_distance", "is_foreign", "is_night"]


def engineer(df: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """Derived columns (no fitting: safe on train and test alike). Fraud is about *relative* behaviour."""
    out = df.copy()
    if cfg.get("engineered"):
        out["amount_to_avg_log"] = np.log(out["amount"] / out["amount_avg_30d"])
        out["log_amount"] = np.log1p(out["amount"])
        out["log_distance"] = np.log1p(out["distance_from_home_km"])
        out["is_foreign"] = (out["card_country"] != out["merchant_country"]).astype(float)
        out.loc[out["merchant_country"].isna(), "is_foreign"] = np.nan
        out["is_night"] = (out["hour"] < 6).astype(float)
    return out


def feature_columns(cfg: dict[str, Any]) -> tuple[list[str], list[str]]:
    numeric = list(cfg["numeric"]) + (ENGINEERED if cfg.get("engineered") else [])
    return numeric, list(cfg.get("categorical") or [])


def build_preprocessor(cfg: dict[str, Any]) -> ColumnTransformer:
    numeric, categorical = feature_columns(cfg)
    parts: list[tuple[str, Any, list[str]]] = [
        (
            "num",
            Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())]),
            numeric,
        )
    ]
    if categorical:
        parts.append(
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)),
                    ]
                ),
                categorical,
            )
        )
    return ColumnTransformer(parts, verbose_feature_names_out=False).set_output(transform="pandas")


def main() -> None:
    cfg = load_params()["features"]
    train = engineer(pd.read_csv(INTERIM / "train.csv"), cfg)
    test = engineer(pd.read_csv(INTERIM / "test.csv"), cfg)
    for frame in (train, test):
        for col in feature_columns(cfg)[1]:
            frame[col] = frame[col].astype(object)
    pre = build_preprocessor(cfg)
    x_train = pre.fit_transform(train).astype(float).round(6)
    x_test = pre.transform(test).astype(float).round(6)
    PROCESSED.mkdir(parents=True, exist_ok=True)
    MODELS.mkdir(parents=True, exist_ok=True)
    x_train.insert(0, ID, train[ID].to_numpy())
    x_train[TARGET] = train[TARGET].to_numpy()
    x_test.insert(0, ID, test[ID].to_numpy())
    x_train.to_csv(PROCESSED / "train.csv", index=False)
    x_test.to_csv(PROCESSED / "test.csv", index=False)
    joblib.dump(pre, MODELS / "features.joblib")
    print(f"features: {x_test.shape[1] - 1} columns")


def load_processed(name: str) -> tuple[pd.Series, pd.DataFrame, pd.Series | None]:
    """(ids, feature frame, target or None) of data/processed/<name>.csv."""
    frame = pd.read_csv(PROCESSED / f"{name}.csv")
    y = frame.pop(TARGET) if TARGET in frame else None
    return frame.pop(ID), frame, y


if __name__ == "__main__":
    main()
