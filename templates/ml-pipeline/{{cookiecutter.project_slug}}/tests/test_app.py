"""The real FastAPI app over HTTP (TestClient), serving a model trained in the test."""

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.app import create_app

ORDER = {
    "region": "north",
    "carrier": "EcoPost",
    "distance_km": 800.0,
    "weight_kg": 3.0,
    "items": 2,
    "promised_days": 1,
    "order_hour": 20,
    "is_weekend": 1,
    "express": "no",
    "warehouse_load": 0.95,
}
EASY = {
    **ORDER,
    "carrier": "RapidShip",
    "distance_km": 20.0,
    "promised_days": 5,
    "order_hour": 9,
    "is_weekend": 0,
    "express": "yes",
    "warehouse_load": 0.5,
}


@pytest.fixture(scope="module")
def client(params, model):
    with TestClient(create_app(params, model=model, version="test")) as c:
        yield c


def test_health(client, params):
    assert client.get("/health").json() == {
        "status": "ok",
        "model": params["register"]["model_name"],
        "version": "test",
        "threshold": params["train"]["threshold"],
    }


def test_predict_ranks_a_risky_order_above_an_easy_one(client):
    risky = client.post("/predict", json=ORDER).json()
    easy = client.post("/predict", json=EASY).json()
    assert 0 <= easy["late_probability"] < risky["late_probability"] <= 1
    assert risky["version"] == "test"


def test_predict_batch_matches_single_predictions(client):
    res = client.post("/predict/batch", json={"orders": [ORDER, EASY, {**ORDER, "weight_kg": None}]})
    assert res.status_code == 200
    batch = res.json()["predictions"]
    assert len(batch) == 3
    assert batch[0] == {k: v for k, v in client.post("/predict", json=ORDER).json().items() if k != "version"}


def test_bad_requests_are_rejected(client):
    assert client.post("/predict", json={**ORDER, "promised_days": 0}).status_code == 422
    assert client.post("/predict", json={**ORDER, "order_hour": 25}).status_code == 422
    assert client.post("/predict/batch", json={"orders": []}).status_code == 422
