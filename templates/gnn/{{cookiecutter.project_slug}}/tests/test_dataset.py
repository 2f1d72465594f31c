"""The raw export, the cleaning and the splits."""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.config import ID, TARGET, TOPICS
from {{ cookiecutter.module_name }}.dataset import assign_splits, clean_edges, clean_nodes, feature_columns


def test_clean_edges_drops_self_loops_duplicates_and_dangling_references():
    edges = pd.DataFrame({"source": [1, 2, 1, 3, 3, 4], "target": [2, 1, 2, 3, 99, 1]})
    out = clean_edges(edges, [1, 2, 3, 4])
    assert out.to_dict("list") == {"source": [1, 1], "target": [2, 4]}


def test_cleaned_raw_edges_reference_known_papers(raw_nodes, raw_edges):
    out = clean_edges(raw_edges, raw_nodes[ID])
    known = set(raw_nodes[ID])
    assert set(out["source"]) <= known and set(out["target"]) <= known
    assert (out["source"] < out["target"]).all() and not out.duplicated().any()
    assert len(out) < len(raw_edges)  # the export has duplicates, self-citations and dangling references


def test_topics_are_in_the_topic_set(raw_nodes):
    assert set(raw_nodes[TARGET].dropna()) <= set(TOPICS)
    assert raw_nodes[ID].is_unique


def test_splits_do_not_overlap(raw_nodes, params):
    nodes = clean_nodes(raw_nodes)
    split = assign_splits(nodes, params["prepare"]["valid_fraction"], params["seed"])
    assert set(split) == {"train", "valid", "test"}
    assert (split == "test").eq(nodes[TARGET].isna()).all(), "test = exactly the papers without a topic"
    ids = {s: set(nodes.loc[split == s, ID]) for s in ("train", "valid", "test")}
    assert not ids["train"] & ids["valid"] and not ids["train"] & ids["test"] and not ids["valid"] & ids["test"]
    share = len(ids["valid"]) / (len(ids["train"]) + len(ids["valid"]))
    assert abs(share - params["prepare"]["valid_fraction"]) < 0.01


def test_features_available_at_prediction_time(raw_nodes, params):
    """Every feature the model reads must be known for the papers we predict (the hidden ones)."""
    hidden = raw_nodes[raw_nodes[TARGET].isna()]
    for col in feature_columns(raw_nodes, params["features"]):
        assert col != TARGET, "the target is not a feature"
        known = hidden[col].notna().mean()
        assert known > 0.9, f"{col} is known for only {known:.0%} of the hidden papers: it is filled after the fact"
