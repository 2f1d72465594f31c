"""Generate the imbalanced-tuning template's data: card transactions, about 3% of them fraudulent.

    python templates/imbalanced-tuning/generate_data.py    # rewrites the files below (seeded, byte-identical)

Writes (this script is not copied into learner repos):

* ``{{cookiecutter.project_slug}}/data/raw/train.csv`` -- 15,000 labelled transactions (is_fraud)
* ``{{cookiecutter.project_slug}}/data/raw/test.csv``  -- 8,000 later transactions, no label
* ``labels/imbalanced-tuning.csv`` (repo root) -- hidden is_fraud per test id, split public (30%) / private

Fraud depends on *relative* quantities -- the amount against the card's own 30-day average, the merchant
country against the card's country, bursts of transactions, a new device at night -- so raw columns in a
linear model find part of it and engineered ratios plus a boosted model find much more.
Messy on purpose: missing values, category spellings, amount outliers, and a leakage trap:
``chargeback_filed`` is only known weeks after the transaction (and is absent from test.csv).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "imbalanced-tuning.csv"
SEED = 20261118
N_TRAIN, N_TEST = 15000, 8000

CATEGORIES = ["grocery", "fuel", "restaurants", "pharmacy", "travel", "online_retail", "electronics", "gaming",
              "jewelry", "utilities"]
CAT_P = [.22, .12, .16, .06, .06, .16, .07, .05, .02, .08]
CAT_RISK = dict(zip(CATEGORIES, [-0.8, -0.6, -0.6, -0.8, 0.3, 0.5, 1.0, 1.1, 1.3, -1.2], strict=True))
COUNTRIES = ["DE", "FR", "GB", "ES", "IT", "NL", "US", "BR", "NG", "RU"]
CHANNELS = ["pos", "online", "contactless", "atm"]
COLUMNS = ["id", "hour", "day_of_week", "amount", "merchant_category", "channel", "card_country",
           "merchant_country", "customer_age", "account_age_days", "txn_count_24h", "amount_avg_30d",
           "distance_from_home_km", "new_device", "card_present", "prior_declines_7d", "chargeback_filed",
           "is_fraud"]


def _rows(rng: np.random.Generator, n: int, first_id: int, base_rate_shift: float) -> tuple[list[dict], np.ndarray]:
    hour = rng.choice(24, size=n, p=np.r_[np.full(6, 0.012), np.full(18, (1 - 0.072) / 18)])
    dow = rng.integers(0, 7, size=n)
    cat = rng.choice(CATEGORIES, size=n, p=CAT_P)
    channel = np.where(np.isin(cat, ["online_retail", "gaming"]), "online",
                       rng.choice(CHANNELS, size=n, p=[.45, .25, .22, .08]))
    card_country = rng.choice(COUNTRIES[:6], size=n, p=[.35, .2, .18, .1, .1, .07])
    foreign = rng.random(n) < 0.08
    merchant_country = np.where(foreign, rng.choice(COUNTRIES, size=n), card_country)
    age = np.clip(rng.normal(44, 15, n), 18, 92).round()
    account_age = np.round(np.exp(rng.normal(6.5, 1.0, n))).astype(int)
    avg30 = np.round(np.exp(rng.normal(3.6, 0.7, n)), 2)
    ratio = np.exp(rng.normal(0, 0.6, n))  # this transaction against the card's own habits
    count24 = rng.poisson(2.0, n)
    distance = np.round(np.exp(rng.normal(2.0, 1.2, n)), 1)
    new_device = (rng.random(n) < 0.06).astype(int)
    card_present = np.isin(channel, ["pos", "contactless", "atm"]).astype(int)
    declines = rng.poisson(0.15, n)

    # latent fraud propensity: relative and combined signals, plus noise no feature explains
    night = (hour < 6).astype(float)
    logit = (-4.8 + base_rate_shift + np.array([CAT_RISK[c] for c in cat]) + 1.3 * foreign + 0.9 * night
             + 1.2 * new_device * (1 - card_present) + 0.35 * np.minimum(count24, 10) - 0.6 * card_present
             + 0.5 * np.minimum(declines, 4) - 0.25 * (np.log(account_age) - 6.5) + rng.normal(0, 0.9, n))
    p0 = 1 / (1 + np.exp(-logit))
    fraud = rng.random(n) < p0
    # fraudsters spend far above the card's habit, far from home, in bursts
    ratio = np.where(fraud, ratio * np.exp(rng.normal(1.6, 0.7, n)), ratio)
    distance = np.where(fraud & (rng.random(n) < 0.6), np.round(distance * np.exp(rng.normal(2.0, 0.8, n)), 1),
                        distance)
    count24 = np.where(fraud & (rng.random(n) < 0.5), count24 + rng.poisson(4, n), count24)
    amount = np.round(avg30 * ratio, 2)
    whale = rng.random(n) < 0.004  # legitimate huge purchases (a car deposit, a wedding)
    amount = np.where(whale & ~fraud, np.round(amount * rng.uniform(20, 80, n), 2), amount)
    chargeback = np.where(fraud, rng.random(n) < 0.85, rng.random(n) < 0.004).astype(int)

    rows = []
    for i in range(n):
        row = {"id": first_id + i, "hour": int(hour[i]), "day_of_week": int(dow[i]), "amount": float(amount[i]),
               "merchant_category": cat[i], "channel": channel[i], "card_country": card_country[i],
               "merchant_country": merchant_country[i], "customer_age": int(age[i]),
               "account_age_days": int(account_age[i]), "txn_count_24h": int(count24[i]),
               "amount_avg_30d": float(avg30[i]), "distance_from_home_km": float(distance[i]),
               "new_device": int(new_device[i]), "card_present": int(card_present[i]),
               "prior_declines_7d": int(declines[i]), "chargeback_filed": int(chargeback[i]),
               "is_fraud": int(fraud[i])}
        if rng.random() < 0.03:
            row["merchant_category"] = rng.choice([row["merchant_category"].upper(),
                                                   " " + row["merchant_category"],
                                                   row["merchant_category"].replace("_", " ")])
        for key, rate in (("customer_age", 0.05), ("distance_from_home_km", 0.08), ("amount_avg_30d", 0.02),
                          ("merchant_country", 0.01)):
            if rng.random() < rate:
                row[key] = ""
        rows.append(row)
    return rows, fraud


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{row[k]:.10g}" if isinstance(row[k], float) else row[k]) for k in columns})


def generate(raw: Path = RAW, labels: Path = LABELS) -> None:
    rng = np.random.default_rng(SEED)
    train, _ = _rows(rng, N_TRAIN, 1, 0.0)
    test, fraud = _rows(rng, N_TEST, 500001, 0.0)
    _write(raw / "train.csv", train, COLUMNS)
    _write(raw / "test.csv", test, [c for c in COLUMNS if c not in ("chargeback_filed", "is_fraud")])
    public = rng.random(N_TEST) < 0.3
    _write(labels, [{"id": r["id"], "is_fraud": int(f), "split": "public" if p else "private"}
                    for r, f, p in zip(test, fraud, public, strict=True)], ["id", "is_fraud", "split"])


if __name__ == "__main__":
    generate()
    print(f"wrote {RAW} and {LABELS}")
