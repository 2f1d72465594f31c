"""Stage `ingest`: landing files in data/raw → typed, cleaned, de-duplicated tables in data/interim."""

from __future__ import annotations

import pandas as pd

from .config import ROOT, load_params
from .data import ID, clean


def ingest(source: str) -> pd.DataFrame:
    df = pd.read_csv(
        ROOT / source,
        dtype={"region": "string", "carrier": "string", "express": "string"},
        keep_default_na=False,
        na_values=[""],
    )
    return clean(df.drop_duplicates(subset=[ID], keep="first").reset_index(drop=True))


def main() -> None:
    params = load_params()
    out_dir = ROOT / "data" / "interim"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, source in params["ingest"]["sources"].items():
        df = ingest(source)
        df.to_csv(out_dir / f"{name}.csv", index=False)
        print(f"ingest: {source} -> data/interim/{name}.csv ({len(df)} rows)")


if __name__ == "__main__":
    main()
