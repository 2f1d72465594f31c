"""The prediction service: FastAPI, serving the registry's `champion` (or a model handed in by a test).

    uvicorn {{ cookiecutter.module_name }}.app:app --port 8080      # make serve

GET /health, POST /predict (one order), POST /predict/batch (up to 1000 orders). Requests are cleaned by
the same code as the training data (data.clean) before the model sees them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from .config import load_params, tracking_uri
from .data import clean, features

MAX_BATCH = 1000


class Order(BaseModel):
    region: str | None = None
    carrier: str | None = None
    distance_km: float | None = None
    weight_kg: float | None = None
    items: int = Field(1, ge=0)
    promised_days: int = Field(..., ge=1)
    order_hour: int = Field(12, ge=0, le=23)
    is_weekend: int = Field(0, ge=0, le=1)
    express: str | bool = "no"
    warehouse_load: float | None = Field(None, ge=0)
    refund_issued: int = Field(0, ge=0, le=1)


class Batch(BaseModel):
    orders: list[Order] = Field(..., min_length=1, max_length=MAX_BATCH)


def load_champion(params: dict[str, Any]) -> tuple[Any, str]:
    import mlflow
    from mlflow import MlflowClient

    uri = tracking_uri(params)
    name = params["register"]["model_name"]
    version = MlflowClient(uri).get_model_version_by_alias(name, "champion").version
    mlflow.set_tracking_uri(uri)
    return mlflow.sklearn.load_model(f"models:/{name}/{version}"), str(version)


def create_app(params: dict[str, Any] | None = None, model: Any = None, version: str = "local") -> FastAPI:
    params = params or load_params()
    if model is None:
        model, version = load_champion(params)
    threshold = float(params["train"]["threshold"])
    app = FastAPI(title="{{ cookiecutter.project_name }}")

    def score(orders: list[Order]) -> list[dict[str, Any]]:
        rows = [
            {**o.model_dump(), "express": "yes" if o.express in (True, "yes", "1", "true") else "no"} for o in orders
        ]
        try:
            proba = model.predict_proba(features(clean(pd.DataFrame(rows)), params))[:, 1]
        except (ValueError, KeyError) as exc:
            raise HTTPException(status_code=422, detail=f"cannot score: {exc}") from exc
        return [{"late_probability": round(float(p), 6), "late": bool(p >= threshold)} for p in proba]

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "model": params["register"]["model_name"], "version": version, "threshold": threshold}

    @app.post("/predict")
    def predict(order: Order) -> dict[str, Any]:
        return {**score([order])[0], "version": version}

    @app.post("/predict/batch")
    def predict_batch(batch: Batch) -> dict[str, Any]:
        return {"predictions": score(batch.orders), "version": version}

    return app


def __getattr__(name: str) -> Any:  # `uvicorn pkg.app:app` builds the app (and loads the champion) on demand
    if name == "app":
        return create_app()
    raise AttributeError(name)
