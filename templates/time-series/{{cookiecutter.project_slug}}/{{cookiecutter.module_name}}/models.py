"""The forecasters params.yaml can pick (`model.type`). Each has fit(frame) and predict(frame) on whole frames
(series_id, date, features, sales), so the backtest and the final forecast call them the same way."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .config import DATE, SERIES, TARGET
from .features import feature_columns

MODELS = ("seasonal_naive", "ridge", "lightgbm")


class SeasonalNaive:
    """Forecast each day with the same weekday of the last `weeks` weeks before the forecast origin (averaged).

    With weeks=1 it is the classic seasonal naive benchmark (FPP3 §5.2) and MASE's yardstick.
    """

    def __init__(self, season: int = 7, weeks: int = 1):
        self.season, self.weeks = int(season), int(weeks)

    def fit(self, frame: pd.DataFrame) -> SeasonalNaive:
        known = frame.dropna(subset=[TARGET])
        self.history_ = known.set_index([SERIES, DATE])[TARGET]
        self.origin_ = known.groupby(SERIES)[DATE].max()
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        origin = frame[SERIES].map(self.origin_)
        ahead = (frame[DATE] - origin).dt.days.to_numpy()
        back = self.season * np.ceil(ahead / self.season).astype(int)
        looks = []
        for j in range(self.weeks):
            days = frame[DATE] - pd.to_timedelta(back + self.season * j, unit="D")
            keys = pd.MultiIndex.from_arrays([frame[SERIES], days])
            looks.append(self.history_.reindex(keys).to_numpy(dtype=float))
        stacked = np.vstack(looks)
        seen = ~np.isnan(stacked)
        total = np.where(seen, stacked, 0.0).sum(axis=0)
        pred = np.divide(total, seen.sum(axis=0), out=np.zeros(len(frame)), where=seen.any(axis=0))
        return np.nan_to_num(pred)


class GlobalModel:
    """One regressor for all series (a "global" model), on the feature columns params.yaml names."""

    def __init__(self, params: dict[str, Any]):
        self.kind = params["model"]["type"]
        self.numeric, self.categorical = feature_columns(params)
        self.hp = dict(params["model"].get(self.kind) or {})
        self.log_target = bool(params["model"].get("log_target"))
        self.seed = int(params["seed"])

    def _X(self, frame: pd.DataFrame) -> pd.DataFrame:
        X = frame[self.numeric + self.categorical].copy()
        for col in self.categorical:
            X[col] = pd.Categorical(X[col].astype(str), categories=self.categories_[col])
        return X

    def _estimator(self):
        if self.kind == "ridge":
            from sklearn.compose import ColumnTransformer
            from sklearn.impute import SimpleImputer
            from sklearn.linear_model import Ridge
            from sklearn.pipeline import Pipeline, make_pipeline
            from sklearn.preprocessing import OneHotEncoder, StandardScaler

            num = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
            cat = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            cols = ColumnTransformer([("num", num, self.numeric), ("cat", cat, self.categorical)])
            return Pipeline([("columns", cols), ("ridge", Ridge(**self.hp))])
        import lightgbm as lgb

        return lgb.LGBMRegressor(random_state=self.seed, verbose=-1, deterministic=True, force_row_wise=True, **self.hp)

    def fit(self, frame: pd.DataFrame) -> GlobalModel:
        if not self.numeric and not self.categorical:
            raise ValueError(f"model.type {self.kind} needs features: list some in params.yaml features")
        known = frame.dropna(subset=[TARGET])
        self.categories_ = {c: sorted(known[c].astype(str).unique()) for c in self.categorical}
        y = known[TARGET].to_numpy(dtype=float)
        self.model_ = self._estimator().fit(self._X(known), np.log1p(y) if self.log_target else y)
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        pred = self.model_.predict(self._X(frame))
        if self.log_target:
            pred = np.expm1(pred)
        return np.clip(pred, 0, None)


def build_model(params: dict[str, Any]) -> SeasonalNaive | GlobalModel:
    kind = params["model"]["type"]
    if kind not in MODELS:
        raise ValueError(f"model.type {kind!r} is not one of {', '.join(MODELS)}")
    if kind == "seasonal_naive":
        return SeasonalNaive(**(params["model"].get("seasonal_naive") or {}))
    return GlobalModel(params)
