"""The networks: a small CNN and a small residual network, both ending in a replaceable ``head``."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def conv_block(c_in: int, c_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Dropout2d(dropout),
    )


class ResidualBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.skip = (
            nn.Identity()
            if stride == 1 and c_in == c_out
            else nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.skip(x))


class Classifier(nn.Module):
    """``backbone`` (images → feature vector) + ``head`` (features → class logits).

    Transfer learning swaps the head: train on one task, keep the backbone, attach a new head.
    """

    def __init__(self, arch: str = "cnn", channels: int = 16, dropout: float = 0.2, n_classes: int = 10):
        super().__init__()
        c = channels
        if arch == "cnn":
            self.backbone = nn.Sequential(
                conv_block(1, c, dropout / 2),  # 16×16 → 8×8
                conv_block(c, 2 * c, dropout / 2),  # 8×8 → 4×4
                nn.Flatten(),
                nn.Linear(2 * c * 16, 64),
                nn.ReLU(inplace=True),
            )
        elif arch == "resnet":
            self.backbone = nn.Sequential(
                nn.Conv2d(1, c, 3, padding=1, bias=False),
                nn.BatchNorm2d(c),
                nn.ReLU(inplace=True),
                ResidualBlock(c, c, 1),
                ResidualBlock(c, 2 * c, 2),  # 16×16 → 8×8
                ResidualBlock(2 * c, 4 * c, 2),  # 8×8 → 4×4
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
            )
        else:
            raise ValueError(f"unknown arch {arch!r} (choose cnn or resnet)")
        self.features = 64 if arch == "cnn" else 4 * c
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.features, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.backbone(x)))

    def new_head(self, n_classes: int) -> None:
        """Replace the classification head (the transfer-learning step)."""
        self.head = nn.Linear(self.features, n_classes)


def build_model(params: dict[str, Any], n_classes: int = 10) -> Classifier:
    m = params["model"]
    return Classifier(m["arch"], m["channels"], m["dropout"], n_classes)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def load_checkpoint(path=None) -> Classifier:
    """The trained model from models/model.pt, on the CPU, in eval mode."""
    from {{ cookiecutter.module_name }}.config import MODELS

    ckpt = torch.load(path or MODELS / "model.pt", map_location="cpu", weights_only=True)
    m = ckpt["model"]
    model = Classifier(m["arch"], m["channels"], m["dropout"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()
