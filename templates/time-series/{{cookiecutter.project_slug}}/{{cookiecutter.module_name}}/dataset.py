"""Cleaning the raw sales export: one function per problem, each small enough to test.

Every step here is *causal*: what it does to a day uses only that day and the days before it, so the same
cleaning can run before a backtest without leaking the validation weeks into the training history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import ACTUAL, DATE, SERIES, TARGET

KEYS = ["series_id", "store", "item"]
FILL_METHODS = ("zero", "last_week")


def read_raw(path) -> pd.DataFrame:
    df = pd.read_csv(path, parse_dates=[DATE])
    return df.sort_values([SERIES, DATE]).reset_index(drop=True)


def fill_calendar(df: pd.DataFrame, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per series and day, from the series' first day to `end` (default: the last day in the table).

    Days missing from the export come back with an empty `actual`; `observed` says which days were recorded.
    Holidays are the same for every shop, so a missing day's flag is taken from the other series.
    """
    end = pd.Timestamp(end) if end is not None else df[DATE].max()
    holidays = df.groupby(DATE)["holiday"].max()
    frames = []
    for _, g in df.groupby(SERIES, sort=True):
        days = pd.date_range(g[DATE].min(), end, freq="D", name=DATE)
        full = g.set_index(DATE).reindex(days).reset_index()
        full[KEYS] = g[KEYS].iloc[0].to_numpy()
        full["observed"] = full[TARGET].notna().astype(int)
        full["price"] = full["price"].ffill()
        full["promo"] = full["promo"].fillna(0).astype(int)
        full["holiday"] = full[DATE].map(holidays).fillna(0).astype(int)
        frames.append(full)
    out = pd.concat(frames, ignore_index=True)
    out[ACTUAL] = out[TARGET]
    return out


def fill_missing(df: pd.DataFrame, method: str) -> pd.DataFrame:
    """Fill the sales of unrecorded days: `zero` (the naive guess) or `last_week` (same weekday a week earlier)."""
    if method not in FILL_METHODS:
        raise ValueError(f"prepare.fill_missing {method!r} is not one of {', '.join(FILL_METHODS)}")
    out = df.copy()
    if method == "zero":
        out[TARGET] = out[TARGET].fillna(0.0)
        return out
    for _ in range(8):  # runs of missing days: look back week by week
        week_ago = out.groupby(SERIES)[TARGET].shift(7)
        out[TARGET] = out[TARGET].fillna(week_ago)
        if not out[TARGET].isna().any():
            break
    out[TARGET] = out[TARGET].fillna(0.0)
    return out


def clip_outliers(df: pd.DataFrame, factor: float, window: int = 28) -> pd.DataFrame:
    """Cap sales above `factor` × the trailing median of the previous `window` days (bulk orders)."""
    out = df.copy()
    median = out.groupby(SERIES)[TARGET].transform(lambda s: s.shift(1).rolling(window, min_periods=7).median())
    cap = factor * np.maximum(median, 1.0)
    out[TARGET] = np.where(median.notna() & (out[TARGET] > cap), np.round(cap), out[TARGET])
    return out


def is_duplicate_day(df: pd.DataFrame) -> pd.Series:
    return df.duplicated([SERIES, DATE], keep="first")
