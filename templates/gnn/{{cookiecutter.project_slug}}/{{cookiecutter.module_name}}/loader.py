"""The prepared graph as tensors: features, labels, split masks, edge index — what train/evaluate/predict share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from {{ cookiecutter.module_name }}.config import ID, MODELS, PROCESSED, SPLIT, TARGET, TOPICS
from {{ cookiecutter.module_name }}.dataset import feature_matrix, read_nodes
from {{ cookiecutter.module_name }}.graph import edge_index
from {{ cookiecutter.module_name }}.models import build_model


@dataclass
class GraphData:
    nodes: pd.DataFrame
    x: torch.Tensor
    y: torch.Tensor  # topic index; -1 where unknown
    masks: dict[str, torch.Tensor]  # train / valid / test
    index: torch.Tensor  # 2 × E, both directions
    feature_names: list[str]


def load_graph(params: dict[str, Any]) -> GraphData:
    nodes = read_nodes(PROCESSED / "nodes.csv")
    edges = pd.read_csv(PROCESSED / "edges.csv")
    position = pd.Series(range(len(nodes)), index=nodes[ID])
    index = edge_index(position[edges["source"]].to_numpy(), position[edges["target"]].to_numpy(), len(nodes))
    x, names = feature_matrix(nodes, params["features"])
    y = nodes[TARGET].map({t: i for i, t in enumerate(TOPICS)}).fillna(-1).astype(int)
    # torch.tensor copies: pandas hands out read-only arrays, which a tensor must not share (PyTorch warns)
    masks = {s: torch.tensor((nodes[SPLIT] == s).to_numpy()) for s in ("train", "valid", "test")}
    return GraphData(nodes, torch.from_numpy(x), torch.tensor(y.to_numpy()), masks, index, names)


def load_model(data: GraphData) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The trained model (eval mode) and what train saved beside its weights (model / graph params, features)."""
    saved = torch.load(MODELS / "model.pt", map_location="cpu", weights_only=True)
    if saved["features"] != data.feature_names:
        raise ValueError("the features changed since training: run `dvc repro` (train) again")
    model = build_model(saved["model"], data.x.shape[1], len(TOPICS))
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved
