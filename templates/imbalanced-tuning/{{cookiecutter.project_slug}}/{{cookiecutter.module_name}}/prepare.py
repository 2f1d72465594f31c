"""Stage prepare: data/raw/{train,test}.csv -> data/interim/{train,test}.csv (cleaned, no leakage columns)."""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.config import INTERIM, RAW, load_params
from {{ cookiecutter.module_name }}.data import TARGET, clean


def main() -> None:
    params = load_params()["prepare"]
    INTERIM.mkdir(parents=True, exist_ok=True)
    for name in ("train", "test"):
        raw = pd.read_csv(RAW / f"{name}.csv")
        tidy = clean(raw, params["leaky_columns"])
        tidy.to_csv(INTERIM / f"{name}.csv", index=False)
        rate = f", {tidy[TARGET].mean():.2%} fraud" if TARGET in tidy else ""
        print(f"prepare: {name}: {len(tidy)} rows, {tidy.shape[1]} columns{rate}")


if __name__ == "__main__":
    main()
