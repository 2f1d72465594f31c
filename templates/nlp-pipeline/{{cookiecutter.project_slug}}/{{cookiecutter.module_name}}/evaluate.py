"""Stage 3 — evaluate: score the trained model on the validation split; summarise the training curve.

Writes metrics.json (the DVC metrics file the grader reads) and reports/valid_predictions.csv (the
confusion-matrix plot). ``curve.loss_ratio`` = last epoch's training loss / first epoch's.
"""

from __future__ import annotations

import csv
import json
import math

import torch

from {{ cookiecutter.module_name }}.config import CLASSES, PROCESSED, REPORTS, ROOT, load_params, set_threads
from {{ cookiecutter.module_name }}.data import make_loader, read_csv
from {{ cookiecutter.module_name }}.engine import accuracy, macro_f1, predict_logits
from {{ cookiecutter.module_name }}.train import load_checkpoint


def curve_summary(path) -> dict[str, float]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    train = [float(r["train_loss"]) for r in rows]
    val = [float(r["val_loss"]) for r in rows]
    finite = all(math.isfinite(v) for v in train + val)
    return {
        "epochs": len(rows),
        "first_loss": train[0],
        "final_loss": train[-1],
        "loss_ratio": train[-1] / train[0] if finite and train[0] > 0 else 99.0,
        "best_val_loss": min(val),
        "curve_finite": int(finite),
    }


def main() -> None:
    set_threads(load_params()["threads"])
    model, featurize = load_checkpoint()
    frame = read_csv(PROCESSED / "train.csv")
    frame = frame[frame["split"] == "valid"]
    labels = torch.tensor([CLASSES.index(c) for c in frame["label"]])
    logits = predict_logits(model, make_loader(featurize(frame["text"].tolist()), None, 512), torch.device("cpu"))
    pred = logits.argmax(1)
    info = json.loads((REPORTS / "train_info.json").read_text())
    metrics = {
        "accuracy": round(accuracy(pred.numpy(), labels.numpy()), 6),
        "macro_f1": round(macro_f1(pred.numpy(), labels.numpy(), len(CLASSES)), 6),
        "val_loss": round(torch.nn.functional.cross_entropy(logits, labels).item(), 6),
        "curve": {k: round(v, 6) for k, v in curve_summary(REPORTS / "training_curve.csv").items()},
        "train": {
            "seconds": info["train_seconds"],
            "n_parameters": info["n_parameters"],
            "pretrained": info["pretrained"],
        },
    }
    (ROOT / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    with open(REPORTS / "valid_predictions.csv", "w", encoding="utf-8") as fh:
        fh.write("id,actual,predicted\n")
        fh.writelines(
            f"{i},{CLASSES[a]},{CLASSES[p]}\n"
            for i, a, p in zip(frame["id"], labels.tolist(), pred.tolist(), strict=True)
        )
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
