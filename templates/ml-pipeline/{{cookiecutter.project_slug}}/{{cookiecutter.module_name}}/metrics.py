"""Stage `metrics`: gather what the stages measured into metrics.json (the file roadmap-ci scores)."""

from __future__ import annotations

import json

from .config import DRIFT_REPORT, REGISTRY_REPORT, ROOT, SERVE_REPORT, TRAIN_REPORT, write_json


def main() -> None:
    train = json.loads(TRAIN_REPORT.read_text())
    registry = json.loads(REGISTRY_REPORT.read_text())
    serve = json.loads(SERVE_REPORT.read_text())
    drift = json.loads(DRIFT_REPORT.read_text())
    write_json(
        ROOT / "metrics.json",
        {
            "train": {k: v for k, v in train.items() if k.startswith("val_")},
            "leakage": {
                "clean": train["leakage"]["clean"],
                "suspicious_features": len(train["leakage"]["suspicious_features"]),
            },
            "registry": {
                "candidate_version": registry["candidate_version"],
                "promoted": registry["promoted"],
                "champion_version": registry["champion_version"],
                "has_champion": registry["champion_version"] is not None,
            },
            "serve": {"ok": serve["status"] == "ok", "rows": serve["rows"]},
            "drift": {
                "dataset_drift": drift["dataset_drift"],
                "drifted_columns": drift["drifted_columns"],
                "share_drifted_columns": drift["share_drifted_columns"],
            },
        },
    )
    print("metrics: metrics.json written")


if __name__ == "__main__":
    main()
