"""Generate the unsupervised template's data: marketplace customer accounts, a few of them abusive.

    python templates/unsupervised/generate_data.py      # rewrites the files below (seeded, byte-identical)
    python templates/unsupervised/generate_data.py --out DIR --labels FILE --secret-file SECRET [--learner LOGIN]

Writes (the learner never sees the labels; this script is not copied into learner repos):

* ``{{cookiecutter.project_slug}}/data/raw/train.csv``  -- 6,000 accounts, unlabelled
* ``{{cookiecutter.project_slug}}/data/raw/test.csv``   -- 3,000 newer accounts to score for anomalies
* ``{{cookiecutter.project_slug}}/data/raw/audit_sample.csv`` -- 800 train accounts the trust & safety
  team reviewed by hand (id, is_anomaly): the learner's only labels, for validation
* ``labels/unsupervised.csv`` (repo root) -- hidden is_anomaly per test id, split public (30%) / private

How the data is made: five customer segments (bargain hunters, regulars, premium, dormant, business
buyers) in a log space, with heavy-tailed money columns and a few legitimate "whales"; about 4% of the
accounts are abusive, of three kinds (card-testing bots, refund abusers, taken-over accounts). The
abusive ones are unusual in *combinations and ratios* (spend per order, sessions per order, night share),
not in any single raw column, so an isolation forest on raw, skewed columns mostly finds the whales.
Messy on purpose: missing values, a -1 sentinel, inconsistent country spelling, and a post-event column
(``account_status``: set after an investigation, so it is only filled in for train) -- the leakage trap.

With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file`` passes) the process is
drawn from the secret: each segment's centre moves by up to ±0.15 in the log/logit space (its ticket rate
by ±15%), each planted abuse shift is scaled within ±15% (same direction, same rate), and the accounts,
their 9-digit ids, the audit sample and the public/private split come from the learner's own stream
(docs/templates.md). Two things keep every course's task as hard as the practice one (issue 19's fairness
goal, docs/performance.md): a drawn process is kept only if the baseline (an isolation forest on the raw
numeric columns), fitted on a fixed reference sample of it, ranks the abusive accounts as well as under the
practice process (PR-AUC within ``PR_AUC_TOLERANCE``; else the course's stream draws again, which needs
scikit-learn where the mentor renders), and a course has ``N_TRAIN_SECRET`` training, ``N_TEST_SECRET`` test
and ``N_AUDIT_SECRET`` audited accounts (1.5, 5 and 3.75 times the practice sets), so about 180 public, 420
private and 110 audited abusive accounts instead of 36, 84 and 30.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import numpy as np

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "unsupervised.csv"
SEED = 20261115
N_TRAIN, N_TEST, N_AUDIT = 6000, 3000, 800
# under a course secret: more hidden and audited accounts, so the noise of one learner's sample (1/sqrt(n)) moves
# the grade less (the practice files above stay as they are)
N_TRAIN_SECRET, N_TEST_SECRET, N_AUDIT_SECRET = 9000, 15000, 3000
ANOMALY_RATE = 0.04
ID = "unsupervised"
CENTRE_SHIFT, JITTER = 0.15, 0.15

COUNTRIES = ["DE", "FR", "GB", "ES", "IT", "NL", "PL"]
MESSY = {"DE": ["de", "Germany", " DE"], "FR": ["fr", "France"], "GB": ["UK", "gb", "United Kingdom"],
         "ES": ["es", "Spain"], "IT": ["it", "Italy"], "NL": ["nl", "Netherlands"], "PL": ["pl", "Poland"]}
CHANNELS = ["web", "app", "marketplace"]
DEVICES = ["desktop", "mobile", "tablet"]
PAYMENTS = ["card", "paypal", "invoice", "gift_card", "bnpl"]

# per segment: weight, then means of log orders, log basket value, log items/order, log sessions/month,
# logit return rate, logit discount share, logit night share, log days since last order, log account age,
# support tickets (Poisson mean); then channel, device and payment probabilities
SEGMENTS = [
    (0.30, [1.5, 3.0, 0.7, 1.8, -2.5, 0.8, -1.6, 3.5, 6.2, 0.6], [.5, .4, .1], [.4, .5, .1], [.3, .3, 0, .05, .35]),
    (0.25, [2.6, 3.7, 1.0, 2.3, -2.2, -0.8, -1.4, 2.8, 6.6, 0.8], [.4, .5, .1], [.4, .5, .1], [.5, .3, .05, .05, .1]),
    (0.18, [3.2, 4.8, 0.9, 2.5, -1.2, -1.5, -1.2, 2.3, 6.8, 1.5], [.3, .6, .1], [.3, .4, .3], [.6, .3, .05, 0, .05]),
    (0.15, [0.5, 3.5, 0.8, 0.6, -2.8, -0.3, -1.5, 5.3, 7.0, 0.2], [.6, .2, .2], [.6, .3, .1], [.5, .3, .1, .05, .05]),
    (0.12, [3.8, 5.5, 2.3, 1.9, -3.0, -1.0, -2.5, 2.0, 6.5, 2.0], [.8, .1, .1], [.9, .05, .05], [.2, .05, .75, 0, 0]),
]
# abusive kinds: a normal customer of any segment, shifted in the same log/logit space (so abuse hides
# inside every segment instead of forming its own cluster); then channel, device, payment probabilities
ANOMALIES = [  # card-testing bots: far more sessions per order, tiny baskets, at night, young accounts
    (0.40, [0.3, -1.6, -0.5, 2.2, -0.5, -0.5, 2.4, -1.2, -2.6, -0.5], [.7, .2, .1], [.8, .2, 0], [.6, 0, 0, .4, 0]),
    # refund abusers: ordinary volumes, but returns, discounts and tickets high
    (0.35, [0.0, 0.2, 0.2, 0.2, 2.3, 2.0, 0.0, 0.0, -0.4, 2.5], [.3, .6, .1], [.3, .6, .1], [.3, .3, 0, .1, .3]),
    # taken-over accounts: few but huge recent orders of one item, new payment method, night-time
    (0.25, [-0.8, 1.8, -0.6, -0.2, -0.3, -1.5, 1.2, -1.5, 0.3, 0.5], [.6, .3, .1], [.5, .4, .1], [.2, .1, 0, .5, .2]),
]
NOISE = np.array([0.45, 0.35, 0.25, 0.4, 0.5, 0.6, 0.5, 0.6, 0.35, 0.0])

COLUMNS = ["id", "country", "channel", "device", "payment_method", "orders_12m", "spend_12m",
           "avg_items_per_order", "sessions_per_month", "return_rate", "discount_share", "night_share",
           "days_since_last_order", "account_age_days", "support_tickets_12m", "account_status"]


# a drawn process is kept only if the baseline -- an isolation forest on the raw numeric columns, standard-scaled --
# fitted on a fixed reference sample of it ranks the abusive accounts (PR-AUC) within this of what it does under the
# practice process, else the course's stream draws again
REFERENCE_TRAIN, REFERENCE_TEST, REFERENCE_TREES = 3000, 8000, 100
PRACTICE_PR_AUC = 0.2655  # difficulty() of the practice process (a test recomputes it)
PR_AUC_TOLERANCE, MAX_DRAWS = 0.012, 300


@functools.lru_cache(maxsize=16)
def process(secret: bytes | None) -> tuple[list, list]:
    """(segments, anomalies): the practice constants, or drawn from the course secret (every learner's)."""
    if secret is None:
        return SEGMENTS, ANOMALIES
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    for _ in range(MAX_DRAWS):
        model = _draw_process(draw)
        if abs(difficulty(model) - PRACTICE_PR_AUC) <= PR_AUC_TOLERANCE:
            return model
    raise RuntimeError(f"{ID}: no process within the difficulty tolerance in {MAX_DRAWS} draws")


def _draw_process(draw: np.random.Generator) -> tuple[list, list]:
    segments = []
    for weight, mean, *probs in SEGMENTS:
        moved = [m + float(draw.uniform(-CENTRE_SHIFT, CENTRE_SHIFT)) for m in mean[:9]]
        segments.append((weight, [*moved, mean[9] * float(draw.uniform(1 - JITTER, 1 + JITTER))], *probs))
    anomalies = [(weight, [v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for v in shift], *probs)
                 for weight, shift, *probs in ANOMALIES]
    return segments, anomalies


def difficulty(model: tuple[list, list]) -> float:
    """The baseline's PR-AUC under the process ``model``, on a fixed reference sample (the same accounts and the
    same random draws for every process): an isolation forest of ``REFERENCE_TREES`` trees on the ten numeric
    columns and ``never_ordered`` (the never-ordered sentinel as the training median, standard-scaled), fitted on
    ``REFERENCE_TRAIN`` accounts and scored on ``REFERENCE_TEST`` others."""
    from sklearn.ensemble import IsolationForest  # only under a course secret: the template's own detector

    ref = np.random.default_rng(SEED)
    x_train, _ = _baseline_matrix(*_columns(ref, REFERENCE_TRAIN, model))
    x_test, truth = _baseline_matrix(*_columns(ref, REFERENCE_TEST, model))
    median = np.nanmedian(x_train, axis=0)
    x_train, x_test = (np.where(np.isnan(x), median, x) for x in (x_train, x_test))
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    forest = IsolationForest(n_estimators=REFERENCE_TREES, random_state=SEED, n_jobs=1)
    score = -forest.fit((x_train - mean) / std).score_samples((x_test - mean) / std)
    hits = truth[np.argsort(-score, kind="stable")]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].sum() / hits.sum())


