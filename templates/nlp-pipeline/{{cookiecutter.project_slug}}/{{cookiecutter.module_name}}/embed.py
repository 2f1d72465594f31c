"""Stage 2 — embed: with ``model.kind: pretrained``, every processed text's sentence embedding, once.

The encoder is frozen (see encoder.py), so train, evaluate and predict read these vectors instead of running
all-MiniLM-L6-v2 again each, and a change to the head's settings re-runs them without loading it. For the other kinds
the file holds no vectors and the stage imports neither PyTorch nor the encoder.
Writes data/processed/embeddings.npz (git-ignored, a DVC output).
"""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.config import EMBEDDINGS, PROCESSED, load_params, set_threads


def main() -> None:
    params = load_params()
    texts: list[str] = []
    vectors = np.zeros((0, params["model"]["encoder_dim"]), dtype=np.float32)
    if params["model"]["kind"] == "pretrained":
        from {{ cookiecutter.module_name }}.data import read_csv  # the same strings train and predict read
        from {{ cookiecutter.module_name }}.encoder import encode

        set_threads(params["threads"])
        texts = list(dict.fromkeys(t for name in ("train.csv", "test.csv") for t in read_csv(PROCESSED / name)["text"]))
        vectors = encode(texts)
    np.savez(EMBEDDINGS, texts=np.array(texts, dtype=str), vectors=vectors)
    print(
        f"embed: {len(texts)} texts -> {EMBEDDINGS.name}"
        if texts
        else f"embed: model.kind is {params['model']['kind']}: nothing to embed"
    )


if __name__ == "__main__":
    main()
