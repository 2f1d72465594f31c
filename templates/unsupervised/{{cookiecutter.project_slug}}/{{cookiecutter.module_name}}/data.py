"""Cleaning the raw account tables: the same rules for train and test, no fitting here."""

from __future__ import annotations

import numpy as np
import pandas as pd

ID = "id"
CATEGORICAL = ["country", "channel", "device", "payment_method"]
NUMERIC = [
    "orders_12m",
    "spend_12m",
    "avg_items_per_order",
    "sessions_per_month",
    "return_rate",
    "discount_share",
    "night_share",
    "days_since_last_order",
    "account_age_days",
    "support_tickets_12m",
]
RATES = ["return_rate", "discount_share", "night_share"]
COUNTRIES = ["DE", "FR", "GB", "ES", "IT", "NL", "PL"]
COUNTRY_ALIASES = {
    "GERMANY": "DE",
    "FRANCE": "FR",
    "UK": "GB",
    "UNITED KINGDOM": "GB",
    "SPAIN": "ES",
    "ITALY": "IT",
    "NETHERLANDS": "NL",
    "POLAND": "PL",
}


def normalise_country(values: pd.Series) -> pd.Series:
    """' de', 'Germany', 'UK' -> 'DE', 'DE', 'GB'; anything unknown becomes missing."""
    text = values.astype("string").str.strip().str.upper()
    text = text.replace(COUNTRY_ALIASES)
    return text.where(text.isin(COUNTRIES))


def clean(frame: pd.DataFrame, post_event_columns: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per account, typed and tidy. Drops columns only known after the fact (leakage)."""
    df = frame.drop(columns=[c for c in post_event_columns if c in frame.columns]).copy()
    df["country"] = normalise_country(df["country"])
    for col in ("channel", "device", "payment_method"):
        df[col] = df[col].astype("string").str.strip().str.lower()
    for col in NUMERIC:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    # -1 means "never ordered": a sentinel, not a number of days
    df.loc[df["days_since_last_order"] < 0, "days_since_last_order"] = np.nan
    for col in RATES:
        df.loc[(df[col] < 0) | (df[col] > 1), col] = np.nan
    for col in ("orders_12m", "spend_12m", "sessions_per_month", "account_age_days", "support_tickets_12m"):
        df.loc[df[col] < 0, col] = np.nan
    return df.sort_values(ID, kind="stable").reset_index(drop=True)
