from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.features import CALENDAR, build_features, feature_columns

RICH = {
    "lags": [28, 35, 42, 364],
    "rolling_means": [7, 28, 91],
    "calendar": sorted(CALENDAR),
    "exogenous": ["promo", "price", "holiday"],
    "categorical": ["series_id", "store", "item"],
}


def with_features(params, **features):
    p = copy.deepcopy(params)
    p["features"] = {**p["features"], **features}
    return p


def test_features_available_at_prediction_time(params, raw_test):
    """Leakage guard: every raw column the model uses must be known for the days we forecast.

    A column that is empty in test.csv is only known after the day is over (it depends on the sales):
    training on it gives a brilliant backtest and a useless forecast.
    """
    numeric, categorical = feature_columns(params)
    raw_inputs = [c for c in numeric + categorical if c in raw_test.columns]
    missing = raw_test[raw_inputs].isna().mean()
    assert (missing < 0.5).all(), f"not available at prediction time: {missing[missing >= 0.5].to_dict()}"


@pytest.mark.parametrize("features", ["params", "rich"])
def test_features_never_look_ahead(params, history, features):
    """Scramble every sale after a cutoff: no feature of a day up to cutoff + horizon may change."""
    p = params if features == "params" else with_features(params, **RICH)
    horizon = int(p["horizon"])
    cutoff = pd.Timestamp("2024-06-30")
    before = build_features(history, p)
    future = history["date"] > cutoff
    scrambled = history.copy()
    scrambled.loc[future, "sales"] = np.random.default_rng(0).integers(0, 1000, future.sum())
    after = build_features(scrambled, p)
    numeric, categorical = feature_columns(p)
    known = before["date"] <= cutoff + pd.Timedelta(days=horizon)
    pd.testing.assert_frame_equal(before.loc[known, numeric + categorical], after.loc[known, numeric + categorical])
    if numeric and any(c.startswith(("lag_", "roll_")) for c in numeric):
        later = before["date"] > cutoff + pd.Timedelta(days=horizon)
        assert not before.loc[later, numeric].equals(after.loc[later, numeric]), "the scramble must show later"


def test_lags_inside_the_horizon_are_refused(params, history):
    with pytest.raises(ValueError, match="shorter than the horizon"):
        build_features(history, with_features(params, lags=[7]))


def test_lag_is_the_value_k_days_earlier(params, history):
    out = build_features(history, with_features(params, lags=[28], rolling_means=[7]))
    one = out[out["series_id"] == "S1_bread"].set_index("date")
    day = pd.Timestamp("2024-03-15")
    assert one.loc[day, "lag_28"] == one.loc[day - pd.Timedelta(days=28), "sales"]
    window = one.loc[day - pd.Timedelta(days=34) : day - pd.Timedelta(days=28), "sales"]
    assert one.loc[day, "roll_mean_7"] == pytest.approx(window.mean(), abs=1e-3)


def test_calendar_features(params, history):
    out = build_features(history, with_features(params, calendar=["day_of_week", "is_weekend", "month"]))
    row = out[out["date"] == pd.Timestamp("2024-07-06")].iloc[0]  # a Saturday
    assert (row["day_of_week"], row["is_weekend"], row["month"]) == (5, 1, 7)
    with pytest.raises(ValueError, match="astrology"):
        build_features(history, with_features(params, calendar=["astrology"]))
