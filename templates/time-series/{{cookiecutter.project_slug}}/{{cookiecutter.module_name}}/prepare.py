"""Stage prepare: data/raw → data/interim (one row per series and day, cleaned history + the days to forecast)."""

from __future__ import annotations

import numpy as np

from .config import ACTUAL, INTERIM, RAW, TARGET, load_params
from .dataset import clip_outliers, fill_calendar, fill_missing, is_duplicate_day, read_raw


def main() -> None:
    params = load_params()["prepare"]
    raw = read_raw(RAW / "train.csv")
    dupes = is_duplicate_day(raw)
    history = fill_calendar(raw[~dupes])
    history = fill_missing(history, params["fill_missing"])
    if params.get("clip_outliers"):
        history = clip_outliers(history, float(params["outlier_factor"]))
    future = read_raw(RAW / "test.csv")
    future[TARGET] = np.nan
    future[ACTUAL] = np.nan
    future["observed"] = 0
    INTERIM.mkdir(parents=True, exist_ok=True)
    history.to_csv(INTERIM / "history.csv", index=False, date_format="%Y-%m-%d")
    future.to_csv(INTERIM / "future.csv", index=False, date_format="%Y-%m-%d")
    print(
        f"prepare: {history['series_id'].nunique()} series, {len(history)} days of history "
        f"({int((history['observed'] == 0).sum())} filled, {int(dupes.sum())} duplicates dropped), "
        f"{len(future)} days to forecast"
    )


if __name__ == "__main__":
    main()
