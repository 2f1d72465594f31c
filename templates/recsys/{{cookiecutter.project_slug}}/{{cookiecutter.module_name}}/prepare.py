"""Stage prepare: clean the event log (duplicates, unknown films, bots) and split it by time.

Writes the clean log (data/interim/interactions.csv, what train and recommend use) and the temporal split
for evaluation: data/processed/train.csv (everything before the last ``validation_days``) and
data/processed/validation.csv (the events after, for users seen before).
"""

from __future__ import annotations

from .config import INTERIM, PROCESSED, RAW, REPORTS, TIME, load_params, write_json
from .dataset import clean, read_interactions, read_items, temporal_split

FMT = "%Y-%m-%d %H:%M:%S"


def main() -> None:
    params = load_params()["prepare"]
    events, items = read_interactions(RAW / "interactions.csv"), read_items(RAW / "items.csv")
    events, report = clean(events, items, int(params["max_user_events"]))
    train, valid = temporal_split(events, int(params["validation_days"]))
    INTERIM.mkdir(parents=True, exist_ok=True)
    PROCESSED.mkdir(parents=True, exist_ok=True)
    events.to_csv(INTERIM / "interactions.csv", index=False, date_format=FMT)
    train.to_csv(PROCESSED / "train.csv", index=False, date_format=FMT)
    valid.to_csv(PROCESSED / "validation.csv", index=False, date_format=FMT)
    report.update(
        train_rows=len(train),
        validation_rows=len(valid),
        validation_users=int(valid["user_id"].nunique()),
        validation_from=str(valid[TIME].min()),
        last_event=str(events[TIME].max()),
    )
    write_json(REPORTS / "prepare.json", report)
    print("prepare:", report)


if __name__ == "__main__":
    main()
