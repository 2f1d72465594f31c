"""Kaggle-style hidden-label scoring: the learner's predictions file against labels they never see.

The privileged report step (and a mentor's local run, and the demo) calls :func:`with_hidden_metrics`
(or :func:`hidden_metrics`) with the rubric's ``hidden_labels`` section, the labels file (mentor-controlled:
see ``docs/security.md``) and the learner's predictions file. The result becomes ``evidence.hidden`` --
whatever the learner's own job wrote there is discarded:

* ``public.<metric>``  -- rows whose split column says ``public`` (shown on every PR)
* ``private.<metric>`` -- rows whose split column says ``private`` (or every row when there is no
  split column); counted in the grade, usually ``visibility: after_due``.

This module puts the pieces together: where the labels are (:func:`labels_path`), reading both files
(:mod:`roadmap_ci.score.files`, which validates the learner's file hard), the metrics
(:mod:`roadmap_ci.score.metrics`, pure maths). Every problem is a :class:`~roadmap_ci.errors.HiddenError`
with a one-line message; :func:`hidden_metrics` turns it into an ``evidence.errors`` entry (collector
``hidden``) so the hidden-label criteria score 0 *with that reason* instead of crashing the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from roadmap_ci.errors import HiddenError
from roadmap_ci.score.files import (
    MAX_PREDICTIONS_BYTES,
    read_labels,
    read_predictions,
    read_ranking_labels,
    read_ranking_predictions,
)
from roadmap_ci.score.metrics import SPLITS, Label, Relevant, compute, compute_ranking

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.model import HiddenLabels

COLLECTOR = "hidden"  # the evidence.errors entry that carries a hidden-label problem


def is_practice(labels_file: Path) -> bool:
    """Labels shipped with roadmap-ci (``labels/``) are practice labels: public, feedback only."""
    from roadmap_ci.paths import labels_dir

    try:
        return labels_file.resolve().is_relative_to(labels_dir().resolve())
    except OSError:
        return False


def labels_path(spec: HiddenLabels, rubric_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where the labels are: ``env:VAR`` (a path held by an environment variable, e.g. from a CI secret)
    or a path relative to the rubric's directory."""
    env = os.environ if env is None else env
    if spec.source.startswith("env:"):
        var = spec.source[4:]
        value = env.get(var, "").strip()
        if not value:
            raise HiddenError(f"hidden labels are not available here (environment variable {var} is not set)")
        return Path(value)
    return rubric_dir / spec.source


@dataclass
class HiddenResult:
    metrics: dict[str, float] | None
    error: str | None = None
    details: dict[str, int] = field(default_factory=dict)
    practice: bool = False  # computed against the public practice labels (feedback, not a grade)

    @property
    def labels(self) -> Literal["course", "practice"] | None:
        """Where the metrics came from (a scorecard's ``labels``): None when there are none."""
        if self.metrics is None:
            return None
        return "practice" if self.practice else "course"


def _score(spec: HiddenLabels, labels_file: Path, predictions: Path, max_bytes: int,
           display: str | None) -> tuple[dict[str, float], dict[str, int]]:
    """The metrics and how many ids each split holds; raises HiddenError."""
    labels: Mapping[str, Label | Relevant]
    if spec.task == "ranking":
        labels = read_ranking_labels(labels_file, spec)
        ranked = read_ranking_predictions(predictions, spec, labels, max_bytes=max_bytes, display=display)
        metrics = compute_ranking(spec, labels, ranked)
    else:
        labels = read_labels(labels_file, spec)
        preds = read_predictions(predictions, spec, labels, max_bytes=max_bytes, display=display)
        metrics = compute(spec, labels, preds)
    return metrics, {s: sum(1 for lab in labels.values() if lab.split == s) for s in SPLITS}


