"""structure: the files and directories the rubric (``file:`` refs) and the config (``files:``) name, and the
README's headings. Symlinks that resolve outside the repository are recorded as kind "outside", never read.
A path that a dvc.yaml stage writes is "stale" when that stage did not run or cache in this evaluation."""

from __future__ import annotations

import os
import re
from typing import Any

from roadmap_ci.collect._context import Context, locate
from roadmap_ci.collect._dvc import output_stale, read_dvc_yaml
from roadmap_ci.evidence import FileFact, Structure

NAME = "structure"
NEEDS = ("pipeline",)  # `file:` criteria often name what the pipeline writes (plots, models, reports)
README_NAMES = ("README.md", "README.markdown", "README.rst", "README.txt", "README", "readme.md")
MAX_README_BYTES = 2 * 1024 * 1024


def enabled(ctx: Context) -> bool:
    return True


def rubric_paths(ctx: Context) -> list[str]:
    """Every ``file:`` reference in the rubric, groups included, in order."""
    if ctx.rubric is None:
        return []
    out: list[str] = []

    def walk(items: list[Any]) -> None:
        for c in items:
            for ref in c.refs():
                if ref.startswith("file:"):
                    out.append(ref[len("file:"):])
            walk(getattr(c, "criteria", []) or [])

    walk(ctx.rubric.rubric.criteria)
    return out


def _fact(ctx: Context, wanted: str) -> FileFact:
    rel = wanted.rstrip("/") or "."
    norm = os.path.normpath(rel)
    if os.path.isabs(rel) or norm == ".." or norm.startswith("../"):
        return FileFact(path=rel, kind="outside")
    path, kind = locate(ctx.repo, norm)
    size = None
    if kind == "file":
        try:
            size = path.stat().st_size
        except OSError:
            kind = "missing"
    return FileFact(path=rel, kind=kind, size=size)  # type: ignore[arg-type]


_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


def headings(text: str, rst: bool = False) -> list[str]:
    """Markdown ATX and setext headings (outside fenced code), or reStructuredText section titles."""
    out: list[str] = []
    lines = text.splitlines()
    in_fence = None
    prev = ""
    for line in lines:
        if rst:
            if _RST_UNDERLINE.match(line) and prev.strip() and len(line.strip()) >= len(prev.strip()):
                out.append(prev.strip())
            prev = line
            continue
        fence = _FENCE.match(line)
        if fence:
            in_fence = None if in_fence == fence.group(1) else (in_fence or fence.group(1))
            prev = ""
            continue
        if in_fence:
            continue
        m = _ATX.match(line)
        if m:
            out.append(m.group(2).strip())
        elif _SETEXT.match(line) and prev.strip() and not _ATX.match(prev):
            out.append(prev.strip())
        prev = line
    return out


def _fresh(ctx: Context, fact: FileFact, dvc: Any, pipeline: Any) -> FileFact:
    """A file or directory a pipeline stage writes counts only if that stage ran (or cached) in this run."""
    if fact.kind not in ("file", "dir"):
        return fact
    stale = output_stale(ctx.repo, fact.path, pipeline, dvc)
    return fact.model_copy(update={"kind": "stale", "message": stale}) if stale else fact


def collect(ctx: Context) -> dict[str, Any]:
    wanted = list(dict.fromkeys([*rubric_paths(ctx), *ctx.config.files]))
    pipeline = ctx.result("pipeline", "pipeline")
    dvc = read_dvc_yaml(ctx.repo) if pipeline is not None else None
    files = [_fresh(ctx, _fact(ctx, w), dvc, pipeline) for w in wanted]
    readme_path = None
    sections: list[str] = []
    for name in README_NAMES:
        path, kind = locate(ctx.repo, name)
        if kind == "file":
            readme_path = name
            data = path.read_bytes()[:MAX_README_BYTES]
            sections = headings(data.decode("utf-8", errors="replace"), rst=name.endswith(".rst"))
            break
        if kind == "outside":
            files.append(FileFact(path=name, kind="outside"))
            break
    return {"structure": Structure(files=files, readme_path=readme_path, readme_sections=sections)}
