"""Stage features: data/interim → data/processed (model-ready numbers) + models/features.joblib.

Engineered columns are plain pandas (DERIVED); imputing, scaling and one-hot encoding is a scikit-learn
ColumnTransformer fitted on the training split only, so nothing about valid/test leaks into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .config import ID, INTERIM, MODELS, PROCESSED, TARGET, load_params

DERIVED: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "charges_ratio": lambda d: d["total_charges"] / (d["monthly_charges"] * d["tenure_months"].clip(lower=1)),
    "new_customer": lambda d: (d["tenure_months"] <= 3).astype(float),
    "inactive_30d": lambda d: (d["last_login_days"] > 30).astype(float),
    "fiber_no_support": lambda d: ((d["internet_service"] == "Fiber optic") & (d["tech_support"] == "No")).astype(
        float
    ),
    "n_services": lambda d: (d[["tech_support", "streaming_tv"]] == "Yes").sum(axis=1).astype(float),
}


def add_derived(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    unknown = sorted(set(names) - set(DERIVED))
    if unknown:
        raise ValueError(f"unknown derived features {unknown}; known: {sorted(DERIVED)}")
    out = df.copy()
    for name in names:
        out[name] = DERIVED[name](out)
    return out


def build_transformer(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    num = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())])
    cat = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)),
        ]
    )
    return ColumnTransformer(
        [("num", num, numeric), ("cat", cat, categorical)], verbose_feature_names_out=False, remainder="drop"
    )


def safe_name(name: str) -> str:
    """'payment_method_Bank transfer (automatic)' → 'payment_method_bank_transfer_automatic' (LightGBM/XGBoost-safe)."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def feature_columns(params: dict) -> tuple[list[str], list[str]]:
    cfg = params["features"]
    return list(cfg["numeric"]) + list(cfg.get("derived") or []), list(cfg.get("categorical") or [])


def transform(transformer: ColumnTransformer, df: pd.DataFrame) -> pd.DataFrame:
    names = [safe_name(n) for n in transformer.get_feature_names_out()]
    values = np.asarray(transformer.transform(df), dtype=float)
    out = pd.DataFrame(values, columns=names).round(6)
    out.insert(0, ID, df[ID].to_numpy())
    if TARGET in df:
        out[TARGET] = df[TARGET].to_numpy()
    return out


def main() -> None:
    params = load_params()
    numeric, categorical = feature_columns(params)
    derived = list(params["features"].get("derived") or [])
    frames = {name: add_derived(pd.read_csv(INTERIM / f"{name}.csv"), derived) for name in ("train", "valid", "test")}
    transformer = build_transformer(numeric, categorical).fit(frames["train"])
    PROCESSED.mkdir(parents=True, exist_ok=True)
    MODELS.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        transform(transformer, frame).to_csv(PROCESSED / f"{name}.csv", index=False)
    joblib.dump(transformer, MODELS / "features.joblib")
    print(
        f"features: {len(transformer.get_feature_names_out())} columns from {len(numeric)} numeric and "
        f"{len(categorical)} categorical inputs"
    )


if __name__ == "__main__":
    main()
