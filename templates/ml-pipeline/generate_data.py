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
from the learner's own stream (docs/templates.md). Three things keep every course's task as hard as the
practice one (issue 19's fairness goal, docs/performance.md): a course has ``N_TEST_SECRET`` test orders;
a drawn lateness model is kept only if the baseline (``reference``: the template's logistic regression,
the leaky ``refund_issued`` included) reaches the practice model's ROC-AUC and F1 at 0.5 on a fixed
reference sample (``difficulty``), else the secret draws again; and a learner's orders are kept only if
that baseline, fitted on their training orders, scores on their public and on their private test orders
within ``AUC_TOLERANCE`` / ``F1_TOLERANCE`` of ``LEARNER_TARGET``, else the learner's stream draws again.
"""

from __future__ import annotations

import csv
import functools
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

PUBLIC_FRACTION = 0.3
# under a course secret: 5,500 test orders (practice 2,000), so the public part holds ~1,650 (practice ~600) and the
# noise of the learner's own sample (1/sqrt(n)) stays small, while the course labels (~108 KB, ~43 KB packed) still
# fit the 48 KB environment secret of `cohort apply`; the training export is the practice size
N_TRAIN_MONTH, N_TEST_SECRET, N_NEW_BATCH = 700, 5500, 1200
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
# a course's lateness model is kept if the baseline (``difficulty``) scores under it within these of the practice one
PROCESS_AUC_TOLERANCE, PROCESS_F1_TOLERANCE, MAX_PROCESS_DRAWS = 0.005, 0.01, 500
# a learner's draw is kept if the baseline (``reference``), on each of its public and private parts, scores within
# these of LEARNER_TARGET, else the closest of MAX_LEARNER_DRAWS: about the mean of ``reference`` over draws of the
# practice model at the course's sizes (benchmarks/bench_ml_pipeline_draws.py: 100 draws, ROC-AUC 0.741 public and
# 0.738 private, SD 0.014 and 0.008; F1 0.120, SD 0.022 and 0.015), not the practice data's own lucky 0.756
AUC_TOLERANCE, F1_TOLERANCE, MAX_LEARNER_DRAWS = 0.015, 0.02, 100
LEARNER_TARGET = {"roc_auc": 0.737, "f1": 0.121}

COLUMNS = ["id", "order_date", "region", "carrier", "distance_km", "weight_kg", "items", "promised_days",
           "order_hour", "is_weekend", "express", "warehouse_load", "refund_issued"]
REGIONS = ["north", "south", "east", "west", "central"]
CARRIERS = ["ParcelCo", "RapidShip", "EcoPost"]


def process(secret: bytes | None) -> dict:
    """The lateness model: the practice constants, or drawn from the course secret (shared by every learner).

    A drawn model is kept only if the baseline scores under it, on ``difficulty``'s fixed sample, what it scores
    under the practice model (ROC-AUC and F1 at 0.5 within ``PROCESS_*_TOLERANCE``), else the secret draws again.
    """
    if secret is None:
        return PRACTICE
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    late_rate, practice = _practice_process()
    # the intercept keeps the practice late rate, on a large reference sample of the same process
    ref = seeding.rng(secret, ID, "process-reference", practice=SEED)
    sample = (_features(ref, np.arange(50000), "2026-01", False), ref.normal(0, 0.3, 50000), ref.random(50000))
    for _ in range(MAX_PROCESS_DRAWS):
        p = {k: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for k, v in PRACTICE.items()}
        offset = _lateness(sample[0], {**p, "intercept": 0.0}, *sample[1:])["late_logit"]
        lo, hi = -9.0, 3.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if (1 / (1 + np.exp(-(offset + mid)))).mean() < late_rate else (lo, mid)
        p["intercept"] = (lo + hi) / 2
        if _off(difficulty(p), practice, PROCESS_AUC_TOLERANCE, PROCESS_F1_TOLERANCE) <= 1.0:
            return p
    raise RuntimeError(f"{ID}: no lateness model within the difficulty tolerance in {MAX_PROCESS_DRAWS} draws")


def _orders(rng: np.random.Generator, ids: np.ndarray, month: str, drift: bool = False, p: dict = PRACTICE) -> dict:
    n = len(ids)
    return _lateness(_features(rng, ids, month, drift), p, rng.normal(0, 0.3, n), rng.random(n))


def _features(rng: np.random.Generator, ids: np.ndarray, month: str, drift: bool) -> dict:
    n = len(ids)
    carriers = CARRIERS + ["SwiftGo"] if drift else CARRIERS
    p_carrier = [0.25, 0.2, 0.2, 0.35] if drift else [0.45, 0.3, 0.25]
    return {
        "id": ids,
        "order_date": np.array([f"{month}-{day:02d}" for day in range(29)])[rng.integers(1, 29, n)],
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


def _lateness(features: dict, p: dict, noise: np.ndarray, uniform: np.ndarray) -> dict:
    """The orders with their lateness under the model ``p`` (``noise``: the logit's, ``uniform``: the draw's)."""
    d = dict(features)
    km_per_day = d["distance_km"] / d["promised_days"]
    logit = (p["intercept"] + p["pace"] * np.log1p(km_per_day / 120) + p["load"] * (d["warehouse_load"] - 0.5) ** 2
             + p["ecopost"] * (d["carrier"] == "EcoPost") - p["rapidship"] * (d["carrier"] == "RapidShip")
             + p["swiftgo"] * (d["carrier"] == "SwiftGo") - p["express"] * d["express"] + p["weekend"] * d["is_weekend"]
             + p["evening_next_day"] * (d["order_hour"] >= 18) * (d["promised_days"] == 1)
             + p["weight"] * d["weight_kg"] + noise)
    d["late_logit"], d["late_p"] = logit, 1 / (1 + np.exp(-logit))
    d["late"] = (uniform < d["late_p"]).astype(int)
    return d


def _refund(rng: np.random.Generator, late: np.ndarray, leak: bool) -> np.ndarray:
    """``refund_issued``: set after a late delivery in the historical export (``leak``), at random elsewhere."""
    return _refund_from(rng.random(len(late)), late, leak)


def _refund_from(uniform: np.ndarray, late: np.ndarray, leak: bool) -> np.ndarray:
    return uniform < (np.where(late == 1, 0.85, 0.03) if leak else 0.05)


def _mess(rng: np.random.Generator, d: dict, refund: np.ndarray) -> list[dict]:
    c = {k: (v.tolist() if isinstance(v, np.ndarray) else list(v)) for k, v in d.items()}  # Python scalars: faster
    refund = refund.tolist()
    rows = []
    for i in range(len(c["id"])):
        region = c["region"][i]
        r = rng.random()
        if r < 0.04:
            region = region.upper()
        elif r < 0.07:
            region = f" {region.title()} "
        weight = "" if rng.random() < 0.06 else f"{c['weight_kg'][i]:.2f}"
        distance = f"{c['distance_km'][i]:.1f}"
        if rng.random() < 0.005:
            distance = "-1"  # the export's "unknown" marker
        elif rng.random() < 0.004:
            distance = f"{c['distance_km'][i] * 1000:.1f}"  # metres typed as kilometres
        carrier = "" if rng.random() < 0.02 else c["carrier"][i]
        rows.append({
            "id": c["id"][i], "order_date": c["order_date"][i], "region": region, "carrier": carrier,
            "distance_km": distance, "weight_kg": weight, "items": c["items"][i],
            "promised_days": c["promised_days"][i], "order_hour": c["order_hour"][i],
            "is_weekend": c["is_weekend"][i], "express": "yes" if c["express"][i] else "no",
            "warehouse_load": f"{c['warehouse_load'][i]:.3f}", "refund_issued": int(refund[i]),
            "late": c["late"][i],
        })
    return rows


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[r[c] for c in columns] for r in rows])


def reference(train: list[dict], test: dict, parts: dict[str, np.ndarray]) -> dict[str, float]:
    """The baseline's scores on a draw: ``<part>.roc_auc`` and ``<part>.f1`` (F1 at the 0.5 cut-off) per part.

    The template's baseline in a few lines of numpy: the eleven columns of ``params.yaml`` (``refund_issued``,
    the leak, included), the numeric ones standardised and the region and carrier one-hot, a logistic
    regression with scikit-learn's default penalty (C = 1) fitted by Newton's method on the training orders
    (``train``: the six months' orders with their refund flags, before the export's mess) and scored on each
    part (a mask of ``test``'s orders) of the test orders.
    """
    def design(d: dict) -> np.ndarray:
        numeric = [d["distance_km"], d["weight_kg"], d["items"], d["promised_days"], d["order_hour"],
                   d["is_weekend"], d["express"], d["warehouse_load"], d["refund"]]
        onehot = [d["region"] == r for r in REGIONS] + [d["carrier"] == c for c in CARRIERS]
        return np.column_stack([np.asarray(c, dtype=float) for c in numeric + onehot])

    x = design({k: np.concatenate([d[k] for d in train]) for k in train[0]})
    y = np.concatenate([d["late"] for d in train]).astype(float)
    mean, std = x[:, :9].mean(axis=0), x[:, :9].std(axis=0)
    x[:, :9] = (x[:, :9] - mean) / std
    x = np.column_stack([np.ones(len(x)), x])
    penalty = np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the intercept is not penalised
    w = np.zeros(x.shape[1])
    for _ in range(8):  # Newton's method: converged to 1e-6 in 6
        q = 1 / (1 + np.exp(-(x @ w)))
        # einsum, not a BLAS matrix product: BLAS threads stall on a busy machine (30x slower at a load of 10)
        hessian = np.einsum("ni,nj->ij", x, x * (q * (1 - q))[:, None]) + penalty
        w += np.linalg.solve(hessian, np.einsum("ni,n->i", x, y - q) - penalty @ w)
    t = design(test)
    t[:, :9] = (t[:, :9] - mean) / std
    score = np.column_stack([np.ones(len(t)), t]) @ w
    out = {}
    for split, part in parts.items():
        s, truth = score[part], test["late"][part]
        ranks = np.argsort(np.argsort(s)) + 1.0
        positives = float(truth.sum())
        out[f"{split}.roc_auc"] = float((ranks[truth == 1].sum() - positives * (positives + 1) / 2)
                                        / (positives * (len(truth) - positives)))
        flagged = s >= 0.0  # probability >= 0.5
        out[f"{split}.f1"] = 2 * float((flagged & (truth == 1)).sum()) / float(flagged.sum() + positives)
    return out


def _off(scores: dict[str, float], target: dict[str, float], auc_tolerance: float, f1_tolerance: float) -> float:
    """How far ``scores`` are from ``target``, in tolerances (<= 1: within every tolerance)."""
    return max(abs(scores[k] - target[k]) / (auc_tolerance if k.endswith("auc") else f1_tolerance) for k in target)


def _split(public: np.ndarray) -> dict[str, np.ndarray]:
    return {"public": public, "private": ~public}


def _draw(rng: np.random.Generator, p: dict, ids: list[np.ndarray]) -> tuple[list[dict], dict]:
    """The six months' training orders and the test orders (``ids``: one array per month, then the test's), before
    the mess, with their refund flags."""
    train = []
    for k, month in enumerate(MONTHS):
        d = _orders(rng, ids[k], month, p=p)
        train.append({**d, "refund": _refund(rng, d["late"], leak=True)})
    d = _orders(rng, ids[6], "2026-07", p=p)
    return train, {**d, "refund": _refund(rng, d["late"], leak=False)}


def difficulty(p: dict) -> dict[str, float]:
    """The baseline's ROC-AUC and F1 at 0.5 (``reference``) under the lateness model ``p``, on a fixed sample.

    The same 4,200 training and 20,000 test orders (the same random draws) for every model ``p``.
    """
    train = []
    for features, noise, uniform, refund in _reference_sample():
        d = _lateness(features, p, noise, uniform)
        train.append({**d, "refund": _refund_from(refund, d["late"], leak=len(train) < 6)})
    scores = reference(train[:6], train[6], {"all": np.ones(len(train[6]["id"]), dtype=bool)})
    return {"roc_auc": scores["all.roc_auc"], "f1": scores["all.f1"]}


@functools.cache
def _practice_process() -> tuple[float, dict[str, float]]:
    """The practice model's late rate (on 50,000 orders) and ``difficulty``."""
    late_rate = float(_orders(np.random.default_rng(SEED), np.arange(50000), "2026-01")["late_p"].mean())
    return late_rate, difficulty(PRACTICE)


