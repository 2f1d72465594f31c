"""Stage evaluate: rolling-origin backtest of the model and of the seasonal naive benchmark → metrics.json.

Plot data (reports/figures): forecast vs actual in the newest fold for a few series, and the error by how
many days ahead the forecast was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import backtest
from . import metrics as m
from .config import DATE, FIGURES, PROCESSED, REPORTS, ROOT, SERIES, load_params, seed_everything, write_json
from .models import SeasonalNaive, build_model


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    cfg, horizon = params["backtest"], int(params["horizon"])
    history = pd.read_csv(PROCESSED / "train.csv", parse_dates=[DATE])
    origins = backtest.fold_origins(history[DATE].max(), horizon, int(cfg["folds"]), int(cfg["step"]))
    season = int(cfg["season"])
    scale = backtest.scales(history, origins, season)

    model = backtest.run(history, lambda: build_model(params), origins, horizon)
    bench = backtest.run(history, lambda: SeasonalNaive(season=season, weeks=1), origins, horizon)
    overall, benchmark = backtest.score(model, scale), backtest.score(bench, scale)
    folds = {f"fold{f}": backtest.score(model[model["fold"] == f], scale) for f in sorted(model["fold"].unique())}

    metrics = {
        **overall,
        "folds": folds,
        "benchmark": {"seasonal_naive": benchmark},
        "skill": 1 - overall["mase"] / benchmark["mase"],  # > 0: better than repeating last week
        "horizon": horizon,
        "n_folds": len(origins),
    }
    write_json(ROOT / "metrics.json", _rounded(metrics))
    write_json(
        REPORTS / "backtest.json",
        {
            "origins": [str(o.date()) for o in origins],
            "horizon": horizon,
            "model": params["model"]["type"],
            "scored_days": int(model["actual"].notna().sum()),
        },
    )

    FIGURES.mkdir(parents=True, exist_ok=True)
    last = model["fold"] == model["fold"].max()
    shown = model[last & model[SERIES].isin(cfg["plot_series"])].assign(benchmark=bench.loc[last, "forecast"])
    shown[[SERIES, DATE, "actual", "forecast", "benchmark"]].to_csv(
        FIGURES / "forecast_vs_actual.csv", index=False, date_format="%Y-%m-%d"
    )
    rows = []
    for day, g in model.dropna(subset=["actual"]).groupby("horizon_day"):
        b = bench.loc[g.index]
        rows.append(
            {
                "horizon_day": int(day),
                "mae": m.mae(g["actual"], g["forecast"]),
                "wape": m.wape(g["actual"], g["forecast"]),
                "benchmark_mae": m.mae(b["actual"], b["forecast"]),
            }
        )
    pd.DataFrame(rows).round(4).to_csv(FIGURES / "error_by_horizon.csv", index=False)
    print(
        f"evaluate: {len(origins)} folds × {horizon} days: MASE {overall['mase']:.3f} "
        f"(seasonal naive {benchmark['mase']:.3f}), sMAPE {overall['smape']:.1f}%, WAPE {overall['wape']:.1f}%"
    )


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(float(value), 6) if isinstance(value, float | np.floating) else value


if __name__ == "__main__":
    main()
