"""Reading, cleaning and splitting the event log, and turning it into a users × items matrix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .config import EVENT, ITEM, TIME, USER


def read_interactions(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=[TIME])


def read_items(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def clean(events: pd.DataFrame, items: pd.DataFrame, max_user_events: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Exact duplicates out, unknown items out, bots (more than ``max_user_events`` events) out, then one row
    per (user, item): the first time the user met the film, ``watch`` if they ever watched it."""
    report = {"rows_raw": len(events)}
    events = events.drop_duplicates()
    report["duplicates_dropped"] = report["rows_raw"] - len(events)
    known = events[ITEM].isin(items[ITEM])
    report["unknown_items_dropped"] = int((~known).sum())
    events = events[known]
    per_user = events.groupby(USER)[ITEM].transform("size")
    bots = events.loc[per_user > max_user_events, USER].unique()
    report["bot_users_dropped"] = len(bots)
    events = events[~events[USER].isin(bots)]
    events = events.assign(watched=(events[EVENT] == "watch"))
    first = (
        events.sort_values([USER, ITEM, TIME])
        .groupby([USER, ITEM], as_index=False)
        .agg(timestamp=(TIME, "first"), watched=("watched", "max"))
    )
    first[EVENT] = np.where(first.pop("watched"), "watch", "view")
    report["rows_clean"] = len(first)
    return first.sort_values([TIME, USER, ITEM]).reset_index(drop=True)[[USER, ITEM, TIME, EVENT]], report


def temporal_split(events: pd.DataFrame, validation_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything before ``last timestamp − validation_days`` is train; the events after it are validation,
    kept only for users who also have train events (whom we could recommend for). Split by time, not by row:
    no user's future ever lands in train."""
    cutoff = events[TIME].max() - pd.Timedelta(days=validation_days)
    train = events[events[TIME] < cutoff]
    valid = events[(events[TIME] >= cutoff) & events[USER].isin(train[USER])]
    return train.reset_index(drop=True), valid.reset_index(drop=True)


class Index:
    """user_id / item_id ↔ matrix row / column. Items: the whole catalogue; users: those in the events."""

    def __init__(self, users: np.ndarray, items: np.ndarray):
        self.users = np.asarray(sorted(set(users)))
        self.items = np.asarray(sorted(set(items)))
        self.user_pos = {u: i for i, u in enumerate(self.users)}
        self.item_pos = {t: i for i, t in enumerate(self.items)}


def matrix(events: pd.DataFrame, index: Index, weights: dict[str, Any]) -> sp.csr_matrix:
    """Users × items, each (user, item) weighted by its event (params prepare.event_weights)."""
    rows = events[USER].map(index.user_pos).to_numpy()
    cols = events[ITEM].map(index.item_pos).to_numpy()
    w = events[EVENT].map({k: float(v) for k, v in weights.items()}).fillna(1.0).to_numpy()
    X = sp.csr_matrix((w, (rows, cols)), shape=(len(index.users), len(index.items)))
    X.sum_duplicates()
    return X


def with_positions(events: pd.DataFrame, index: Index) -> pd.DataFrame:
    return events.assign(item_idx=events[ITEM].map(index.item_pos).to_numpy())
