"""Generate the tabular-classification data set, deterministically (run from anywhere; not shipped to learners).

    python templates/tabular-classification/generate_data.py [--out DIR] [--labels FILE]
                                                             [--secret-file FILE [--learner LOGIN]]

A telecom customer-churn table in the style of the Kaggle/IBM "Telco churn" drop, simulated so that the
hidden labels are known and nothing is downloaded. Churn follows a latent logit with the effects a
retention analyst would expect (month-to-month contracts, short tenure, fibre without tech support,
electronic-check payers, support tickets, a sharp jump after a month without logging in) plus noise,
about 26% positives. Messy on purpose:

* categoricals spelled several ways (``Month-to-month``, ``month to month``, ``M2M ``),
* ``total_charges`` is text with blanks for brand-new customers (as in the original Telco file),
* missing values (age, payment method, data usage for customers without internet),
* outliers and typos: ages of 0 or 999, monthly charges entered in cents or negative,
* a few exact duplicate rows,
* **a leakage trap**: ``exit_survey_score`` is filled in by the retention team *after* a customer asks to
  cancel. It is nearly perfect on the training data and empty for every test customer.

Writes ``data/raw/{train,test}.csv`` into the template and the hidden test labels to
``labels/tabular-classification.csv`` at the repository root (id, churned, split = public|private): the
public practice data. With a course secret (``--secret-file``, what ``roadmap-ci new --course-secret-file``
passes) the churn model's effects are drawn from the secret (each within ±15% of the practice value, the
inactivity jump's day within ±5 of 30, the twelve region effects shuffled, the intercept set so that the
churn rate stays the practice rate) and the customers, their 9-digit ids and the public/private split from
the learner's own stream (docs/templates.md). Two things keep every course's task as hard as the practice one
(issue 19's fairness goal, docs/performance.md): a drawn model is kept only if the baseline (a logistic
regression on tenure, monthly charges and support tickets) reaches the practice model's ROC-AUC and F1 at the
0.5 cut-off on a fixed reference sample (else the secret draws again), and a course has ``N_TRAIN_SECRET``
training and ``N_TEST_SECRET`` test customers (twice and four times the practice sets), so the scores of one
learner's sample move by about a point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roadmap_ci import seeding

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "tabular-classification.csv"
SEED = 1214
N_TRAIN, N_TEST = 6000, 2500
# under a course secret: more customers, so the noise of the learner's own sample (1/sqrt(n)) stays small
N_TRAIN_SECRET, N_TEST_SECRET = 12000, 10000
PUBLIC_FRACTION = 0.3
ID = "tabular-classification"

REGIONS = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "WA", "AZ"]
CONTRACT_SPELLINGS = {
    "Month-to-month": ["Month-to-month"] * 14 + ["month-to-month", "Month to month", "M2M ", " Month-to-Month"],
    "One year": ["One year"] * 16 + ["one year", "1 year", "One Year "],
    "Two year": ["Two year"] * 16 + ["two year", "2 years", "Two Year"],
}
PAYMENTS = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"]
# the churn logit's effects in the practice data; a course secret scales each by U(1 - JITTER, 1 + JITTER)
PRACTICE = {
    "intercept": -2.05, "month_to_month": 1.35, "two_year": -1.5, "log_tenure": 2.0, "new_customer": 1.0,
    "fiber": 0.55, "fiber_no_support": 0.75, "no_internet": 0.4, "electronic_check": 0.55, "monthly": 0.012,
    "tickets": 0.38, "inactive_jump": 2.0, "inactive_days": 30.0, "paperless": 0.3, "senior": 0.3,
    "partner": 0.2, "dependents": 0.3, "gb": 0.002,
}
JITTER = 0.15
# a drawn churn model is kept if the baseline's scores on the reference sample are within these of the practice ones
AUC_TOLERANCE, F1_TOLERANCE, MAX_DRAWS = 0.004, 0.01, 500
BASELINE = ("tenure", "monthly", "tickets")  # the template's params.yaml: tenure_months, monthly_charges, tickets


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def process(secret: bytes | None) -> dict:
    """The churn model: the practice constants, or drawn from the course secret (shared by every learner)."""
    if secret is None:
        return PRACTICE_P
    draw = seeding.rng(secret, ID, "process", practice=SEED)
    auc, f1 = difficulty(PRACTICE_P)
    for _ in range(MAX_DRAWS):
        p = _draw(secret, draw)
        got_auc, got_f1 = difficulty(p)
        if abs(got_auc - auc) <= AUC_TOLERANCE and abs(got_f1 - f1) <= F1_TOLERANCE:
            return p
    raise RuntimeError(f"{ID}: no churn model within the difficulty tolerance in {MAX_DRAWS} draws")


def difficulty(p: dict) -> tuple[float, float]:
    """The baseline's (ROC-AUC, F1 at 0.5) under the churn model ``p``, on a fixed sample of 20,000 customers.

    A logistic regression on the baseline's three columns, fitted by Newton's method on half the sample and
    scored on the other half (the same customers and the same random outcomes for every model ``p``).
    """
    ref = np.random.default_rng(SEED)
    f = simulate_features(20_000, ref)
    y = (ref.random(20_000) < _sigmoid(_logit(f, p))).astype(float)
    X = np.column_stack([np.ones(20_000), *((f[c] - f[c].mean()) / f[c].std() for c in BASELINE)])
    w = np.zeros(X.shape[1])
    for _ in range(25):
        q = _sigmoid(X[:10_000] @ w)
        hessian = X[:10_000].T @ (X[:10_000] * (q * (1 - q))[:, None])
        w += np.linalg.solve(hessian, X[:10_000].T @ (y[:10_000] - q))
    score, truth = X[10_000:] @ w, y[10_000:]
    ranks = np.argsort(np.argsort(score)) + 1.0  # ties have probability zero for continuous scores
    positives = truth.sum()
    auc = (ranks[truth == 1].sum() - positives * (positives + 1) / 2) / (positives * (len(truth) - positives))
    predicted = score >= 0.0  # probability >= 0.5
    f1 = 2 * float((predicted & (truth == 1)).sum()) / float(predicted.sum() + positives)
    return float(auc), f1


def _draw(secret: bytes, draw: np.random.Generator) -> dict:
    p = {k: v * float(draw.uniform(1 - JITTER, 1 + JITTER)) for k, v in PRACTICE.items()}
    p["inactive_days"] = PRACTICE["inactive_days"] + float(draw.uniform(-5.0, 5.0))
    p["regions"] = [REGIONS[i] for i in draw.permutation(len(REGIONS))]  # which region churns most
    # the intercept that keeps the practice churn rate, on a large reference sample of the same process
    reference = seeding.rng(secret, ID, "process-reference", practice=SEED)
    offset = _logit(simulate_features(20000, reference), {**p, "intercept": 0.0})
    target = float(_sigmoid(_logit(simulate_features(20000, np.random.default_rng(SEED)), PRACTICE_P)).mean())
    lo, hi = -6.0, 2.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _sigmoid(offset + mid).mean() < target else (lo, mid)
    p["intercept"] = (lo + hi) / 2
    return p


def simulate(n: int, rng: np.random.Generator, p: dict | None = None) -> pd.DataFrame:
    """Clean customers with their true churn outcome (before the mess is added)."""
    p = p or PRACTICE_P
    f = simulate_features(n, rng)
    churned = (rng.random(n) < _sigmoid(_logit(f, p))).astype(int)
    return pd.DataFrame({
        "gender": rng.choice(["Female", "Male"], size=n),
        "age": f["age"].astype(float),
        "senior_citizen": f["senior"],
        "partner": np.where(f["partner"], "Yes", "No"),
        "dependents": np.where(f["dependents"], "Yes", "No"),
        "region": f["region"],
        "tenure_months": f["tenure"],
        "contract": f["contract"],
        "payment_method": f["payment"],
        "paperless_billing": np.where(f["paperless"], "Yes", "No"),
        "internet_service": f["internet"],
        "tech_support": f["tech_support"],
        "streaming_tv": f["streaming"],
        "monthly_charges": f["monthly"],
        "total_charges": f["total"],
        "avg_monthly_gb": f["gb"],
        "support_tickets_90d": f["tickets"],
        "last_login_days": f["last_login"],
        "churned": churned,
    })


def simulate_features(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    contract = rng.choice(["Month-to-month", "One year", "Two year"], size=n, p=[0.52, 0.23, 0.25])
    tenure_scale = np.where(contract == "Month-to-month", 14.0, np.where(contract == "One year", 30.0, 45.0))
    tenure = np.clip(rng.exponential(tenure_scale), 0, 72).round().astype(int)
    age = np.clip(rng.normal(46, 15, n), 18, 90).round().astype(int)
    senior = (age >= 65).astype(int)
    partner = rng.random(n) < 0.48
    dependents = rng.random(n) < np.where(partner, 0.45, 0.12)
    internet = rng.choice(["Fiber optic", "DSL", "No"], size=n, p=[0.44, 0.34, 0.22])
    has_net = internet != "No"
    tech_support = np.where(has_net, np.where(rng.random(n) < 0.35, "Yes", "No"), "No internet service")
    streaming = np.where(has_net, np.where(rng.random(n) < 0.45, "Yes", "No"), "No internet service")
    payment = rng.choice(PAYMENTS, size=n, p=[0.34, 0.22, 0.22, 0.22])
    paperless = rng.random(n) < 0.59
    monthly = (20.0 + np.where(internet == "Fiber optic", 50.0, np.where(internet == "DSL", 25.0, 0.0))
               + np.where(streaming == "Yes", 12.0, 0.0) + np.where(tech_support == "Yes", 6.0, 0.0)
               + rng.normal(0, 6, n)).clip(18.25, 118.75).round(2)
    total = (monthly * tenure * rng.normal(1.0, 0.03, n)).round(2)
    gb = np.where(has_net, rng.gamma(2.0, np.where(internet == "Fiber optic", 120.0, 45.0)), np.nan).round(1)
    tickets = rng.poisson(np.where(internet == "Fiber optic", 1.1, 0.6) + 0.4 * (tech_support == "No"))
    last_login = np.clip(rng.gamma(1.3, 12.0, n), 0, 180).round().astype(int)
    region = rng.choice(REGIONS, size=n)
    return {"contract": contract, "tenure": tenure, "age": age, "senior": senior, "partner": partner,
            "dependents": dependents, "internet": internet, "tech_support": tech_support, "streaming": streaming,
            "payment": payment, "paperless": paperless, "monthly": monthly, "total": total, "gb": gb,
            "tickets": tickets, "last_login": last_login, "region": region}


def _logit(f: dict[str, np.ndarray], p: dict) -> np.ndarray:
    contract, tenure, internet, tech_support = f["contract"], f["tenure"], f["internet"], f["tech_support"]
    region_effect = dict(zip(p["regions"], np.linspace(-0.25, 0.25, len(REGIONS)), strict=True))
    return (
        p["intercept"]
        + np.select([contract == "Month-to-month", contract == "One year"], [p["month_to_month"], 0.0], p["two_year"])
        - p["log_tenure"] * np.log1p(tenure) / np.log(73) + p["new_customer"] * (tenure <= 3)
        + p["fiber"] * (internet == "Fiber optic")
        + p["fiber_no_support"] * ((internet == "Fiber optic") & (tech_support == "No"))
        - p["no_internet"] * (internet == "No")
        + p["electronic_check"] * (f["payment"] == "Electronic check")
        + p["monthly"] * (f["monthly"] - 65.0)
        + p["tickets"] * np.minimum(f["tickets"], 5)
        + p["inactive_jump"] * _sigmoid((f["last_login"] - p["inactive_days"]) / 4.0)
        + p["paperless"] * f["paperless"] + p["senior"] * f["senior"] - p["partner"] * f["partner"]
        - p["dependents"] * f["dependents"]
        + np.vectorize(region_effect.get)(f["region"])
        - p["gb"] * np.nan_to_num(f["gb"] - 200.0)
    )


PRACTICE_P = {**PRACTICE, "regions": REGIONS}


def make_messy(df: pd.DataFrame, rng: np.random.Generator, *, train: bool) -> pd.DataFrame:
    """Add what real exports have: spelling variants, text numbers, gaps, typos, duplicates, the leak."""
    df = df.copy()
    n = len(df)
    df["contract"] = [rng.choice(CONTRACT_SPELLINGS[c]) for c in df["contract"]]
    df["internet_service"] = df["internet_service"].where(rng.random(n) > 0.04, df["internet_service"].str.lower())
    df["payment_method"] = df["payment_method"].where(rng.random(n) > 0.02, None)
    df.loc[rng.random(n) < 0.04, "age"] = np.nan
    bad_age = rng.random(n) < 0.004
    df.loc[bad_age, "age"] = rng.choice([0.0, 999.0], size=int(bad_age.sum()))
    cents = rng.random(n) < 0.005
    df.loc[cents, "monthly_charges"] = (df.loc[cents, "monthly_charges"] * 100).round(0)
    negative = rng.random(n) < 0.002
    df.loc[negative, "monthly_charges"] = -df.loc[negative, "monthly_charges"]
    total = df["total_charges"].map(lambda v: f"{v:.2f}").astype(object)
    total[df["tenure_months"] == 0] = " "
    df["total_charges"] = total
    if train:
        churn = df["churned"] == 1
        filled = np.where(churn, rng.random(n) < 0.85, rng.random(n) < 0.03)
        score = np.where(churn, rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15]), rng.choice([3, 4, 5], size=n))
        df["exit_survey_score"] = np.where(filled, score.astype(float), np.nan)
    else:
        df["exit_survey_score"] = np.nan  # nobody has asked to leave yet at prediction time
    return df


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write train/test and the hidden labels: the practice data, or a course's (``secret``) for ``learner``."""
    p = process(secret)
    rng = seeding.rng(secret, ID, "rows", practice=SEED, learner=learner)
    n_train, n_test = (N_TRAIN, N_TEST) if secret is None else (N_TRAIN_SECRET, N_TEST_SECRET)
    people = simulate(n_train + n_test, rng, p)
    if secret is None:
        ids = rng.permutation(np.arange(100001, 100001 + N_TRAIN + N_TEST))
    else:  # 9-digit ids of the learner's own: a peer's predictions match none of them
        ids = seeding.learner_ids(rng, n_train + n_test)
    people.insert(0, "id", ids)
    train = make_messy(people.iloc[:n_train].reset_index(drop=True), rng, train=True)
    test = make_messy(people.iloc[n_train:].reset_index(drop=True), rng, train=False)

    dups = train.iloc[rng.choice(len(train), size=25, replace=False)]
    train = pd.concat([train, dups], ignore_index=True)
    train = train.iloc[rng.permutation(len(train))].reset_index(drop=True)
    target = train.pop("churned")
    train["churned"] = target

    labels = pd.DataFrame({"id": test["id"], "churned": test.pop("churned")})
    public = rng.random(len(labels)) < PUBLIC_FRACTION
    labels["split"] = np.where(public, "public", "private")

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
