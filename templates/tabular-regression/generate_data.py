"""Generate the tabular-regression data set, deterministically (run from anywhere; not shipped to learners).

    python templates/tabular-regression/generate_data.py [--out DIR] [--labels FILE]
                                                         [--secret-file FILE [--learner LOGIN]]

House sales in a mid-sized city, in the style of the Kaggle "House Prices" (Ames) table, simulated so that the
hidden labels are known and nothing is downloaded. Log-price follows what an appraiser would expect: living
area (with diminishing returns), overall quality, neighbourhood, age and renovation, garage, bathrooms,
distance to the centre, sale year (a rising market) and the sale condition, plus noise. Messy on purpose:

* neighbourhood names spelled several ways (``Riverside``, ``riverside ``, ``RIVERSIDE``),
* missing values (lot area, garage spaces, year of the last remodel for never-remodelled houses),
* about 1% of living areas typed in square metres instead of square feet,
* a handful of huge houses sold cheaply as partial sales (the Ames outliers),
* a few exact duplicate rows,
* **a leakage trap**: ``price_per_sqft`` is computed from the sale price; it is empty for every test house.

Writes ``data/raw/{train,test}.csv`` into the template and the hidden test labels to
``labels/tabular-regression.csv`` at the repository root (id, sale_price, split = public|private): the
public practice data. With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file``
passes) the price model is drawn from the secret (each coefficient within ±15% of the practice value, the
neighbourhood, building-type and sale-condition effects shuffled among their levels; the noise stays
0.09 in log-price) and the houses, their 9-digit ids and the public/private split from the learner's own
stream (docs/templates.md). Two things keep every course's task as hard as the practice one (issue 19's
fairness goal, docs/performance.md): a drawn model is kept only if the four-column least-squares baseline
explains as much of the price (R², RMSE) on a fixed reference sample as under the practice model (else the
secret draws again), and a course has ``N_TRAIN_SECRET`` training and ``N_TEST_SECRET`` test houses (twice and
ten times the practice sets), so the R² of one learner's sample moves by about a point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "tabular-regression.csv"
SEED = 911
N_TRAIN, N_TEST = 3000, 1200
# under a course secret: twice the training houses (a validation split of 1,200) and ten times the test houses,
# so the noise of the learner's own sample (it falls as 1/sqrt(n)) moves the scores by about a point
N_TRAIN_SECRET, N_TEST_SECRET = 6000, 12000
PUBLIC_FRACTION = 0.3
ID = "tabular-regression"

NEIGHBOURHOODS = {  # name: (log-price effect, distance to centre in km, typical year built)
    "Old Town": (-0.10, 1.0, 1925), "Riverside": (0.12, 2.5, 1960), "Northpark": (0.05, 5.0, 1985),
    "College Hill": (0.18, 3.0, 1950), "Eastgate": (-0.18, 6.0, 1970), "Meadowbrook": (0.08, 8.0, 1998),
    "Stone Ridge": (0.30, 9.0, 2005), "Mill Creek": (-0.05, 7.0, 1978), "Harbor View": (0.35, 4.0, 1990),
    "Westfield": (-0.12, 10.0, 1995), "Ashwood": (0.02, 12.0, 2010), "Fairview": (-0.25, 5.5, 1955),
}
TYPES = {"Detached": 0.0, "Semi-detached": -0.10, "Townhouse": -0.15, "Duplex": -0.20}
CONDITIONS = {"Normal": 0.0, "Abnormal": -0.18, "Family": -0.12, "Partial": 0.06}
# the log-price coefficients of the practice data; a course secret scales each by U(1 - JITTER, 1 + JITTER)
PRACTICE = {"area": 0.62, "quality": 0.085, "quality_sq": 0.012, "age": 0.0045, "recent": 0.08, "garage": 0.045,
            "bathrooms": 0.03, "fireplaces": 0.03, "distance": 0.012, "market": 0.05, "lot": 0.05}
JITTER = 0.15
# a drawn price model is kept if the baseline's fit on the reference sample is within these of the practice one
R2_TOLERANCE, RMSE_TOLERANCE, MAX_DRAWS = 0.008, 0.02, 500
BASELINE = ("living_area_sqft", "bedrooms", "bathrooms", "overall_quality")  # the template's params.yaml


def process(secret: bytes | None) -> dict:
    """The price model: the practice constants, or drawn from the course secret (shared by every learner).

    A drawn model is kept only if the baseline finds it as hard as the practice model (:func:`difficulty`);
    the draws are the secret's own, so every learner of a course gets the same model.
    """
    if secret is None:
        return {**PRACTICE, "hood": {h: v[0] for h, v in NEIGHBOURHOODS.items()}, "types": TYPES,
                "conditions": CONDITIONS}
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    r2, rmse = difficulty(process(None))
    for _ in range(MAX_DRAWS):
        p = _draw(draw)
        got_r2, got_rmse = difficulty(p)
        if abs(got_r2 - r2) <= R2_TOLERANCE and abs(got_rmse / rmse - 1) <= RMSE_TOLERANCE:
            return p
    raise RuntimeError(f"{ID}: no price model within the difficulty tolerance in {MAX_DRAWS} draws")


def difficulty(p: dict) -> tuple[float, float]:
    """The baseline's (R², RMSE in dollars) under the price model ``p``, on a fixed sample of 20,000 houses."""
    houses = simulate(20_000, np.random.default_rng(SEED), p)
    X = np.column_stack([np.ones(len(houses)), houses[list(BASELINE)].to_numpy(dtype=float)])
    y = houses["sale_price"].to_numpy(dtype=float)
    residual = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    return 1 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum()), float(np.sqrt(np.mean(residual ** 2)))


