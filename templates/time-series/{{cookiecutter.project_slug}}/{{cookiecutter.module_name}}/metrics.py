"""Forecast accuracy measures, written out so you can check them by hand.

See Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), section 5.8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def mae(y: np.ndarray, f: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(f, float))))


def rmse(y: np.ndarray, f: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, float) - np.asarray(f, float)) ** 2)))


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric MAPE in percent (0–200), as in the M4 competition; a day with 0 actual and 0 forecast counts 0."""
    y, f = np.asarray(y, float), np.asarray(f, float)
    denom = np.abs(y) + np.abs(f)
    ratio = np.divide(np.abs(y - f), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(200 * ratio.mean())


def wape(y: np.ndarray, f: np.ndarray) -> float:
    """Total absolute error over total actual sales, in percent (safe with intermittent zeros)."""
    y, f = np.asarray(y, float), np.asarray(f, float)
    total = np.abs(y).sum()
    err = np.abs(y - f).sum()
    if total == 0:
        return 0.0 if err == 0 else 100.0
    return float(100 * err / total)


def seasonal_naive_scale(history: pd.Series, season: int = 7) -> float:
    """MASE's denominator: the in-sample MAE of the seasonal naive forecast, mean |y_t − y_{t−m}|.

    `history` is one series on a daily calendar (gaps as NaN); pairs with a gap are skipped.
    """
    values = np.asarray(history, float)
    if len(values) <= season:
        return float("nan")
    diff = np.abs(values[season:] - values[:-season])
    diff = diff[~np.isnan(diff)]
    return float(diff.mean()) if len(diff) else float("nan")


def mase(y: np.ndarray, f: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error of one series: MAE / the in-sample seasonal naive MAE (< 1 beats it)."""
    if not scale or np.isnan(scale):
        return float("nan")
    return mae(y, f) / scale


def summary(y: np.ndarray, f: np.ndarray) -> dict[str, float]:
    return {"mae": mae(y, f), "rmse": rmse(y, f), "smape": smape(y, f), "wape": wape(y, f)}
