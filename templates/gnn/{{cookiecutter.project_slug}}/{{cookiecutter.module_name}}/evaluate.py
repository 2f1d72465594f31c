"""Stage evaluate: accuracy and macro F1 on the validation papers, the curve's summary, the model's size.

Writes metrics.json and reports/figures/valid_predictions.csv (actual vs predicted: `dvc plots show`).
"""

from __future__ import annotations

import json

import pandas as pd
import torch

from {{ cookiecutter.module_name }}.config import (
    FIGURES,
    ID,
    REPORTS,
    ROOT,
    TOPICS,
    load_params,
    set_threads,
    write_json,
)
from {{ cookiecutter.module_name }}.engine import accuracy, macro_f1
from {{ cookiecutter.module_name }}.loader import load_graph, load_model
from {{ cookiecutter.module_name }}.models import build_graph


def main() -> None:
    params = load_params()
    set_threads(params["threads"])
    data = load_graph(params)
    model, saved = load_model(data)
    graph = build_graph(data.index, len(data.nodes), saved["graph"])
    with torch.no_grad():
        pred = model(data.x, graph).argmax(1)
    va = data.masks["valid"]
    y, p = data.y[va], pred[va]
    curve = pd.read_csv(FIGURES / "training_curve.csv")
    info = json.loads((REPORTS / "train.json").read_text(encoding="utf-8"))
    per_class = {TOPICS[c]: round(accuracy(p[y == c], y[y == c]), 4) for c in range(len(TOPICS))}
    metrics = {
        "accuracy": round(accuracy(p, y), 4),
        "macro_f1": round(macro_f1(p.numpy(), y.numpy(), len(TOPICS)), 4),
        "train_accuracy": round(accuracy(pred[data.masks["train"]], data.y[data.masks["train"]]), 4),
        "n_valid": int(va.sum()),
        "per_class_accuracy": per_class,
        "model": {"parameters": info["parameters"], "uses_graph": int(saved["model"]["type"] != "mlp")},
        "curve": {
            "epochs": int(len(curve)),
            "best_epoch": info["best_epoch"],
            "loss_ratio": round(float(curve["train_loss"].iloc[-1] / curve["train_loss"].iloc[0]), 4),
        },
    }
    write_json(ROOT / "metrics.json", metrics)
    pd.DataFrame(
        {
            ID: data.nodes[ID][va.numpy()].to_numpy(),
            "actual": [TOPICS[i] for i in y.tolist()],
            "predicted": [TOPICS[i] for i in p.tolist()],
        }
    ).to_csv(FIGURES / "valid_predictions.csv", index=False, lineterminator="\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
