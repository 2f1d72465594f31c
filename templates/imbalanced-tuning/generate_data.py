"""Generate the imbalanced-tuning template's data: card transactions, about 3% of them fraudulent.

    python templates/imbalanced-tuning/generate_data.py    # rewrites the files below (seeded, byte-identical)
    python templates/imbalanced-tuning/generate_data.py --out DIR --labels FILE --secret-file SECRET [--learner LOGIN]

Writes (this script is not copied into learner repos):

* ``{{cookiecutter.project_slug}}/data/raw/train.csv`` -- 15,000 labelled transactions (is_fraud)
* ``{{cookiecutter.project_slug}}/data/raw/test.csv``  -- 8,000 later transactions, no label (40,000 under a
  course secret)
* ``labels/imbalanced-tuning.csv`` (repo root) -- hidden is_fraud per test id, split public (30%) / private

Fraud depends on *relative* quantities -- the amount against the card's own 30-day average, the merchant
country against the card's country, bursts of transactions, a new device at night -- so raw columns in a
linear model find part of it and engineered ratios plus a boosted model find much more.
Messy on purpose: missing values, category spellings, amount outliers, and a leakage trap:
``chargeback_filed`` is only known weeks after the transaction (and is absent from test.csv).

With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file`` passes) the fraud model
is drawn from the secret: every category risk and logit coefficient, and the fraudsters' amount and
distance shifts, within ±15% of the practice value, with the intercept set so that the fraud rate stays the
practice rate; the transactions, their 9-digit ids and the public/private split come from the learner's own
stream (docs/templates.md). Two things keep every course's task as hard as the practice one (issue 19's
fairness goal, docs/performance.md): a drawn model is kept only if the baseline (a logistic regression with
balanced class weights on the raw columns) reaches the practice model's PR-AUC and F1 at the 0.5 cut-off on a
fixed reference sample (else the secret draws again), and a course has ``N_TEST_SECRET`` test transactions
(five times the practice 8,000, about 1,400 frauds), so the hidden scores of one learner's sample move less.
"""

from __future__ import annotations

import contextlib
import csv
import functools
from pathlib import Path

import numpy as np

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "imbalanced-tuning.csv"
SEED = 20261118
N_TRAIN, N_TEST = 15000, 8000
ID = "imbalanced-tuning"
JITTER = 0.15
# under a course secret: more transactions, so the noise of the learner's own sample (1/sqrt(n)) stays small
N_TRAIN_SECRET, N_TEST_SECRET = 15000, 40000
# a drawn fraud model is kept if the baseline's scores on the reference sample are within these of the practice ones
AP_TOLERANCE, F1_TOLERANCE, MAX_DRAWS, N_REFERENCE = 0.01, 0.01, 500, 40000

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


PRACTICE = {"intercept": -4.8, "foreign": 1.3, "night": 0.9, "new_device_online": 1.2, "burst": 0.35,
            "card_present": 0.6, "declines": 0.5, "account_age": 0.25, "amount_shift": 1.6, "distance_shift": 2.0,
            "risk": CAT_RISK}


@functools.lru_cache(maxsize=4)
def process(secret: bytes | None) -> dict:
    """The fraud model: the practice constants, or drawn from the course secret (shared by every learner).

    A drawn model is kept only if the baseline scores on it what it scores on the practice model
    (:func:`difficulty`, within ``AP_TOLERANCE`` and ``F1_TOLERANCE``); else the course's stream draws again.
    """
    if secret is None:
        return PRACTICE
    with _one_thread():  # small matrices: on a busy machine BLAS threads only wait for one another
        return _matched(secret)


def _one_thread() -> contextlib.AbstractContextManager:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # it comes with scikit-learn; without it the draws are the same, only slower
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _matched(secret: bytes) -> dict:
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    target, (ap, f1) = _practice_rate(), _practice_difficulty()
    # the intercept keeps the practice fraud rate, on a large reference sample of the same process
    ref = seeding.rng(secret, ID, "process-reference", practice=SEED)
    ref_features = _features(ref, 50000)
    ref_noise = ref.normal(0, 0.9, 50000)  # what _logit draws next from ``ref``
    for _ in range(MAX_DRAWS):
        p: dict = {k: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for k, v in PRACTICE.items() if k != "risk"}
        p["risk"] = {c: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for c, v in CAT_RISK.items()}
        offset = _logit(ref_features, {**p, "intercept": 0.0}, noise=ref_noise)
        lo, hi = -9.0, 0.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _sigmoid(offset + mid).mean() < target else (lo, mid)
        p["intercept"] = (lo + hi) / 2
        got_ap, got_f1 = difficulty(p)
        if abs(got_ap - ap) <= AP_TOLERANCE and abs(got_f1 - f1) <= F1_TOLERANCE:
            return p
    raise RuntimeError(f"{ID}: no fraud model within the difficulty tolerance in {MAX_DRAWS} draws")


