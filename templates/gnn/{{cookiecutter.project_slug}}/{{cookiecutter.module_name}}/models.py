"""The models: a feature-only MLP (the baseline: it ignores the citations), a GCN and GraphSAGE (mean)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from {{ cookiecutter.module_name }}.graph import adjacency, mean_aggregate, propagate


class MLP(nn.Module):
    """Features only: every paper is classified from its own embedding and year."""

    def __init__(self, dims: list[int], dropout: float):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:], strict=True))
        self.dropout = dropout

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(F.dropout(x, self.dropout, self.training))
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class GCN(MLP):
    """H' = Â H W per layer (Kipf & Welling 2017); Â from graph.self_loops and graph.normalise."""

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = propagate(graph["adj"], layer(F.dropout(x, self.dropout, self.training)))
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


class SAGE(nn.Module):
    """H' = H W_self + mean_{neighbours}(H) W_neigh per layer (Hamilton et al. 2017, mean aggregator)."""

    def __init__(self, dims: list[int], dropout: float):
        super().__init__()
        pairs = list(zip(dims[:-1], dims[1:], strict=True))
        self.self_layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
        self.neigh_layers = nn.ModuleList(nn.Linear(a, b, bias=False) for a, b in pairs)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, graph: dict[str, torch.Tensor]) -> torch.Tensor:
        for i, (own, neigh) in enumerate(zip(self.self_layers, self.neigh_layers, strict=True)):
            x = F.dropout(x, self.dropout, self.training)
            x = own(x) + neigh(mean_aggregate(graph["index"], x))
            if i < len(self.self_layers) - 1:
                x = F.relu(x)
        return x


def build_model(model: dict[str, Any], n_features: int, n_classes: int) -> nn.Module:
    dims = [n_features] + [model["hidden"]] * (model["layers"] - 1) + [n_classes]
    kinds = {"mlp": MLP, "gcn": GCN, "sage": SAGE}
    if model["type"] not in kinds:
        raise ValueError(f"model.type must be one of {sorted(kinds)}, not {model['type']!r}")
    return kinds[model["type"]](dims, model["dropout"])


def build_graph(index: torch.Tensor, n_nodes: int, graph: dict[str, Any]) -> dict[str, torch.Tensor]:
    """What the models read: the edge index (SAGE) and the propagation matrix (GCN)."""
    return {
        "index": index,
        "adj": adjacency(index, n_nodes, self_loops=graph["self_loops"], normalise=graph["normalise"]),
    }


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
