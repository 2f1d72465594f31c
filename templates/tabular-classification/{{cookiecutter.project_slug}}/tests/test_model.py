from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from {{ cookiecutter.module_name }}.config import TARGET
from {{ cookiecutter.module_name }}.features import build_transformer, transform
from {{ cookiecutter.module_name }}.model import MODELS, build_model
from {{ cookiecutter.module_name }}.train import best_f1_threshold

NUMERIC = ["tenure_months", "monthly_charges", "support_tickets_90d", "last_login_days"]


@pytest.fixture(scope="module")
def xy(clean_train):
    sample = clean_train.sample(1600, random_state=0).reset_index(drop=True)
    frame = transform(build_transformer(NUMERIC, ["contract"]).fit(sample), sample)
    X, y = frame.drop(columns=["id", TARGET]), frame[TARGET].to_numpy()
    return X.iloc[:1000], y[:1000], X.iloc[1000:], y[1000:]


def small(params, kind):
    p = copy.deepcopy(params)
    p["model"]["type"] = kind
    if "n_estimators" in (p["model"].get(kind) or {}):
        p["model"][kind]["n_estimators"] = 30
    return p


@pytest.mark.parametrize("kind", MODELS)
def test_every_model_family_learns_something(params, xy, kind):
    X, y, Xv, yv = xy
    proba = build_model(small(params, kind)).fit(X, y).predict_proba(Xv)[:, 1]
    assert ((proba >= 0) & (proba <= 1)).all()
    assert roc_auc_score(yv, proba) > 0.65, "should beat a coin flip by a margin"


def test_training_is_reproducible_under_a_seed(params, xy):
    X, y, Xv, _ = xy
    p = small(params, "random_forest")
    a = build_model(p).fit(X, y).predict_proba(Xv)
    b = build_model(p).fit(X, y).predict_proba(Xv)
    assert np.array_equal(a, b)


def test_best_f1_threshold_beats_the_default():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.25).astype(int)
    proba = np.clip(0.25 * y + rng.random(2000) * 0.6, 0, 1)  # scores that under-rate positives
    t = best_f1_threshold(y, proba)
    assert f1_score(y, proba >= t) >= f1_score(y, proba >= 0.5)


def test_unknown_model_type_is_a_clear_error(params):
    p = copy.deepcopy(params)
    p["model"]["type"] = "svm"
    with pytest.raises(ValueError, match="svm"):
        build_model(p)
