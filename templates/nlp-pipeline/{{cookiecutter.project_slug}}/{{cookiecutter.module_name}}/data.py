"""Reading the CSVs and batching tensors."""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset


def read_csv(path: Path):
    import pandas as pd

    # keep_default_na=False: an empty message stays "", and "n/a" stays text for prepare to judge
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def make_loader(
    x: torch.Tensor,
    y: torch.Tensor | None,
    batch_size: int,
    *,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """A DataLoader over tensors, no worker processes (deterministic; the data is small)."""
    dataset = TensorDataset(x) if y is None else TensorDataset(x, y)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator, num_workers=0)
