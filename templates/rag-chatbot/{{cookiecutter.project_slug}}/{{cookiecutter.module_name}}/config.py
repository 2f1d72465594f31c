"""Paths and parameters shared by every stage (params.yaml is the single place to change behaviour)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "data" / "raw" / "docs"
QA = ROOT / "data" / "raw" / "qa.csv"
QUESTIONS = ROOT / "data" / "raw" / "questions.csv"
DOCUMENTS = ROOT / "data" / "interim" / "documents.csv"
CHUNKS = ROOT / "data" / "processed" / "chunks.csv"
PREDICTIONS = ROOT / "data" / "predictions" / "predictions.csv"
REPORTS = ROOT / "reports"
METRICS = ROOT / "metrics.json"


def load_params(path: Path | None = None) -> dict[str, Any]:
    """params.yaml as a dict; RAG_PARAMS=<file> points the app at another one."""
    path = path or Path(os.environ.get("RAG_PARAMS", ROOT / "params.yaml"))
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def index_path(params: dict[str, Any]) -> Path:
    path = Path(params["index"]["path"])
    return path if path.is_absolute() else ROOT / path


def set_threads(n: int) -> None:
    """Cap BLAS / tokenizer / torch threads (CI runners have 2 cores)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ.setdefault(var, str(n))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
