"""Generate the recsys data set, deterministically (run from anywhere; not shipped to learners).

    python templates/recsys/generate_data.py [--out DIR] [--labels FILE] [--secret-file F --learner L]

Implicit feedback of a small film-streaming service: 2,000 users (a course's: 4,000), 1,500 films in 12 genres,
about 95,000 view/watch events from 2024-01-01 to 2025-06-30, simulated from a latent-factor model so that the
month after the export is known and nothing is downloaded. A user's taste is a mix of one to three genres (plus
personal quirks), a film's appeal is its genre's direction plus its own, and every event is drawn with
probability ∝ exp(taste · film + popularity bias · log popularity): a long tail where a few blockbusters collect
many events. Each user watches a film at most once (re-plays are duplicate events); their events are spread over
their active period, so a user's latest events are as predictable from their earlier ones as any.

Messy on purpose, like a real event log:

* duplicate events (the same user, film, second and event logged twice by a retrying client),
* events for film ids that are not in the catalogue (removed titles),
* a handful of bots / scrapers that "view" a large part of the catalogue,
* **a leakage trap**: ``items.csv`` carries ``views_next_30d``, each film's views in the 30 days *after* the
  export (the period the recommendations are scored on), joined in by a well-meaning analytics job;
  ``item_columns.csv`` says when each catalogue column becomes known.

Writes ``data/raw/{interactions,items,item_columns,test_users}.csv`` into the template and the hidden labels
(each test user's films of the 30 days after the export) to ``labels/recsys.csv`` at the repository root
(user_id, item_id, split = public | private, half the users each).

With a course secret (``--secret-file``, ``roadmap_ci.seeding``) the service is the course's own: the practice
catalogue and tastes under a secret relabelling (every film under another id, every taste vector dealt to
another user: :func:`course_world`); the events, the test users, the public/private split and the user ids (from
a wide range) come from the learner's stream (``--learner``). A course's service has twice the subscribers (the
practice 2,000 and 2,000 more whose tastes the same process draws) and 2,000 test users (its labels still fit a
GitHub secret packed: about 42 KB xz + base64), so that the noise of the users sampled moves the grade less. Without a secret the
output is the shipped practice data, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roadmap_ci.seeding import rng as keyed_rng

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "recsys.csv"
SEED = 4758
N_USERS, N_ITEMS, N_GENRES, DIM = 2000, 1500, 12, 16
START, END, HIDDEN_DAYS = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-07-01"), 30  # END: export cut-off
N_TEST_USERS = 600
# A course's service has twice the subscribers (the practice ones and as many again, drawn by the same
# process) and 2,000 test users: 600 users' NDCG moved the baseline's grade by 3.6 points over 20 courses, 1,400
# users' by 3.4, 2,000 users' by 2.1;
# more users move it less (the noise of a sample falls as 1/sqrt(n); validation gets twice the users too).
COURSE_USERS, COURSE_TEST_USERS = 4000, 2000  # the labels: ≈ 235 KB, ≈ 42 KB packed (cohort apply's secret: 48 KB)
GENRES = ["action", "animation", "comedy", "crime", "documentary", "drama", "family", "fantasy", "horror",
          "romance", "sci-fi", "thriller"]
WORDS_A = ["Silent", "Red", "Last", "Hidden", "Broken", "Golden", "Midnight", "Lost", "Wild", "Frozen", "Iron",
           "Distant", "Electric", "Little", "Burning", "Paper", "Glass", "Secret", "Northern", "Savage"]
WORDS_B = ["River", "Empire", "Garden", "Signal", "Harbour", "Machine", "Summer", "Witness", "Kingdom", "Orbit",
           "Letters", "Station", "Island", "Promise", "Shadows", "Frontier", "Carnival", "Echo", "Voyage", "Code"]
TASTE, POP_BIAS = 1.4, 0.6
DELIVERABLE = "recsys"


def catalogue(rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    genre = rng.integers(0, N_GENRES, N_ITEMS)
    centres = rng.normal(0, 1, (N_GENRES, DIM))
    vecs = 0.8 * centres[genre] + rng.normal(0, 0.6, (N_ITEMS, DIM))
    rank = rng.permutation(N_ITEMS) + 1
    log_pop = -0.9 * np.log(rank)  # Zipf-like popularity: the long tail
    year = np.clip(np.round(2024 - rng.gamma(2.0, 6.0, N_ITEMS)), 1950, 2025).astype(int)
    titles = [f"{WORDS_A[rng.integers(len(WORDS_A))]} {WORDS_B[rng.integers(len(WORDS_B))]}" for _ in range(N_ITEMS)]
    titles = [t if i % 7 else f"{t} {2 + i % 3}" for i, t in enumerate(titles)]  # sequels
    items = pd.DataFrame({"item_id": np.arange(1, N_ITEMS + 1), "title": titles,
                          "genre": [GENRES[g] for g in genre], "year": year})
    return items, np.c_[vecs], log_pop


def users(rng: np.random.Generator, item_vecs: np.ndarray, genre: np.ndarray, n: int = N_USERS) -> np.ndarray:
    out = np.zeros((n, DIM))
    for u in range(n):
        liked = rng.choice(N_GENRES, size=rng.integers(1, 4), replace=False)
        centre = np.stack([item_vecs[genre == g].mean(axis=0) for g in liked]).mean(axis=0)
        out[u] = 1.2 * centre / (np.linalg.norm(centre) + 1e-9) + rng.normal(0, 0.35, DIM)
    return out


def course_world(world: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """A course's catalogue and users: the practice ones under a secret relabelling -- the films in another
    order (so other film ids for every title, factor and popularity rank) and the tastes dealt to other users --
    and ``COURSE_USERS - N_USERS`` more subscribers whose tastes the same process draws (the course's stream).
    The same service, exactly as hard (freshly drawn catalogues moved the baseline by 3-4 points,
    benchmarks/bench_secrets_deep.py); the events, and so the hidden labels, are drawn afresh."""
    practice = np.random.default_rng(SEED)  # replayed up to where the practice data starts drawing events
    items, vecs, log_pop = catalogue(practice)
    genre = np.array([GENRES.index(g) for g in items["genre"]])
    tastes = users(practice, vecs, genre)
    order = world.permutation(N_ITEMS)
    tastes = np.vstack([tastes, users(world, vecs, genre, COURSE_USERS - N_USERS)])
    items = items.iloc[order].reset_index(drop=True).assign(item_id=np.arange(1, N_ITEMS + 1))
    return items, vecs[order], log_pop[order], tastes[world.permutation(COURSE_USERS)]


def simulate(rng: np.random.Generator, world: np.random.Generator | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The event log. ``world`` (the course's stream) deals the catalogue and the tastes (:func:`course_world`);
    ``rng`` draws the events. Practice: one stream for both, in the shipped order."""
    if world is None:
        items, vecs, log_pop = catalogue(rng)
        genre = np.array([GENRES.index(g) for g in items["genre"]])
        tastes = users(rng, vecs, genre)
    else:
        items, vecs, log_pop, tastes = course_world(world)
    logits = TASTE * tastes @ vecs.T / np.sqrt(DIM) * 2.5 + POP_BIAS * log_pop
    n_events = np.clip(np.round(rng.lognormal(3.5, 0.8, len(tastes))), 6, 400).astype(int)
    span = (END + pd.Timedelta(days=HIDDEN_DAYS) - START).total_seconds()
    rows = []
    for u in range(len(tastes)):
        gumbel = logits[u] - np.log(-np.log(rng.random(N_ITEMS)))
        chosen = np.argsort(-gumbel)[: n_events[u]]  # sampling without replacement ∝ exp(logit)
        start = rng.uniform(0, 0.85) * span
        times = np.sort(rng.uniform(start, span, len(chosen)))
        order = rng.permutation(len(chosen))  # which film comes when: no drift in taste
        affinity = logits[u, chosen[order]]
        watch = rng.random(len(chosen)) < 1 / (1 + np.exp(-(affinity - np.median(logits[u])) * 0.8))
        for it, t, w in zip(chosen[order], times, watch, strict=True):
            rows.append((u + 1, it + 1, int(t), "watch" if w else "view"))
    events = pd.DataFrame(rows, columns=["user_id", "item_id", "seconds", "event"])
    events["timestamp"] = START + pd.to_timedelta(events.pop("seconds"), unit="s")
    return events, items


def make_messy(events: pd.DataFrame, rng: np.random.Generator, n_users: int = N_USERS) -> pd.DataFrame:
    dupes = events.sample(frac=0.02, random_state=int(rng.integers(1 << 31)))
    unknown = events.sample(n=60, random_state=int(rng.integers(1 << 31))).assign(
        item_id=rng.integers(N_ITEMS + 101, N_ITEMS + 400, 60))
    bots = []
    for b in range(4):
        uid = n_users + 1 + b
        n = int(rng.integers(900, 1300))
        t0 = START + pd.Timedelta(days=int(rng.integers(100, 400)))
        bots.append(pd.DataFrame({"user_id": uid, "item_id": rng.choice(N_ITEMS, n, replace=False) + 1,
                                  "event": "view", "timestamp": t0 + pd.to_timedelta(np.sort(
                                      rng.integers(0, 6 * 3600, n)), unit="s")}))
    out = pd.concat([events, dupes, unknown, *bots], ignore_index=True)
    return out.sort_values(["timestamp", "user_id", "item_id"], kind="stable").reset_index(drop=True)


def generate(raw_dir: Path = RAW, labels_file: Path = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    """Write the data set; with ``secret``, the course's service and the learner's own log (module doc)."""
    if secret is None:  # the practice data: one stream, in the shipped order
        rng = np.random.default_rng(SEED)
        events, items = simulate(rng)
    else:
        rng = keyed_rng(secret, DELIVERABLE, "rows", practice=SEED, learner=learner)
        events, items = simulate(rng, keyed_rng(secret, DELIVERABLE, "process", practice=SEED))
    future = events[events["timestamp"] >= END]
    past = events[events["timestamp"] < END]
    items["views_next_30d"] = items["item_id"].map(future["item_id"].value_counts()).fillna(0).astype(int)

    history = past.groupby("user_id").size()
    held = future.groupby("user_id").size()
    eligible = np.array(sorted(set(history[history >= 3].index) & set(held.index)))
    n_users, n_test = (N_USERS, N_TEST_USERS) if secret is None else (COURSE_USERS, COURSE_TEST_USERS)
    test_users = np.sort(rng.choice(eligible, n_test, replace=False))
    public = set(rng.choice(test_users, n_test // 2, replace=False).tolist())
    labels = future[future["user_id"].isin(test_users)][["user_id", "item_id", "timestamp"]]
    labels = labels.sort_values(["user_id", "timestamp", "item_id"])[["user_id", "item_id"]]
    labels["split"] = np.where(labels["user_id"].isin(public), "public", "private")

    raw = make_messy(past, rng, n_users)
    if secret is not None:  # the learner's own user ids, from a wide range: a peer's file matches none
        ids_rng = keyed_rng(secret, DELIVERABLE, "ids", practice=SEED, learner=learner)
        new_id = dict(zip(range(1, n_users + 5), (100_000 + ids_rng.choice(900_000, n_users + 4, replace=False))
                          .tolist(), strict=True))
        raw["user_id"] = raw["user_id"].map(new_id)
        test_users = np.sort(np.array([new_id[u] for u in test_users]))
        labels["user_id"] = labels["user_id"].map(new_id)
        labels = labels.sort_values("user_id", kind="stable")
    raw_dir.mkdir(parents=True, exist_ok=True)
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    raw[["user_id", "item_id", "timestamp", "event"]].to_csv(
        raw_dir / "interactions.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    items.to_csv(raw_dir / "items.csv", index=False)
    pd.DataFrame({
        "column": ["item_id", "title", "genre", "year", "views_next_30d"],
        "description": ["film id (interactions.item_id)", "title", "main genre", "release year",
                        "views of the film in the 30 days after available_from"],
        "available_from": ["catalogue", "catalogue", "catalogue", "catalogue",
                           str((END + pd.Timedelta(days=HIDDEN_DAYS)).date())],
    }).to_csv(raw_dir / "item_columns.csv", index=False)
    pd.DataFrame({"user_id": test_users}).to_csv(raw_dir / "test_users.csv", index=False)
    labels.to_csv(labels_file, index=False)


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