def _draw(draw: np.random.Generator) -> dict:
    p: dict = {k: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for k, v in PRACTICE.items()}
    effects = [v[0] for v in NEIGHBOURHOODS.values()]
    p["hood"] = dict(zip(NEIGHBOURHOODS, (effects[i] for i in draw.permutation(len(effects))), strict=True))
    # the most common level keeps 0 (the reference); the others trade their discounts
    for key, levels in (("types", TYPES), ("conditions", CONDITIONS)):
        names, values = list(levels), list(levels.values())
        rest = [values[1 + i] for i in draw.permutation(len(values) - 1)]
        p[key] = dict(zip(names, [values[0], *rest], strict=True))
    return p


def simulate(n: int, rng: np.random.Generator, p: dict | None = None) -> pd.DataFrame:
    p = p or process(None)
    names = list(NEIGHBOURHOODS)
    hood = rng.choice(names, size=n, p=np.array([9, 10, 9, 7, 9, 9, 6, 9, 5, 9, 9, 9]) / 100)
    effect = np.array([p["hood"][h] for h in hood])
    distance = np.array([NEIGHBOURHOODS[h][1] for h in hood]) * rng.uniform(0.6, 1.4, n)
    sold = rng.choice([2019, 2020, 2021, 2022, 2023, 2024], size=n)
    built = np.clip(np.array([NEIGHBOURHOODS[h][2] for h in hood]) + rng.normal(0, 12, n), 1880, sold).round()
    kind = rng.choice(list(TYPES), size=n, p=[0.68, 0.14, 0.12, 0.06])
    quality = np.clip(np.round(rng.normal(5.8 + 3 * effect, 1.3)), 1, 10).astype(int)
    area = np.exp(rng.normal(np.log(1500) + 0.06 * (quality - 6), 0.3)).clip(500, 5000).round()
    bedrooms = np.clip(np.round(area / 550 + rng.normal(0, 0.7, n)), 1, 7).astype(int)
    bathrooms = np.clip(np.round((area / 900 + rng.normal(0, 0.4, n)) * 2) / 2, 1, 5)
    lot = (area * rng.uniform(2.5, 7.0, n) * (1 + distance / 10)).round(-1)
    garage = np.where(kind == "Duplex", rng.choice([0, 1], size=n), rng.choice([0, 1, 2, 3], size=n,
                                                                                 p=[0.1, 0.3, 0.5, 0.1]))
    age = sold - built
    remodeled = np.where((age > 25) & (rng.random(n) < 0.45), np.minimum(sold - 1, built + rng.uniform(15, 60, n)),
                         np.nan).round()
    fireplaces = rng.choice([0, 1, 2], size=n, p=[0.5, 0.42, 0.08])
    condition = rng.choice(list(CONDITIONS), size=n, p=[0.82, 0.07, 0.03, 0.08])
    recent = ~np.isnan(remodeled) & (sold - np.nan_to_num(remodeled) < 15)

    log_price = (
        12.0
        + p["area"] * np.log(area / 1500)
        + p["quality"] * (quality - 6) + p["quality_sq"] * (quality - 6) ** 2
        + effect
        - p["age"] * np.minimum(age, 80) + p["recent"] * recent
        + p["garage"] * garage + p["bathrooms"] * (bathrooms - 2) + p["fireplaces"] * fireplaces
        - p["distance"] * distance
        + p["market"] * (sold - 2019)
        + np.array([p["types"][k] for k in kind]) + np.array([p["conditions"][c] for c in condition])
        + p["lot"] * np.log(lot / 8000)
        + rng.normal(0, 0.09, n)
    )
    price = np.exp(log_price).round(-2)
    return pd.DataFrame({
        "neighbourhood": hood, "building_type": kind, "overall_quality": quality, "year_built": built.astype(int),
        "year_remodeled": remodeled, "living_area_sqft": area, "lot_area_sqft": lot, "bedrooms": bedrooms,
        "bathrooms": bathrooms, "garage_spaces": garage.astype(float), "fireplaces": fireplaces,
        "distance_to_centre_km": distance.round(2), "year_sold": sold, "sale_condition": condition,
        "sale_price": price,
    })


