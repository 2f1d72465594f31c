"""Stage 3 — evaluate: score the trained model on the validation split; summarise the training curve.

Writes metrics.json (a DVC metrics file the grader reads) and reports/valid_predictions.csv (the
confusion-matrix plot). ``loss_ratio`` = last epoch's training loss / first epoch's: well below 1 means
training converged; near or above 1 means it stalled or diverged.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import torch

from {{ cookiecutter.module_name }}.config import N_CLASSES, PROCESSED, REPORTS, ROOT, load_params, set_threads
from {{ cookiecutter.module_name }}.data import make_loader, to_tensor
from {{ cookiecutter.module_name }}.engine import accuracy, macro_f1, predict_logits
from {{ cookiecutter.module_name }}.model import Classifier, load_checkpoint


def curve_summary(path) -> dict[str, float]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    train = [float(r["train_loss"]) for r in rows]
    val = [float(r["val_loss"]) for r in rows]
    finite = all(np.isfinite(train + val))
    return {
        "epochs": len(rows),
        "first_loss": train[0],
        "final_loss": train[-1],
        "loss_ratio": train[-1] / train[0] if finite and train[0] > 0 else 99.0,
        "best_val_loss": min(val),
        "curve_finite": int(finite),
    }


def main() -> None:
    params = load_params()
    set_threads(params["threads"])
    model: Classifier = load_checkpoint()
    data = np.load(PROCESSED / "train.npz")
    valid = data["valid"]
    images, labels = to_tensor(data["images"][valid]), data["labels"][valid]
    logits = predict_logits(model, make_loader(images, None, 512), torch.device("cpu"))
    pred = logits.argmax(1).numpy()
    val_loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels).long()).item()
    info = json.loads((REPORTS / "train_info.json").read_text())
    metrics = {
        "accuracy": round(accuracy(pred, labels), 6),
        "macro_f1": round(macro_f1(pred, labels, N_CLASSES), 6),
        "val_loss": round(val_loss, 6),
        "curve": {k: round(v, 6) for k, v in curve_summary(REPORTS / "training_curve.csv").items()},
        "train": {
            "seconds": info["train_seconds"],
            "n_parameters": info["n_parameters"],
            "pretrained": int(info["pretrained"]),
        },
    }
    (ROOT / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    with open(REPORTS / "valid_predictions.csv", "w", encoding="utf-8") as fh:
        fh.write("id,actual,predicted\n")
        fh.writelines(f"{i},{a},{p}\n" for i, a, p in zip(data["ids"][valid], labels, pred, strict=True))
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
