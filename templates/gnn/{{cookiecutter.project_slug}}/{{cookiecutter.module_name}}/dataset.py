"""Reading the raw export, cleaning the citation edges, splitting the labelled papers, building features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import ID, TARGET, TOPICS


def read_nodes(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={TARGET: "string", "curated_topic": "string"})


def read_edges(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def clean_nodes(nodes: pd.DataFrame) -> pd.DataFrame:
    """One row per paper (the first of duplicated ids); a topic outside TOPICS counts as unlabelled."""
    nodes = nodes.drop_duplicates(subset=ID, keep="first").reset_index(drop=True)
    topic = nodes[TARGET].str.strip()
    nodes[TARGET] = topic.where(topic.isin(TOPICS))
    return nodes


def clean_edges(edges: pd.DataFrame, node_ids) -> pd.DataFrame:
    """Undirected, unique edges between known papers: drop self-citations and references to papers that are
    not in the export (dangling), then store each pair once with source < target. Symmetrise later
    (graph.edge_index) — a citation is evidence of a shared topic in both directions."""
    known = set(pd.Series(node_ids).tolist())
    e = edges.dropna(subset=["source", "target"]).astype({"source": "int64", "target": "int64"})
    e = e[e["source"].isin(known) & e["target"].isin(known) & (e["source"] != e["target"])]
    lo = np.minimum(e["source"].to_numpy(), e["target"].to_numpy())
    hi = np.maximum(e["source"].to_numpy(), e["target"].to_numpy())
    out = pd.DataFrame({"source": lo, "target": hi}).drop_duplicates()
    return out.sort_values(["source", "target"]).reset_index(drop=True)


def assign_splits(nodes: pd.DataFrame, valid_fraction: float, seed: int) -> pd.Series:
    """train / valid among the labelled papers (stratified by topic), test for every unlabelled one."""
    rng = np.random.default_rng(seed)
    split = pd.Series("test", index=nodes.index, dtype="object")
    labelled = nodes[nodes[TARGET].notna()]
    for _, group in labelled.groupby(TARGET, sort=True):
        idx = group.index.to_numpy().copy()
        rng.shuffle(idx)
        n_valid = int(round(valid_fraction * len(idx)))
        split.loc[idx[:n_valid]] = "valid"
        split.loc[idx[n_valid:]] = "train"
    return split


def feature_columns(nodes: pd.DataFrame, features: dict[str, Any]) -> list[str]:
    """The node columns the model reads: every column starting with features.prefix, plus features.extra."""
    cols = [c for c in nodes.columns if c.startswith(features["prefix"])]
    return cols + [c for c in features.get("extra", []) if c not in cols]


def feature_matrix(nodes: pd.DataFrame, features: dict[str, Any]) -> tuple[np.ndarray, list[str]]:
    """Numeric columns standardised over all papers (their features are all known: transductive setting),
    missing values set to the mean (0); text columns one-hot encoded (missing = all zeros)."""
    blocks, names = [], []
    for col in feature_columns(nodes, features):
        values = nodes[col]
        if pd.api.types.is_numeric_dtype(values):
            v = values.astype(float).to_numpy()
            mean, std = np.nanmean(v), np.nanstd(v)
            v = (v - mean) / (std if features.get("standardise", True) and std > 0 else 1.0)
            blocks.append(np.nan_to_num(v, nan=0.0)[:, None])
            names.append(col)
        else:
            dummies = pd.get_dummies(values.astype("string"), prefix=col, dtype=float)
            blocks.append(dummies.to_numpy())
            names.extend(dummies.columns)
    return np.hstack(blocks).astype(np.float32), names
