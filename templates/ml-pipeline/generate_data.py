"""Generate the ml-pipeline data: late deliveries for a parcel network (seeded, byte-reproducible).

Writes, inside the template: data/raw/train.csv (orders with the `late` target), data/raw/test.csv (orders
to score, no target) and data/raw/new_batch.csv (last month's orders, for the drift check: longer routes, a
new carrier and a busier warehouse). The hidden labels of test.csv go to labels/ml-pipeline.csv at the root
of roadmap-ci, never into the template.

The trap: `refund_issued` is set *after* a late delivery in the historical export (so it predicts `late`
almost perfectly on train.csv), but at prediction time no refund exists yet: in test.csv and the new batch
it is unrelated to the outcome.

    python templates/ml-pipeline/generate_data.py [RAW_DIR [LABELS]] [--secret-file FILE [--learner LOGIN]]

With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file`` passes) the lateness
model is drawn from the secret (every coefficient within ±15% of the practice value, the intercept set so
that the late rate stays the practice rate) and the orders, their 9-digit ids and the public/private split
from the learner's own stream (docs/templates.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = HERE.parent.parent / "labels" / "ml-pipeline.csv"
SEED = 46
ID = "ml-pipeline"
JITTER = 0.15
PRACTICE = {"intercept": -3.7, "pace": 2.6, "load": 14.0, "ecopost": 1.2, "rapidship": 0.6, "swiftgo": 1.0,
            "express": 1.0, "weekend": 0.5, "evening_next_day": 1.6, "weight": 0.06}

COLUMNS = ["id", "order_date", "region", "carrier", "distance_km", "weight_kg", "items", "promised_days",
           "order_hour", "is_weekend", "express", "warehouse_load", "refund_issued"]
REGIONS = ["north", "south", "east", "west", "central"]
CARRIERS = ["ParcelCo", "RapidShip", "EcoPost"]


def process(secret: bytes | None) -> dict:
    """The lateness model: the practice constants, or drawn from the course secret (shared by every learner)."""
    if secret is None:
        return PRACTICE
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    p = {k: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for k, v in PRACTICE.items()}
    # the intercept that keeps the practice late rate, on a large reference sample of the same process
    target = _orders(np.random.default_rng(SEED), np.arange(50000), "2026-01")["late_p"].mean()
    offset = _orders(seeding.rng(secret, ID, "process-reference", practice=SEED), np.arange(50000), "2026-01",
                     p={**p, "intercept": 0.0})["late_logit"]
    lo, hi = -9.0, 3.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (1 / (1 + np.exp(-(offset + mid)))).mean() < target else (lo, mid)
    p["intercept"] = (lo + hi) / 2
    return p


def _orders(rng: np.random.Generator, ids: np.ndarray, month: str, drift: bool = False, p: dict = PRACTICE) -> dict:
    n = len(ids)
    carriers = CARRIERS + ["SwiftGo"] if drift else CARRIERS
    p_carrier = [0.25, 0.2, 0.2, 0.35] if drift else [0.45, 0.3, 0.25]
    d = {
        "id": ids,
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
    logit = (p["intercept"] + p["pace"] * np.log1p(km_per_day / 120) + p["load"] * (d["warehouse_load"] - 0.5) ** 2
             + p["ecopost"] * (d["carrier"] == "EcoPost") - p["rapidship"] * (d["carrier"] == "RapidShip")
             + p["swiftgo"] * (d["carrier"] == "SwiftGo") - p["express"] * d["express"] + p["weekend"] * d["is_weekend"]
             + p["evening_next_day"] * (d["order_hour"] >= 18) * (d["promised_days"] == 1)
             + p["weight"] * d["weight_kg"] + rng.normal(0, 0.3, n))
    d["late_logit"], d["late_p"] = logit, 1 / (1 + np.exp(-logit))
    d["late"] = (rng.random(n) < d["late_p"]).astype(int)
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


def generate(raw: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test/new_batch and the hidden labels: the practice data, or a course's for ``learner``."""
    p = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    if secret is None:
        ids = [np.arange(100000 + k * 1000, 100700 + k * 1000) for k in range(6)]
        ids += [np.arange(200000, 202000), np.arange(300000, 301200)]
    else:  # 9-digit ids of the learner's own (ascending within an export): a peer's predictions match none
        drawn = seeding.learner_ids(rng, 700 * 6 + 2000 + 1200)
        ids = [np.sort(chunk) for chunk in np.split(drawn, np.cumsum([700] * 6 + [2000]))]
    train = []
    for k, month in enumerate(months):
        train += _mess(rng, _orders(rng, ids[k], month, p=p), leak=True)
    train += [dict(r) for r in train[5:3000:97]]  # the export repeats some orders
    test = _mess(rng, _orders(rng, ids[6], "2026-07", p=p), leak=False)
    new_batch = _mess(rng, _orders(rng, ids[7], "2026-08", drift=True, p=p), leak=False)
    order = rng.permutation(len(test))
    test = [test[i] for i in order]
    _write(raw / "train.csv", train, COLUMNS + ["late"])
    _write(raw / "test.csv", test, COLUMNS)
    _write(raw / "new_batch.csv", new_batch, COLUMNS)
    split = rng.random(len(test)) < 0.3
    _write(labels, [{"id": r["id"], "late": r["late"], "split": "public" if s else "private"}
                    for r, s in zip(test, split, strict=True)], ["id", "late", "split"])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__, positional=True)


if __name__ == "__main__":
    main()
