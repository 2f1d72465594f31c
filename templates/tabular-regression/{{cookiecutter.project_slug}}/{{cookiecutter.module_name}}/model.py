"""The model families params.yaml can pick (`model.type`), built from their own params section."""

from __future__ import annotations

from typing import Any

import numpy as np

MODELS = ("linear", "ridge", "lasso", "gradient_boosting")


def build_model(params: dict[str, Any]) -> Any:
    """A fresh, unfitted regressor; with `model.log_target` it fits log(price) and predicts prices."""
    kind = params["model"]["type"]
    if kind not in MODELS:
        raise ValueError(f"model.type {kind!r} is not one of {', '.join(MODELS)}")
    hp = dict(params["model"].get(kind) or {})
    seed = params["seed"]
    if kind == "linear":
        from sklearn.linear_model import LinearRegression

        model = LinearRegression(**hp)
    elif kind == "ridge":
        from sklearn.linear_model import Ridge

        model = Ridge(random_state=seed, **hp)
    elif kind == "lasso":
        from sklearn.linear_model import Lasso

        model = Lasso(random_state=seed, max_iter=20000, **hp)
    else:
        from sklearn.ensemble import HistGradientBoostingRegressor

        model = HistGradientBoostingRegressor(random_state=seed, **hp)
    if params["model"].get("log_target"):
        from sklearn.compose import TransformedTargetRegressor

        model = TransformedTargetRegressor(regressor=model, func=np.log, inverse_func=np.exp)
    return model


def coefficients(model: Any, names: list[str]) -> dict[str, float]:
    """The linear model's weights per (scaled) feature; empty for trees."""
    inner = getattr(model, "regressor_", model)
    coef = getattr(inner, "coef_", None)
    if coef is None:
        return {}
    return {name: float(w) for name, w in zip(names, np.ravel(coef), strict=True)}
