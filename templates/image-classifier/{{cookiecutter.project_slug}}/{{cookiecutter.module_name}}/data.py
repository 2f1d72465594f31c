"""Loading images from CSV and into tensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from {{ cookiecutter.module_name }}.config import IMAGE_SIZE, PIXELS


def read_images(path: Path, label_column: str | None = "label") -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A CSV of id, [label], px000…px255 → (ids, uint8 images N×16×16, labels or None)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype={"id": str})
    pixels = frame[PIXELS].to_numpy(dtype=np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    labels = frame[label_column].to_numpy() if label_column and label_column in frame else None
    return frame["id"].to_numpy(dtype=str), pixels, labels


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 N×H×W → float N×1×H×W in [0, 1]."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


class ImageDataset(Dataset):
    """Images (and labels) with optional training-time augmentation: small random shifts and noise."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None = None, augment: bool = False):
        self.images = images
        self.labels = labels
        self.augment = augment

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        x = self.images[i]
        if self.augment:
            dx, dy = torch.randint(-1, 2, (2,)).tolist()
            x = torch.roll(x, shifts=(dy, dx), dims=(1, 2))
            x = (x + 0.05 * torch.randn_like(x)).clamp(0, 1)
        if self.labels is None:
            return x
        return x, self.labels[i]


def make_loader(
    images: torch.Tensor,
    labels: torch.Tensor | None,
    batch_size: int,
    *,
    shuffle: bool = False,
    augment: bool = False,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """A DataLoader with no worker processes: deterministic and cheap for data this small."""
    return DataLoader(
        ImageDataset(images, labels, augment),
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
        num_workers=0,
    )
