"""Stage `drift`: compare a new batch of orders with the reference (training) data using Evidently.

Writes reports/drift.html (open it in a browser) and reports/drift.json: per column the test Evidently
picked, its p-value or distance, whether it drifted, and the share of drifted columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .config import DRIFT_REPORT, ROOT, load_params, write_json


def drift(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str], drift_share: float) -> tuple[dict, Any]:
    from .evidently_compat import DataDriftPreset, Report

    snapshot = Report([DataDriftPreset(columns=columns, drift_share=drift_share)]).run(
        current[columns], reference[columns]
    )
    summary: dict[str, Any] = {"columns": {}}
    for m in snapshot.dict()["metrics"]:
        cfg = m["config"]
        if cfg["type"].endswith("DriftedColumnsCount"):
            summary["drifted_columns"] = int(m["value"]["count"])
            summary["share_drifted_columns"] = round(float(m["value"]["share"]), 4)
        elif cfg["type"].endswith("ValueDrift"):
            score, threshold = float(m["value"]), float(cfg["threshold"])
            p_value = "p_value" in cfg["method"]  # p-values drift when small, distances when large
            summary["columns"][cfg["column"]] = {
                "method": cfg["method"],
                "score": round(score, 6),
                "threshold": threshold,
                "drifted": score < threshold if p_value else score >= threshold,
            }
    summary["dataset_drift"] = summary["share_drifted_columns"] >= drift_share
    summary["rows"] = {"reference": len(reference), "current": len(current)}
    return summary, snapshot


def main() -> None:
    params = load_params()
    cfg = params["drift"]
    columns = list(params["features"]["numeric"]) + list(params["features"]["categorical"])  # not derived
    reference, current = pd.read_csv(ROOT / cfg["reference"]), pd.read_csv(ROOT / cfg["current"])
    summary, snapshot = drift(reference, current, columns, float(cfg["drift_share"]))
    (ROOT / "reports").mkdir(exist_ok=True)
    snapshot.save_html(str(ROOT / "reports" / "drift.html"))
    write_json(DRIFT_REPORT, summary)
    drifted = [c for c, v in summary["columns"].items() if v["drifted"]]
    print(
        f"drift: {summary['drifted_columns']}/{len(summary['columns'])} columns drifted "
        f"({', '.join(drifted) or 'none'}); dataset drift: {summary['dataset_drift']}"
    )


if __name__ == "__main__":
    main()
