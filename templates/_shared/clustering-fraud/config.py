"""Paths and parameters shared by every stage. Every number lives in params.yaml."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(os.environ.get("PROJECT_ROOT", Path(__file__).resolve().parent.parent))
RAW = ROOT / "data" / "raw"
INTERIM = ROOT / "data" / "interim"
PROCESSED = ROOT / "data" / "processed"
PREDICTIONS = ROOT / "data" / "predictions"
MODELS = ROOT / "models"
REPORTS = ROOT / "reports"


def load_params(path: Path | None = None) -> dict[str, Any]:
    with open(path or ROOT / "params.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def write_json(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n", encoding="utf-8")
