"""Generate the ml-pipeline data: late deliveries for a parcel network (seeded, byte-reproducible).

Writes, inside the template: data/raw/train.csv (orders with the `late` target), data/raw/test.csv (orders
to score, no target) and data/raw/new_batch.csv (last month's orders, for the drift check: longer routes, a
new carrier and a busier warehouse). The hidden labels of test.csv go to labels/ml-pipeline.csv at the root
of roadmap-ci, never into the template.

The trap: `refund_issued` is set *after* a late delivery in the historical export (so it predicts `late`
almost perfectly on train.csv), but at prediction time no refund exists yet: in test.csv and the new batch
it is unrelated to the outcome.

    python templates/ml-pipeline/generate_data.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = HERE.parent.parent / "labels" / "ml-pipeline.csv"
SEED = 46

COLUMNS = ["id", "order_date", "region", "carrier", "distance_km", "weight_kg", "items", "promised_days",
           "order_hour", "is_weekend", "express", "warehouse_load", "refund_issued"]
REGIONS = ["north", "south", "east", "west", "central"]
CARRIERS = ["ParcelCo", "RapidShip", "EcoPost"]


def _orders(rng: np.random.Generator, n: int, start_id: int, month: str, drift: bool = False) -> dict:
    carriers = CARRIERS + ["SwiftGo"] if drift else CARRIERS
    p_carrier = [0.25, 0.2, 0.2, 0.35] if drift else [0.45, 0.3, 0.25]
    d = {
        "id": np.arange(start_id, start_id + n),
        "order_date": [f"{month}-{day:02d}" for day in rng.integers(1, 29, n)],
        "region": rng.choice(REGIONS, n, p=[0.2, 0.25, 0.15, 0.15, 0.25]),
        "carrier": rng.choice(carriers, n, p=p_carrier),
        "distance_km": np.round(rng.lognormal(np.log(260 if drift else 120), 0.8, n), 1),
        "weight_kg": np.round(rng.gamma(2.0, 2.5, n), 2),
        "items": rng.integers(1, 9, n),
        "promised_days": rng.choice([1, 2, 3, 5], n, p=[0.2, 0.35, 0.3, 0.15]),
        "order_hour": rng.integers(0, 24, n),
        "is_weekend": (rng.random(n) < 0.28).astype(int),
        "express": (rng.random(n) < 0.2).astype(int),
        "warehouse_load": np.round(np.clip(rng.beta(5 if drift else 3, 3, n), 0, 1), 3),
    }
    km_per_day = d["distance_km"] / d["promised_days"]
    logit = (-3.7 + 2.6 * np.log1p(km_per_day / 120) + 14.0 * (d["warehouse_load"] - 0.5) ** 2
             + 1.2 * (d["carrier"] == "EcoPost") - 0.6 * (d["carrier"] == "RapidShip")
             + 1.0 * (d["carrier"] == "SwiftGo") - 1.0 * d["express"] + 0.5 * d["is_weekend"]
             + 1.6 * (d["order_hour"] >= 18) * (d["promised_days"] == 1) + 0.06 * d["weight_kg"]
             + rng.normal(0, 0.3, n))
    d["late"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return d


def _mess(rng: np.random.Generator, d: dict, leak: bool) -> list[dict]:
    n = len(d["id"])
    late = d["late"]
    refund = rng.random(n) < (np.where(late == 1, 0.85, 0.03) if leak else 0.05)
    rows = []
    for i in range(n):
        region = str(d["region"][i])
        r = rng.random()
        if r < 0.04:
            region = region.upper()
        elif r < 0.07:
            region = f" {region.title()} "
        weight = "" if rng.random() < 0.06 else f"{d['weight_kg'][i]:.2f}"
        distance = f"{d['distance_km'][i]:.1f}"
        if rng.random() < 0.005:
            distance = "-1"  # the export's "unknown" marker
        elif rng.random() < 0.004:
            distance = f"{d['distance_km'][i] * 1000:.1f}"  # metres typed as kilometres
        carrier = "" if rng.random() < 0.02 else str(d["carrier"][i])
        rows.append({
            "id": int(d["id"][i]), "order_date": d["order_date"][i], "region": region, "carrier": carrier,
            "distance_km": distance, "weight_kg": weight, "items": int(d["items"][i]),
            "promised_days": int(d["promised_days"][i]), "order_hour": int(d["order_hour"][i]),
            "is_weekend": int(d["is_weekend"][i]), "express": "yes" if d["express"][i] else "no",
            "warehouse_load": f"{d['warehouse_load'][i]:.3f}", "refund_issued": int(refund[i]),
            "late": int(late[i]),
        })
    return rows


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def generate(raw: Path = RAW, labels: Path = LABELS) -> None:
    rng = np.random.default_rng(SEED)
    train = []
    for k, month in enumerate(["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]):
        train += _mess(rng, _orders(rng, 700, 100000 + k * 1000, month), leak=True)
    train += [dict(r) for r in train[5:3000:97]]  # the export repeats some orders
    test = _mess(rng, _orders(rng, 2000, 200000, "2026-07"), leak=False)
    new_batch = _mess(rng, _orders(rng, 1200, 300000, "2026-08", drift=True), leak=False)
    order = rng.permutation(len(test))
    test = [test[i] for i in order]
    _write(raw / "train.csv", train, COLUMNS + ["late"])
    _write(raw / "test.csv", test, COLUMNS)
    _write(raw / "new_batch.csv", new_batch, COLUMNS)
    split = rng.random(len(test)) < 0.3
    _write(labels, [{"id": r["id"], "late": r["late"], "split": "public" if s else "private"}
                    for r, s in zip(test, split, strict=True)], ["id", "late", "split"])


if __name__ == "__main__":
    generate(*(Path(a) for a in sys.argv[1:3]))