@functools.cache
def _reference_sample() -> list[tuple]:
    rng, out = np.random.default_rng(SEED), []
    for n in [N_TRAIN_MONTH] * 6 + [20_000]:
        features = _features(rng, np.arange(n), "2026-01", False)
        out.append((features, rng.normal(0, 0.3, n), rng.random(n), rng.random(n)))
    return out


def _practice_draw() -> tuple[list[dict], list[dict], list[dict], np.ndarray, tuple]:
    """The practice data: (train, test, new_batch rows, the public split, the orders ``reference`` reads)."""
    p, rng = PRACTICE, np.random.default_rng(SEED)
    ids = [np.arange(100000 + k * 1000, 100700 + k * 1000) for k in range(6)]
    ids += [np.arange(200000, 202000), np.arange(300000, 301200)]
    train, orders = [], []
    for k, month in enumerate(MONTHS):
        d = _orders(rng, ids[k], month, p=p)
        orders.append({**d, "refund": _refund(rng, d["late"], leak=True)})
        train += _mess(rng, d, orders[-1]["refund"])
    train += [dict(r) for r in train[5:3000:97]]  # the export repeats some orders
    d = _orders(rng, ids[6], "2026-07", p=p)
    test_orders = {**d, "refund": _refund(rng, d["late"], leak=False)}
    test = _mess(rng, d, test_orders["refund"])
    d = _orders(rng, ids[7], "2026-08", drift=True, p=p)
    new_batch = _mess(rng, d, _refund(rng, d["late"], leak=False))
    order = rng.permutation(len(test))
    test = [test[i] for i in order]
    public = rng.random(len(test)) < PUBLIC_FRACTION
    in_order = np.empty_like(public)
    in_order[order] = public
    return train, test, new_batch, public, (orders, test_orders, in_order)


