"""Stage features: materialise the offline feature tables (Parquet) and the online store.

Every feature is computed *as of* the last event of the log (``as_of``): nothing after it is read, so the same
code gives the training features and the serving features. Item columns come only from those
``item_columns.csv`` marks as known from the catalogue (``features.item_columns`` in params.yaml).
"""

from __future__ import annotations

import pandas as pd

from .config import FEATURES, INTERIM, RAW, REPORTS, load_params, write_json
from .dataset import read_interactions, read_items, read_users
from .store import open_store

USER_FEATURES = ["age_band", "country", "tenure_days", "n_events", "avg_price"]


def user_features(
    events: pd.DataFrame, users: pd.DataFrame, items: pd.DataFrame, as_of: pd.Timestamp, max_seen: int
) -> pd.DataFrame:
    past = events[events["timestamp"] <= as_of].merge(items[["item_id", "price"]], on="item_id")
    agg = past.groupby("user_id").agg(n_events=("item_id", "size"), avg_price=("price", "mean"))
    out = users.set_index("user_id").join(agg)
    out["n_events"] = out["n_events"].fillna(0).astype(int)
    out["avg_price"] = out["avg_price"].fillna(items["price"].median()).round(2)
    out["tenure_days"] = (as_of.normalize() - out["signup_date"]).dt.days
    last = past.sort_values("timestamp").drop_duplicates(["user_id", "item_id"], keep="last")
    seen = last.groupby("user_id")["item_id"].apply(lambda s: s.tolist()[-max_seen:])
    out["seen_items"] = seen.reindex(out.index).apply(lambda v: v if isinstance(v, list) else [])
    out["feature_timestamp"] = as_of
    return out.reset_index()[["user_id", *USER_FEATURES, "seen_items", "feature_timestamp"]]


def item_features(events: pd.DataFrame, items: pd.DataFrame, columns: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    past = events[events["timestamp"] <= as_of]
    out = items[["item_id", *columns]].copy()
    out["popularity"] = out["item_id"].map(past["item_id"].value_counts()).fillna(0).astype(int)
    out["feature_timestamp"] = as_of
    return out


def main() -> None:
    params = load_params()
    cfg = params["features"]
    events = read_interactions(INTERIM / "interactions.csv")
    items, users = read_items(RAW / "items.csv"), read_users(RAW / "users.csv")
    as_of = events["timestamp"].max()
    uf = user_features(events, users, items, as_of, int(cfg["max_seen_items"]))
    itf = item_features(events, items, list(cfg["item_columns"]), as_of)
    FEATURES.mkdir(parents=True, exist_ok=True)
    uf.to_parquet(FEATURES / "user_features.parquet", index=False)
    itf.to_parquet(FEATURES / "item_features.parquet", index=False)
    db = FEATURES / "online.db"
    db.unlink(missing_ok=True)
    store = open_store(db, url="")  # the pipeline always materialises the SQLite file; see the README for Redis
    rows = []
    for rec in uf.drop(columns="feature_timestamp").to_dict("records"):
        rec["seen_items"] = [int(i) for i in rec["seen_items"]]
        rows.append((int(rec.pop("user_id")), rec))
    n = store.put_many(rows)
    write_json(
        REPORTS / "features.json",
        {
            "as_of": str(as_of),
            "users": len(uf),
            "items": len(itf),
            "online_rows": n,
            "user_features": USER_FEATURES,
            "item_features": list(cfg["item_columns"]),
        },
    )
    print(f"features: {len(uf)} users, {len(itf)} items as of {as_of}; {n} rows in the online store")


if __name__ == "__main__":
    main()
