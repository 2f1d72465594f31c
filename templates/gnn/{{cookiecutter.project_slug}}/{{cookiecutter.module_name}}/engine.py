"""Full-batch training with an optional early stop on the validation papers, and the curve it leaves."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from {{ cookiecutter.module_name }}.loader import GraphData


def accuracy(pred: torch.Tensor, y: torch.Tensor) -> float:
    return float((pred == y).float().mean()) if len(y) else float("nan")


def macro_f1(pred, y, n_classes: int) -> float:
    """Unweighted mean of the per-class F1 over the classes present in y or pred."""
    pred, y = np.asarray(pred), np.asarray(y)
    scores = []
    for c in range(n_classes):
        tp = np.sum((pred == c) & (y == c))
        fp, fn = np.sum((pred == c) & (y != c)), np.sum((pred != c) & (y == c))
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else float("nan")


def fit(
    model: torch.nn.Module, data: GraphData, graph: dict[str, torch.Tensor], train: dict[str, Any]
) -> tuple[list[dict[str, float]], int]:
    """Adam on the training papers' cross-entropy, one step per epoch over the whole graph. With
    train.early_stopping, stop when the validation loss has not improved for train.patience epochs and keep
    the best weights. Returns the per-epoch curve and the best epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=train["lr"], weight_decay=train["weight_decay"])
    tr, va = data.masks["train"], data.masks["valid"]
    curve, best, best_epoch, best_state, waited = [], float("inf"), 0, None, 0
    for epoch in range(1, train["epochs"] + 1):
        model.train()
        opt.zero_grad()
        out = model(data.x, graph)
        loss = F.cross_entropy(out[tr], data.y[tr])
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            out = model(data.x, graph)
            val_loss = float(F.cross_entropy(out[va], data.y[va]))
            pred = out.argmax(1)
        curve.append(
            {
                "epoch": epoch,
                "train_loss": round(loss.item(), 5),
                "val_loss": round(val_loss, 5),
                "train_accuracy": round(accuracy(pred[tr], data.y[tr]), 5),
                "val_accuracy": round(accuracy(pred[va], data.y[va]), 5),
            }
        )
        if val_loss < best:
            best, best_epoch, waited = val_loss, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            waited += 1
            if train["early_stopping"] and waited >= train["patience"]:
                break
    if train["early_stopping"] and best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = curve[-1]["epoch"]
    return curve, best_epoch
