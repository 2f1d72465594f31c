"""The models learn: each one can memorise a tiny graph, and a seed fixes the result."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from {{ cookiecutter.module_name }}.config import seed_everything
from {{ cookiecutter.module_name }}.graph import edge_index
from {{ cookiecutter.module_name }}.models import build_graph, build_model, count_parameters


def tiny_graph():
    """Two 4-cliques joined by one edge; the labels follow the cliques, the features are pure noise."""
    pairs = [(i, j) for c in (0, 4) for i in range(c, c + 4) for j in range(i + 1, c + 4)] + [(3, 4)]
    index = edge_index([p[0] for p in pairs], [p[1] for p in pairs], 8)
    x = torch.randn(8, 4, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    return x, y, index


@pytest.mark.parametrize("kind", ["mlp", "gcn", "sage"])
def test_model_overfits_a_tiny_graph(kind):
    seed_everything(0)
    x, y, index = tiny_graph()
    model = build_model({"type": kind, "hidden": 16, "layers": 2, "dropout": 0.0}, 4, 2)
    graph = build_graph(index, 8, {"self_loops": True, "normalise": "sym"})
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        opt.zero_grad()
        loss = F.cross_entropy(model(x, graph), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    assert (model(x, graph).argmax(1) == y).all()


def test_same_seed_same_weights():
    def weights():
        seed_everything(7)
        return build_model({"type": "gcn", "hidden": 8, "layers": 2, "dropout": 0.5}, 4, 3).state_dict()

    a, b = weights(), weights()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_layers_and_parameter_count():
    model = build_model({"type": "gcn", "hidden": 8, "layers": 3, "dropout": 0.0}, 4, 3)
    assert count_parameters(model) == (4 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3)
    with pytest.raises(ValueError, match="model.type"):
        build_model({"type": "gat", "hidden": 8, "layers": 2, "dropout": 0.0}, 4, 3)
