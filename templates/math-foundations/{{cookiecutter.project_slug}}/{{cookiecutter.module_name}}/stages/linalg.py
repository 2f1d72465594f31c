"""Stage linalg: projections, the top eigenpair of the data's covariance and PCA on data/raw/points.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import linalg
from {{ cookiecutter.module_name }}.stages._common import Exercises, load_params, points, write_figure, write_report


def main() -> None:
    params = load_params()["linalg"]
    x, _ = points(load_params())
    ex = Exercises()
    results: dict[str, float | None] = {}

    residual = None
    proj = ex.attempt("project", linalg.project, x[0], x[1])
    if proj is not None:  # the residual of a projection is orthogonal to the line
        residual = abs(float((x[0] - proj) @ x[1]))
    results["projection_residual_dot"] = residual

    cov = np.cov(x, rowvar=False)
    top = ex.attempt("power_iteration", linalg.power_iteration, cov, n_iter=params["power_iterations"])
    if top is not None:
        reference = float(np.linalg.eigvalsh(cov)[-1])  # the check, not the solution
        results["top_eigenvalue"] = top[0]
        results["top_eigenvalue_rel_error"] = abs(top[0] - reference) / reference

    k = params["n_components"]
    out = ex.attempt("pca", linalg.pca, x, x.shape[1])
    if out is not None:
        _, ratio = out
        results[f"pca_explained_variance_top{k}"] = float(np.sum(ratio[:k]))
        write_figure(
            "pca_explained_variance.csv",
            pd.DataFrame(
                {
                    "component": np.arange(1, len(ratio) + 1),
                    "explained_variance_ratio": ratio,
                    "cumulative": np.cumsum(ratio),
                }
            ),
        )
    else:
        write_figure(
            "pca_explained_variance.csv", pd.DataFrame(columns=["component", "explained_variance_ratio", "cumulative"])
        )
    write_report("linalg", ex, results)


if __name__ == "__main__":
    main()
