"""The MLflow sink: one run per evaluation, in experiment ``roadmap-ci/<deliverable>``.

- tags: learner, repo, commit, rubric name/version/hash, evidence digest, passed;
- metrics: ``score.total``, ``score.percent``, ``score.passed`` (0/1), ``criterion.<id>`` (points) and the
  learner's own metrics as ``learner.<name>`` (names sanitised to MLflow's allowed characters);
- artifacts: the report files, the evidence and the scorecard.

Default store: ``sqlite:///mlflow.db`` in the working directory (or ``store_dir`` / ``ROADMAP_CI_MLFLOW_DIR``),
artifacts beside it in ``mlartifacts/``; ``MLFLOW_TRACKING_URI`` (or ``tracking_uri``) for a tracking server.
mlflow is imported inside :func:`log_evaluation` only.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.errors import CannotRun

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.publish.sinks import Job, Posted
    from roadmap_ci.score.scoring import Scorecard


KEY_LIMIT = 250
_BAD = re.compile(r"[^A-Za-z0-9_\-. :/]")


def metric_key(name: str, prefix: str = "") -> str:
    """A name MLflow accepts: letters, digits, ``_ - . space : /``; no ``..`` segments, no leading ``/``."""
    key = _BAD.sub("_", prefix + name)
    key = re.sub(r"/{2,}", "/", key).lstrip("/")
    key = "/".join("_" if part in (".", "..") else part for part in key.split("/"))
    key = key.replace("..", "__").strip() or "_"
    return key[:KEY_LIMIT]


def _unique(keys: Iterable[tuple[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in keys:
        k, n = key, 2
        while k in out:
            suffix = f"~{n}"
            k = key[: KEY_LIMIT - len(suffix)] + suffix
            n += 1
        out[k] = value
    return out


def default_tracking_uri(env: Mapping[str, str] | None = None, store_dir: Path | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("MLFLOW_TRACKING_URI"):
        return env["MLFLOW_TRACKING_URI"]
    configured = env.get("ROADMAP_CI_MLFLOW_DIR")
    base = (store_dir or (Path(configured) if configured else Path.cwd())).resolve()
    return f"sqlite:///{base / 'mlflow.db'}"


@dataclass
class MlflowResult:
    tracking_uri: str
    experiment_id: str
    run_id: str
    metrics: int
    artifacts: int


def _metrics(card: Scorecard, evidence: Evidence | None) -> dict[str, float]:
    pairs: list[tuple[str, float]] = [("score.total", card.total), ("score.percent", card.percent),
                                      ("score.passed", 1.0 if card.passed else 0.0)]
    pairs += [(metric_key(c.id, "criterion."), c.points) for c in card.criteria]
    if evidence is not None:
        for name, value in sorted((evidence.metrics or {}).items()):
            pairs.append((metric_key(name, "learner."), value))
        for name, value in sorted((evidence.hidden or {}).items()):
            pairs.append((metric_key(name, "hidden."), value))
    return _unique((k, float(v)) for k, v in pairs if v is not None and math.isfinite(float(v)))


def log_evaluation(card: Scorecard, evidence: Evidence | None = None, *, files: Iterable[Path] = (),
                   tracking_uri: str | None = None, store_dir: Path | None = None,
                   env: Mapping[str, str] | None = None) -> MlflowResult:
    """Log one evaluation as one finished MLflow run; return where it went."""
    from roadmap_ci.extras import imports

    with imports("mlflow", "publish --mlflow logs with it"):
        from mlflow.entities import Metric, RunTag
        from mlflow.tracking import MlflowClient

    uri = tracking_uri or default_tracking_uri(env, store_dir)
    client = MlflowClient(tracking_uri=uri)
    name = f"roadmap-ci/{card.deliverable}"
    try:
        exp = client.get_experiment_by_name(name)
        if exp is None:
            location = None
            if uri.startswith("sqlite:///"):  # artifacts beside the database, not in whatever cwd is
                location = (Path(uri[len("sqlite:///"):]).parent / "mlartifacts").resolve().as_uri()
            exp_id = client.create_experiment(name, artifact_location=location)
        else:
            exp_id = exp.experiment_id
        who = card.learner or card.repo or "local"
        tags = {"learner": card.learner or "", "repo": card.repo or "", "commit": card.commit or "",
                "deliverable": card.deliverable, "rubric": card.rubric.name, "rubric.version": card.rubric.version,
                "rubric.hash": card.rubric.hash, "evidence.digest": card.evidence_digest,
                "passed": str(card.passed).lower(), "mlflow.source.name": "roadmap-ci"}
        run = client.create_run(exp_id, run_name=f"{who}@{(card.commit or 'local')[:7]}",
                                tags={k: v for k, v in tags.items() if v})
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        metrics = _metrics(card, evidence)
        items = [Metric(k, v, now, 0) for k, v in metrics.items()]
        for i in range(0, len(items), 1000):  # log_batch takes at most 1000 metrics
            client.log_batch(run_id, metrics=items[i:i + 1000],
                             tags=[RunTag("roadmap_ci.total", f"{card.total:g}")] if i == 0 else [])
        count = 0
        for f in files:
            client.log_artifact(run_id, str(f))
            count += 1
        client.set_terminated(run_id, "FINISHED")
    except CannotRun:
        raise
    except Exception as exc:  # mlflow's own errors: one line, with the store
        msg = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise CannotRun(f"MLflow ({uri}): {msg}") from None
    return MlflowResult(uri, exp_id, run_id, len(metrics), count)


class MlflowSink:
    """``mlflow``: one run with the reports, the scorecard and the evidence as artifacts."""

    name = "mlflow"
    label = "mlflow"

    def post(self, job: Job) -> Posted:
        from roadmap_ci.publish.sinks import Posted

        # report.json is left out: the run already holds scorecard.json, of which it is the learner's copy
        files = [p for k, p in job.files.items() if k != "json"]
        r = log_evaluation(job.card, job.evidence, files=files, env=job.env)
        return Posted(f"{self.label}: run {r.run_id} in {r.tracking_uri}", [f"mlflow run {r.run_id}"])
