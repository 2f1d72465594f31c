from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.data import CATEGORICAL, NUMERIC, clean, normalise_country
from {{ cookiecutter.module_name }}.features import feature_columns


def test_country_spellings_are_normalised():
    got = normalise_country(pd.Series([" de", "Germany", "UK", "united kingdom", "FR", "Atlantis", None]))
    assert got.tolist()[:5] == ["DE", "DE", "GB", "GB", "FR"]
    assert got.isna().tolist()[5:] == [True, True]


def test_never_ordered_sentinel_becomes_missing(raw_accounts):
    tidy = clean(raw_accounts)
    sentinel = raw_accounts["days_since_last_order"] == -1
    assert sentinel.any()
    assert tidy.loc[sentinel.to_numpy(), "days_since_last_order"].isna().all()
    assert (tidy["days_since_last_order"].dropna() >= 0).all()


def test_impossible_rates_become_missing(raw_accounts):
    raw_accounts.loc[0, "return_rate"] = 3.5
    raw_accounts.loc[1, "night_share"] = -0.2
    tidy = clean(raw_accounts)
    assert np.isnan(tidy.loc[0, "return_rate"]) and np.isnan(tidy.loc[1, "night_share"])


def test_clean_keeps_every_account_once(raw_accounts):
    tidy = clean(raw_accounts.sample(frac=1, random_state=1))
    assert len(tidy) == len(raw_accounts) and tidy["id"].is_unique and tidy["id"].is_monotonic_increasing
    assert set(NUMERIC + CATEGORICAL) <= set(tidy.columns)


def test_post_event_columns_are_not_features(raw_accounts, params):
    """account_status is decided after an investigation: blank for every account we must score (leakage)."""
    post_event = params["prepare"]["post_event_columns"]
    assert "account_status" in post_event
    assert "account_status" not in clean(raw_accounts, post_event).columns
    numeric, categorical = feature_columns(params["features"])
    assert not set(post_event) & set(numeric + categorical)
