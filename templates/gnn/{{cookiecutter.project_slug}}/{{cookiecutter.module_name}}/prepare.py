"""Stage prepare: clean the papers and the citations, split the labelled papers into train / valid.

Reads data/raw/{nodes,edges}.csv; writes data/processed/nodes.csv (one row per paper, with `split`),
data/processed/edges.csv (undirected, unique, between known papers, source < target) and reports/prepare.json.
"""

from __future__ import annotations

from {{ cookiecutter.module_name }}.config import (
    ID,
    PROCESSED,
    RAW,
    REPORTS,
    SPLIT,
    load_params,
    write_json,
)
from {{ cookiecutter.module_name }}.dataset import (
    assign_splits,
    clean_edges,
    clean_nodes,
    read_edges,
    read_nodes,
)


def main() -> None:
    params = load_params()
    raw_nodes, raw_edges = read_nodes(RAW / "nodes.csv"), read_edges(RAW / "edges.csv")
    nodes = clean_nodes(raw_nodes)
    edges = clean_edges(raw_edges, nodes[ID])
    nodes[SPLIT] = assign_splits(nodes, params["prepare"]["valid_fraction"], params["seed"])
    PROCESSED.mkdir(parents=True, exist_ok=True)
    nodes.to_csv(PROCESSED / "nodes.csv", index=False, lineterminator="\n")
    edges.to_csv(PROCESSED / "edges.csv", index=False, lineterminator="\n")
    report = {
        "raw_nodes": len(raw_nodes),
        "nodes": len(nodes),
        "raw_edges": len(raw_edges),
        "edges": len(edges),
        "splits": {k: int(v) for k, v in nodes[SPLIT].value_counts().sort_index().items()},
        "mean_degree": round(2 * len(edges) / len(nodes), 3),
    }
    write_json(REPORTS / "prepare.json", report)
    print(report)


if __name__ == "__main__":
    main()
