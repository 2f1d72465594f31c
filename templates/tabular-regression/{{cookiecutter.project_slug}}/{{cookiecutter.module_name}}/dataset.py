"""Cleaning the raw sales table: one function per problem, each small enough to test.

The raw file is what the county's sales export gives you: neighbourhood names typed several ways, a few
living areas in square metres, gaps, outliers and duplicate rows. Fix the data here, in code, never by
editing data/raw by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NEIGHBOURHOODS = (
    "Ashwood",
    "College Hill",
    "Eastgate",
    "Fairview",
    "Harbor View",
    "Meadowbrook",
    "Mill Creek",
    "Northpark",
    "Old Town",
    "Riverside",
    "Stone Ridge",
    "Westfield",
)
BUILDING_TYPES = ("Detached", "Duplex", "Semi-detached", "Townhouse")
SQFT_PER_SQM = 10.7639
MIN_SQFT = 300  # nothing smaller is sold as a house; smaller numbers were typed in square metres


def canonical_neighbourhood(value: object) -> str | None:
    """'riverside ', 'RIVERSIDE', 'Riverside' → 'Riverside' (None if unknown)."""
    if not isinstance(value, str):
        return None
    by_key = {n.lower(): n for n in NEIGHBOURHOODS}
    return by_key.get(" ".join(value.split()).lower())


def fix_living_area(values: pd.Series) -> pd.Series:
    """Areas below MIN_SQFT were entered in square metres: convert them to square feet."""
    return values.where(values >= MIN_SQFT, (values * SQFT_PER_SQM).round())


def clean(df: pd.DataFrame) -> pd.DataFrame:
    """The raw table → typed, canonical values; rows are kept (missing values stay missing)."""
    out = df.copy()
    out["neighbourhood"] = out["neighbourhood"].map(canonical_neighbourhood)
    out["building_type"] = out["building_type"].str.strip()
    out["living_area_sqft"] = fix_living_area(out["living_area_sqft"])
    return out


def is_outlier(df: pd.DataFrame) -> pd.Series:
    """Huge houses sold as partial sales: their price says nothing about the market (cf. Ames)."""
    return (df["living_area_sqft"] > 4500) & (df["sale_condition"] == "Partial")


def drop_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop_duplicates().reset_index(drop=True)


def random_split(df: pd.DataFrame, valid_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(df))
    n_valid = round(len(df) * valid_fraction)
    is_valid = np.zeros(len(df), dtype=bool)
    is_valid[idx[:n_valid]] = True
    return df[~is_valid].reset_index(drop=True), df[is_valid].reset_index(drop=True)
