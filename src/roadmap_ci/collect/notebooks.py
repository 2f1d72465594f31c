"""notebooks: execute the notebooks the deliverable lists with nbclient, one subprocess each (own process
group, a timeout per notebook) and a per-cell timeout; record success or the failing cell (1-based, every
cell counted, as Jupyter shows them) and its error. The notebooks on disk are not modified.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from roadmap_ci.collect import proc
from roadmap_ci.collect._context import Context, locate, short
from roadmap_ci.evidence import Notebook

NAME = "notebooks"
NEEDS = ("pipeline",)


def enabled(ctx: Context) -> bool:
    return ctx.config.notebooks is not None


def needs(ctx: Context) -> tuple[str, ...]:
    return ("pipeline",) if ctx.config.notebooks is not None and ctx.config.notebooks.after_pipeline else ()


def _one(ctx: Context, rel: str, out: Path) -> Notebook:
    cfg = ctx.config.notebooks
    assert cfg is not None
    path, kind = locate(ctx.repo, rel)
    if kind == "outside":
        return Notebook(path=rel, status="error", error="a symlink pointing outside the repository (not run)")
    if kind != "file":
        return Notebook(path=rel, status="missing", error=f"{rel} not found")
    res = proc.run([sys.executable, "-m", "roadmap_ci.collect._nbrun", str(path), str(cfg.cell_timeout), str(out)],
                   ctx.repo, timeout=cfg.timeout, env=ctx.env)
    duration = round(res.duration_s, 3)
    if res.timed_out:
        return Notebook(path=rel, status="timeout", duration_s=duration,
                        error=f"did not finish within {cfg.timeout:g} s")
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        return Notebook(path=rel, status="error", duration_s=duration,
                        error=short(res.error or proc.last_line(res.tail) or "the notebook runner crashed", 300))
    return Notebook(path=rel, status=data["status"], failed_cell=data.get("failed_cell"),
                    error=short(data.get("error") or "", 500), duration_s=duration)


def collect(ctx: Context) -> dict[str, Any]:
    cfg = ctx.config.notebooks
    assert cfg is not None
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-ci-nb-"))
    try:
        return {"notebooks": [_one(ctx, rel, tmp / f"{i}.json") for i, rel in enumerate(cfg.paths)]}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
