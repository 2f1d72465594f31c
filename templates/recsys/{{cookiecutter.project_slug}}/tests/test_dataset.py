from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.config import RAW
from {{ cookiecutter.module_name }}.dataset import temporal_split


def test_raw_log_is_messy_as_documented(raw_events, items):
    assert raw_events.duplicated().sum() > 0
    assert (~raw_events["item_id"].isin(items["item_id"])).sum() > 0
    assert raw_events.groupby("user_id").size().max() > 600  # bots


def test_clean_leaves_one_known_event_per_user_and_item(events, items, params):
    assert not events.duplicated(["user_id", "item_id"]).any()
    assert events["item_id"].isin(items["item_id"]).all()
    assert events.groupby("user_id").size().max() <= params["prepare"]["max_user_events"]
    assert set(events["event"]) <= {"view", "watch"}


def test_temporal_split_never_puts_a_users_future_in_train(events, params):
    train, valid = temporal_split(events, int(params["prepare"]["validation_days"]))
    assert train["timestamp"].max() < valid["timestamp"].min()
    last_train = train.groupby("user_id")["timestamp"].max()
    first_valid = valid.groupby("user_id")["timestamp"].min()
    assert (last_train.reindex(first_valid.index) < first_valid).all()
    assert valid["user_id"].isin(train["user_id"]).all()
    assert len(train) + len(valid) <= len(events)
    assert not pd.merge(train, valid, on=["user_id", "item_id"]).shape[0]


def test_test_users_have_history(events):
    test_users = pd.read_csv(RAW / "test_users.csv")["user_id"]
    assert test_users.is_unique and test_users.isin(events["user_id"]).mean() > 0.95
