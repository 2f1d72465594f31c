"""Rolling-origin backtest (time-series cross-validation, FPP3 §5.10).

Each fold pretends it is the morning after its *origin*: the model is fitted on the days up to the origin and
forecasts the next `horizon` days, which are then compared with what was sold. The folds' forecast windows
follow each other up to the last day of the history, so the score covers several months and seasons.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from . import metrics as m
from .config import ACTUAL, DATE, SERIES


def fold_origins(last_day: pd.Timestamp, horizon: int, folds: int, step: int) -> list[pd.Timestamp]:
    """Origins, oldest first; the newest fold's window ends on `last_day`."""
    newest = pd.Timestamp(last_day) - pd.Timedelta(days=horizon)
    return [newest - pd.Timedelta(days=step * i) for i in reversed(range(folds))]


def split(frame: pd.DataFrame, origin: pd.Timestamp, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history up to the origin, the `horizon` days after it)."""
    end = origin + pd.Timedelta(days=horizon)
    return frame[frame[DATE] <= origin], frame[(frame[DATE] > origin) & (frame[DATE] <= end)]


def run(
    frame: pd.DataFrame, make_model: Callable[[], object], origins: list[pd.Timestamp], horizon: int
) -> pd.DataFrame:
    """Forecasts of every fold: fold, series_id, date, horizon_day, actual, forecast."""
    rows = []
    for fold, origin in enumerate(origins, start=1):
        fit, valid = split(frame, origin, horizon)
        model = make_model().fit(fit)
        rows.append(
            pd.DataFrame(
                {
                    "fold": fold,
                    SERIES: valid[SERIES].to_numpy(),
                    DATE: valid[DATE].to_numpy(),
                    "horizon_day": (valid[DATE] - origin).dt.days.to_numpy(),
                    "actual": valid[ACTUAL].to_numpy(dtype=float),
                    "forecast": model.predict(valid),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def scales(frame: pd.DataFrame, origins: list[pd.Timestamp], season: int) -> pd.DataFrame:
    """MASE denominators per fold and series, from the recorded sales up to each origin."""
    out = []
    for fold, origin in enumerate(origins, start=1):
        for sid, g in frame[frame[DATE] <= origin].groupby(SERIES):
            out.append({"fold": fold, SERIES: sid, "scale": m.seasonal_naive_scale(g[ACTUAL], season)})
    return pd.DataFrame(out)


def score(forecasts: pd.DataFrame, scale: pd.DataFrame) -> dict[str, float]:
    """Pooled MAE/RMSE/sMAPE/WAPE over every scored day, and MASE averaged over (fold, series) pairs."""
    scored = forecasts.dropna(subset=["actual"])  # days missing from the export are not scored
    out = m.summary(scored["actual"], scored["forecast"])
    per = scored.merge(scale, on=["fold", SERIES])
    values = [m.mase(g["actual"], g["forecast"], g["scale"].iloc[0]) for _, g in per.groupby(["fold", SERIES])]
    out["mase"] = float(np.nanmean(values))
    return out
