from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import RAW
from {{ cookiecutter.module_name }}.dataset import Index, matrix
from {{ cookiecutter.module_name }}.models import ALS, BPR, ItemKNN, Popularity, build_model, recommend


@pytest.fixture(scope="module")
def small(events):
    some = events[events["user_id"].isin(events["user_id"].unique()[:300])]
    index = Index(some["user_id"], some["item_id"])
    return index, matrix(some, index, {"view": 1.0, "watch": 1.0})


@pytest.mark.parametrize(
    "model",
    [Popularity(), ItemKNN(50), ALS(8, iterations=2), BPR(8, epochs=1)],
    ids=["popularity", "item_knn", "als", "bpr"],
)
def test_recommendations_exclude_seen_items(small, model):
    index, X = small
    model.fit(X)
    rows = np.arange(50)
    top, scores = recommend(model, X, rows, 10)
    assert top.shape == (50, 10)
    for r in rows:
        assert not set(top[r]) & set(X[r].indices), "a user was recommended a film they already have"
        assert len(set(top[r])) == 10
    assert (np.diff(scores, axis=1) <= 1e-12).all(), "best first"


def test_popularity_ranks_by_count():
    X = pd.DataFrame({"user_id": [1, 2, 3, 1], "item_id": [7, 7, 7, 8], "event": "view"})
    index = Index(X["user_id"], [6, 7, 8])
    m = matrix(X, index, {"view": 1.0})
    top, _ = recommend(Popularity().fit(m), m, np.array([1]), 2)  # user 2 has film 7
    assert list(index.items[top[0]]) == [8, 6]


def test_features_available_at_prediction_time(params, events):
    """Leakage guard: every catalogue column the model uses must be known when the recommendations are made.

    data/raw/item_columns.csv says when each column of items.csv becomes known; a column only known after
    the last event of the log describes the period we are asked to predict.
    """
    column = (params["model"].get("item_prior") or {}).get("column")
    if not column:
        return
    known = pd.read_csv(RAW / "item_columns.csv").set_index("column")["available_from"]
    assert column in known.index, f"{column} is not documented in item_columns.csv"
    when = known[column]
    last_event = events["timestamp"].max()
    assert when == "catalogue" or pd.Timestamp(when) <= last_event, (
        f"not available at prediction time: {column} is only known from {when} (last event {last_event})"
    )


def test_item_prior_reorders_by_the_column(small, items, params):
    index, X = small
    p = copy.deepcopy(params)
    p["model"].update(type="popularity", item_prior={"column": "year", "weight": 100.0})
    catalogue = items.set_index("item_id").loc[index.items].reset_index()
    model = build_model(p, catalogue).fit(X)
    top, _ = recommend(model, X, np.array([0]), 5)
    newest = catalogue["year"].to_numpy()[top[0]]
    assert newest.min() >= np.sort(catalogue["year"].to_numpy())[-40]