def _baseline_matrix(cols: dict[str, np.ndarray], is_anomaly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.column_stack([cols[c].astype(float) for c in COLUMNS[5:15]] + [(cols["orders_12m"] == 0).astype(float)])
    x[:, COLUMNS[5:15].index("days_since_last_order")] = np.where(cols["days_since_last_order"] < 0, np.nan,
                                                                  cols["days_since_last_order"])
    return x, is_anomaly


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _draw(rng: np.random.Generator, spec: tuple, n: int, shift: tuple | None = None) -> dict[str, np.ndarray]:
    _, mean, channel, device, payment = spec
    mean = np.asarray(mean, dtype=float)
    if shift is not None:
        mean = mean + np.asarray(shift[1], dtype=float)
        channel, device, payment = shift[2:]
    z = mean[:9] + rng.normal(size=(n, 9)) * NOISE[:9]
    shared = rng.normal(size=n) * 0.25  # engaged customers order, browse and spend more together
    z[:, 0] += shared
    z[:, 3] += shared
    orders = np.maximum(0, np.round(np.exp(z[:, 0]) - 0.5)).astype(int)
    basket = np.exp(z[:, 1])
    out = {
        "orders_12m": orders,
        "spend_12m": np.round(orders * basket * np.exp(rng.normal(size=n) * 0.1), 2),
        "avg_items_per_order": np.round(np.exp(z[:, 2]), 2),
        "sessions_per_month": np.round(np.exp(z[:, 3]), 1),
        "return_rate": np.round(_sigmoid(z[:, 4]), 3),
        "discount_share": np.round(_sigmoid(z[:, 5]), 3),
        "night_share": np.round(_sigmoid(z[:, 6]), 3),
        "days_since_last_order": np.round(np.exp(z[:, 7])).astype(int),
        "account_age_days": np.round(np.exp(z[:, 8])).astype(int),
        "support_tickets_12m": rng.poisson(max(mean[9], 0.1), size=n),
        "channel": rng.choice(CHANNELS, size=n, p=np.asarray(channel) / sum(channel)),
        "device": rng.choice(DEVICES, size=n, p=np.asarray(device) / sum(device)),
        "payment_method": rng.choice(PAYMENTS, size=n, p=np.asarray(payment) / sum(payment)),
        "country": rng.choice(COUNTRIES, size=n, p=[.3, .18, .17, .12, .1, .08, .05]),
    }
    out["days_since_last_order"] = np.minimum(out["days_since_last_order"], out["account_age_days"])
    out["avg_items_per_order"] = np.where(orders == 0, 0.0, out["avg_items_per_order"])
    out["days_since_last_order"] = np.where(orders == 0, -1, out["days_since_last_order"])  # sentinel: never
    return out


def _columns(rng: np.random.Generator, n: int, model: tuple[list, list]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``n`` accounts' columns (before the mess) and whether each is abusive."""
    segments, anomalies = model
    is_anomaly = rng.random(n) < ANOMALY_RATE
    kinds = np.where(is_anomaly, rng.choice(len(anomalies), size=n, p=[a[0] for a in anomalies]), -1)
    segment = rng.choice(len(segments), size=n, p=[s[0] for s in segments])
    cols: dict[str, np.ndarray] = {}
    parts = [(s, None, (kinds == -1) & (segment == s)) for s in range(len(segments))]
    parts += [(s, anomalies[k], (kinds == k) & (segment == s)) for k in range(len(anomalies))
              for s in range(len(segments))]
    for s, shift, mask in parts:
        drawn = _draw(rng, segments[s], int(mask.sum()), shift)
        for key, values in drawn.items():
            if key not in cols:
                cols[key] = np.empty(n, dtype=values.dtype if values.dtype.kind != "U" else object)
            cols[key][mask] = values
    # legitimate whales: heavy tails that are *not* abuse
    whales = (~is_anomaly) & (rng.random(n) < 0.04)
    cols["spend_12m"] = np.where(whales, np.round(cols["spend_12m"] * rng.uniform(6, 30, n), 2), cols["spend_12m"])
    cols["orders_12m"] = np.where(whales, cols["orders_12m"] * rng.integers(2, 6, n), cols["orders_12m"])
    power = (~is_anomaly) & (rng.random(n) < 0.03)  # power browsers: many sessions, not abuse
    cols["sessions_per_month"] = np.where(power, np.round(cols["sessions_per_month"] * rng.uniform(4, 12, n), 1),
                                          cols["sessions_per_month"])
    return cols, is_anomaly


def _accounts(rng: np.random.Generator, ids: np.ndarray, test: bool, model: tuple[list, list] = (SEGMENTS, ANOMALIES),
              ) -> tuple[list[dict], np.ndarray]:
    n = len(ids)
    cols, is_anomaly = _columns(rng, n, model)
    status = np.full(n, "active", dtype=object)
    if not test:  # post-event: decided after an investigation, so only known for older (train) accounts
        status[is_anomaly & (rng.random(n) < 0.6)] = "closed_fraud"
        status[(~is_anomaly) & (rng.random(n) < 0.02)] = "closed_by_customer"
    rows = []
    values = [(key, cols[key].tolist()) for key in COLUMNS[1:-1]]  # Python scalars, as .item() gives them
    for i in range(n):
        row = {"id": int(ids[i]), "account_status": status[i]}
        for key, column in values:
            row[key] = column[i]
        if rng.random() < 0.04:
            row["country"] = rng.choice(MESSY[row["country"]])
        for key, rate in (("country", 0.02), ("sessions_per_month", 0.05), ("night_share", 0.04),
                          ("account_age_days", 0.03), ("device", 0.02)):
            if rng.random() < rate:
                row[key] = ""
        rows.append(row)
    return rows, is_anomaly


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{row[k]:.10g}" if isinstance(row[k], float) else row[k]) for k in columns})


def generate(raw: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test/audit and the hidden labels: the practice data, or a course's for ``learner``."""
    model = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    n_train, n_test, n_audit = (N_TRAIN, N_TEST, N_AUDIT) if secret is None else (N_TRAIN_SECRET, N_TEST_SECRET,
                                                                                  N_AUDIT_SECRET)
    if secret is None:
        train_ids, test_ids = np.arange(100001, 100001 + n_train), np.arange(900001, 900001 + n_test)
    else:  # 9-digit ids of the learner's own (ascending, as the export lists them): a peer's match none
        ids = seeding.learner_ids(rng, n_train + n_test)
        train_ids, test_ids = np.sort(ids[:n_train]), np.sort(ids[n_train:])
    train, train_y = _accounts(rng, train_ids, False, model)
    test, test_y = _accounts(rng, test_ids, True, model)
    _write(raw / "train.csv", train, COLUMNS)
    _write(raw / "test.csv", test, COLUMNS[:-1])  # account_status is not known yet for new accounts
    audit = np.sort(rng.choice(n_train, size=n_audit, replace=False))
    _write(raw / "audit_sample.csv", [{"id": train[i]["id"], "is_anomaly": int(train_y[i])} for i in audit],
           ["id", "is_anomaly"])
    public = rng.random(n_test) < 0.3
    _write(labels, [{"id": test[i]["id"], "is_anomaly": int(test_y[i]), "split": "public" if public[i] else "private"}
                    for i in range(n_test)], ["id", "is_anomaly", "split"])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
