"""Stage predict: the topic of every hidden paper (split == test) -> data/predictions/predictions.csv (id, topic)."""

from __future__ import annotations

import pandas as pd
import torch

from {{ cookiecutter.module_name }}.config import ID, PREDICTIONS, TARGET, TOPICS, load_params, set_threads
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
    test = data.masks["test"]
    ids = data.nodes[ID][test.numpy()].to_numpy()
    out = pd.DataFrame({ID: ids, TARGET: [TOPICS[i] for i in pred[test].tolist()]})
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS / "predictions.csv", index=False, lineterminator="\n")
    print(f"{len(out)} predictions -> data/predictions/predictions.csv")


if __name__ == "__main__":
    main()