def difficulty(p: dict) -> tuple[float, float]:
    """The baseline's (PR-AUC, F1 at 0.5) under the fraud model ``p``, on a fixed sample of clean transactions.

    The template's baseline: a logistic regression with balanced class weights (and sklearn's L2 of C = 1) on
    the raw numeric columns, standardised, and one-hot merchant category and channel, fitted by Newton's method
    on half of ``N_REFERENCE`` transactions and scored on the other half (the same transactions and the same
    random outcomes for every model ``p``).
    """
    ref = np.random.default_rng(SEED)
    f = simulate(ref, N_REFERENCE, p)
    numeric = [f[c].astype(float) for c in ("hour", "dow", "amount", "age", "account_age", "count24", "avg30",
                                            "distance", "new_device", "card_present", "declines")]
    X = np.column_stack([np.ones(N_REFERENCE), *((c - c.mean()) / c.std() for c in numeric),
                         *((f["cat"] == c).astype(float) for c in CATEGORIES),
                         *((f["channel"] == c).astype(float) for c in CHANNELS)])
    y = f["fraud"].astype(float)
    half = N_REFERENCE // 2
    fit, truth = y[:half], y[half:]
    weight = np.where(fit == 1, half / (2 * fit.sum()), half / (2 * (half - fit.sum())))  # class_weight="balanced"
    ridge = np.eye(X.shape[1])
    ridge[0, 0] = 0.0  # the intercept is not penalised
    w = np.zeros(X.shape[1]) if p is PRACTICE else _practice_weights().copy()  # a warm start: few steps
    Xf = X[:half]
    for _ in range(50):
        q = _sigmoid(Xf @ w)
        step = np.linalg.solve(Xf.T @ (Xf * (weight * q * (1 - q))[:, None]) + ridge,
                               Xf.T @ (weight * (fit - q)) - ridge @ w)
        w += step
        if np.abs(step).max() < 1e-7:
            break
    if p is PRACTICE:
        _PRACTICE_WEIGHTS.append(w)
    score = X[half:] @ w
    ranked = truth[np.argsort(-score, kind="stable")]
    hits = np.cumsum(ranked)
    ap = float((hits[ranked == 1] / (np.flatnonzero(ranked == 1) + 1)).sum() / ranked.sum())  # average precision
    flagged = score >= 0.0  # probability >= 0.5
    f1 = 2 * float((flagged & (truth == 1)).sum()) / float(flagged.sum() + truth.sum())
    return ap, f1


@functools.cache
def _practice_rate() -> float:
    """The practice model's fraud rate, on a large reference sample."""
    practice_ref = np.random.default_rng(SEED)
    return float(_sigmoid(_logit(_features(practice_ref, 50000), PRACTICE, practice_ref)).mean())


@functools.cache
def _practice_difficulty() -> tuple[float, float]:
    return difficulty(PRACTICE)


_PRACTICE_WEIGHTS: list[np.ndarray] = []


def _practice_weights() -> np.ndarray:
    """The baseline's coefficients under the practice model (where every drawn model's fit starts)."""
    if not _PRACTICE_WEIGHTS:
        difficulty(PRACTICE)
    return _PRACTICE_WEIGHTS[-1]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


_CAT_SORTED = np.array(sorted(CATEGORIES))


