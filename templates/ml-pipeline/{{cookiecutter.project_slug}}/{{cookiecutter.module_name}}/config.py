"""Parameters and paths shared by the stages (all relative to the repo root, where `dvc repro` runs)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "models" / "model.joblib"
TRAIN_REPORT = ROOT / "reports" / "train.json"
REGISTRY_REPORT = ROOT / "reports" / "registry.json"
SERVE_REPORT = ROOT / "reports" / "serve.json"
DRIFT_REPORT = ROOT / "reports" / "drift.json"
VALIDATION_REPORT = ROOT / "reports" / "validation.json"
PREDICTIONS = ROOT / "data" / "predictions" / "predictions.csv"


def load_params(path: Path | None = None) -> dict[str, Any]:
    params = yaml.safe_load((path or ROOT / "params.yaml").read_text())
    threads = str(params.get("threads", 1))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    return params


def tracking_uri(params: dict[str, Any]) -> str:
    """MLFLOW_TRACKING_URI (a real server: http://host:5000) wins over params.yaml's local SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or params["mlflow"]["tracking_uri"]


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
