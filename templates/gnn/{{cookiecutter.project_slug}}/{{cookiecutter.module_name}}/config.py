"""Parameters, paths, column names, seeding, threads and device selection shared by every stage."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
PREDICTIONS = ROOT / "data" / "predictions"
MODELS = ROOT / "models"
REPORTS = ROOT / "reports"
FIGURES = REPORTS / "figures"

ID = "id"
TARGET = "topic"
SPLIT = "split"  # train | valid | test (test = the hidden papers, no topic)
TOPICS = ["computer_vision", "databases", "machine_learning", "networking", "robotics", "theory"]


def load_params(path: Path | None = None) -> dict[str, Any]:
    """params.yaml as a dict (DVC tracks the same file, so a change re-runs the stages that read it)."""
    with open(path or ROOT / "params.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch, and ask PyTorch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def set_threads(n: int) -> None:
    """Cap CPU threads (CI runners have 2 cores; more threads than cores only adds contention)."""
    if n and n > 0:
        torch.set_num_threads(n)


def select_device(preference: str = "auto") -> torch.device:
    """ "auto" picks CUDA when present, else the CPU (Apple's MPS lacks some sparse kernels, so it is not used)."""
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
