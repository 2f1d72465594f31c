from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import backtest
from {{ cookiecutter.module_name }}.features import build_features
from {{ cookiecutter.module_name }}.models import MODELS, SeasonalNaive, build_model


def test_folds_never_train_on_their_horizon(params, history):
    horizon, folds = int(params["horizon"]), int(params["backtest"]["folds"])
    last = history["date"].max()
    origins = backtest.fold_origins(last, horizon, folds, int(params["backtest"]["step"]))
    assert len(origins) == folds and origins == sorted(origins)
    assert origins[-1] + pd.Timedelta(days=horizon) == last, "the newest fold ends on the last day"
    for origin in origins:
        fit, valid = backtest.split(history, origin, horizon)
        assert fit["date"].max() == origin and valid["date"].min() == origin + pd.Timedelta(days=1)
        assert valid["date"].max() == origin + pd.Timedelta(days=horizon)
        assert not set(zip(fit["series_id"], fit["date"], strict=True)) & set(
            zip(valid["series_id"], valid["date"], strict=True)
        )


def test_seasonal_naive_repeats_the_last_week():
    days = pd.date_range("2024-01-01", periods=21, freq="D")
    df = pd.DataFrame({"series_id": "a", "date": days, "sales": np.arange(21.0)})
    model = SeasonalNaive(season=7).fit(df.iloc[:14])
    # days 14..20 are forecast with days 7..13 (same weekday, last week before the origin)
    assert model.predict(df.iloc[14:]).tolist() == list(np.arange(7.0, 14.0))
    assert SeasonalNaive(season=7, weeks=2).fit(df.iloc[:14]).predict(df.iloc[14:15]).tolist() == [3.5]


@pytest.mark.parametrize("kind", MODELS)
def test_every_model_forecasts_non_negative_sales(params, history, kind):
    p = copy.deepcopy(params)
    p["model"]["type"] = kind
    p["features"] = {
        **p["features"],
        "lags": [28, 35],
        "calendar": ["day_of_week"],
        "exogenous": ["promo"],
        "categorical": ["series_id"],
    }
    p["model"]["lightgbm"] = {**p["model"]["lightgbm"], "n_estimators": 30}
    frame = build_features(history, p)
    origin = frame["date"].max() - pd.Timedelta(days=28)
    fit, valid = backtest.split(frame, origin, 28)
    pred = build_model(p).fit(fit).predict(valid)
    assert pred.shape == (len(valid),) and np.isfinite(pred).all() and (pred >= 0).all()


def test_unknown_model_type_is_a_clear_error(params):
    p = copy.deepcopy(params)
    p["model"]["type"] = "prophet"
    with pytest.raises(ValueError, match="prophet"):
        build_model(p)