def make_messy(df: pd.DataFrame, rng: np.random.Generator, *, train: bool) -> pd.DataFrame:
    df = df.copy()
    n = len(df)
    odd = rng.random(n)
    df["neighbourhood"] = np.select([odd < 0.05, odd < 0.08, odd < 0.10],
                                    [df["neighbourhood"].str.lower(), df["neighbourhood"] + " ",
                                     df["neighbourhood"].str.upper()], df["neighbourhood"])
    df.loc[rng.random(n) < 0.08, "lot_area_sqft"] = np.nan
    df.loc[rng.random(n) < 0.04, "garage_spaces"] = np.nan
    if train:  # from the listing system, on the true area
        df["price_per_sqft"] = (df["sale_price"] / df["living_area_sqft"]).round(2)
    metric = rng.random(n) < 0.01
    df.loc[metric, "living_area_sqft"] = (df.loc[metric, "living_area_sqft"] * 0.0929).round()
    if train:
        big = df.index[(df["living_area_sqft"] > 2500)][:4]
        df.loc[big, "living_area_sqft"] = df.loc[big, "living_area_sqft"] * 2.2
        df.loc[big, "sale_condition"] = "Partial"
    else:
        df["price_per_sqft"] = np.nan  # the price is what we are predicting
    return df


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test and the hidden labels: the practice data, or a course's (``secret``) for ``learner``."""
    p = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    n_train, n_test = (N_TRAIN, N_TEST) if secret is None else (N_TRAIN_SECRET, N_TEST_SECRET)
    houses = simulate(n_train + n_test, rng, p)
    if secret is None:
        ids = rng.permutation(np.arange(20001, 20001 + N_TRAIN + N_TEST))
    else:  # 9-digit ids of the learner's own: a peer's predictions match none of them
        ids = seeding.learner_ids(rng, n_train + n_test)
    houses.insert(0, "id", ids)
    train = make_messy(houses.iloc[:n_train].reset_index(drop=True), rng, train=True)
    test = make_messy(houses.iloc[n_train:].reset_index(drop=True), rng, train=False)

    dups = train.iloc[rng.choice(len(train), size=15, replace=False)]
    train = pd.concat([train, dups], ignore_index=True)
    train = train.iloc[rng.permutation(len(train))].reset_index(drop=True)
    train["sale_price"] = train.pop("sale_price")

    labels = pd.DataFrame({"id": test["id"], "sale_price": test.pop("sale_price")})
    labels["split"] = np.where(rng.random(len(labels)) < PUBLIC_FRACTION, "public", "private")

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
