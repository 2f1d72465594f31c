"""Cleaning and features: the same code prepares the training data and every request the service gets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TARGET = "late"
ID = "id"
NUMERIC_RAW = [
    "distance_km",
    "weight_kg",
    "items",
    "promised_days",
    "order_hour",
    "is_weekend",
    "warehouse_load",
    "refund_issued",
]
MAX_DISTANCE_KM = 5000.0  # farther than any route in the network: a typo (metres) or a marker


def clean(df: pd.DataFrame) -> pd.DataFrame:
    """Types and obvious errors: region spelling, yes/no flags, unknown distances. Never drops a row."""
    out = df.copy()
    for col in NUMERIC_RAW:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    for col, lower in (("region", True), ("carrier", False)):
        if col in out:
            s = out[col].astype("string").str.strip()
            s = (s.str.lower() if lower else s).replace("", pd.NA)
            out[col] = s.astype(object).where(s.notna(), np.nan)  # NaN, not pd.NA: what the imputer expects
    if "express" in out:
        out["express"] = out["express"].map(lambda v: 1.0 if str(v).strip().lower() in {"yes", "1", "true"} else 0.0)
    if "distance_km" in out:
        bad = (out["distance_km"] <= 0) | (out["distance_km"] > MAX_DISTANCE_KM)
        out.loc[bad, "distance_km"] = np.nan
    return out


def add_features(df: pd.DataFrame, derived: list[str]) -> pd.DataFrame:
    """Optional derived columns (params.yaml features.derived)."""
    out = df.copy()
    known = {
        "km_per_day": lambda d: d["distance_km"] / d["promised_days"],
        "evening_next_day": lambda d: ((d["order_hour"] >= 18) & (d["promised_days"] == 1)).astype(float),
        "load_squared": lambda d: (d["warehouse_load"] - 0.5) ** 2,
    }
    for name in derived:
        if name not in known:
            raise ValueError(f"unknown derived feature {name!r} (known: {', '.join(known)})")
        out[name] = known[name](out)
    return out


def feature_columns(params: dict[str, Any]) -> tuple[list[str], list[str]]:
    f = params["features"]
    return list(f["numeric"]) + list(f.get("derived") or []), list(f["categorical"])


def features(df: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    numeric, categorical = feature_columns(params)
    return add_features(df, list(params["features"].get("derived") or []))[numeric + categorical]
