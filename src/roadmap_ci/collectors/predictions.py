"""predictions: the predictions file the deliverable declares -- rows, columns, sha256 -- and a copy in the
evidence bundle, so hidden-label metrics can be computed outside the learner's job.

CSV is read with the standard library; Parquet with pyarrow (imported only for Parquet files).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

from roadmap_ci.collectors._context import Context, locate, short
from roadmap_ci.evidence import Predictions
from roadmap_ci.safeio import write_atomic

NAME = "predictions"
NEEDS = ("pipeline",)
MAX_BYTES = 32 * 1024 * 1024  # as roadmap_ci.hidden refuses larger files
BUNDLE_DIR = "bundle"


def enabled(ctx: Context) -> bool:
    return ctx.config.predictions is not None


def _shape(path: Path, data: bytes) -> tuple[int, list[str]]:
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(io.BytesIO(data))
        return meta.metadata.num_rows, [str(n) for n in meta.schema_arrow.names]
    text = data.decode("utf-8")  # UnicodeDecodeError -> invalid
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    header = next(reader, None)
    if not header:
        raise ValueError("the file is empty (no header row)")
    rows = 0
    for row in reader:
        if row:
            if len(row) != len(header):
                raise ValueError(f"row {rows + 2} has {len(row)} fields, the header has {len(header)}")
            rows += 1
    return rows, header


def collect(ctx: Context) -> dict[str, Any]:
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
    size = path.stat().st_size
    if size > MAX_BYTES:
        return {"predictions": Predictions(path=cfg.path, status="invalid",
                                           message=f"{size} bytes: larger than the {MAX_BYTES // 2**20} MiB allowed")}
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        rows, columns = _shape(path, data)
    except UnicodeDecodeError:
        return {"predictions": Predictions(path=cfg.path, status="invalid", sha256=sha, message="not UTF-8 text")}
    except Exception as exc:  # csv.Error, pyarrow errors, ValueError
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
