"""Generate the capstone-recsys data set, deterministically (run from anywhere; not shipped to learners).

    python templates/capstone-recsys/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

An online shop's recommendation engine: 2,000 established users and 400 newcomers (age band, country, signup
date, the favourite genre ticked at signup), 1,000 products (genre,
year, price), about 100,000 view/purchase events from 2024-07-01 to 2025-06-30 drawn from a latent-factor model
in which a user's taste depends partly on their age band and country and a product's appeal on its genre and
price, so that feature towers have something to learn. The newcomers signed up in the last 60 days and have 0-3
events before the export (cold and short-history users: 150 of them are test users); their taste follows the
genre they ticked, which neither MF nor popularity can see. Also:

* ``ab_events.csv``: a 14-day A/B test of the recommendation widget (one row per user and active day:
  impressions, clicks, conversions); variant B has a real but small CTR lift, and on one day (2025-06-24) a
  logging bug lost most of variant A's rows: a sample-ratio mismatch the analysis must flag.
* ``serving_recent.csv``: the user features of last week's requests, whose distribution has shifted
  (younger users, a new market, pricier baskets) against the training features.
* **a leakage trap**: ``items.csv`` carries ``sales_next_30d``, each product's purchases in the 30 days after
  the export; ``item_columns.csv`` says when each column becomes known.

Writes ``data/raw/*.csv`` into the template and the hidden labels (each test user's products of the 30 days
after the export) to ``labels/capstone-recsys.csv`` (user_id, item_id, split = public | private).

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the shop is the course's own: the practice
catalogue and users under a secret relabelling (every product under another id, every user's features and
taste dealt to another user: :func:`course_world`); the events, the A/B and serving logs, the test users,
the public/private split and the user ids (from a wide range) come from the learner's stream
(``--learner``). A course scores more test users of the same shop (1,500 established users and 300 newcomers
instead of 600 and 150). Without a secret the output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roadmap_ci.seeding import rng as keyed_rng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "capstone-recsys.csv"
SEED = 6555
DELIVERABLE = "capstone-recsys"
N_USERS, N_ITEMS, DIM = 2000, 1000, 12
START, END, HIDDEN_DAYS = pd.Timestamp("2024-07-01"), pd.Timestamp("2025-07-01"), 30
N_TEST_USERS = 600
N_NEW, N_NEW_TEST = 400, 150  # newcomers (signed up in the last 60 days: 0-3 events before the export)
# A course's hidden month is scored on more of the same shop's users (1,500 of the ≈ 1,940 established users
# with a history and a next month, 300 of the 400 newcomers): 750 test users' NDCG moved the baseline's grade by
# 8.5 points over 20 courses, and the noise of a sample falls as 1/sqrt(n). Nothing else grows: training is as long.
COURSE_TEST_USERS, COURSE_NEW_TEST = 1500, 300
GENRES = ["books", "electronics", "fashion", "garden", "games", "home", "music", "outdoor", "sport", "toys"]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"]
COUNTRIES = ["DE", "ES", "FR", "IT", "NL", "UK"]
AB_START, AB_DAYS, SRM_DAY = pd.Timestamp("2025-06-17"), 14, pd.Timestamp("2025-06-24")


def catalogue(rng):
    genre = rng.integers(0, len(GENRES), N_ITEMS)
    centres = rng.normal(0, 1, (len(GENRES), DIM))
    vecs = 0.9 * centres[genre] + rng.normal(0, 0.6, (N_ITEMS, DIM))
    log_pop = -0.8 * np.log(rng.permutation(N_ITEMS) + 1)
    year = np.clip(np.round(2025 - rng.gamma(1.5, 2.5, N_ITEMS)), 2005, 2025).astype(int)
    price = np.round(np.exp(rng.normal(3.2, 0.7, N_ITEMS)) + 0.99 * (genre == 1) * 80, 2)
    items = pd.DataFrame({"item_id": np.arange(1, N_ITEMS + 1), "genre": [GENRES[g] for g in genre],
                          "year": year, "price": price})
    return items, vecs, log_pop, centres


def population(rng, centres):
    age = rng.choice(len(AGE_BANDS), N_USERS, p=[0.15, 0.3, 0.25, 0.18, 0.12])
    country = rng.choice(len(COUNTRIES), N_USERS, p=[0.3, 0.15, 0.2, 0.1, 0.1, 0.15])
    age_dir = rng.normal(0, 1, (len(AGE_BANDS), len(GENRES)))  # which genres each age band leans to
    ctry_dir = rng.normal(0, 0.6, (len(COUNTRIES), len(GENRES)))
    pref = age_dir[age] + ctry_dir[country] + rng.normal(0, 0.9, (N_USERS, len(GENRES)))
    weights = np.exp(1.5 * pref)
    weights /= weights.sum(axis=1, keepdims=True)
    tastes = 1.3 * weights @ centres + rng.normal(0, 0.35, (N_USERS, DIM))
    signup = START - pd.to_timedelta(rng.integers(0, 900, N_USERS), unit="D")
    users = pd.DataFrame({"user_id": np.arange(1, N_USERS + 1), "age_band": [AGE_BANDS[a] for a in age],
                          "country": [COUNTRIES[c] for c in country], "signup_date": signup.strftime("%Y-%m-%d")})
    return users, tastes


def course_world(world):
    """A course's shop: the practice catalogue and users under a secret relabelling -- the products in another
    order (other ids for every genre, price, factor and popularity rank), the users (features and tastes
    together) in another order. The same shop, exactly as hard (freshly drawn worlds moved recsys's baseline
    by 3-4 points, benchmarks/bench_secrets_deep.py); the events, and so the hidden labels, are drawn afresh."""
    practice = np.random.default_rng(SEED)  # replayed up to where the practice data starts drawing events
    items, vecs, log_pop, centres = catalogue(practice)
    users, tastes = population(practice, centres)
    order, people = world.permutation(N_ITEMS), world.permutation(N_USERS)
    items = items.iloc[order].reset_index(drop=True).assign(item_id=np.arange(1, N_ITEMS + 1))
    users = users.iloc[people].reset_index(drop=True).assign(user_id=np.arange(1, N_USERS + 1))
    return items, vecs[order], log_pop[order], users, tastes[people]


def simulate(rng, world=None):
    """The event log. ``world`` (the course's stream) deals the catalogue and the users (:func:`course_world`);
    ``rng`` draws the events. Practice: one stream for both, in the shipped order."""
    if world is None:
        items, vecs, log_pop, centres = catalogue(rng)
        users, tastes = population(rng, centres)
    else:
        items, vecs, log_pop, users, tastes = course_world(world)
    price_pen = -0.25 * np.log(items["price"].to_numpy())
    logits = 2.2 * tastes @ vecs.T / np.sqrt(DIM) + 0.7 * log_pop + price_pen
    n_events = np.clip(np.round(rng.lognormal(3.8, 0.7, N_USERS)), 5, 300).astype(int)
    span = (END + pd.Timedelta(days=HIDDEN_DAYS) - START).total_seconds()
    rows = []
    for u in range(N_USERS):
        chosen = np.argsort(-(logits[u] - np.log(-np.log(rng.random(N_ITEMS)))))[: n_events[u]]
        start = rng.uniform(0, 0.8) * span
        times = np.sort(rng.uniform(start, span, len(chosen)))
        order = rng.permutation(len(chosen))
        buy = rng.random(len(chosen)) < 0.25
        for it, t, b in zip(chosen[order], times, buy, strict=True):
            rows.append((u + 1, it + 1, int(t), "purchase" if b else "view"))
    events = pd.DataFrame(rows, columns=["user_id", "item_id", "seconds", "event"])
    events["timestamp"] = START + pd.to_timedelta(events.pop("seconds"), unit="s")
    return events, items, users, (vecs, 0.7 * log_pop + price_pen, tastes)


def favourite_genres(rng, items, vecs, tastes):
    """The genre each user ticked at signup (``favourite_genre``): their genre of highest mean affinity, or
    (one time in five) another genre they like -- side information a feature tower can use."""
    genre = items["genre"].to_numpy()
    aff = np.stack([(tastes @ vecs[genre == g].T).mean(axis=1) for g in GENRES], axis=1)
    noisy = aff + np.where(rng.random(aff.shape) < 0.2, rng.gumbel(0, 1.0, aff.shape), 0.0)
    return [GENRES[g] for g in np.argmax(noisy, axis=1)]


def newcomers(rng, items, vecs, base_logits):
    """``N_NEW`` users who signed up in the last 60 days before the export: their taste leans hard to the
    genre they ticked at signup, then to their age band and country; 0-3 events before the export, more in
    the 30 days after. Neither MF nor popularity knows them; a user tower that reads their features does."""
    genre = items["genre"].to_numpy()
    centres = np.stack([vecs[genre == g].mean(axis=0) for g in GENRES])
    fav = rng.integers(0, len(GENRES), N_NEW)
    age = rng.choice(len(AGE_BANDS), N_NEW, p=[0.15, 0.3, 0.25, 0.18, 0.12])
    country = rng.choice(len(COUNTRIES), N_NEW, p=[0.3, 0.15, 0.2, 0.1, 0.1, 0.15])
    pref = 2.5 * np.eye(len(GENRES))[fav] + rng.normal(0, 0.8, (N_NEW, len(GENRES)))
    weights = np.exp(1.5 * pref)
    weights /= weights.sum(axis=1, keepdims=True)
    tastes = 1.3 * weights @ centres + rng.normal(0, 0.35, (N_NEW, DIM))
    logits = 2.2 * tastes @ vecs.T / np.sqrt(DIM) + base_logits
    signup = END - pd.to_timedelta(rng.integers(1, 61, N_NEW), unit="D")
    before = rng.choice(4, N_NEW, p=[0.4, 0.25, 0.2, 0.15])  # 0-3 events before the export
    after = rng.integers(3, 12, N_NEW)
    rows = []
    for u in range(N_NEW):
        chosen = np.argsort(-(logits[u] - np.log(-np.log(rng.random(len(vecs))))))[: before[u] + after[u]]
        lo = (signup[u] - START).total_seconds()
        t_before = rng.uniform(lo, (END - START).total_seconds(), before[u])
        t_after = rng.uniform(0, HIDDEN_DAYS * 86400, after[u]) + (END - START).total_seconds()
        buy = rng.random(len(chosen)) < 0.25
        for it, t, b in zip(chosen, np.r_[t_before, t_after], buy, strict=True):
            rows.append((N_USERS + u + 1, it + 1, int(t), "purchase" if b else "view"))
    events = pd.DataFrame(rows, columns=["user_id", "item_id", "seconds", "event"])
    events["timestamp"] = START + pd.to_timedelta(events.pop("seconds"), unit="s")
    users = pd.DataFrame({"user_id": np.arange(N_USERS + 1, N_USERS + N_NEW + 1),
                          "age_band": [AGE_BANDS[a] for a in age], "country": [COUNTRIES[c] for c in country],
                          "signup_date": signup.strftime("%Y-%m-%d"), "favourite_genre": [GENRES[g] for g in fav]})
    return events, users


def ab_log(rng, users):
    variant = rng.permutation(np.repeat(["A", "B"], N_USERS // 2))  # a balanced assignment
    rows = []
    for d in range(AB_DAYS):
        day = AB_START + pd.Timedelta(days=d)
        active = np.flatnonzero(rng.random(N_USERS) < 0.3)
        for u in active:
            v = variant[u]
            if day == SRM_DAY and v == "A" and rng.random() < 0.45:
                continue  # the logging bug: A rows lost that day
            imp = int(rng.integers(3, 30))
            ctr = 0.050 * (1.08 if v == "B" else 1.0)
            clicks = int(rng.binomial(imp, ctr))
            conv = int(rng.binomial(clicks, 0.12))
            rows.append((day.strftime("%Y-%m-%d"), int(users["user_id"].iloc[u]), v, imp, clicks, conv))
    return pd.DataFrame(rows, columns=["date", "user_id", "variant", "impressions", "clicks", "conversions"])


def serving_log(rng, users, events, items):
    """Last week's requests: the same feature columns as the training feature table, drawn from a shifted
    population (younger, a new market, pricier items)."""
    n = 3000
    ages = rng.choice(AGE_BANDS, n, p=[0.35, 0.35, 0.15, 0.1, 0.05])
    countries = rng.choice(COUNTRIES + ["PL"], n, p=[0.25, 0.13, 0.17, 0.1, 0.1, 0.1, 0.15])
    past = events.merge(items[["item_id", "price"]], on="item_id")
    per_user = past.groupby("user_id").agg(n_events=("item_id", "size"), avg_price=("price", "mean"))
    pick = rng.integers(0, len(per_user), n)
    n_ev = per_user["n_events"].to_numpy()[pick]
    avg_price = np.round(per_user["avg_price"].to_numpy()[pick] * rng.lognormal(0.35, 0.1, n), 2)
    signup = pd.to_datetime(users["signup_date"]).to_numpy()[rng.integers(0, N_USERS, n)]
    tenure = (END + pd.Timedelta(days=23) - pd.DatetimeIndex(signup)).days.to_numpy()
    t = END + pd.Timedelta(days=23) + pd.to_timedelta(np.sort(rng.integers(0, 7 * 86400, n)), unit="s")
    return pd.DataFrame({"timestamp": t.strftime("%Y-%m-%d %H:%M:%S"), "user_id": rng.integers(1, N_USERS + 1, n),
                         "age_band": ages, "country": countries, "tenure_days": tenure, "n_events": n_ev,
                         "avg_price": avg_price})


def make_messy(events, rng):
    dupes = events.sample(frac=0.02, random_state=int(rng.integers(1 << 31)))
    unknown = events.sample(n=50, random_state=int(rng.integers(1 << 31))).assign(
        item_id=rng.integers(N_ITEMS + 101, N_ITEMS + 400, 50))
    out = pd.concat([events, dupes, unknown], ignore_index=True)
    return out.sort_values(["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the data set; with ``secret``, the course's shop and the learner's own logs (module doc)."""
    if secret is None:  # the practice data: one stream, in the shipped order
        rng = np.random.default_rng(SEED)
        events, items, users, (vecs, base_logits, tastes) = simulate(rng)
    else:
        rng = keyed_rng(secret, DELIVERABLE, "rows", practice=SEED, learner=learner)
        events, items, users, (vecs, base_logits, tastes) = simulate(
            rng, keyed_rng(secret, DELIVERABLE, "process", practice=SEED))
    # the newcomers and the stated genres come from their own stream, after the established users' draws
    side = keyed_rng(secret, DELIVERABLE, "newcomers", practice=SEED + 1, learner=learner)
    users["favourite_genre"] = favourite_genres(side, items, vecs, tastes)
    new_events, new_users = newcomers(side, items, vecs, base_logits)
    future, past = events[events["timestamp"] >= END], events[events["timestamp"] < END]
    items["sales_next_30d"] = items["item_id"].map(
        pd.concat([future, new_events[new_events["timestamp"] >= END]]).query("event == 'purchase'")["item_id"]
        .value_counts()).fillna(0).astype(int)
    history, held = past.groupby("user_id").size(), future.groupby("user_id").size()
    eligible = np.array(sorted(set(history[history >= 3].index) & set(held.index)))
    n_test, n_new_test = (N_TEST_USERS, N_NEW_TEST) if secret is None else (COURSE_TEST_USERS, COURSE_NEW_TEST)
    test_users = np.sort(rng.choice(eligible, n_test, replace=False))
    public = set(rng.choice(test_users, n_test // 2, replace=False).tolist())
    # the newcomers: some of them are test users too (cold: no event before the export, or 1-3 events)
    new_future, new_past = new_events[new_events["timestamp"] >= END], new_events[new_events["timestamp"] < END]
    new_test = np.sort(side.choice(new_users["user_id"].to_numpy(), n_new_test, replace=False))
    public |= set(side.choice(new_test, n_new_test // 2, replace=False).tolist())
    test_users = np.r_[test_users, new_test]
    future = pd.concat([future, new_future], ignore_index=True)
    users = pd.concat([users, new_users], ignore_index=True)
    labels = future[future["user_id"].isin(test_users)].sort_values(["user_id", "timestamp", "item_id"])
    labels = labels.drop_duplicates(["user_id", "item_id"])[["user_id", "item_id"]]
    labels["split"] = np.where(labels["user_id"].isin(public), "public", "private")

    raw = make_messy(past, rng)
    raw = pd.concat([raw, new_past], ignore_index=True).sort_values(
        ["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)
    ab = ab_log(rng, users.iloc[:N_USERS])
    serving = serving_log(rng, users.iloc[:N_USERS], past, items)
    if secret is not None:  # the learner's own user ids, from a wide range: a peer's file matches none
        ids_rng = keyed_rng(secret, DELIVERABLE, "ids", practice=SEED, learner=learner)
        new_id = dict(zip(range(1, N_USERS + N_NEW + 1), (100_000 + ids_rng.choice(900_000, N_USERS + N_NEW,
                                                                                      replace=False))
                          .tolist(), strict=True))
        for frame in (raw, users, ab, serving, labels):
            frame["user_id"] = frame["user_id"].map(new_id)
        users = users.sort_values("user_id").reset_index(drop=True)
        labels = labels.sort_values("user_id", kind="stable")
        test_users = np.sort(np.array([new_id[u] for u in test_users]))
    raw_dir.mkdir(parents=True, exist_ok=True)
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    raw[["user_id", "item_id", "timestamp", "event"]].to_csv(
        raw_dir / "interactions.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    items.to_csv(raw_dir / "items.csv", index=False)
    users.to_csv(raw_dir / "users.csv", index=False)
    pd.DataFrame({
        "column": ["item_id", "genre", "year", "price", "sales_next_30d"],
        "description": ["product id (interactions.item_id)", "category", "release year", "list price (EUR)",
                        "purchases of the product in the 30 days after available_from"],
        "available_from": ["catalogue"] * 4 + [str((END + pd.Timedelta(days=HIDDEN_DAYS)).date())],
    }).to_csv(raw_dir / "item_columns.csv", index=False)
    pd.DataFrame({"user_id": test_users}).to_csv(raw_dir / "test_users.csv", index=False)
    ab.to_csv(raw_dir / "ab_events.csv", index=False)
    serving.to_csv(raw_dir / "serving_recent.csv", index=False)
    labels.to_csv(labels_file, index=False)


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
