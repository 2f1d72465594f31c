"""Stage probability: Gaussian MLE on group A, a Bayesian coin, and two tests of A vs B (data/raw/ab_test.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import probability
from {{ cookiecutter.module_name }}.stages._common import Exercises, load_params, read_csv, write_figure, write_report


def main() -> None:
    all_params = load_params()
    params = all_params["probability"]
    df = read_csv(all_params, "ab_test")
    a = df.loc[df["group"] == "A", "load_ms"].to_numpy()
    b = df.loc[df["group"] == "B", "load_ms"].to_numpy()
    ex = Exercises()
    results: dict[str, float | None] = {}

    mle = ex.attempt("gaussian_mle", probability.gaussian_mle, a)
    if mle is not None:
        truth = params["truth_a"]
        results["mle_mean"], results["mle_std"] = mle[0], float(np.sqrt(mle[1]))
        results["mle_mean_abs_error"] = abs(mle[0] - truth["mean"])
        write_figure(
            "mle.csv",
            pd.DataFrame(
                {
                    "parameter": ["mean", "std"],
                    "truth": [truth["mean"], truth["std"]],
                    "estimate": [mle[0], np.sqrt(mle[1])],
                }
            ),
        )

    # P(heads) on a grid, uniform prior, after the coin flips in params.yaml
    grid = np.linspace(0.0, 1.0, params["grid"])
    heads, flips = params["coin"]["heads"], params["coin"]["flips"]
    post = ex.attempt(
        "bayes_posterior",
        probability.bayes_posterior,
        np.full(grid.size, 1.0 / grid.size),
        grid**heads * (1 - grid) ** (flips - heads),
    )
    if post is not None:
        results["posterior_mean_heads"] = float(np.sum(grid * post))

    tt = ex.attempt("welch_t_test", probability.welch_t_test, a, b)
    if tt is not None:
        results["welch_t"], results["welch_p_value"] = tt
    p = ex.attempt(
        "permutation_test",
        probability.permutation_test,
        a,
        b,
        n_permutations=params["n_permutations"],
        seed=all_params["seed"],
    )
    results["permutation_p_value"] = p
    write_report("probability", ex, results)


if __name__ == "__main__":
    main()