def practice_reference() -> dict[str, float]:
    """``reference`` on the practice data's public and private parts."""
    orders, test, public = _practice_draw()[4]
    return reference(orders, test, _split(public))


def _course(raw: Path, labels: Path, secret: bytes, learner: str | None) -> None:
    p = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    # 9-digit ids of the learner's own (ascending within an export): a peer's predictions match none
    drawn = seeding.learner_ids(rng, N_TRAIN_MONTH * 6 + N_TEST_SECRET + N_NEW_BATCH)
    ids = [np.sort(chunk) for chunk in np.split(drawn, np.cumsum([N_TRAIN_MONTH] * 6 + [N_TEST_SECRET]))]
    target = {f"{part}.{k}": v for part in ("public", "private") for k, v in LEARNER_TARGET.items()}
    best, gap = None, np.inf
    for _ in range(MAX_LEARNER_DRAWS):  # the learner's orders, until the baseline scores on them as on most
        train, test = _draw(rng, p, ids)
        public = rng.random(N_TEST_SECRET) < PUBLIC_FRACTION
        off = _off(reference(train, test, _split(public)), target, AUC_TOLERANCE, F1_TOLERANCE)
        if off < gap:
            best, gap = (train, test, public), off
        if off <= 1.0:
            break
    train, test, public = best
    rows = []
    for d in train:
        rows += _mess(rng, d, d["refund"])
    rows += [dict(r) for r in rows[5:3000:97]]  # the export repeats some orders
    test_rows = _mess(rng, test, test["refund"])
    d = _orders(rng, ids[7], "2026-08", drift=True, p=p)
    new_batch = _mess(rng, d, _refund(rng, d["late"], leak=False))
    order = rng.permutation(len(test_rows))
    _write_all(raw, labels, rows, [test_rows[i] for i in order], new_batch, public[order])


def _write_all(raw: Path, labels: Path, train: list[dict], test: list[dict], new_batch: list[dict],
               public: np.ndarray) -> None:
    _write(raw / "train.csv", train, COLUMNS + ["late"])
    _write(raw / "test.csv", test, COLUMNS)
    _write(raw / "new_batch.csv", new_batch, COLUMNS)
    _write(labels, [{"id": r["id"], "late": r["late"], "split": "public" if s else "private"}
                    for r, s in zip(test, public, strict=True)], ["id", "late", "split"])


def generate(raw: Path = RAW, labels: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test/new_batch and the hidden labels: the practice data, or a course's for ``learner``."""
    if secret is None:
        _write_all(raw, labels, *_practice_draw()[:4])
    else:
        _course(raw, labels, secret, learner)


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__, positional=True)


if __name__ == "__main__":
    main()
