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
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from .config import ID, INTERIM, MODELS, PROCESSED, TARGET, load_params

DERIVED: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "age": lambda d: (d["year_sold"] - d["year_built"]).astype(float),
    "years_since_remodel": lambda d: (d["year_sold"] - d["year_remodeled"].fillna(d["year_built"])).astype(float),
    "remodeled": lambda d: d["year_remodeled"].notna().astype(float),
    "log_living_area": lambda d: np.log(d["living_area_sqft"]),
    "log_lot_area": lambda d: np.log(d["lot_area_sqft"]),
}


def add_derived(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    unknown = sorted(set(names) - set(DERIVED))
    if unknown:
        raise ValueError(f"unknown derived features {unknown}; known: {sorted(DERIVED)}")
    out = df.copy()
    for name in names:
        out[name] = DERIVED[name](out)
    return out


def build_transformer(numeric: list[str], categorical: list[str], degree: int = 1) -> ColumnTransformer:
    steps = [("impute", SimpleImputer(strategy="median", add_indicator=True))]
    if degree > 1:  # squares and products of the numeric columns (the one-hot columns stay linear)
        steps.append(("poly", PolynomialFeatures(degree, include_bias=False)))
    num = Pipeline([*steps, ("scale", StandardScaler())])
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
    """'living_area_sqft^2' → 'living_area_sqft_pow2', 'neighbourhood_Old Town' → 'neighbourhood_old_town'."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower().replace("^", "_pow")).strip("_")


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
    degree = int(params["features"].get("polynomial_degree") or 1)
    transformer = build_transformer(numeric, categorical, degree).fit(frames["train"])
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
