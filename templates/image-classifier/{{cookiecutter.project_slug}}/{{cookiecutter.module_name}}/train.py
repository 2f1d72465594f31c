"""Stage 2 — train: fit the network with AdamW and a learning-rate schedule; log a per-epoch curve.

With ``transfer.enabled`` the backbone is first pre-trained on another task (the letters in
data/raw/pretrain.csv), then a new 10-class head is attached and the whole network is fine-tuned on the
digits — optionally with the backbone frozen for the first ``transfer.freeze_epochs`` epochs.
Writes models/model.pt (git-ignored, a DVC output), reports/training_curve.csv and reports/train_info.json.
"""

from __future__ import annotations

import json
import time

import numpy as np
import torch
from torch import nn

from {{ cookiecutter.module_name }}.config import (
    MODELS,
    N_CLASSES,
    PROCESSED,
    REPORTS,
    amp_enabled,
    load_params,
    seed_everything,
    select_device,
    set_threads,
)
from {{ cookiecutter.module_name }}.data import make_loader, to_tensor
from {{ cookiecutter.module_name }}.engine import accuracy, predict_logits, train_one_epoch
from {{ cookiecutter.module_name }}.model import Classifier, build_model, count_parameters


def make_optimizer(model: nn.Module, lr: float, weight_decay: float, epochs: int, steps_per_epoch: int, schedule: str):
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=weight_decay)
    total = max(epochs * steps_per_epoch, 1)
    if schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total, pct_start=0.25)
    elif schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
    elif schedule == "constant":
        scheduler = None
    else:
        raise ValueError(f"unknown schedule {schedule!r} (onecycle, cosine or constant)")
    return optimizer, scheduler


def pretrain(model: Classifier, params: dict, device: torch.device, generator: torch.Generator) -> None:
    """Train the backbone on the letters task, then give the model a fresh head for the digits."""
    t = params["transfer"]
    data = np.load(PROCESSED / "pretrain.npz")
    model.new_head(len(data["names"]))
    model.to(device)
    loader = make_loader(
        to_tensor(data["images"]),
        torch.from_numpy(data["labels"]).long(),
        params["train"]["batch_size"],
        shuffle=True,
        generator=generator,
    )
    optimizer, scheduler = make_optimizer(
        model, t["lr"], params["train"]["weight_decay"], t["pretrain_epochs"], len(loader), "onecycle"
    )
    for epoch in range(t["pretrain_epochs"]):
        loss = train_one_epoch(model, loader, optimizer, device, scheduler=scheduler)
        print(f"pretrain epoch {epoch + 1}: loss {loss:.4f}")
    model.new_head(N_CLASSES)


def main() -> None:
    params = load_params()
    tp = params["train"]
    set_threads(params["threads"])
    generator = seed_everything(params["seed"])
    device = select_device(params["device"])
    amp = amp_enabled(params["amp"], device)

    data = np.load(PROCESSED / "train.npz")
    valid = data["valid"]
    images, labels = to_tensor(data["images"]), torch.from_numpy(data["labels"]).long()
    train_loader = make_loader(
        images[~valid], labels[~valid], tp["batch_size"], shuffle=True, augment=tp["augment"], generator=generator
    )
    valid_loader = make_loader(images[valid], labels[valid], 512)

    model = build_model(params, N_CLASSES)
    pretrained = bool(params["transfer"]["enabled"])
    start = time.perf_counter()
    if pretrained:
        pretrain(model, params, device, generator)
    model.to(device)
    freeze = params["transfer"]["freeze_epochs"] if pretrained else 0

    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    optimizer, scheduler = make_optimizer(
        model, tp["lr"], tp["weight_decay"], tp["epochs"], len(train_loader), tp["schedule"]
    )
    loss_fn = nn.CrossEntropyLoss()
    curve = []
    for epoch in range(tp["epochs"]):
        for p in model.backbone.parameters():
            p.requires_grad = epoch >= freeze
        lr = optimizer.param_groups[0]["lr"]
        train_loss = train_one_epoch(
            model,
            train_loader,
            optimizer,
            device,
            scheduler=scheduler,
            scaler=scaler,
            amp=amp,
            label_smoothing=tp["label_smoothing"],
        )
        logits = predict_logits(model, valid_loader, device)
        val_loss = loss_fn(logits, labels[valid]).item()
        val_acc = accuracy(logits.argmax(1).numpy(), labels[valid].numpy())
        curve.append((epoch + 1, train_loss, val_loss, val_acc, lr))
        print(f"epoch {epoch + 1:3d}  train_loss {train_loss:.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")
    seconds = time.perf_counter() - start

    MODELS.mkdir(exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    torch.save({"state_dict": model.cpu().state_dict(), "model": params["model"]}, MODELS / "model.pt")
    with open(REPORTS / "training_curve.csv", "w", encoding="utf-8") as fh:
        fh.write("epoch,train_loss,val_loss,val_accuracy,lr\n")
        fh.writelines(f"{e},{a:.6f},{b:.6f},{c:.6f},{d:.6g}\n" for e, a, b, c, d in curve)
    info = {
        "device": device.type,
        "amp": amp,
        "seed": params["seed"],
        "pretrained": pretrained,
        "epochs": tp["epochs"],
        "train_seconds": round(seconds, 2),
        "n_parameters": count_parameters(model),
    }
    (REPORTS / "train_info.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"train: {seconds:.1f}s on {device.type} (amp={amp}), {info['n_parameters']} parameters")


if __name__ == "__main__":
    main()
