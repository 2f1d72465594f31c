"""Stage 4 — predict: label the test images; data/predictions/predictions.csv is scored on hidden labels."""

from __future__ import annotations

import numpy as np
import torch

from {{ cookiecutter.module_name }}.config import PREDICTIONS, PROCESSED, load_params, set_threads
from {{ cookiecutter.module_name }}.data import make_loader, to_tensor
from {{ cookiecutter.module_name }}.engine import predict_logits
from {{ cookiecutter.module_name }}.model import load_checkpoint


def main() -> None:
    set_threads(load_params()["threads"])
    model = load_checkpoint()
    data = np.load(PROCESSED / "test.npz")
    probs = predict_logits(model, make_loader(to_tensor(data["images"]), None, 512), torch.device("cpu")).softmax(1)
    confidence, label = probs.max(1)
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    with open(PREDICTIONS / "predictions.csv", "w", encoding="utf-8") as fh:
        fh.write("id,label,confidence\n")
        fh.writelines(
            f"{i},{lab},{c:.4f}\n" for i, lab, c in zip(data["ids"], label.tolist(), confidence.tolist(), strict=True)
        )
    print(f"predict: {len(label)} rows -> {PREDICTIONS / 'predictions.csv'}")


if __name__ == "__main__":
    main()
