"""data: Great Expectations 1.x suites stored in the repo as JSON, validated against the files they name.

A suite file is GX 1.x JSON -- ``{"name": …, "expectations": [{"type": …, "kwargs": {…}}], "meta":
{"data_file": "data/raw/train.csv"}}`` -- found by the config's ``data.suites`` globs. Each suite is
validated in an ephemeral context (nothing written, no progress bars, no analytics) against its CSV or
Parquet file; every expectation records success, unexpected count and percent and a few unexpected values
(as text, truncated). A suite that cannot run -- not UTF-8 text, invalid JSON, a GX 0.18 suite, an unknown
expectation, a missing data file, a column the data does not have -- is ``status: error`` with one clear line.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from roadmap_ci.collect.base import (
    EvidenceModel,
    Fact,
    Namespace,
    Ref,
    Section,
    Want,
    checked_line,
    locate,
    missing,
    names,
    no_section_line,
    rel_paths,
    short,
)
from roadmap_ci.extras import imports

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "data"
NEEDS = ("pipeline",)  # suites may check what the pipeline writes
TOOLS = ("great-expectations", "pandas")
MODULES = ("great_expectations", "pandas")
PARTIAL = 5  # unexpected values kept per expectation
VALUE_CHARS = 60
MAX_SUITE_BYTES = 1024 * 1024
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list",)
_IMPORT_LOCK = threading.Lock()


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``data:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class DataConfig(Section):
        suites: list[str] = Field(default=["gx/*.json"], description="Globs of GX 1.x suite JSON files.")

        @field_validator("suites", mode="before")
        @classmethod
        def _one(cls, v: Any) -> Any:
            return [v] if isinstance(v, str) else v

        @field_validator("suites")
        @classmethod
        def _safe(cls, v: list[str]) -> list[str]:
            return rel_paths(v, glob=True)

    return (DataConfig | None, None)


class Expectation(EvidenceModel):
    type: str
    column: str | None = None
    kwargs: dict[str, object] = Field(default_factory=dict)
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    partial_unexpected: list[str] = Field(default_factory=list,
                                          description="A few unexpected values, as text, truncated.")
    message: str = ""


class Suite(EvidenceModel):
    name: str
    data_file: str
    status: Literal["ok", "failed", "error"]
    expectations: list[Expectation] = Field(default_factory=list)
    message: str = ""


EVIDENCE = {"data": (list[Suite] | None, None)}


def enabled(ctx: Context) -> bool:
    return ctx.config.data is not None


def _quiet_env() -> None:
    import logging  # here: importing a collector (the evidence model does, on every `score`) stays light

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    logging.getLogger("great_expectations").setLevel(logging.CRITICAL)  # it logs tracebacks for bad suites


def _import() -> None:
    _quiet_env()
    with _IMPORT_LOCK, imports("collect"):
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401


class SuiteError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # where in the suite file, when known: shown as suite.json:LINE


def _suite_files(ctx: Context) -> list[str]:
    assert ctx.config.data is not None
    found: list[str] = []
    for pattern in ctx.config.data.suites:
        for p in sorted(ctx.repo.glob(pattern)):
            rel = ctx.rel(p)
            if rel not in found:
                found.append(rel)
    return found


def _load_suite(ctx: Context, rel: str) -> dict[str, Any]:
    path, kind = locate(ctx.repo, rel)
    if kind == "outside":
        raise SuiteError("a symlink pointing outside the repository (not read)")
    if kind != "file":
        raise SuiteError("not a file")
    data = path.read_bytes()
    if len(data) > MAX_SUITE_BYTES:
        raise SuiteError(f"{len(data)} bytes: too large for a suite")
    from roadmap_ci.errors import InvalidInput
    from roadmap_ci.safeio import decode_text

    try:  # strict UTF-8, as .roadmap-ci.yml: a suite whose text was replaced is not the suite the learner wrote
        text = decode_text(data, rel, "suite")
    except InvalidInput as exc:
        raise SuiteError(exc.message, exc.place.line if exc.place else None) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(raw, dict):
        raise SuiteError("a suite must be a JSON object with 'name' and 'expectations'")
    if "expectation_suite_name" in raw or any(isinstance(e, dict) and "expectation_type" in e
                                              for e in raw.get("expectations") or []):
        raise SuiteError("this is a Great Expectations 0.x suite (expectation_suite_name / expectation_type); "
                         "GX 1.x uses 'name' and, per expectation, 'type'")
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        raise SuiteError("the suite has no 'name'")
    exps = raw.get("expectations")
    if not isinstance(exps, list) or not all(isinstance(e, dict) for e in exps):
        raise SuiteError("'expectations' must be a list of objects with 'type' and 'kwargs'")
    for i, e in enumerate(exps):
        if not isinstance(e.get("type"), str):
            raise SuiteError(f"expectation {i + 1} has no 'type'")
        if not isinstance(e.get("kwargs", {}), dict):
            raise SuiteError(f"expectation {i + 1} ({e['type']}): 'kwargs' must be an object")
    meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
    if not isinstance(meta.get("data_file"), str) or not meta["data_file"]:
        raise SuiteError('the suite names no data file: add "meta": {"data_file": "data/….csv"}')
    return raw


def _read_frame(ctx: Context, rel: str) -> Any:
    with imports("collect"):
        import pandas as pd

    norm = os.path.normpath(rel)
    if os.path.isabs(rel) or norm.startswith(".."):
        raise SuiteError(f"data file {rel!r} is outside the repository")
    path, kind = locate(ctx.repo, norm)
    if kind == "outside":
        raise SuiteError(f"data file {rel!r} is a symlink pointing outside the repository (not read)")
    if kind != "file":
        raise SuiteError(f"data file {rel!r} not found")
    suffix = Path(rel).suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", low_memory=False)
    except Exception as exc:  # pandas raises many kinds for a malformed file
        raise SuiteError(f"cannot read data file {rel!r}: {short(str(exc), 200)}") from None


def _check_columns(raw: dict[str, Any], columns: list[str], data_file: str) -> None:
    have = set(map(str, columns))
    for i, e in enumerate(raw["expectations"]):
        kw = e.get("kwargs") or {}
        wanted = [kw[k] for k in COLUMN_KWARGS if isinstance(kw.get(k), str)]
        for k in COLUMN_LIST_KWARGS:
            if isinstance(kw.get(k), list):
                wanted += [c for c in kw[k] if isinstance(c, str)]
        for col in wanted:
            if col not in have:
                shown = ", ".join(list(map(str, columns))[:12]) + (" …" if len(columns) > 12 else "")
                raise SuiteError(f"expectation {i + 1} ({e['type']}) names column {col!r}, which {data_file} "
                                 f"does not have (columns: {shown})")


def _one_line(exc: Exception) -> str:
    text = str(exc).replace("Could not add expectation; provided configuration is not valid: ", "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and "validation error" in lines[0]:  # pydantic: "field\n  problem" pairs
        return "; ".join(f"{lines[j]}: {lines[j + 1]}" for j in range(1, len(lines) - 1, 2))
    return " ".join(lines)


def _build_suite(gx: Any, raw: dict[str, Any]) -> Any:
    """The suite, built expectation by expectation so an invalid one is named (GX would log and skip it)."""
    with imports("collect"):
        from great_expectations.expectations.registry import get_expectation_impl

    exps = []
    for i, e in enumerate(raw["expectations"]):
        try:
            cls = get_expectation_impl(e["type"])
            exps.append(cls(**dict(e.get("kwargs") or {}), meta={**(e.get("meta") or {}), "roadmap_ci_index": i}))
        except Exception as exc:  # ExpectationNotFoundError, pydantic ValidationError, TypeError
            raise SuiteError(f"expectation {i + 1} ({e['type']}) is invalid: {short(_one_line(exc), 240)}") from None
    return gx.ExpectationSuite(name=raw["name"], expectations=exps)


def _text(value: Any) -> str:
    s = str(value)
    return s if len(s) <= VALUE_CHARS else s[: VALUE_CHARS - 1] + "…"


def _number(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _plain_kwargs(kw: dict[str, Any]) -> dict[str, object]:
    try:
        return json.loads(json.dumps({k: v for k, v in kw.items() if k != "batch_id"}, default=str,
                                     allow_nan=False))
    except ValueError:
        return {k: str(v) for k, v in kw.items() if k != "batch_id"}


def _validate(gx: Any, gx_ctx: Any, index: int, raw: dict[str, Any], frame: Any) -> list[Expectation]:
    suite = _build_suite(gx, raw)
    batch = (gx_ctx.data_sources.add_pandas(f"roadmap-ci-{index}").add_dataframe_asset("frame")
             .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame}))
    result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL})
    rows: list[tuple[int, Expectation]] = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        info = r.exception_info or {}
        if "raised_exception" not in info:  # a dict of metric -> info when a metric failed
            info = next((v for v in info.values() if isinstance(v, dict)), {})
        message = short(info.get("exception_message") or "", 240) if info.get("raised_exception") else ""
        kw = dict(cfg.kwargs)
        count = res.get("unexpected_count")
        rows.append((int((cfg.meta or {}).get("roadmap_ci_index", len(rows))), Expectation(
            type=cfg.type, column=kw.get("column") if isinstance(kw.get("column"), str) else None,
            kwargs=_plain_kwargs(kw), success=bool(r.success),
            unexpected_count=int(count) if isinstance(count, int | float) and count == count else None,
            unexpected_percent=_number(res.get("unexpected_percent")),
            partial_unexpected=[_text(v) for v in (res.get("partial_unexpected_list") or [])[:PARTIAL]],
            message=message,
        )))
    return [e for _, e in sorted(rows, key=lambda x: x[0])]


def _key(ctx: Context, rel: str) -> str | None:
    """sha256 of what a suite's result depends on: the suite, its data file, the tool versions."""
    from importlib import metadata

    try:
        suite_bytes = (ctx.repo / rel).read_bytes()
        data_file = json.loads(suite_bytes)["meta"]["data_file"]
        path, kind = locate(ctx.repo, os.path.normpath(data_file))
        if kind != "file" or os.path.normpath(data_file).startswith(".."):
            return None
        h = hashlib.sha256()
        for part in (metadata.version("great-expectations"), metadata.version("roadmap-ci"), rel):
            h.update(part.encode() + b"\0")
        h.update(hashlib.sha256(suite_bytes).digest())
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()
    except (OSError, ValueError, KeyError, TypeError, metadata.PackageNotFoundError):
        return None


