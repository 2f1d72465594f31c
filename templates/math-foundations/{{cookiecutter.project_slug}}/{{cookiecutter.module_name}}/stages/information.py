"""Stage information: entropies, KL and mutual information of binned features of data/raw/points.csv."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }} import information
from {{ cookiecutter.module_name }}.stages._common import Exercises, load_params, points, write_report


def binned(v: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.digitize(v, edges[1:-1]), 0, edges.size - 2)


def main() -> None:
    all_params = load_params()
    bins = all_params["information"]["bins"]
    x, y = points(all_params)
    edges = np.linspace(-3.5, 3.5, bins + 1)
    b1, b2 = binned(x[:, 0], edges), binned(x[:, 1], edges)
    shuffled = np.random.default_rng(all_params["seed"]).permutation(b2)
    p1 = np.bincount(b1, minlength=bins) / b1.size
    p2 = np.bincount(b2, minlength=bins) / b2.size
    smooth = (p2 + 1e-3) / (p2 + 1e-3).sum()  # no empty bins, so the divergences are finite

    def joint(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        table = np.zeros((bins, bins))
        np.add.at(table, (u, v), 1.0)
        return table / table.sum()

    ex = Exercises()
    results: dict[str, float | None] = {
        "entropy_label_bits": ex.attempt("entropy", information.entropy, np.bincount(y.astype(int)) / y.size),
        "entropy_x1_bits": ex.attempt("entropy", information.entropy, p1),
        "cross_entropy_x1_x2_bits": ex.attempt("cross_entropy", information.cross_entropy, p1, smooth),
        "kl_x1_x2_bits": ex.attempt("kl_divergence", information.kl_divergence, p1, smooth),
        "mi_x1_x2_bits": ex.attempt("mutual_information", information.mutual_information, joint(b1, b2)),
        "mi_x1_shuffled_x2_bits": ex.attempt("mutual_information", information.mutual_information, joint(b1, shuffled)),
    }
    write_report("information", ex, results)


if __name__ == "__main__":
    main()
