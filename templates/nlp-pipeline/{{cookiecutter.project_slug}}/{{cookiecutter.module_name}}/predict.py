"""Stage 4 — predict: route every test message; data/predictions/predictions.csv is scored on hidden labels."""

from __future__ import annotations

import torch

from {{ cookiecutter.module_name }}.config import CLASSES, PREDICTIONS, PROCESSED, load_params, set_threads
from {{ cookiecutter.module_name }}.data import make_loader, read_csv
from {{ cookiecutter.module_name }}.engine import predict_logits
from {{ cookiecutter.module_name }}.train import load_checkpoint


def main() -> None:
    set_threads(load_params()["threads"])
    model, featurize = load_checkpoint()
    frame = read_csv(PROCESSED / "test.csv")
    loader = make_loader(featurize(frame["text"].tolist()), None, 512)
    probs = predict_logits(model, loader, torch.device("cpu")).softmax(1)
    confidence, label = probs.max(1)
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    with open(PREDICTIONS / "predictions.csv", "w", encoding="utf-8") as fh:
        fh.write("id,label,confidence\n")
        fh.writelines(
            f"{i},{CLASSES[k]},{c:.4f}\n"
            for i, k, c in zip(frame["id"], label.tolist(), confidence.tolist(), strict=True)
        )
    print(f"predict: {len(frame)} rows -> {PREDICTIONS / 'predictions.csv'}")


if __name__ == "__main__":
    main()