def _cache_hits(ctx: Context) -> bool:
    """Whether every suite's result is cached for the files as they are now."""
    from roadmap_ci.collect import _cache

    cache = _cache.read(ctx.repo, NAME)
    files = _suite_files(ctx)
    return bool(files) and all((k := _key(ctx, rel)) is not None and k in cache for rel in files)


def warm(ctx: Context) -> None:
    """Import great_expectations (≈ 2 s) while the pipeline runs -- unless the cache will answer."""
    if not _cache_hits(ctx):
        _import()


def ephemeral_context() -> tuple[Any, Any]:
    """great_expectations and an in-memory data context without progress bars: what every suite runs in."""
    _import()
    with imports("collect"):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    gx_ctx = gx.get_context(mode="ephemeral")
    gx_ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, gx_ctx


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect import _cache

    cache = _cache.read(ctx.repo, NAME)
    new_cache: dict[str, Any] = {}
    gx_state: dict[str, Any] = {}

    def gx_context() -> tuple[Any, Any]:
        if not gx_state:
            gx_state["gx"], gx_state["ctx"] = ephemeral_context()
        return gx_state["gx"], gx_state["ctx"]

    suites: list[Suite] = []
    for i, rel in enumerate(_suite_files(ctx)):
        key = _key(ctx, rel)
        if key is not None and key in cache:
            try:
                suites.append(Suite.model_validate(cache[key]))
                new_cache[key] = cache[key]
                continue
            except ValueError:
                pass
        suite = _one(ctx, i, rel, gx_context)
        suites.append(suite)
        if key is not None and suite.status != "error":
            new_cache[key] = suite.model_dump(mode="json")
    if new_cache != cache:
        _cache.write(ctx.repo, NAME, new_cache)
    return {"data": suites}


