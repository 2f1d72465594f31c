"""Stage prepare: clean the event log and split it in time (train / validation)."""

from __future__ import annotations

from .config import INTERIM, PROCESSED, RAW, REPORTS, load_params, write_json
from .dataset import clean, read_interactions, read_items, read_users, temporal_split

FMT = "%Y-%m-%d %H:%M:%S"


def main() -> None:
    params = load_params()
    events, stats = clean(
        read_interactions(RAW / "interactions.csv"), read_items(RAW / "items.csv"), read_users(RAW / "users.csv")
    )
    train, valid = temporal_split(events, int(params["prepare"]["validation_days"]))
    for path in (INTERIM, PROCESSED):
        path.mkdir(parents=True, exist_ok=True)
    events.to_csv(INTERIM / "interactions.csv", index=False, date_format=FMT)
    train.to_csv(PROCESSED / "train.csv", index=False, date_format=FMT)
    valid.to_csv(PROCESSED / "validation.csv", index=False, date_format=FMT)
    stats.update(
        train_events=len(train),
        validation_events=len(valid),
        validation_users=int(valid["user_id"].nunique()),
        last_event=str(events["timestamp"].max()),
    )
    write_json(REPORTS / "prepare.json", stats)
    print(f"prepare: {stats}")


if __name__ == "__main__":
    main()