def _features(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
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
    return {"hour": hour, "dow": dow, "cat": cat, "channel": channel, "card_country": card_country,
            "foreign": foreign, "merchant_country": merchant_country, "age": age, "account_age": account_age,
            "avg30": avg30, "ratio": ratio, "count24": count24, "distance": distance, "new_device": new_device,
            "card_present": card_present, "declines": declines}


def _logit(f: dict[str, np.ndarray], p: dict, rng: np.random.Generator | None = None, base_rate_shift: float = 0.0,
           noise: np.ndarray | None = None) -> np.ndarray:
    """The latent fraud propensity: relative and combined signals, plus noise no feature explains (drawn
    from ``rng``, or ``noise`` as drawn before)."""
    night = (f["hour"] < 6).astype(float)
    new_device, card_present = f["new_device"], f["card_present"]
    risk = np.array([p["risk"][c] for c in _CAT_SORTED])[np.searchsorted(_CAT_SORTED, f["cat"])]
    return (p["intercept"] + base_rate_shift + risk + p["foreign"] * f["foreign"]
            + p["night"] * night + p["new_device_online"] * new_device * (1 - card_present)
            + p["burst"] * np.minimum(f["count24"], 10) - p["card_present"] * card_present
            + p["declines"] * np.minimum(f["declines"], 4) - p["account_age"] * (np.log(f["account_age"]) - 6.5)
            + (rng.normal(0, 0.9, len(night)) if noise is None else noise))


def simulate(rng: np.random.Generator, n: int, p: dict = PRACTICE, base_rate_shift: float = 0.0,
             ) -> dict[str, np.ndarray]:
    """``n`` clean transactions of the fraud model ``p`` as columns (``fraud`` the outcome), before the mess."""
    f = _features(rng, n)
    ratio, count24, distance, avg30 = f["ratio"], f["count24"], f["distance"], f["avg30"]
    logit = _logit(f, p, rng, base_rate_shift)
    p0 = 1 / (1 + np.exp(-logit))
    fraud = rng.random(n) < p0
    # fraudsters spend far above the card's habit, far from home, in bursts
    ratio = np.where(fraud, ratio * np.exp(rng.normal(p["amount_shift"], 0.7, n)), ratio)
    distance = np.where(fraud & (rng.random(n) < 0.6),
                        np.round(distance * np.exp(rng.normal(p["distance_shift"], 0.8, n)), 1),
                        distance)
    count24 = np.where(fraud & (rng.random(n) < 0.5), count24 + rng.poisson(4, n), count24)
    amount = np.round(avg30 * ratio, 2)
    whale = rng.random(n) < 0.004  # legitimate huge purchases (a car deposit, a wedding)
    amount = np.where(whale & ~fraud, np.round(amount * rng.uniform(20, 80, n), 2), amount)
    chargeback = np.where(fraud, rng.random(n) < 0.85, rng.random(n) < 0.004).astype(int)
    return {**f, "ratio": ratio, "distance": distance, "count24": count24, "amount": amount, "fraud": fraud,
            "chargeback": chargeback}


def _rows(rng: np.random.Generator, ids: np.ndarray, base_rate_shift: float, p: dict = PRACTICE,
          ) -> tuple[list[dict], np.ndarray]:
    f = simulate(rng, len(ids), p, base_rate_shift)
    values = [ids, f["hour"], f["dow"], f["amount"], f["cat"], f["channel"], f["card_country"],  # as COLUMNS
              f["merchant_country"], f["age"].astype(int), f["account_age"], f["count24"], f["avg30"], f["distance"],
              f["new_device"], f["card_present"], f["declines"], f["chargeback"], f["fraud"].astype(int)]
    random, choice = rng.random, rng.choice
    rows = []
    for cells in zip(*(v.tolist() for v in values), strict=True):  # Python ints, floats and strs
        row = dict(zip(COLUMNS, cells, strict=True))
        if random() < 0.03:
            row["merchant_category"] = choice([row["merchant_category"].upper(), " " + row["merchant_category"],
                                               row["merchant_category"].replace("_", " ")])
        for key, rate in (("customer_age", 0.05), ("distance_from_home_km", 0.08), ("amount_avg_30d", 0.02),
                          ("merchant_country", 0.01)):
            if random() < rate:
                row[key] = ""
        rows.append(row)
    fraud = f["fraud"]
    return rows, fraud


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([f"{v:.10g}" if isinstance(v, float) else v for v in map(row.__getitem__, columns)]
                         for row in rows)


def generate(raw: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test and the hidden labels: the practice data, or a course's (``secret``) for ``learner``."""
    p = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    n_train, n_test = (N_TRAIN, N_TEST) if secret is None else (N_TRAIN_SECRET, N_TEST_SECRET)
    if secret is None:
        train_ids, test_ids = np.arange(1, 1 + N_TRAIN), np.arange(500001, 500001 + N_TEST)
    else:  # 9-digit ids of the learner's own (ascending, as the export lists them): a peer's match none
        ids = seeding.learner_ids(rng, n_train + n_test)
        train_ids, test_ids = np.sort(ids[:n_train]), np.sort(ids[n_train:])
    train, _ = _rows(rng, train_ids, 0.0, p)
    test, fraud = _rows(rng, test_ids, 0.0, p)
    _write(raw / "train.csv", train, COLUMNS)
    _write(raw / "test.csv", test, [c for c in COLUMNS if c not in ("chargeback_filed", "is_fraud")])
    public = rng.random(n_test) < 0.3
    _write(labels, [{"id": r["id"], "is_fraud": int(f), "split": "public" if p else "private"}
                    for r, f, p in zip(test, fraud, public, strict=True)], ["id", "is_fraud", "split"])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
