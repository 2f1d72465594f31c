"""Parameters, paths, seeding and device selection shared by every stage.

PyTorch is imported inside the functions that use it, so a stage that only reads params.yaml and the CSVs
(``embed`` for the kinds without a pre-trained encoder) starts without it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

if TYPE_CHECKING:
    import torch

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
EMBEDDINGS = PROCESSED / "embeddings.npz"  # the embed stage's: every processed text's sentence embedding
PREDICTIONS = ROOT / "data" / "predictions"
MODELS = ROOT / "models"
REPORTS = ROOT / "reports"
CLASSES = ["account", "billing", "delivery", "technical"]
N_CLASSES = len(CLASSES)


def load_params(path: Path | None = None) -> dict[str, Any]:
    """params.yaml as a dict (DVC tracks the same file, so a change re-runs the stages that read it)."""
    with open(path or ROOT / "params.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a generator for DataLoader shuffling."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def select_device(preference: str = "auto") -> torch.device:
    """ "auto" picks CUDA, then Apple's MPS, then the CPU; a named device that is missing falls back to CPU."""
    import torch

    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if preference in ("auto", "mps") and mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def amp_enabled(requested: bool, device: torch.device) -> bool:
    """Mixed precision (float16 + gradient scaling) only where it pays: CUDA. On CPU it is switched off."""
    return bool(requested) and device.type == "cuda"


def set_threads(n: int) -> None:
    """Cap CPU threads (CI runners have 2 cores; more threads than cores only adds contention)."""
    if n and n > 0:
        import torch

        torch.set_num_threads(n)