def _one(ctx: Context, i: int, rel: str, gx_context: Any) -> Suite:
    name, data_file = Path(rel).stem, ""
    try:
        raw = _load_suite(ctx, rel)
        name, data_file = raw["name"], raw["meta"]["data_file"]
        frame = _read_frame(ctx, data_file)
        _check_columns(raw, list(frame.columns), data_file)
        gx, gx_ctx = gx_context()
        exps = _validate(gx, gx_ctx, i, raw, frame)
    except SuiteError as exc:
        where = f"{rel}:{exc.line}" if exc.line is not None else rel
        return Suite(name=name, data_file=data_file, status="error", message=f"{where}: {exc}")
    except Exception as exc:  # GX itself failed on this suite: that suite is an error, the others still run
        return Suite(name=name, data_file=data_file, status="error",
                     message=f"{rel}: Great Expectations failed: {type(exc).__name__}: {short(str(exc), 200)}")
    status = "ok" if all(e.success for e in exps) else "failed"
    return Suite(name=name, data_file=data_file, status=status, expectations=exps)


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("data")
    return no_section_line(fields) if value is None else checked_line(value)


# ---------------------------------------------------------------- facts


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    label = "data checks" if ref.key is None else f"data suite {ref.key}"
    if ev.data is None:
        return missing(label, "data checks were not run")
    suites = ev.data if ref.key is None else [s for s in ev.data if s.name == ref.key]
    if not suites:
        return missing(label, f"no suite {ref.key!r} (found: {names([s.name for s in ev.data]) or 'none'})"
                       if ref.key else "no data suites were found")
    broken = [s for s in suites if s.status == "error"]
    exps = [e for s in suites for e in s.expectations]
    met = sum(e.success for e in exps)
    total = len(exps) + len(broken)  # a suite that could not run counts as one unmet check
    failed = [f"{e.type}({e.column})" if e.column else e.type for e in exps if not e.success]
    failed += [f"{s.name}: {short(s.message, 80)}" for s in broken]
    detail = f"{met} of {total} expectations met" + (f" (failing: {names(failed)})" if failed else "")
    if total == 0:
        return missing(label, "the suites hold no expectations")
    if want == "bool":
        return Fact("bool", label, met == total, detail=detail)
    return Fact("fraction", label, done=met, total=total, detail=detail)


NAMESPACES = {
    "data": Namespace("optional", frozenset({"pass", "fraction"}), "Great Expectations results", _resolve),
}
