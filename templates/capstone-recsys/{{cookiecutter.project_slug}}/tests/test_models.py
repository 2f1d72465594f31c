import copy

import numpy as np
import pandas as pd
import scipy.sparse as sp

from {{ cookiecutter.module_name }}.config import RAW
from {{ cookiecutter.module_name }}.models import Ranker, als, fit, two_tower


def _toy():
    users = pd.DataFrame({"user_id": range(1, 9), "age_band": ["18-24", "55+"] * 4, "country": ["DE", "FR"] * 4})
    items = pd.DataFrame(
        {
            "item_id": range(1, 7),
            "genre": ["books", "toys"] * 3,
            "year": [2020, 2021, 2022] * 2,
            "price": [5.0, 10.0, 20.0, 40.0, 80.0, 160.0],
        }
    )
    # odd users like odd items, even users even items
    pairs = [(u, i) for u in range(1, 9) for i in range(1, 7) if u % 2 == i % 2 and (u + i) % 3]
    events = pd.DataFrame(pairs, columns=["user_id", "item_id"])
    return users, items, events


def test_two_tower_scores_a_toy_batch(params):
    users, items, events = _toy()
    X = sp.csr_matrix((np.ones(len(events)), (events.user_id - 1, events.item_id - 1)), shape=(8, 6))
    cfg = {**params["model"]["two_tower"], "dim": 8, "epochs": 60, "batch_size": 16, "logq_correction": True}
    U, V = two_tower(X, users, items, cfg, seed=0)
    assert U.shape == (8, 8) and V.shape == (6, 8) and np.isfinite(U).all()
    scores = U @ V.T
    same = np.array([[u % 2 == i % 2 for i in range(1, 7)] for u in range(1, 9)])
    assert scores[same].mean() > scores[~same].mean()


def test_two_tower_depends_only_on_data_and_params(params, monkeypatch):
    """The same vectors on a fast or a slow machine: no clock is read, the thread count comes from params.yaml.

    A machine with more cores (or other threads already set) must not change the result, and neither may a
    clock that runs an hour per call (a heavily loaded runner, seen from inside the process).
    """
    import time

    import torch

    users, items, events = _toy()
    X = sp.csr_matrix((np.ones(len(events)), (events.user_id - 1, events.item_id - 1)), shape=(8, 6))
    cfg = {**params["model"]["two_tower"], "dim": 8, "epochs": 20, "batch_size": 16}
    before = torch.get_num_threads()
    U1, V1 = two_tower(X, users, items, cfg, seed=0, threads=int(params["threads"]))
    torch.set_num_threads(3)
    ticks = iter(range(0, 10**9, 3600))
    for name in ("time", "monotonic", "perf_counter"):
        monkeypatch.setattr(time, name, lambda: float(next(ticks)))
    U2, V2 = two_tower(X, users, items, cfg, seed=0, threads=int(params["threads"]))
    monkeypatch.undo()
    assert torch.get_num_threads() == 3, "two_tower restores the caller's thread count"
    torch.set_num_threads(before)
    assert np.array_equal(U1, U2) and np.array_equal(V1, V2)


def test_als_reconstructs_the_preferences():
    X = sp.csr_matrix(np.kron(np.eye(2), np.ones((3, 3))))
    U, V = als(X, factors=2, regularization=0.01, alpha=10.0, iterations=10, seed=0)
    assert np.abs(U @ V.T - X.toarray()).max() < 0.2


def test_new_users_get_popularity_from_mf_and_their_features_from_the_towers(params):
    users, items, events = _toy()
    users = users.assign(favourite_genre=["books", "toys"] * 4)
    events = events[~events["user_id"].isin([7, 8])]  # users 7 and 8 are new: no event at all
    p = copy.deepcopy(params)
    p["model"]["mf"].update(factors=2, iterations=2)
    mf = fit(events, users, items, p, model_type="mf")
    counts = events["item_id"].value_counts().reindex(items["item_id"], fill_value=0).to_numpy()
    assert np.argsort(-(mf.V @ mf.U[6]), kind="stable").tolist() == np.argsort(-counts, kind="stable").tolist()
    p["model"]["two_tower"].update(dim=8, epochs=60, batch_size=16, id_dropout=0.5)
    tt = fit(events, users, items, p, model_type="two_tower")
    odd, even = tt.V @ tt.U[6], tt.V @ tt.U[7]  # user 7 is like the odd users, user 8 like the even ones
    assert odd[0::2].mean() > odd[1::2].mean() and even[1::2].mean() > even[0::2].mean()


def test_ranker_round_trips(tmp_path, params):
    users, items, events = _toy()
    p = copy.deepcopy(params)
    p["model"]["type"] = "popularity"
    ranker = fit(events, users, items, p)
    ranker.save(tmp_path / "r.npz")
    back = Ranker.load(tmp_path / "r.npz")
    assert np.array_equal(back.popular, ranker.popular) and np.allclose(back.U @ back.V.T, ranker.U @ ranker.V.T)


def test_features_available_at_prediction_time(params):
    """Leakage guard: every items.csv column the models use must be known when the recommendations are made.

    data/raw/item_columns.csv says when each column becomes known; a column only known after the last event
    of the log describes the period we are asked to predict.
    """
    known = pd.read_csv(RAW / "item_columns.csv").set_index("column")["available_from"]
    last_event = pd.read_csv(RAW / "interactions.csv", usecols=["timestamp"])["timestamp"].max()
    for column in params["features"]["item_columns"]:
        assert column in known.index, f"{column} is not documented in item_columns.csv"
        when = known[column]
        assert when == "catalogue" or pd.Timestamp(when) <= pd.Timestamp(last_event), (
            f"not available at prediction time: {column} is only known from {when} (last event {last_event})"
        )
