"""Stage prepare: data/raw → data/interim (cleaned, de-duplicated, train/valid split)."""

from __future__ import annotations

import pandas as pd

from .config import INTERIM, RAW, load_params
from .dataset import clean, drop_duplicates, is_outlier, random_split


def main() -> None:
    params = load_params()
    train = drop_duplicates(clean(pd.read_csv(RAW / "train.csv")))
    test = clean(pd.read_csv(RAW / "test.csv"))
    fit, valid = random_split(train, params["prepare"]["valid_fraction"], params["seed"])
    if params["prepare"].get("drop_outliers"):
        fit = fit[~is_outlier(fit)].reset_index(drop=True)  # only from training: validation stays as it is
    INTERIM.mkdir(parents=True, exist_ok=True)
    for name, frame in (("train", fit), ("valid", valid), ("test", test)):
        frame.to_csv(INTERIM / f"{name}.csv", index=False)
    print(f"prepare: {len(fit)} train, {len(valid)} valid, {len(test)} test rows")


if __name__ == "__main__":
    main()
