from __future__ import annotations

import re

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.config import ID, TARGET
from {{ cookiecutter.module_name }}.dataset import clean
from {{ cookiecutter.module_name }}.features import DERIVED, add_derived, build_transformer, feature_columns, transform

NUMERIC = ["living_area_sqft", "lot_area_sqft", "overall_quality", "garage_spaces", *DERIVED]
CATEGORICAL = ["neighbourhood", "building_type", "sale_condition"]


def test_features_available_at_prediction_time(params, raw_test):
    """Leakage guard: every column the model uses must be known for the houses we predict for.

    A column that is (almost) empty in the test set depends on the answer — training on it gives a brilliant
    validation score and a useless model.
    """
    numeric, categorical = feature_columns(params)
    raw_inputs = [c for c in numeric + categorical if c not in DERIVED]
    missing = raw_test[raw_inputs].isna().mean()
    assert (missing < 0.5).all(), f"not available at prediction time: {missing[missing >= 0.5].to_dict()}"


def test_transformer_fills_gaps_and_keeps_columns_stable(clean_train, raw_test):
    train = add_derived(clean_train, list(DERIVED))
    test = add_derived(clean(raw_test), list(DERIVED))
    transformer = build_transformer(NUMERIC, CATEGORICAL).fit(train)
    a, b = transform(transformer, train), transform(transformer, test)
    assert list(a.columns[:-1]) == list(b.columns) and a.columns[-1] == TARGET
    assert not a.drop(columns=[ID]).isna().any().any() and not b.drop(columns=[ID]).isna().any().any()
    assert all(re.fullmatch(r"[0-9a-z_]+", c) for c in a.columns)


@pytest.mark.parametrize("degree", [1, 2])
def test_polynomial_degree_adds_squares_and_products(clean_train, degree):
    transformer = build_transformer(["living_area_sqft", "overall_quality"], ["building_type"], degree)
    out = transform(transformer.fit(clean_train), clean_train).drop(columns=[ID, TARGET])
    numeric = [c for c in out.columns if not c.startswith("building_type")]
    # degree 1: a, b (+ missing indicators); degree 2 adds a², ab, b²
    assert len(numeric) == (2 if degree == 1 else 5)


def test_unseen_categories_at_prediction_time_do_not_break(clean_train):
    transformer = build_transformer(["living_area_sqft"], ["neighbourhood"]).fit(clean_train)
    out = transform(transformer, clean_train.head(1).assign(neighbourhood="Atlantis"))
    assert np.isfinite(out.drop(columns=[ID, TARGET]).to_numpy()).all()


def test_derived_features_are_finite(clean_train):
    out = add_derived(clean_train, list(DERIVED))
    for name in DERIVED:
        assert np.isfinite(out[name].dropna()).all(), name
    assert (out["age"] >= 0).all()


def test_unknown_derived_feature_is_a_clear_error(clean_train):
    with pytest.raises(ValueError, match="astrology"):
        add_derived(clean_train, ["astrology"])
