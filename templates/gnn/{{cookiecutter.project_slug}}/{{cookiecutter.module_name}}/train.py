"""Stage train: fit the model of params.yaml on the training papers (the whole graph is seen: transductive).

Writes models/model.pt (git-ignored DVC output), reports/figures/training_curve.csv and reports/train.json.
"""

from __future__ import annotations

import time

import pandas as pd
import torch

from {{ cookiecutter.module_name }}.config import (
    FIGURES,
    MODELS,
    REPORTS,
    TOPICS,
    load_params,
    seed_everything,
    select_device,
    set_threads,
    write_json,
)
from {{ cookiecutter.module_name }}.engine import fit
from {{ cookiecutter.module_name }}.loader import load_graph
from {{ cookiecutter.module_name }}.models import build_graph, build_model, count_parameters


def main() -> None:
    params = load_params()
    set_threads(params["threads"])
    seed_everything(params["seed"])
    device = select_device(params["device"])
    data = load_graph(params)
    model = build_model(params["model"], data.x.shape[1], len(TOPICS))
    graph = build_graph(data.index, len(data.nodes), params["graph"])
    start = time.perf_counter()
    if device.type != "cpu":
        model, data.x, data.y = model.to(device), data.x.to(device), data.y.to(device)
        data.masks = {k: v.to(device) for k, v in data.masks.items()}
        graph = {k: v.to(device) for k, v in graph.items()}
    curve, best_epoch = fit(model, data, graph, params["train"])
    seconds = time.perf_counter() - start
    MODELS.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "state_dict": model.cpu().state_dict(),
            "model": params["model"],
            "graph": params["graph"],
            "features": data.feature_names,
        },
        MODELS / "model.pt",
    )
    FIGURES.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(curve).to_csv(FIGURES / "training_curve.csv", index=False, lineterminator="\n")
    info = {
        "model": params["model"]["type"],
        "parameters": count_parameters(model),
        "epochs_run": len(curve),
        "best_epoch": best_epoch,
        "seconds": round(seconds, 2),
        "device": device.type,
        "n_features": len(data.feature_names),
        "n_edges_directed": int(data.index.shape[1]),
    }
    write_json(REPORTS / "train.json", info)
    print(info)


if __name__ == "__main__":
    main()
