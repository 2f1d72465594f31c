import pandas as pd

from {{ cookiecutter.module_name }}.config import RAW
from {{ cookiecutter.module_name }}.dataset import clean, read_interactions, read_items, read_users, temporal_split
from {{ cookiecutter.module_name }}.features import item_features, user_features


def _events():
    return pd.DataFrame(
        {
            "user_id": [1, 1, 1, 2, 2, 2],
            "item_id": [10, 10, 11, 10, 12, 99],
            "timestamp": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-20", "2025-01-02", "2025-01-25", "2025-01-03"]
            ),
            "event": ["view", "view", "purchase", "view", "view", "view"],
        }
    )


def _items():
    return pd.DataFrame(
        {
            "item_id": [10, 11, 12],
            "genre": ["books", "music", "toys"],
            "year": [2020, 2021, 2022],
            "price": [10.0, 20.0, 30.0],
        }
    )


def _users():
    return pd.DataFrame(
        {
            "user_id": [1, 2],
            "age_band": ["18-24", "55+"],
            "country": ["DE", "FR"],
            "signup_date": pd.to_datetime(["2024-01-01", "2024-06-01"]),
        }
    )


def test_clean_drops_duplicates_and_unknown_items():
    out, stats = clean(_events(), _items(), _users())
    assert len(out) == 4 and stats["duplicates"] == 1 and stats["unknown_ids"] == 1


def test_temporal_split_keeps_validation_after_train_and_unseen():
    events = clean(_events(), _items(), _users())[0]
    train, valid = temporal_split(events, 10)
    assert train["timestamp"].max() < valid["timestamp"].min()
    assert set(valid["item_id"]) == {11, 12}


def test_features_use_only_the_past():
    events = clean(_events(), _items(), _users())[0]
    uf = user_features(events, _users(), _items(), pd.Timestamp("2025-01-10"), 10)
    row = uf.set_index("user_id").loc[1]
    assert row["n_events"] == 1 and row["seen_items"] == [10] and row["avg_price"] == 10.0
    itf = item_features(events, _items(), ["genre", "price"], pd.Timestamp("2025-01-10"))
    assert itf.set_index("item_id")["popularity"].to_dict() == {10: 2, 11: 0, 12: 0}


def test_raw_tables_load():
    assert len(read_interactions(RAW / "interactions.csv")) > 50_000
    assert read_items(RAW / "items.csv")["item_id"].is_unique
    assert read_users(RAW / "users.csv")["user_id"].is_unique
