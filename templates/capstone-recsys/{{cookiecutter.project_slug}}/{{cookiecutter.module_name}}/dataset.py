"""Reading and cleaning the raw tables, and the temporal split."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_interactions(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S")
    return df


def read_items(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def read_users(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["signup_date"] = pd.to_datetime(df["signup_date"], format="%Y-%m-%d")
    return df


def clean(events: pd.DataFrame, items: pd.DataFrame, users: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop exact duplicate events (client retries) and events of unknown products or users."""
    n0 = len(events)
    out = events.drop_duplicates()
    n1 = len(out)
    out = out[out["item_id"].isin(items["item_id"]) & out["user_id"].isin(users["user_id"])]
    out = out.sort_values(["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)
    return out, {"raw_events": n0, "duplicates": n0 - n1, "unknown_ids": n1 - len(out), "events": len(out)}


def temporal_split(events: pd.DataFrame, validation_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train: everything before the last ``validation_days``; validation: the first time each user met a
    product they had not met in train, within those days -- for every user, also those with no train event
    (new users: the cold segment of the evaluation)."""
    cut = events["timestamp"].max().normalize() - pd.Timedelta(days=validation_days - 1)
    train, later = events[events["timestamp"] < cut], events[events["timestamp"] >= cut]
    seen = set(zip(train["user_id"], train["item_id"], strict=True))
    later = later.drop_duplicates(["user_id", "item_id"])
    keep = [(u, i) not in seen for u, i in zip(later["user_id"], later["item_id"], strict=True)]
    later = later[keep]
    return train.reset_index(drop=True), later.reset_index(drop=True)
