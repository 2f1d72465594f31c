"""Generate the time-series data set, deterministically (run from anywhere; not shipped to learners).

    python templates/time-series/generate_data.py [--out DIR] [--labels FILE] [--secret-file FILE [--learner LOGIN]]

Daily unit sales of 6 items in 5 shops of a small grocery chain (30 store×item series), 2023-01-01 to
2025-06-30, simulated so that the next 28 days are known and nothing is downloaded. The expected sales of a
day are level × trend × day-of-week × yearly season × promotion lift × price effect × holiday effect, with
negative-binomial noise. Messy on purpose, like a real point-of-sale export:

* days missing from the export (no row at all), more often for some shops,
* stock-outs: short runs of zero sales in busy series,
* outliers: a few bulk orders at several times the usual volume,
* a series that starts late (a product listed in one shop in October 2024),
* a level shift (a competitor opens next to one shop in February 2025),
* intermittent low-volume series (batteries, umbrellas: mostly zeros),
* shops closed on Christmas and New Year's Day (zero sales), busy on other public holidays,
* **a leakage trap**: ``units_restocked`` is what the shop put back on the shelf that evening, i.e. what it
  sold that day; it is empty for every day to forecast.

Writes ``data/raw/{train,test}.csv`` into the template and the hidden labels of the 28-day horizon to
``labels/time-series.csv`` at the repository root (id, sales, split = public for days 1–14, private for 15–28):
the public practice data. With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file``
passes) the demand model is drawn from the secret -- the shops' sizes and growth rates shuffled among the
shops, then sizes and item rates within ±10% and growth ±2 points a year, seasonal amplitudes ±15% and
peaks ±15 days, the weekday profile ±5%, the promotion lift, price elasticity and holiday lift ±10%, the
competitor's cut ±0.05 -- and the sales, the mess and the 9-digit ids of the days to forecast come from the
learner's own stream (docs/templates.md). A learner's draw is difficulty-matched: it is kept only if the
seasonal-naive benchmark (the template's baseline: repeat the last week, missing days as zero) scores on its
horizon what it scores on the practice data (WAPE within ``BENCHMARK_TOLERANCE`` points on each of days 1–14
and 15–28), else the stream draws again, so no learner's 28 days are luckier or harder for the baseline than
another's (docs/performance.md, "fairness across course secrets").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "time-series.csv"
SEED = 4758
START, END, HORIZON = "2023-01-01", "2025-06-30", 28
PUBLIC_DAYS = 14
ID = "time-series"

STORES = {"S1": 1.0, "S2": 0.8, "S3": 1.3, "S4": 0.6, "S5": 1.1}  # shop size
STORE_GROWTH = {"S1": 0.04, "S2": -0.03, "S3": 0.06, "S4": 0.10, "S5": 0.0}  # per year
ITEMS = {  # name: (units per day in a size-1 shop, yearly amplitude, peak day of year, base price)
    "bread": (42.0, 0.05, 20, 2.49),
    "milk": (30.0, 0.04, 200, 1.19),
    "ice_cream": (14.0, 0.55, 200, 4.99),
    "bbq_sauce": (6.0, 0.45, 185, 3.49),
    "batteries": (1.2, 0.15, 355, 6.99),
    "umbrella": (0.5, 0.60, 300, 9.99),
}
WEEKDAY = np.array([0.86, 0.84, 0.88, 0.95, 1.10, 1.35, 1.02])  # Monday … Sunday
CLOSED = {"01-01", "12-25"}
HOLIDAY_LIFT = 1.45
# the seasonal-naive benchmark's WAPE on the practice horizon (public days 1-14, private 15-28): a course's draw
# is kept only within BENCHMARK_TOLERANCE points of both (tests/templates/test_time_series.py recomputes them)
PRACTICE_BENCHMARK = {"public": 55.90, "private": 52.76}
BENCHMARK_TOLERANCE = 2.5
MAX_DRAWS = 200
PRACTICE = {"stores": STORES, "growth": STORE_GROWTH, "items": ITEMS, "weekday": WEEKDAY, "promo_lift": 1.7,
            "elasticity": -0.8, "holiday_lift": HOLIDAY_LIFT, "competitor": 0.6}


def process(secret: bytes | None) -> dict:
    """The demand model: the practice constants, or drawn from the course secret (shared by every learner)."""
    if secret is None:
        return PRACTICE
    draw = seeding.rng(secret, ID, "process", practice=SEED)

    def u(lo: float, hi: float) -> float:
        return float(draw.uniform(lo, hi))

    order = [list(STORES)[i] for i in draw.permutation(len(STORES))]  # which shop is big, which one grows
    return {
        "stores": {s: STORES[o] * u(0.9, 1.1) for s, o in zip(STORES, order, strict=True)},
        "growth": {s: STORE_GROWTH[o] + u(-0.02, 0.02) for s, o in zip(STORES, order, strict=True)},
        "items": {item: (rate * u(0.9, 1.1), min(amp * u(0.85, 1.15), 0.9), (peak + int(draw.integers(-15, 16))) % 365,
                         price) for item, (rate, amp, peak, price) in ITEMS.items()},
        "weekday": WEEKDAY * draw.uniform(0.95, 1.05, len(WEEKDAY)),
        "promo_lift": 1.7 * u(0.9, 1.1), "elasticity": -0.8 * u(0.9, 1.1),
        "holiday_lift": HOLIDAY_LIFT * u(0.9, 1.1), "competitor": 0.6 + u(-0.05, 0.05),
    }


def public_holidays(days: pd.DatetimeIndex) -> pd.Series:
    """US-style holidays: fixed dates plus Memorial Day, Labor Day and Thanksgiving."""
    md = days.strftime("%m-%d")
    fixed = np.isin(md, ["01-01", "07-04", "12-25", "12-31"])
    memorial = (days.month == 5) & (days.day_of_week == 0) & (days.day > 24)
    labor = (days.month == 9) & (days.day_of_week == 0) & (days.day <= 7)
    thanks = (days.month == 11) & (days.day_of_week == 3) & (days.day >= 22) & (days.day <= 28)
    return pd.Series(fixed | memorial | labor | thanks, index=days)


def promotions(n: int, rng: np.random.Generator) -> np.ndarray:
    """Runs of 3–7 promotion days, about one a month."""
    promo = np.zeros(n, dtype=int)
    day = int(rng.integers(5, 30))
    while day < n:
        promo[day:day + int(rng.integers(3, 8))] = 1
        day += int(rng.integers(20, 45))
    return promo


def simulate(rng: np.random.Generator, p: dict = PRACTICE) -> pd.DataFrame:
    days = pd.date_range(START, pd.Timestamp(END) + pd.Timedelta(days=HORIZON), freq="D")
    n = len(days)
    years = (days - days[0]).days.to_numpy() / 365.25
    holiday = public_holidays(days).to_numpy()
    closed = np.isin(days.strftime("%m-%d"), list(CLOSED))
    inflation = np.where(days >= "2025-01-01", 1.06, 1.0)
    frames = []
    for store, size in p["stores"].items():
        for item, (rate, amp, peak, base_price) in p["items"].items():
            promo = promotions(n, rng)
            price = np.round(base_price * inflation * np.where(promo == 1, 0.8, 1.0), 2)
            season = 1 + amp * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - peak) / 365.25)
            mean = (rate * size * (1 + p["growth"][store]) ** years * p["weekday"][days.day_of_week] * season
                    * np.where(promo == 1, p["promo_lift"], 1.0) * (price / (base_price * inflation)) ** p["elasticity"]
                    * np.where(holiday, p["holiday_lift"], 1.0) * np.where(closed, 0.0, 1.0))
            if store == "S3" and item == "bread":
                mean = mean * np.where(days >= "2025-02-01", p["competitor"], 1.0)  # the competitor next door
            shape = 12.0
            sales = rng.poisson(rng.gamma(shape, mean / shape + 1e-12)).astype(float)
            frames.append(pd.DataFrame({
                "series_id": f"{store}_{item}", "store": store, "item": item, "date": days,
                "price": price, "promo": promo, "holiday": holiday.astype(int), "sales": sales,
            }))
    return pd.concat(frames, ignore_index=True)


def make_messy(df: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    df = df.copy()
    train = df["date"] <= END
    busy = df["item"].isin(["bread", "milk", "ice_cream"]) & train
    for start in rng.choice(df.index[busy], size=8, replace=False):  # stock-outs
        run = df.index[(df.index >= start) & (df.index < start + int(rng.integers(2, 6)))]
        df.loc[run, "sales"] = 0.0
    spikes = rng.choice(df.index[busy & (df["sales"] > 0)], size=6, replace=False)  # bulk orders
    df.loc[spikes, "sales"] = (df.loc[spikes, "sales"] * rng.uniform(4, 7, 6)).round()
    df["units_restocked"] = np.round(df["sales"] * rng.uniform(0.9, 1.1, len(df)))  # from the till: the leak
    late = (df["series_id"] == "S5_ice_cream") & (df["date"] < "2024-10-01")
    df = df[~late]
    drop_rate = np.where(df["store"] == "S4", 0.04, 0.01)
    missing = train[df.index] & (rng.random(len(df)) < drop_rate)
    return df[~missing].reset_index(drop=True)


def benchmark_wape(df: pd.DataFrame) -> dict[str, float]:
    """WAPE (%) of the seasonal naive on the horizon: each day forecast with the same weekday of the last week of
    history, a day missing from the export as zero (the baseline's ``prepare.fill_missing: zero``)."""
    end = pd.Timestamp(END)
    last = df[(df["date"] <= end) & (df["date"] > end - pd.Timedelta(days=7))]
    test = df[df["date"] > end]
    week = pd.Series(last["sales"].to_numpy(), index=pd.MultiIndex.from_arrays([last["series_id"],
                                                                                last["date"].dt.day_of_week]))
    keys = pd.MultiIndex.from_arrays([test["series_id"], test["date"].dt.day_of_week])
    error = np.abs(test["sales"].to_numpy(float) - week.reindex(keys).fillna(0.0).to_numpy(float))
    public = ((test["date"] - end).dt.days <= PUBLIC_DAYS).to_numpy()
    return {split: float(100 * error[m].sum() / test["sales"].to_numpy(float)[m].sum())
            for split, m in (("public", public), ("private", ~public))}


def draw(rng: np.random.Generator, p: dict, matched: bool) -> pd.DataFrame:
    """One learner's sales and mess; ``matched``: the first draw whose benchmark WAPE is the practice one's."""
    best, gap = None, np.inf
    for _ in range(MAX_DRAWS if matched else 1):
        df = make_messy(simulate(rng, p), rng)
        if not matched:
            return df
        wape = benchmark_wape(df)
        off = max(abs(wape[k] - PRACTICE_BENCHMARK[k]) for k in PRACTICE_BENCHMARK)
        if off <= BENCHMARK_TOLERANCE:
            return df
        if off < gap:
            best, gap = df, off
    return best


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test and the hidden labels: the practice data, or a course's (``secret``) for ``learner``."""
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    df = draw(rng, process(secret), matched=secret is not None)
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    is_test = df["date"] > END
    columns = ["series_id", "store", "item", "date", "price", "promo", "holiday", "units_restocked"]
    df["sales"] = df["sales"].astype(int)
    df["units_restocked"] = df["units_restocked"].astype("Int64")
    train = df.loc[~is_test, [*columns, "sales"]].reset_index(drop=True)
    test = df.loc[is_test].sort_values(["series_id", "date"]).reset_index(drop=True)
    if secret is None:
        test.insert(0, "id", np.arange(100001, 100001 + len(test)))
    else:  # 9-digit ids of the learner's own: a peer's predictions match none of them
        test.insert(0, "id", seeding.learner_ids(rng, len(test)))
    test["units_restocked"] = pd.NA  # nothing is sold yet, so nothing to restock
    day = (pd.to_datetime(test["date"]) - pd.Timestamp(END)).dt.days
    labels = pd.DataFrame({"id": test["id"], "sales": test["sales"],
                           "split": np.where(day <= PUBLIC_DAYS, "public", "private")})
    test = test[["id", *columns]]

    raw_dir.mkdir(parents=True, exist_ok=True)
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    train.to_csv(raw_dir / "train.csv", index=False, lineterminator="\n")
    test.to_csv(raw_dir / "test.csv", index=False, lineterminator="\n")
    labels.to_csv(labels_file, index=False, lineterminator="\n")


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
