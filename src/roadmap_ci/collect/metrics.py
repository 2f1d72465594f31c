"""metrics: DVC metrics files flattened to ``file:path.to.key -> number``.

Files: the config's ``metrics:`` list, else every metrics file dvc.yaml declares. Values that are not
usable numbers (NaN, infinities, text, null, lists) go to ``metric_problems`` with the reason. A metrics
file written by a stage that did not run or cache in *this* run (it failed, timed out, or never started)
is stale -- DVC leaves ``cache: false`` metrics of earlier runs in place -- so its values are problems too.
With ``--base REV`` the same files are read from git at REV into ``base_metrics``.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from roadmap_ci.collect.base import (
    CollectorError,
    Fact,
    Namespace,
    Ref,
    RelPaths,
    Want,
    as_wanted,
    locate,
    number_fact,
    short,
)

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.collect.pipeline import Pipeline
    from roadmap_ci.evidence import Evidence

NAME = "metrics"
NEEDS = ("pipeline",)
TOOLS: tuple[str, ...] = ()
MODULES: tuple[str, ...] = ()
MAX_BYTES = 8 * 1024 * 1024



@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``metrics:`` key in .roadmap-ci.yml, built on first use like the other collectors' keys."""
    return (RelPaths | None, Field(
        default=None, description="Metrics files; default: the ones dvc.yaml declares (with a pipeline section)."))


EVIDENCE = {
    "metrics": (dict[str, float] | None, Field(
        default=None, description="Flattened 'file:path.to.key' -> number, from the DVC metrics files.")),
    "metric_problems": (dict[str, str], Field(
        default_factory=dict, description="Metrics that exist but are not usable numbers (NaN, text, lists).")),
    "base_metrics": (dict[str, float] | None, Field(
        default=None, description="The same metrics on the base branch, when collected with --base.")),
}


def enabled(ctx: Context) -> bool:
    return ctx.config.metrics is not None or ctx.config.pipeline is not None


class NotParsable(ValueError):
    pass


def parse(text: str, name: str) -> Any:
    """JSON, YAML or TOML by extension (JSON, then YAML, for other names)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".toml":
        import tomllib  # here: importing a collector (the evidence model does, on every `score`) stays light

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise NotParsable(f"not valid TOML: {exc}") from None
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise NotParsable(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if suffix not in (".yaml", ".yml"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        kind = "YAML" if suffix in (".yaml", ".yml") else "JSON or YAML"
        raise NotParsable(f"not valid {kind}: {short(str(exc.problem or 'syntax error'), 120)}{where}") from None
    except YAMLError as exc:
        raise NotParsable(f"not valid YAML: {short(str(exc), 120)}") from None


def flatten(data: Any, prefix: str, values: dict[str, float], problems: dict[str, str]) -> None:
    """``prefix`` is ``file:`` for the top level, then ``file:a.b``."""
    sep = "" if prefix.endswith(":") else "."
    if isinstance(data, dict):
        if not data and not prefix.endswith(":"):
            problems[prefix] = "an empty mapping, not a number"
        for k, v in data.items():
            flatten(v, f"{prefix}{sep}{k}", values, problems)
        return
    key = prefix
    if isinstance(data, bool):
        values[key] = 1.0 if data else 0.0
    elif isinstance(data, int | float):
        x = float(data)
        if math.isfinite(x):
            values[key] = x
        else:
            problems[key] = f"{data!r} is not a finite number"
    elif data is None:
        problems[key] = "null, not a number"
    elif isinstance(data, list):
        problems[key] = f"a list of {len(data)} items, not a number (name each value with a key)"
    else:
        problems[key] = f"text {short(repr(data), 60)}, not a number"


def read_file(text: str, name: str, values: dict[str, float], problems: dict[str, str]) -> None:
    try:
        data = parse(text, name)
    except NotParsable as exc:
        problems[name] = str(exc)
        return
    if not isinstance(data, dict):
        problems[name] = f"the top level is {type(data).__name__}, expected a mapping of metric names"
        return
    flatten(data, f"{name}:", values, problems)


def _base(ctx: Context, files: list[str], errors: list[CollectorError]) -> dict[str, float] | None:
    if not ctx.base:
        return None
    values: dict[str, float] = {}
    for name in files:
        try:
            res = subprocess.run(["git", "show", f"{ctx.base}:{name}"], cwd=ctx.repo, capture_output=True,
                                 timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            errors.append(CollectorError(collector=NAME, message=f"base {ctx.base}: git show failed: {exc}"))
            return None
        if res.returncode != 0:
            err = res.stderr.decode("utf-8", "replace")
            if "not a git repository" in err or "unknown revision" in err or "bad revision" in err \
                    or "invalid object name" in err:
                errors.append(CollectorError(collector=NAME, message=f"base {ctx.base!r}: {short(err, 200)}"))
                return None
            continue  # the file does not exist at the base: no base values for it
        problems: dict[str, str] = {}
        read_file(res.stdout[:MAX_BYTES].decode("utf-8", "replace"), name, values, problems)
    return values


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect._dvc import read_dvc_yaml, stage_stale

    dvc_yaml = read_dvc_yaml(ctx.repo)
    producers: dict[str, str | None] = dvc_yaml.metrics if dvc_yaml else {}
    files = list(ctx.config.metrics) if ctx.config.metrics is not None else list(producers)
    pipeline: Pipeline | None = ctx.result("pipeline", "pipeline")
    values: dict[str, float] = {}
    problems: dict[str, str] = {}
    errors: list[CollectorError] = []
    for name in files:
        path, kind = locate(ctx.repo, name)
        if kind == "outside":
            problems[name] = "a symlink pointing outside the repository (not read)"
            continue
        if kind != "file":
            problems[name] = "file not found" + (" (the pipeline did not finish)" if pipeline and
                                                  pipeline.status != "ok" else "")
            continue
        data = path.read_bytes()
        if len(data) > MAX_BYTES:
            problems[name] = f"{len(data)} bytes: too large for a metrics file"
            continue
        got: dict[str, float] = {}
        read_file(data.decode("utf-8", "replace"), name, got, problems)
        stale = stage_stale(producers.get(name), pipeline)
        if stale:
            problems.update({k: stale for k in got})
        else:
            values.update(got)
    out: dict[str, Any] = {"metrics": values, "metric_problems": problems}
    base = _base(ctx, files, errors)
    if base is not None:
        out["base_metrics"] = base
    if errors:
        out["errors"] = errors
    return out


def summary(fields: dict[str, Any]) -> str:
    probs = fields.get("metric_problems") or {}
    out = f"{len(fields.get('metrics') or {})} values"
    if probs:  # named, the first two: a count alone sends the learner digging in evidence.json
        first = "; ".join(f"{short(k, 60)}: {short(v, 80)}" for k, v in sorted(probs.items())[:2])
        out += f", {len(probs)} problem{'' if len(probs) == 1 else 's'} ({first}{'; …' if len(probs) > 2 else ''})"
    return out


# ---------------------------------------------------------------- facts


def _metric(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    key = ref.key or ""
    values = ev.metrics if base is None else base
    src = "metrics" if base is None else "base-branch metrics"
    return as_wanted(number_fact(values, ev.metric_problems if base is None else {}, key, key, src), want)


def _check_key(text: str, key: str) -> None:
    if ":" not in key:
        raise ValueError(f"'{text}' must name the metrics file and the key, e.g. 'metric:metrics.json:{key}'")


NAMESPACES = {
    "metric": Namespace("required", frozenset({"threshold", "pass"}), "a metric from a DVC metrics file", _metric,
                        example="metric:metrics.json:f1", check_key=_check_key),
}
