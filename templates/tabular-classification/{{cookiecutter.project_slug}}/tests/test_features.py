from __future__ import annotations

import re

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import ID, TARGET
from {{ cookiecutter.module_name }}.dataset import clean
from {{ cookiecutter.module_name }}.features import DERIVED, add_derived, build_transformer, feature_columns, transform

ALL_CATEGORICAL = [
    "gender",
    "partner",
    "dependents",
    "region",
    "contract",
    "payment_method",
    "paperless_billing",
    "internet_service",
    "tech_support",
    "streaming_tv",
]


def test_features_available_at_prediction_time(params, raw_test):
    """Leakage guard: every column the model uses must be known for the customers we predict for.

    A column that is (almost) empty in the test set is only filled in *after* the outcome — training on it
    gives a brilliant validation score and a useless model.
    """
    numeric, categorical = feature_columns(params)
    raw_inputs = [c for c in numeric + categorical if c not in DERIVED]
    missing = raw_test[raw_inputs].isna().mean()
    assert (missing < 0.5).all(), f"not available at prediction time: {missing[missing >= 0.5].to_dict()}"


def test_transformer_fills_gaps_and_keeps_columns_stable(params, clean_train, raw_test):
    numeric = ["age", "tenure_months", "monthly_charges", "total_charges", "avg_monthly_gb", *DERIVED]
    train = add_derived(clean_train, list(DERIVED))
    test = add_derived(clean(raw_test), list(DERIVED))
    transformer = build_transformer(numeric, ALL_CATEGORICAL).fit(train)
    a, b = transform(transformer, train), transform(transformer, test)
    assert list(a.columns[:-1]) == list(b.columns) and a.columns[-1] == TARGET
    assert not a.drop(columns=[ID]).isna().any().any() and not b.drop(columns=[ID]).isna().any().any()
    assert all(re.fullmatch(r"[0-9a-z_]+", c) for c in a.columns), "names must be safe for LightGBM/XGBoost"


def test_unseen_categories_at_prediction_time_do_not_break(clean_train):
    transformer = build_transformer(["tenure_months"], ["contract"]).fit(clean_train)
    row = clean_train.head(1).assign(contract="Three year")
    out = transform(transformer, row)
    assert np.isfinite(out.drop(columns=[ID, TARGET]).to_numpy()).all()


def test_derived_features_are_finite(clean_train):
    out = add_derived(clean_train, list(DERIVED))
    for name in DERIVED:
        assert np.isfinite(out[name].dropna()).all(), name


def test_unknown_derived_feature_is_a_clear_error(clean_train):
    try:
        add_derived(clean_train, ["astrology"])
    except ValueError as exc:
        assert "astrology" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_processed_frame_keeps_ids(clean_train):
    transformer = build_transformer(["tenure_months"], []).fit(clean_train)
    out = transform(transformer, clean_train)
    assert out[ID].tolist() == clean_train[ID].tolist()
    assert isinstance(out, pd.DataFrame)
