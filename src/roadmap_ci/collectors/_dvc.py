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
    error: str = ""


def _paths(entries: Any) -> list[str]:
    out = []
    for e in entries or []:
        if isinstance(e, str):
            out.append(e)
        elif isinstance(e, dict):
            out.extend(str(k) for k in e)
    return out


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
    return out
