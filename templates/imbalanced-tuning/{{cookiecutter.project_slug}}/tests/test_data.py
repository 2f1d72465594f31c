from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.data import CATEGORICAL, NUMERIC, clean
from {{ cookiecutter.module_name }}.features import feature_columns


def test_category_spellings_are_normalised(raw_transactions):
    tidy = clean(raw_transactions)
    assert set(tidy["merchant_category"].dropna()) == {"grocery", "electronics", "travel", "online_retail"}


def test_impossible_values_become_missing(raw_transactions):
    raw_transactions.loc[0, "amount"] = -12.0
    raw_transactions.loc[1, "hour"] = 31
    tidy = clean(raw_transactions)
    assert np.isnan(tidy.loc[0, "amount"]) and np.isnan(tidy.loc[1, "hour"])


def test_clean_keeps_every_row_once(raw_transactions):
    tidy = clean(raw_transactions.sample(frac=1, random_state=3))
    assert len(tidy) == len(raw_transactions) and tidy["id"].is_unique and tidy["id"].is_monotonic_increasing
    assert set(NUMERIC + CATEGORICAL) <= set(tidy.columns)


def test_leaky_columns_are_not_features(raw_transactions, params):
    """chargeback_filed is known weeks after the payment: it would score ~perfectly in CV and fail in production."""
    leaky = params["prepare"]["leaky_columns"]
    assert "chargeback_filed" in leaky
    assert "chargeback_filed" not in clean(raw_transactions, leaky).columns
    numeric, categorical = feature_columns(params["features"])
    assert not set(leaky) & set(numeric + categorical)
