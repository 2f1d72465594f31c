"""notebooks: execute the notebooks the deliverable lists with nbclient, one subprocess each (own process
group, a timeout per notebook) and a per-cell timeout; record success or the failing cell (1-based, every
cell counted, as Jupyter shows them) and its error. The notebooks on disk are not modified.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from roadmap_ci.collect.base import (
    EvidenceModel,
    Fact,
    Namespace,
    Ref,
    RelPaths,
    Section,
    Want,
    checked_line,
    locate,
    missing,
    no_section_line,
    short,
)

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "notebooks"
NEEDS = ("pipeline",)
TOOLS = ("nbclient",)
MODULES = ("nbformat", "nbclient", "ipykernel")


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``notebooks:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class NotebooksConfig(Section):
        paths: RelPaths = Field(min_length=1, description="Notebooks to execute, in order.")
        cell_timeout: float = Field(default=120, gt=0, description="Seconds per cell.")
        timeout: float = Field(default=900, gt=0, description="Seconds per notebook, kernel start included.")
        after_pipeline: bool = Field(default=True, description="Wait for the pipeline (notebooks read its outputs).")

    return (NotebooksConfig | None, None)


class Notebook(EvidenceModel):
    path: str
    status: Literal["ok", "failed", "timeout", "missing", "error"]
    failed_cell: int | None = None
    error: str = ""
    duration_s: float | None = None


EVIDENCE = {"notebooks": (list[Notebook] | None, None)}


def enabled(ctx: Context) -> bool:
    return ctx.config.notebooks is not None


def needs(ctx: Context) -> tuple[str, ...]:
    return ("pipeline",) if ctx.config.notebooks is not None and ctx.config.notebooks.after_pipeline else ()


def _one(ctx: Context, rel: str, out: Path) -> Notebook:
    from roadmap_ci.collect import proc

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


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("notebooks")
    return no_section_line(fields) if value is None else checked_line(value)


# ---------------------------------------------------------------- facts


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    label = "notebooks" if ref.key is None else f"notebook {ref.key}"
    if ev.notebooks is None:
        return missing(label, "notebooks were not executed")
    books = ev.notebooks if ref.key is None else [n for n in ev.notebooks if n.path == ref.key]
    if not books:
        return missing(label, f"notebook {ref.key!r} was not executed (is it declared?)" if ref.key
                       else "no notebooks are declared")
    bad = [n for n in books if n.status != "ok"]
    parts = []
    for n in bad[:3]:
        where = f" cell {n.failed_cell}" if n.failed_cell is not None else ""
        parts.append(f"{n.path}{where}: {n.status}{f' ({short(n.error, 80)})' if n.error else ''}")
    detail = f"{len(books) - len(bad)} of {len(books)} notebooks ran" + (f"; {'; '.join(parts)}" if parts else "")
    if want == "bool":
        return Fact("bool", label, not bad, detail=detail)
    return Fact("fraction", label, done=len(books) - len(bad), total=len(books), detail=detail)


NAMESPACES = {
    "notebooks": Namespace("none", frozenset({"pass", "fraction"}), "all declared notebooks", _resolve),
    "notebook": Namespace("required", frozenset({"pass"}), "one notebook", _resolve,
                          example="notebook:notebooks/eda.ipynb"),
}
