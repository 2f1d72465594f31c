"""Tokenisation: clean the text, split it into word tokens, map tokens to ids with a vocabulary."""

from __future__ import annotations

import html
import re
from collections import Counter

import torch

PAD, UNK = "<pad>", "<unk>"
_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")


def clean(text: str) -> str:
    """Undo HTML left-overs, lower-case, collapse white space."""
    text = _TAG.sub(" ", html.unescape(str(text)))
    return " ".join(text.lower().split())


def tokenize(text: str, ngrams: int = 1) -> list[str]:
    """Word tokens of the cleaned text; with ``ngrams=2`` also adjacent pairs such as ``not_a``."""
    words = _TOKEN.findall(clean(text))
    if ngrams >= 2:
        words = words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    return words


class Vocab:
    """token ↔ id; id 0 is padding, id 1 is every token not seen (often enough) in training."""

    def __init__(self, tokens: list[str]):
        self.itos = [PAD, UNK, *tokens]
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, texts: list[list[str]], min_freq: int = 2, max_size: int = 20000) -> Vocab:
        counts = Counter(t for tokens in texts for t in tokens)
        kept = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        return cls(kept[:max_size])

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str], max_len: int) -> list[int]:
        return [self.stoi.get(t, 1) for t in tokens[:max_len]] or [1]


def pad_batch(sequences: list[list[int]], max_len: int) -> torch.Tensor:
    """Right-pad id lists with 0 into one LongTensor (N × max_len)."""
    out = torch.zeros(len(sequences), max_len, dtype=torch.long)
    for i, seq in enumerate(sequences):
        seq = seq[:max_len]
        out[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return out
