from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.metrics import r2_score

from {{ cookiecutter.module_name }}.config import TARGET
from {{ cookiecutter.module_name }}.features import build_transformer, transform
from {{ cookiecutter.module_name }}.model import MODELS, build_model, coefficients

NUMERIC = ["living_area_sqft", "overall_quality", "bathrooms", "garage_spaces"]


@pytest.fixture(scope="module")
def xy(clean_train):
    sample = clean_train.sample(1500, random_state=0).reset_index(drop=True)
    frame = transform(build_transformer(NUMERIC, ["neighbourhood"]).fit(sample), sample)
    X, y = frame.drop(columns=["id", TARGET]), frame[TARGET].to_numpy(dtype=float)
    return X.iloc[:1000], y[:1000], X.iloc[1000:], y[1000:]


def with_model(params, kind, **changes):
    p = copy.deepcopy(params)
    p["model"]["type"] = kind
    p["model"].update(changes)
    return p


@pytest.mark.parametrize("kind", MODELS)
def test_every_model_family_beats_the_mean(params, xy, kind):
    X, y, Xv, yv = xy
    pred = build_model(with_model(params, kind)).fit(X, y).predict(Xv)
    assert r2_score(yv, pred) > 0.4, "should explain a good share of the price variance"


def test_log_target_predicts_positive_prices(params, xy):
    X, y, Xv, _ = xy
    pred = build_model(with_model(params, "ridge", log_target=True)).fit(X, y).predict(Xv)
    assert (pred > 0).all() and 50_000 < np.median(pred) < 500_000


def test_strong_lasso_selects_features(params, xy):
    X, y, _, _ = xy
    p = with_model(params, "lasso")
    p["model"]["lasso"] = {"alpha": 5000.0}
    model = build_model(p).fit(X, y)
    weights = coefficients(model, list(X.columns))
    assert 0 < sum(w == 0 for w in weights.values()) < len(weights)


def test_training_is_reproducible_under_a_seed(params, xy):
    X, y, Xv, _ = xy
    p = with_model(params, "gradient_boosting")
    assert np.array_equal(build_model(p).fit(X, y).predict(Xv), build_model(p).fit(X, y).predict(Xv))


def test_unknown_model_type_is_a_clear_error(params):
    with pytest.raises(ValueError, match="svr"):
        build_model(with_model(params, "svr"))