def score_predictions(spec: HiddenLabels, labels_file: Path, predictions: Path,
                      max_bytes: int = MAX_PREDICTIONS_BYTES, display: str | None = None) -> dict[str, float]:
    """Read both files and compute the metrics; raises HiddenError with a one-line reason."""
    return _score(spec, labels_file, predictions, max_bytes, display)[0]


def hidden_metrics(loaded: LoadedRubric, predictions: Path | None, labels_file: Path | None = None,
                   env: Mapping[str, str] | None = None, max_bytes: int = MAX_PREDICTIONS_BYTES,
                   display: str | None = None) -> HiddenResult:
    """Never raises for bad input: the rubric's hidden-label metrics, or None and the reason."""
    spec = loaded.rubric.hidden_labels
    if spec is None:
        return HiddenResult(None, "the rubric has no hidden_labels section")
    if predictions is None:
        return HiddenResult(None, "no predictions file was produced (declare predictions: in .roadmap-ci.yml)")
    try:
        src = labels_file if labels_file is not None else labels_path(spec, loaded.directory, env)
        metrics, counts = _score(spec, src, predictions, max_bytes, display)
    except HiddenError as exc:
        return HiddenResult(None, str(exc))
    return HiddenResult(metrics, None, counts, practice=is_practice(src))


def apply(evidence: Evidence, result: HiddenResult) -> Evidence:
    """Evidence with ``hidden`` replaced by ``result`` (whatever the learner's job claimed is dropped)."""
    from roadmap_ci.evidence import CollectorError

    errors = [e for e in evidence.errors if e.collector != COLLECTOR]
    if result.error:
        errors.append(CollectorError(collector=COLLECTOR, message=result.error))
    return evidence.model_copy(update={"hidden": result.metrics, "errors": errors})


class _AnyId(Mapping[str, Any]):
    """Labels that hold every id and list none: the predictions readers' checks that need no labels."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def local_check(evidence: Evidence, loaded: LoadedRubric, bundle: Path) -> str | None:
    """On a learner's own run (no labels here): why the report step will score the hidden-label criteria 0,
    found with the report step's own readers (every id allowed, none required) -- or None (they are pending).
    ``bundle``: the folder the predictions copy was bundled into (``predictions.bundled_as``)."""
    spec = loaded.rubric.hidden_labels
    pred = evidence.predictions
    if spec is None or evidence.hidden is not None:
        return None
    if pred is None:
        return "no predictions file was produced (declare predictions: in .roadmap-ci.yml)"
    if pred.status == "stale":
        return f"{pred.path[:80]} is {pred.message[:200]}"
    if pred.status != "ok":
        return f"{pred.path[:80]}: {pred.status}: {pred.message[:200]}"
    if pred.bundled_as is None:
        return None
    read = read_ranking_predictions if spec.task == "ranking" else read_predictions
    try:
        read(bundle / pred.bundled_as, spec, _AnyId(), display=pred.path)
    except HiddenError as exc:
        return str(exc)
    return None


def with_hidden_metrics(evidence: Evidence, loaded: LoadedRubric, predictions: Path | None, *,
                        labels_file: Path | None = None, env: Mapping[str, str] | None = None,
                        display: str | None = None, withheld: str | None = None) -> tuple[Evidence, HiddenResult]:
    """The evidence re-scored on the hidden labels: what the privileged report step (and a mentor's or a
    demo's local run) does before scoring. Whatever the learner's job wrote in ``hidden`` is replaced.

    ``withheld``: a reason the metrics are not computed this time (the daily feedback limit). Predictions
    the evidence marks ``stale`` (an earlier run's, not this commit's) are not scored either.
    """
    pred = evidence.predictions
    if withheld is not None:
        result = HiddenResult(None, withheld)
    elif pred is not None and pred.status == "stale":
        result = HiddenResult(None, f"{pred.path[:80]} is {pred.message[:200]}")  # learner text: bounded
    else:
        result = hidden_metrics(loaded, predictions, labels_file=labels_file, env=env, display=display)
    return apply(evidence, result), result
