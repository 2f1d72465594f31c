"""Stage `register`: log the run to MLflow, register the model, and move the `champion` alias only when the
new version beats the current champion on the validation metric (params.yaml `register`).

The store is params.yaml `mlflow.tracking_uri` (a SQLite file in the repo: tracking *and* model registry, no
server) unless MLFLOW_TRACKING_URI names a real server. The decision goes to reports/registry.json.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from .config import MODEL_PATH, REGISTRY_REPORT, TRAIN_REPORT, load_params, tracking_uri, write_json

ALIAS = "champion"
# MLflow saves scikit-learn models with skops (not pickle) and refuses types it does not know; the one-hot
# encoder stores its output dtype, a numpy.dtype, which is safe to load.
SKOPS_TRUSTED = ["numpy.dtype"]


@dataclass
class Decision:
    promote: bool
    reason: str


def decide(candidate: float, champion: float | None, min_improvement: float = 0.0, force: bool = False) -> Decision:
    """Whether a candidate with validation score `candidate` replaces the champion (higher is better)."""
    if champion is None:
        return Decision(True, "no champion yet")
    if force:
        return Decision(True, f"forced (register.force) over champion {champion:.4f}")
    if candidate > champion + min_improvement:
        return Decision(True, f"{candidate:.4f} beats champion {champion:.4f} by more than {min_improvement}")
    return Decision(False, f"{candidate:.4f} does not beat champion {champion:.4f} by more than {min_improvement}")


def register(params: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import joblib
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    cfg = params["register"]
    name, metric = cfg["model_name"], cfg["metric"]
    train = json.loads(TRAIN_REPORT.read_text())
    model = joblib.load(MODEL_PATH)
    uri = tracking_uri(params)
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(params["mlflow"]["experiment"])
    client = MlflowClient(uri)
    try:
        current = client.get_model_version_by_alias(name, ALIAS)
        champ_version = int(current.version)
        champ_score = client.get_run(current.run_id).data.metrics.get(metric)
    except MlflowException:  # no registered model, or no champion yet
        champ_version, champ_score = None, None

    with mlflow.start_run(run_name=f"{params['model']['type']}") as run:
        mlflow.log_params(
            {
                "model.type": params["model"]["type"],
                "features": ",".join(
                    params["features"]["numeric"]
                    + params["features"]["categorical"]
                    + list(params["features"].get("derived") or [])
                ),
                **{f"model.{k}": v for k, v in (params["model"].get(params["model"]["type"]) or {}).items()},
            }
        )
        mlflow.log_metrics({k: float(v) for k, v in train.items() if k.startswith("val_")})
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=name,
            pip_requirements=["scikit-learn", "pandas"],
            skops_trusted_types=SKOPS_TRUSTED,
        )
    version = int(info.registered_model_version)
    decision = decide(float(train[metric]), champ_score, float(cfg["min_improvement"]), bool(cfg["force"]))
    if decision.promote:
        client.set_registered_model_alias(name, ALIAS, str(version))
    client.set_model_version_tag(name, str(version), "decision", decision.reason)
    return {
        "model_name": name,
        "metric": metric,
        "candidate_version": version,
        "candidate_score": train[metric],
        "previous_champion_version": champ_version,
        "previous_champion_score": champ_score,
        "champion_version": version if decision.promote else champ_version,
        "promoted": decision.promote,
        "run_id": run.info.run_id,
        "store": "server" if uri.startswith(("http://", "https://")) else "local",
        **asdict(decision),
    }


def main() -> None:
    result = register(load_params())
    write_json(REGISTRY_REPORT, result)
    print(
        f"register: version {result['candidate_version']} of {result['model_name']}: "
        f"{'promoted to' if result['promoted'] else 'not'} {ALIAS} ({result['reason']})"
    )


if __name__ == "__main__":
    main()
