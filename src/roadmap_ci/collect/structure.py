"""structure: the files and directories the rubric (``file:`` refs) and the config (``files:``) name, and the
README's headings. Symlinks that resolve outside the repository are recorded as kind "outside", never read.
A path that a dvc.yaml stage writes is "stale" when that stage did not run or cache in this evaluation."""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from roadmap_ci.collect.base import EvidenceModel, Fact, Namespace, Ref, Want, locate, missing, no_section_line, short

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "structure"
NEEDS = ("pipeline",)  # `file:` criteria often name what the pipeline writes (plots, models, reports)
TOOLS: tuple[str, ...] = ()
MODULES: tuple[str, ...] = ()
README_NAMES = ("README.md", "README.markdown", "README.rst", "README.txt", "README", "readme.md")
MAX_README_BYTES = 2 * 1024 * 1024


class FileFact(EvidenceModel):
    """One path the deliverable or the rubric asks about."""

    path: str
    kind: Literal["file", "dir", "missing", "outside", "stale"] = Field(
        description="'outside': a symlink that points outside the repository (not followed). 'stale': present, "
        "but written by a pipeline stage that did not run or cache in this evaluation."
    )
    size: int | None = None
    message: str = ""


class Structure(EvidenceModel):
    files: list[FileFact] = Field(default_factory=list)
    readme_path: str | None = None
    readme_sections: list[str] = Field(default_factory=list,
                                       description="Markdown headings of the README, in order.")


EVIDENCE = {"structure": (Structure | None, None)}


def config() -> None:
    """No .roadmap-ci.yml key, always on: the rubric's `file:` references and the config's `files:` say what it
    checks."""
    return None


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
    from roadmap_ci.collect._dvc import output_stale

    stale = output_stale(ctx.repo, fact.path, pipeline, dvc)
    return fact.model_copy(update={"kind": "stale", "message": stale}) if stale else fact


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect._dvc import read_dvc_yaml

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


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("structure")
    if value is None:
        return no_section_line(fields)
    return f"{len(value.files)} paths, {len(value.readme_sections)} README sections"


# ---------------------------------------------------------------- facts


def _file(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    key = ref.key or ""
    want_dir = key.endswith("/")
    path = key.rstrip("/") or "."
    if ev.structure is None:
        return missing(key, "the repository structure was not collected")
    fact = next((f for f in ev.structure.files if f.path.rstrip("/") == path), None)
    if fact is None:
        return missing(key, f"{key} was not checked by the collector (is it listed in the rubric?)")
    if fact.kind == "outside":
        return Fact("bool", key, False, detail=f"{key} is a symlink pointing outside the repository")
    if fact.kind == "missing":
        return Fact("bool", key, False, detail=f"{key} is missing")
    if fact.kind == "stale":
        return Fact("bool", key, False, detail=f"{key} is {short(fact.message, 160) or 'stale'}")
    if want_dir and fact.kind != "dir":
        return Fact("bool", key, False, detail=f"{key} is a file, expected a directory")
    if not want_dir and fact.kind == "dir":
        return Fact("bool", key, False, detail=f"{key} is a directory, expected a file")
    return Fact("bool", key, True, detail=f"{key} is present")


@functools.lru_cache(maxsize=8192)  # a cohort's READMEs share their template's headings
def normalise_heading(text: str) -> str:
    return " ".join(text.strip().strip("#").split()).casefold()


def _readme(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    label = f"README section {ref.key!r}"
    if ev.structure is None:
        return missing(label, "the repository structure was not collected")
    if ev.structure.readme_path is None:
        return Fact("bool", label, False, detail="there is no README")
    want_heading = normalise_heading(ref.key or "")
    found = want_heading in {normalise_heading(h) for h in ev.structure.readme_sections}
    return Fact("bool", label, found, detail=f"{ev.structure.readme_path} {'has' if found else 'has no'} "
                f"section {ref.key!r}")


NAMESPACES = {
    "file": Namespace("required", frozenset({"exists", "pass"}), "a file or directory", _file,
                      example="file:README.md"),
    "readme": Namespace("required", frozenset({"exists", "pass"}), "a README section", _readme,
                        example="readme:Results"),
}
