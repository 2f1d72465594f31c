from __future__ import annotations

import pandas as pd
import pytest
import torch

from {{ cookiecutter.module_name }}.config import RAW, load_params
from {{ cookiecutter.module_name }}.dataset import read_edges, read_nodes
from {{ cookiecutter.module_name }}.graph import edge_index


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()


@pytest.fixture(scope="session")
def raw_nodes() -> pd.DataFrame:
    return read_nodes(RAW / "nodes.csv")


@pytest.fixture(scope="session")
def raw_edges() -> pd.DataFrame:
    return read_edges(RAW / "edges.csv")


@pytest.fixture()
def toy_index() -> torch.Tensor:
    """A 5-node toy graph: a triangle 0-1-2, a pendant 3 on 2, and an isolated node 4."""
    return edge_index([0, 1, 0, 2], [1, 2, 2, 3], 5)
