"""Stage optim: fit logistic regression (label ~ x1..x5 + intercept) with SGD, momentum and Adam; loss curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import optim
from {{ cookiecutter.module_name }}.stages._common import Exercises, load_params, points, write_figure, write_report

OPTIMISERS = {
    "sgd": ("sgd_step", {}),
    "momentum": ("momentum_step", {"beta": "beta"}),
    "adam": ("adam_step", {"beta1": "beta1", "beta2": "beta2"}),
}


def main() -> None:
    all_params = load_params()
    params = all_params["optim"]
    x, y = points(all_params)
    x = np.hstack([x, np.ones((x.shape[0], 1))])
    ex = Exercises()
    results: dict[str, float | None] = {}
    curves = pd.DataFrame({"step": np.arange(1, params["steps"] + 1)})
    for name, (fn, hyper) in OPTIMISERS.items():
        step = getattr(optim, fn)
        fitted = ex.attempt(
            fn,
            optim.minimise,
            step,
            x,
            y,
            lr=params["lr"][name],
            n_steps=params["steps"],
            batch_size=params["batch_size"],
            seed=all_params["seed"],
            **{k: params[v] for k, v in hyper.items()},
        )
        if fitted is not None:
            _, losses = fitted
            curves[name] = losses
            results[f"final_loss.{name}"] = losses[-1]
    write_figure("loss_curves.csv", curves)
    write_report("optim", ex, results)


if __name__ == "__main__":
    main()
