"""Stage train: (optional) Optuna study, stratified cross-validation, final fit on every train row.

Writes models/model.joblib, reports/oof.csv (out-of-fold probabilities, used by evaluate),
reports/cv_results.json and reports/optuna_trials.csv.
"""

from __future__ import annotations

import time
from typing import Any

import joblib
import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import MODELS, REPORTS, load_params, write_json
from {{ cookiecutter.module_name }}.data import ID, TARGET
from {{ cookiecutter.module_name }}.features import load_processed
from {{ cookiecutter.module_name }}.model import build_pipeline, out_of_fold, suggest


def tune(x: pd.DataFrame, y: pd.Series, params: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame]:
    """An Optuna study maximising mean cross-validated PR-AUC; ({} , empty) when n_trials is 0."""
    cfg = params["tuning"]
    if not cfg["n_trials"]:
        return {}, pd.DataFrame(columns=["trial", "pr_auc"])
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    family, seed = params["model"]["family"], params["seed"]

    def objective(trial: Any) -> float:
        hyper = suggest(trial, family)
        _, scores = out_of_fold(
            lambda: build_pipeline(params["model"], params["imbalance"], seed, hyper), x, y, cfg["cv_folds"], seed
        )
        return float(np.mean(scores))

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=cfg["n_trials"], timeout=cfg.get("timeout_s"))
    trials = pd.DataFrame(
        [{"trial": t.number, "pr_auc": round(t.value, 5), **t.params} for t in study.trials if t.value is not None]
    )
    return study.best_params, trials


def main() -> None:
    params = load_params()
    seed = params["seed"]
    ids, x, y = load_processed("train")
    assert y is not None, "data/processed/train.csv has no target column"
    t0 = time.perf_counter()
    best, trials = tune(x, y, params)
    t1 = time.perf_counter()
    oof, scores = out_of_fold(
        lambda: build_pipeline(params["model"], params["imbalance"], seed, best), x, y, params["cv"]["folds"], seed
    )
    model = build_pipeline(params["model"], params["imbalance"], seed, best).fit(x, y)
    t2 = time.perf_counter()
    MODELS.mkdir(parents=True, exist_ok=True)
    REPORTS.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, MODELS / "model.joblib")
    pd.DataFrame({ID: ids, TARGET: y, "oof_probability": oof.round(6)}).to_csv(REPORTS / "oof.csv", index=False)
    trials.to_csv(REPORTS / "optuna_trials.csv", index=False)
    write_json(
        {
            "family": params["model"]["family"],
            "imbalance": params["imbalance"]["strategy"],
            "best_params": best,
            "n_trials": len(trials),
            "fold_pr_auc": [round(s, 5) for s in scores],
            "tuning_seconds": round(t1 - t0, 2),
            "cv_and_fit_seconds": round(t2 - t1, 2),
        },
        REPORTS / "cv_results.json",
    )
    print(
        f"train: {params['model']['family']} / {params['imbalance']['strategy']}: CV PR-AUC "
        f"{np.mean(scores):.3f} ± {np.std(scores):.3f}; {len(trials)} Optuna trials in {t1 - t0:.1f}s"
    )


if __name__ == "__main__":
    main()
