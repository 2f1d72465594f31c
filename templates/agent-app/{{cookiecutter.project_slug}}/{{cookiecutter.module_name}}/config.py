"""Paths and parameters shared by every stage (params.yaml is the single place to change behaviour)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
DOCS = RAW / "docs"
DEV_TASKS = RAW / "dev_tasks.csv"
TEST_TASKS = RAW / "test_tasks.csv"
DATABASE = ROOT / "data" / "processed" / "shop.sqlite"
PASSAGES = ROOT / "data" / "processed" / "passages.json"
PREDICTIONS = ROOT / "data" / "predictions" / "predictions.csv"
REPORTS = ROOT / "reports"
TRACES = REPORTS / "traces.jsonl"
METRICS = ROOT / "metrics.json"


def load_params(path: Path | None = None) -> dict[str, Any]:
    """params.yaml as a dict; AGENT_PARAMS=<file> points the stages at another one."""
    path = path or Path(os.environ.get("AGENT_PARAMS", ROOT / "params.yaml"))
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
