"""Reading dvc.yaml without importing dvc: stage names, and which stage writes which metrics file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DvcYaml:
    stages: list[str] = field(default_factory=list)  # in file order, foreach expanded when literal
    metrics: dict[str, str | None] = field(default_factory=dict)  # metrics file -> the stage writing it
    # every path a stage writes (outs, metrics, plots; relative to the repo), or None when templating
    # (`${…}`, `foreach`) makes them unknowable without dvc itself
    outputs: list[str] | None = field(default_factory=list)
    # output path (normalised) -> the stage that writes it; None for a foreach stage's (several stages)
    producers: dict[str, str | None] = field(default_factory=dict)
    error: str = ""

    def producer(self, path: str) -> tuple[str | None, bool]:
        """(the stage writing ``path`` -- itself or a directory out above it --, whether one is declared)."""
        norm = os.path.normpath(path)
        while norm not in ("", ".", os.sep):
            if norm in self.producers:
                return self.producers[norm], True
            norm = os.path.dirname(norm)
        return None, False


def stage_stale(stage: str | None, pipeline: Any) -> str | None:
    """"stale: …" when ``stage`` did not run or cache in *this* run (failed, timed out, never started).

    DVC leaves the outputs of earlier runs in place (``cache: false`` ones, and files committed to git), so
    a file whose stage did not run here describes some other commit; it must not earn points.
    """
    if stage is None or pipeline is None or pipeline.status in ("missing",):
        return None
    st = next((s for s in pipeline.stages if s.name == stage), None)
    if st is None or st.status in ("ran", "cached"):
        return None
    what = {"failed": "failed", "timeout": "timed out", "not_run": "did not run"}.get(st.status, st.status)
    return f"stale: written by stage {stage!r}, which {what} in this run"


def output_stale(repo: Path, path: str, pipeline: Any, dvc: DvcYaml | None = None) -> str | None:
    """:func:`stage_stale` for whichever stage of ``repo``'s dvc.yaml declares ``path`` (None: none does)."""
    dvc = dvc if dvc is not None else read_dvc_yaml(repo)
    if dvc is None or pipeline is None:
        return None
    stage, _ = dvc.producer(path)
    return stage_stale(stage, pipeline)


def _paths(entries: Any) -> list[str]:
    out = []
    for e in entries or []:
        if isinstance(e, str):
            out.append(e)
        elif isinstance(e, dict):
            out.extend(str(k) for k in e)
    return out


def _written(spec: dict[str, Any]) -> list[str]:
    return [*_paths(spec.get("outs")), *_paths(spec.get("metrics")), *_paths(spec.get("plots"))]


def read_dvc_yaml(repo: Path) -> DvcYaml | None:
    """None when there is no dvc.yaml; ``error`` set when it cannot be read (dvc itself will say why)."""
    path = repo / "dvc.yaml"
    if not path.is_file():
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8", errors="replace"))
    except (YAMLError, OSError, ValueError) as exc:
        return DvcYaml(error=f"dvc.yaml: {' '.join(str(exc).split())[:300]}")
    out = DvcYaml()
    if not isinstance(data, dict):
        out.error = "dvc.yaml: not a mapping"
        return out
    for f in _paths(data.get("metrics")):
        out.metrics.setdefault(f, None)
    stages = data.get("stages") or {}
    if not isinstance(stages, dict):
        out.error = "dvc.yaml: 'stages' is not a mapping"
        return out
    for name, spec in stages.items():
        name = str(name)
        names = [name]
        if isinstance(spec, dict) and "foreach" in spec:
            items = spec["foreach"]
            if isinstance(items, list):
                names = [f"{name}@{i}" for i in range(len(items))]
                # dvc names list items by value when they are scalars
                if all(isinstance(x, str | int | float) for x in items):
                    names = [f"{name}@{x}" for x in items]
            elif isinstance(items, dict):
                names = [f"{name}@{k}" for k in items]
            spec = spec.get("do") if isinstance(spec.get("do"), dict) else {}
            out.outputs = None
        out.stages.extend(names)
        if isinstance(spec, dict):
            for f in _paths(spec.get("metrics")):
                out.metrics[f] = names[0] if len(names) == 1 else None
            if out.outputs is not None:
                wdir = str(spec.get("wdir") or ".")
                written = [*_paths(spec.get("outs")), *_paths(spec.get("metrics")), *_paths(spec.get("plots"))]
                if any("${" in w for w in [wdir, *written]):
                    out.outputs = None
                else:
                    out.outputs.extend(os.path.normpath(os.path.join(wdir, w)) for w in written)
            if not any("${" in w for w in [str(spec.get("wdir") or "."), *_written(spec)]):
                for w in _written(spec):
                    out.producers[os.path.normpath(os.path.join(str(spec.get("wdir") or "."), w))] = \
                        names[0] if len(names) == 1 else None
    return out
