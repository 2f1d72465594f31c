"""predictions: the predictions file the deliverable declares -- rows, columns, sha256 -- and a copy in the
evidence bundle, so hidden-label metrics can be computed outside the learner's job.

A file that a dvc.yaml stage declares counts only if that stage ran or was verified up to date in this
evaluation; otherwise it is ``stale`` (an earlier run's, or committed) and is not bundled.

CSV is read with the standard library; Parquet with pyarrow (imported only for Parquet files).
"""

from __future__ import annotations

import functools
import hashlib
import io
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
    check_rel_path,
    locate,
    missing,
    no_section_line,
    short,
    status_line,
)
from roadmap_ci.errors import InvalidInput
from roadmap_ci.extras import imports
from roadmap_ci.safeio import write_atomic

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "predictions"
NEEDS = ("pipeline",)
TOOLS: tuple[str, ...] = ()
MODULES: tuple[str, ...] = ()  # pyarrow only for a Parquet file, named when it is missing


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``predictions:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class PredictionsConfig(Section):
        path: str = Field(description="The predictions file (CSV or Parquet) the pipeline writes.")
        id_column: str | None = Field(default=None,
                                      description="A column every row must have (hidden labels join on it).")

        @field_validator("path")
        @classmethod
        def _safe(cls, v: str) -> str:
            return check_rel_path(v)

    return (PredictionsConfig | None, None)


class Predictions(EvidenceModel):
    path: str
    status: Literal["ok", "missing", "invalid", "stale"]
    rows: int | None = None
    columns: list[str] = Field(default_factory=list)
    sha256: str | None = None
    bundled_as: str | None = Field(default=None, description="Path of the copy inside the evidence bundle.")
    message: str = ""


EVIDENCE = {"predictions": (Predictions | None, None)}
MAX_BYTES = 32 * 1024 * 1024  # as roadmap_ci.score.files refuses larger files
BUNDLE_DIR = "bundle"


def enabled(ctx: Context) -> bool:
    return ctx.config.predictions is not None


def _shape(path: Path, data: bytes) -> tuple[int, list[str]]:
    if path.suffix.lower() in (".parquet", ".pq"):
        with imports("collect"):
            import pyarrow.parquet as pq

        meta = pq.ParquetFile(io.BytesIO(data))
        return meta.metadata.num_rows, [str(n) for n in meta.schema_arrow.names]
    # the reader and the limits the report step applies (roadmap_ci.score.files), so "ok" here means readable there
    from roadmap_ci.safeio import csv_rows
    from roadmap_ci.score.files import MAX_FIELD_CHARS, MAX_PREDICTION_ROWS

    stream = csv_rows(path, path.name, "the predictions file", max_bytes=MAX_BYTES, max_rows=MAX_PREDICTION_ROWS,
                      max_field_chars=MAX_FIELD_CHARS)
    _, header = next(stream)
    rows = 0
    for line, row in stream:
        if len(row) != len(header):
            raise ValueError(f"row {line} has {len(row)} fields, the header has {len(header)}")
        rows += 1
    return rows, header


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect._dvc import output_stale

    cfg = ctx.config.predictions
    assert cfg is not None
    path, kind = locate(ctx.repo, cfg.path)
    if kind == "outside":
        return {"predictions": Predictions(path=cfg.path, status="invalid",
                                           message="a symlink pointing outside the repository (not read)")}
    if kind != "file":
        pipeline = ctx.result("pipeline", "pipeline")
        hint = " (the pipeline did not finish)" if pipeline is not None and pipeline.status != "ok" else ""
        return {"predictions": Predictions(path=cfg.path, status="missing",
                                           message=f"{cfg.path} not found{hint}; the pipeline should write it")}
    stale = output_stale(ctx.repo, cfg.path, ctx.result("pipeline", "pipeline"))
    if stale:  # left by an earlier run (or committed): not this commit's predictions, so not bundled
        return {"predictions": Predictions(path=cfg.path, status="stale", message=stale)}
    size = path.stat().st_size
    if size > MAX_BYTES:
        return {"predictions": Predictions(path=cfg.path, status="invalid",
                                           message=f"{size} bytes ({size / 2**20:.1f} MiB): larger than the "
                                           f"{MAX_BYTES // 2**20} MiB allowed")}
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        rows, columns = _shape(path, data)
    except InvalidInput as exc:  # the guarded CSV reader: size, rows, fields, encoding
        return {"predictions": Predictions(path=cfg.path, status="invalid", sha256=sha,
                                           message=short(exc.message, 200))}
    except Exception as exc:  # pyarrow errors, ValueError
        return {"predictions": Predictions(path=cfg.path, status="invalid", sha256=sha,
                                           message=f"unreadable: {short(str(exc), 200)}")}
    status, message = "ok", ""
    if cfg.id_column and cfg.id_column not in columns:
        status, message = "invalid", f"no {cfg.id_column!r} column (columns: {', '.join(columns[:12])})"
    bundle = ctx.out_dir / BUNDLE_DIR / "predictions"
    bundle.mkdir(parents=True, exist_ok=True)
    dest = bundle / Path(cfg.path).name
    write_atomic(dest, data)  # the bytes hashed above, not a second read of a file that may change
    return {"predictions": Predictions(path=cfg.path, status=status, rows=rows, columns=columns,  # type: ignore[arg-type]
                                       sha256=sha, bundled_as=dest.relative_to(ctx.out_dir).as_posix(),
                                       message=message)}


def _reason(p: Predictions) -> str:
    """The message without the status it may repeat (a stale file's says "stale: written by …")."""
    return p.message.removeprefix(f"{p.status}: ")


def summary(fields: dict[str, Any]) -> str:
    """One progress line that names the file: ``stale: out/preds.csv: written by stage 'predict', which …``."""
    value = fields.get("predictions")
    if value is None:
        return no_section_line(fields)
    said = _reason(value)
    if said and value.path not in said:
        said = f"{value.path}: {said}"
    return status_line(value.model_copy(update={"message": said}))


# ---------------------------------------------------------------- facts


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    p = ev.predictions
    if p is None:
        return missing("predictions", "no predictions file is declared")
    if want == "number":
        if p.rows is None:
            return missing("prediction rows", f"{p.path} is {p.status}" + (f": {_reason(p)}" if p.message else ""))
        return Fact("number", "prediction rows", float(p.rows))
    ok = p.status == "ok"
    why = f": {short(_reason(p), 160)}" if p.message else ""
    detail = f"{p.path}: {p.rows} rows" if ok else f"{p.path} is {p.status}{why}"
    return Fact("bool", "predictions", ok, detail=detail)


NAMESPACES = {
    "predictions": Namespace("none", frozenset({"pass", "threshold"}), "the predictions file", _resolve),
}
