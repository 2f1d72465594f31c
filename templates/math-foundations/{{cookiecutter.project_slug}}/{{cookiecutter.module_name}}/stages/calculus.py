"""Stage calculus: check the numerical gradient against a known derivative, then gradient-check backprop."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }} import calculus
from {{ cookiecutter.module_name }}.stages._common import Exercises, load_params, points, write_report


def main() -> None:
    all_params = load_params()
    params = all_params["calculus"]
    x, _ = points(all_params)
    ex = Exercises()
    results: dict[str, float | None] = {}

    # f(v) = Σ sin(v) v² has the derivative cos(v) v² + 2 v sin(v)
    v = np.linspace(-2.0, 2.0, 9)
    grad = ex.attempt(
        "numerical_gradient",
        calculus.numerical_gradient,
        lambda u: float(np.sum(np.sin(u) * u**2)),
        v,
        eps=params["eps"],
    )
    if grad is not None:
        exact = np.cos(v) * v**2 + 2 * v * np.sin(v)
        results["numerical_gradient_max_abs_error"] = float(np.max(np.abs(grad - exact)))

    rng = np.random.default_rng(all_params["seed"])
    rows = rng.choice(x.shape[0], size=params["samples"], replace=False)
    xb = x[rows, :3]
    yb = np.sin(xb[:, :1]) + 0.5 * xb[:, 1:2]  # a smooth regression target
    mlp = calculus.init_mlp(3, params["hidden"], 1, seed=all_params["seed"])
    out = ex.attempt("mlp_loss_and_grads", calculus.mlp_loss_and_grads, mlp, xb, yb)
    if out is not None and grad is not None:
        results["backprop_loss"] = out[0]
        results["backprop_max_rel_error"] = calculus.gradient_check(mlp, xb, yb, eps=params["eps"])
    write_report("calculus", ex, results)


if __name__ == "__main__":
    main()
