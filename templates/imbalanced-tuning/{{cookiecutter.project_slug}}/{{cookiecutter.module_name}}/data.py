"""Cleaning the raw transaction tables: the same rules for train and test, no fitting here."""

from __future__ import annotations

import pandas as pd

ID = "id"
TARGET = "is_fraud"
CATEGORICAL = ["merchant_category", "channel"]
NUMERIC = [
    "hour",
    "day_of_week",
    "amount",
    "customer_age",
    "account_age_days",
    "txn_count_24h",
    "amount_avg_30d",
    "distance_from_home_km",
    "new_device",
    "card_present",
    "prior_declines_7d",
]
COUNTRY_COLUMNS = ["card_country", "merchant_country"]


def clean(frame: pd.DataFrame, leaky_columns: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Typed, tidy, one row per transaction. Drops columns only known after the fact (leakage)."""
    df = frame.drop(columns=[c for c in leaky_columns if c in frame.columns]).copy()
    df["merchant_category"] = (
        df["merchant_category"].astype("string").str.strip().str.lower().str.replace(" ", "_", regex=False)
    )
    df["channel"] = df["channel"].astype("string").str.strip().str.lower()
    for col in COUNTRY_COLUMNS:
        df[col] = df[col].astype("string").str.strip().str.upper()
    for col in NUMERIC:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df.loc[df["amount"] <= 0, "amount"] = pd.NA
    df.loc[~df["hour"].between(0, 23), "hour"] = pd.NA
    return df.sort_values(ID, kind="stable").reset_index(drop=True)
