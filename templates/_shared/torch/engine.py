"""The training loop: one epoch of AdamW steps (with optional mixed precision) and evaluation."""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader


def autocast(device: torch.device, enabled: bool):
    """float16 autocast on CUDA when enabled; a no-op context elsewhere."""
    if enabled and device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    *,
    scheduler=None,
    scaler: torch.amp.GradScaler | None = None,
    amp: bool = False,
    label_smoothing: float = 0.0,
    max_grad_norm: float = 5.0,
) -> float:
    """One pass over ``loader``; returns the mean training loss. ``scheduler`` steps once per batch."""
    model.train()
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, amp):
            loss = loss_fn(model(x), y)
        if scaler is not None and scaler.is_enabled():
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / max(count, 1)


@torch.no_grad()
def predict_logits(model: nn.Module, loader: DataLoader, device: torch.device) -> torch.Tensor:
    model.eval()
    out = []
    for batch in loader:
        x = batch[0] if isinstance(batch, list | tuple) else batch
        out.append(model(x.to(device)).float().cpu())
    return torch.cat(out)


def accuracy(pred: np.ndarray, true: np.ndarray) -> float:
    return float((pred == true).mean()) if len(true) else 0.0


def macro_f1(pred: np.ndarray, true: np.ndarray, n_classes: int) -> float:
    """Unweighted mean of per-class F1 (a class absent from both counts as 0, like scikit-learn's default)."""
    scores = []
    for c in range(n_classes):
        tp = np.sum((pred == c) & (true == c))
        fp = np.sum((pred == c) & (true != c))
        fn = np.sum((pred != c) & (true == c))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))
