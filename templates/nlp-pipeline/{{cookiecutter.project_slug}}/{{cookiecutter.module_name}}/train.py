"""Stage 2 — train: tokenise, fit the classifier with AdamW and a learning-rate schedule, log a curve.

``model.kind`` picks the model (see model.py). With ``pretrained`` the texts become sentence embeddings
from the frozen all-MiniLM-L6-v2 encoder and only a small head is trained.
Writes models/model.pt (git-ignored, a DVC output), reports/training_curve.csv and reports/train_info.json.
"""

from __future__ import annotations

import json
import time
from typing import Any

import torch
from torch import nn

from {{ cookiecutter.module_name }}.config import (
    CLASSES,
    MODELS,
    PROCESSED,
    REPORTS,
    amp_enabled,
    load_params,
    seed_everything,
    select_device,
    set_threads,
)
from {{ cookiecutter.module_name }}.data import make_loader, read_csv
from {{ cookiecutter.module_name }}.engine import accuracy, predict_logits, train_one_epoch
from {{ cookiecutter.module_name }}.model import build_model, count_parameters
from {{ cookiecutter.module_name }}.text import Vocab, pad_batch, tokenize


def featurize(texts: list[str], kind: str, tok: dict[str, Any], vocab: Vocab | None) -> torch.Tensor:
    """Texts → model inputs: padded token ids, or sentence embeddings for the pre-trained path."""
    if kind == "pretrained":
        from {{ cookiecutter.module_name }}.encoder import embed

        return embed(texts)
    assert vocab is not None
    return pad_batch([vocab.encode(tokenize(t, tok["ngrams"]), tok["max_len"]) for t in texts], tok["max_len"])


def make_optimizer(model: nn.Module, lr: float, weight_decay: float, epochs: int, steps_per_epoch: int, schedule: str):
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
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


def main() -> None:
    params = load_params()
    tp, tok, kind = params["train"], params["tokenizer"], params["model"]["kind"]
    set_threads(params["threads"])
    generator = seed_everything(params["seed"])
    device = select_device(params["device"])
    amp = amp_enabled(params["amp"], device)

    frame = read_csv(PROCESSED / "train.csv")
    valid = torch.from_numpy((frame["split"] == "valid").to_numpy())
    texts = frame["text"].tolist()
    labels = torch.tensor([CLASSES.index(c) for c in frame["label"]])
    vocab = None
    if kind != "pretrained":
        vocab = Vocab.build(
            [tokenize(t, tok["ngrams"]) for t, v in zip(texts, valid.tolist(), strict=True) if not v], tok["min_freq"]
        )
    start = time.perf_counter()
    x = featurize(texts, kind, tok, vocab)
    train_loader = make_loader(x[~valid], labels[~valid], tp["batch_size"], shuffle=True, generator=generator)
    valid_loader = make_loader(x[valid], labels[valid], 512)

    model = build_model(kind, params["model"], len(vocab) if vocab else 0, len(CLASSES), tok["max_len"]).to(device)
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    optimizer, scheduler = make_optimizer(
        model, tp["lr"], tp["weight_decay"], tp["epochs"], len(train_loader), tp["schedule"]
    )
    curve = []
    for epoch in range(tp["epochs"]):
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
        val_loss = nn.functional.cross_entropy(logits, labels[valid]).item()
        val_acc = accuracy(logits.argmax(1).numpy(), labels[valid].numpy())
        curve.append((epoch + 1, train_loss, val_loss, val_acc, lr))
        print(f"epoch {epoch + 1:3d}  train_loss {train_loss:.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.4f}")
    seconds = time.perf_counter() - start

    MODELS.mkdir(exist_ok=True)
    REPORTS.mkdir(exist_ok=True)
    torch.save(
        {
            "state_dict": model.cpu().state_dict(),
            "kind": kind,
            "model": params["model"],
            "tokenizer": tok,
            "vocab": vocab.itos if vocab else None,
        },
        MODELS / "model.pt",
    )
    with open(REPORTS / "training_curve.csv", "w", encoding="utf-8") as fh:
        fh.write("epoch,train_loss,val_loss,val_accuracy,lr\n")
        fh.writelines(f"{e},{a:.6f},{b:.6f},{c:.6f},{d:.6g}\n" for e, a, b, c, d in curve)
    info = {
        "device": device.type,
        "amp": amp,
        "seed": params["seed"],
        "kind": kind,
        "epochs": tp["epochs"],
        "vocab_size": len(vocab) if vocab else None,
        "train_seconds": round(seconds, 2),
        "n_parameters": count_parameters(model),
        "pretrained": int(kind == "pretrained"),
    }
    (REPORTS / "train_info.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"train: {seconds:.1f}s on {device.type} (amp={amp}), {info['n_parameters']} parameters")


def load_checkpoint(path=None):
    """(model in eval mode on the CPU, a function texts → inputs) from models/model.pt."""
    ckpt = torch.load(path or MODELS / "model.pt", map_location="cpu", weights_only=True)
    vocab = Vocab(ckpt["vocab"][2:]) if ckpt["vocab"] else None
    tok = ckpt["tokenizer"]
    model = build_model(ckpt["kind"], ckpt["model"], len(vocab) if vocab else 0, len(CLASSES), tok["max_len"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), lambda texts: featurize(texts, ckpt["kind"], tok, vocab)


if __name__ == "__main__":
    main()
