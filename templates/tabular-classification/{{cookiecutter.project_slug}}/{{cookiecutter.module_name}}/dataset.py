"""Cleaning the raw export: one function per problem, each small enough to test.

The raw file is what the CRM exports: categoricals spelled several ways, charges as text, typos and a few
duplicate rows. Fix the data here, in code, never by editing data/raw by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import TARGET

CONTRACTS = ("Month-to-month", "One year", "Two year")
INTERNET = ("DSL", "Fiber optic", "No")
MAX_MONTHLY = 200.0  # the most expensive plan costs about 120 a month


def canonical_contract(value: object) -> str | None:
    """'M2M ', 'month to month', '1 year', 'Two Year' … → one of CONTRACTS (None if unknown)."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().lower().replace("-", " ").split())
    if text in ("m2m", "month to month"):
        return "Month-to-month"
    if text in ("one year", "1 year", "1 years"):
        return "One year"
    if text in ("two year", "two years", "2 year", "2 years"):
        return "Two year"
    return None


def canonical_internet(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    by_lower = {v.lower(): v for v in INTERNET}
    return by_lower.get(value.strip().lower())


def fix_monthly_charges(values: pd.Series) -> pd.Series:
    """Negative signs are typos; values over MAX_MONTHLY were typed in cents; anything else odd is missing."""
    fixed = values.abs()
    fixed = fixed.where(fixed <= MAX_MONTHLY, fixed / 100)
    return fixed.where((fixed > 0) & (fixed <= MAX_MONTHLY)).round(2)


def clean(df: pd.DataFrame) -> pd.DataFrame:
    """The raw table → typed, canonical values; rows are kept (missing values stay missing)."""
    out = df.copy()
    for col in out.select_dtypes(include=["object", "string"]).columns:
        out[col] = out[col].str.strip().replace("", np.nan)
    out["contract"] = out["contract"].map(canonical_contract)
    out["internet_service"] = out["internet_service"].map(canonical_internet)
    out["monthly_charges"] = fix_monthly_charges(pd.to_numeric(out["monthly_charges"], errors="coerce"))
    total = pd.to_numeric(out["total_charges"], errors="coerce")
    out["total_charges"] = total.where(total.notna() | (out["tenure_months"] > 0), 0.0)  # new customers: 0
    out["age"] = out["age"].where(out["age"].between(18, 100))
    return out


def drop_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop_duplicates().reset_index(drop=True)


def stratified_split(df: pd.DataFrame, valid_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A hold-out split that keeps the churn rate the same in both parts."""
    rng = np.random.default_rng(seed)
    valid_idx: list[int] = []
    for _, group in df.groupby(TARGET, sort=True):
        idx = rng.permutation(group.index.to_numpy())
        valid_idx.extend(idx[: round(len(idx) * valid_fraction)])
    is_valid = df.index.isin(valid_idx)
    return df[~is_valid].reset_index(drop=True), df[is_valid].reset_index(drop=True)
