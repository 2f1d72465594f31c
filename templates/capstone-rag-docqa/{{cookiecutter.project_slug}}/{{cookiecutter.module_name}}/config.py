"""Paths and parameters shared by every stage (params.yaml is the single place to change behaviour)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "data" / "raw" / "docs"
QA = ROOT / "data" / "raw" / "qa.csv"
QUESTIONS = ROOT / "data" / "raw" / "questions.csv"
SECTIONS = ROOT / "data" / "interim" / "sections.csv"
CHUNKS = ROOT / "data" / "processed" / "chunks.csv"
VECTORS = ROOT / "data" / "processed" / "vectors.npy"
RETRIEVED = ROOT / "data" / "processed" / "retrieved.jsonl"
ANSWERS = ROOT / "data" / "processed" / "answers.jsonl"
ADAPTER = ROOT / "models" / "lora"
PREDICTIONS = ROOT / "data" / "predictions" / "predictions.csv"
REPORTS = ROOT / "reports"
METRICS = ROOT / "metrics.json"


def load_params(path: Path | None = None) -> dict[str, Any]:
    """params.yaml as a dict; DOCQA_PARAMS=<file> points the service at another one."""
    path = path or Path(os.environ.get("DOCQA_PARAMS", ROOT / "params.yaml"))
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def resolve(path: str | Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def set_threads(n: int) -> None:
    """The same thread count on every machine (results must not depend on the runner), 1 by default."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[var] = str(n)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
