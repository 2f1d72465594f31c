"""Message passing against dense references on a toy graph."""

from __future__ import annotations

import torch

from {{ cookiecutter.module_name }}.graph import adjacency, edge_index, mean_aggregate, propagate


def dense(index: torch.Tensor, n: int) -> torch.Tensor:
    a = torch.zeros(n, n)
    a[index[0], index[1]] = 1.0
    return a


def test_edge_index_is_symmetric_without_duplicates_or_self_loops():
    index = edge_index([0, 1, 1, 2, 3], [1, 0, 1, 3, 2], 4)  # 0-1 twice, a self-loop, 2-3 twice
    assert sorted(map(tuple, index.t().tolist())) == [(0, 1), (1, 0), (2, 3), (3, 2)]


def test_symmetric_normalisation_matches_the_formula(toy_index):
    a_hat = adjacency(toy_index, 5, self_loops=True, normalise="sym").to_dense()
    assert torch.allclose(a_hat, a_hat.t())
    a = dense(toy_index, 5) + torch.eye(5)
    d = a.sum(1)
    assert torch.allclose(a_hat, a / torch.sqrt(d[:, None] * d[None, :]))
    assert a_hat[4, 4] == 1.0  # an isolated node keeps its own features
    assert torch.allclose(a_hat[3, 3], torch.tensor(0.5))  # degree 2 with its self-loop


def test_mean_normalisation_rows_sum_to_one_except_isolated_nodes(toy_index):
    rows = adjacency(toy_index, 5, normalise="mean").to_dense().sum(1)
    assert torch.allclose(rows, torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0]))


def test_unnormalised_adjacency_counts_neighbours(toy_index):
    assert adjacency(toy_index, 5).to_dense().sum(1).tolist() == [2.0, 2.0, 3.0, 1.0, 0.0]


def test_message_passing_matches_dense(toy_index):
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    for self_loops in (False, True):
        for normalise in ("none", "mean", "sym"):
            adj = adjacency(toy_index, 5, self_loops=self_loops, normalise=normalise)
            assert torch.allclose(propagate(adj, x), adj.to_dense() @ x, atol=1e-6)
    a = dense(toy_index, 5)
    reference = (a @ x) / a.sum(1, keepdim=True).clamp(min=1)
    assert torch.allclose(mean_aggregate(toy_index, x), reference, atol=1e-6)


def test_gradients_flow_through_sparse_propagation(toy_index):
    x = torch.randn(5, 2, requires_grad=True)
    propagate(adjacency(toy_index, 5, self_loops=True, normalise="sym"), x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
