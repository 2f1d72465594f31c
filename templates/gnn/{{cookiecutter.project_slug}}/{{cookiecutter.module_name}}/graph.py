"""Message passing in plain PyTorch: an edge list, a sparse (normalised) adjacency, neighbour aggregation.

With A the adjacency of the undirected graph and D its degree matrix:

* ``normalise="none"``: A (sum of the neighbours' messages),
* ``normalise="mean"``: D⁻¹A (every row sums to 1: the mean of the neighbours, GraphSAGE's aggregator),
* ``normalise="sym"``:  D^-1/2 A D^-1/2 (Kipf & Welling's GCN propagation; symmetric),

and ``self_loops=True`` uses Â = A + I (each node also keeps its own message) before normalising.
"""

from __future__ import annotations

import torch


def edge_index(source, target, n_nodes: int) -> torch.Tensor:
    """A 2 × E LongTensor with both directions of every undirected edge (no duplicates, no self-loops)."""
    s = torch.tensor(list(source), dtype=torch.long)
    t = torch.tensor(list(target), dtype=torch.long)
    both = torch.stack([torch.cat([s, t]), torch.cat([t, s])])
    both = both[:, both[0] != both[1]]
    both = torch.unique(both, dim=1)
    if both.numel() and int(both.max()) >= n_nodes:
        raise ValueError("an edge references a node index outside the graph")
    return both


def adjacency(index: torch.Tensor, n_nodes: int, self_loops: bool = False, normalise: str = "none") -> torch.Tensor:
    """The sparse n × n propagation matrix for index (2 × E, both directions)."""
    rows, cols = index[0], index[1]
    if self_loops:
        loop = torch.arange(n_nodes)
        rows, cols = torch.cat([rows, loop]), torch.cat([cols, loop])
    weight = torch.ones(rows.numel())
    degree = torch.zeros(n_nodes).index_add_(0, rows, weight)
    if normalise == "sym":
        inv_sqrt = degree.clamp(min=1).pow(-0.5)
        weight = inv_sqrt[rows] * inv_sqrt[cols]
    elif normalise == "mean":
        weight = 1.0 / degree.clamp(min=1)[rows]
    elif normalise != "none":
        raise ValueError(f"normalise must be none, mean or sym, not {normalise!r}")
    return torch.sparse_coo_tensor(
        torch.stack([rows, cols]), weight, (n_nodes, n_nodes), check_invariants=False
    ).coalesce()


def propagate(adj: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """One round of message passing: every node receives the adjacency-weighted sum of its neighbours' rows."""
    return torch.sparse.mm(adj, x)


def mean_aggregate(index: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The mean of each node's neighbours' features with index_add_ (scatter), no sparse matrix: nodes without
    neighbours get zeros. Equal to propagate(adjacency(index, n, normalise="mean"), x)."""
    n = x.shape[0]
    src, dst = index[1], index[0]  # dst receives the message of src
    total = torch.zeros_like(x).index_add_(0, dst, x[src])
    count = torch.zeros(n, dtype=x.dtype, device=x.device).index_add_(0, dst, torch.ones_like(dst, dtype=x.dtype))
    return total / count.clamp(min=1).unsqueeze(1)
