"""Stage features: data/interim → data/processed (one row per series and day, with model inputs).

Direct multi-step forecasting with *horizon-safe* features: to forecast up to `horizon` days ahead in one go,
every feature of day t may use sales up to day t − horizon only. Lags shorter than the horizon would need
sales we do not have yet when we forecast the last days of the horizon, so `build_features` refuses them
(a recursive forecaster, which feeds its own forecasts back in, is one way round it; see README).
Calendar, promotion, price and holiday columns are known in advance and used as they are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .config import DATE, ID, INTERIM, PROCESSED, SERIES, TARGET, load_params

CALENDAR: dict[str, Callable[[pd.Series], pd.Series]] = {
    "day_of_week": lambda d: d.dt.day_of_week,
    "is_weekend": lambda d: (d.dt.day_of_week >= 5).astype(int),
    "month": lambda d: d.dt.month,
    "day_of_month": lambda d: d.dt.day,
    "year_sin": lambda d: np.sin(2 * np.pi * d.dt.day_of_year / 365.25).round(6),
    "year_cos": lambda d: np.cos(2 * np.pi * d.dt.day_of_year / 365.25).round(6),
    "trend": lambda d: (d - pd.Timestamp("2023-01-01")).dt.days,
}


def lag_name(k: int) -> str:
    return f"lag_{k}"


def rolling_name(w: int) -> str:
    return f"roll_mean_{w}"


def check_lags(lags: list[int], rolling: list[int], horizon: int) -> None:
    short = [k for k in lags if k < horizon]
    if short:
        raise ValueError(
            f"lags {short} are shorter than the horizon ({horizon} days): the forecast of day "
            f"{horizon} would need sales from inside the horizon. Use lags ≥ {horizon}."
        )
    if any(w < 1 for w in rolling):
        raise ValueError(f"rolling windows must be ≥ 1, got {rolling}")


def build_features(df: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Add the params' features to a frame sorted by series and date (future rows have empty sales)."""
    cfg = params["features"]
    horizon = int(params["horizon"])
    lags, rolling = [int(k) for k in cfg.get("lags") or []], [int(w) for w in cfg.get("rolling_means") or []]
    check_lags(lags, rolling, horizon)
    unknown = sorted(set(cfg.get("calendar") or []) - set(CALENDAR))
    if unknown:
        raise ValueError(f"unknown calendar features {unknown}; known: {sorted(CALENDAR)}")
    out = df.sort_values([SERIES, DATE]).reset_index(drop=True)
    sales = out.groupby(SERIES, sort=False)[TARGET]
    for k in lags:
        out[lag_name(k)] = sales.shift(k)
    if rolling:
        safe = sales.shift(horizon)  # the last value every day of the horizon can see
        for w in rolling:
            out[rolling_name(w)] = (
                safe.groupby(out[SERIES], sort=False)
                .transform(lambda s, w=w: s.rolling(w, min_periods=1).mean())
                .round(4)
            )
    for name in cfg.get("calendar") or []:
        out[name] = CALENDAR[name](out[DATE])
    return out


def feature_columns(params: dict) -> tuple[list[str], list[str]]:
    """(numeric, categorical) model inputs named by params.yaml."""
    cfg = params["features"]
    categorical = list(cfg.get("categorical") or [])
    numeric = (
        [lag_name(int(k)) for k in cfg.get("lags") or []]
        + [rolling_name(int(w)) for w in cfg.get("rolling_means") or []]
        + list(cfg.get("calendar") or [])
        + list(cfg.get("exogenous") or [])
    )
    return [c for c in numeric if c not in categorical], categorical


def main() -> None:
    params = load_params()
    history = pd.read_csv(INTERIM / "history.csv", parse_dates=[DATE])
    future = pd.read_csv(INTERIM / "future.csv", parse_dates=[DATE])
    both = build_features(pd.concat([history, future], ignore_index=True), params)
    is_future = both[ID].notna()
    PROCESSED.mkdir(parents=True, exist_ok=True)
    both[~is_future].drop(columns=[ID]).to_csv(PROCESSED / "train.csv", index=False)
    test = both[is_future].drop(columns=[TARGET]).copy()
    test[ID] = test[ID].astype(int)
    test.to_csv(PROCESSED / "test.csv", index=False)
    numeric, categorical = feature_columns(params)
    print(
        f"features: {len(numeric)} numeric and {len(categorical)} categorical inputs; "
        f"{(~is_future).sum()} history rows, {is_future.sum()} rows to forecast"
    )


if __name__ == "__main__":
    main()
