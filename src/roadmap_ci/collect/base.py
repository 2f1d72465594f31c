"""What every collector module builds on: the base models of its ``.roadmap-ci.yml`` section and of its evidence
section, and the facts its evidence references resolve to.

A leaf: it imports no collector, so :mod:`roadmap_ci.collect.config`, :mod:`roadmap_ci.evidence` and
:mod:`roadmap_ci.facts` can read the registry (:mod:`roadmap_ci.collect.registry`) while the collector modules
build on these bases.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence

# ---------------------------------------------------------------- .roadmap-ci.yml


class Section(BaseModel):
    """A mapping in ``.roadmap-ci.yml``: unknown keys and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


def check_rel_path(value: str, glob: bool = False) -> str:
    """A path relative to the repo root that does not leave it (``..``, absolute paths refused)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty path")
    text = value.strip().replace("\\", "/")
    p = PurePosixPath(text)
    if p.is_absolute() or re.match(r"^[A-Za-z]:", text) or text.startswith("~"):
        raise ValueError(f"'{value}' must be relative to the repository root")
    if ".." in p.parts:
        raise ValueError(f"'{value}' leaves the repository ('..' is not allowed)")
    if not glob and any(ch in text for ch in "*?["):
        raise ValueError(f"'{value}' is a glob; name a path")
    return text


def rel_paths(values: list[str], glob: bool = False) -> list[str]:
    return [check_rel_path(v, glob) for v in values]


# A .roadmap-ci.yml list of paths inside the repo (each checked by check_rel_path; no globs).
RelPaths = Annotated[list[str], AfterValidator(rel_paths)]


def locate(repo: Path, rel: str) -> tuple[Path, str]:
    """``repo/rel`` and its kind without following a symlink out of the repo.

    kind: 'file', 'dir', 'missing' or 'outside' (the path, or a directory on the way, is a symlink that
    resolves outside the repository, or the path names a place outside it).
    """
    path = repo / rel
    real_repo = os.path.realpath(repo)
    real = os.path.realpath(path)
    if real != real_repo and not real.startswith(real_repo + os.sep):
        return path, "outside"
    if os.path.isdir(real):
        return path, "dir"
    if os.path.isfile(real):
        return path, "file"
    return path, "missing"


# ---------------------------------------------------------------- evidence


class EvidenceModel(BaseModel):
    """A part of the evidence contract: unknown keys and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


class CollectorError(EvidenceModel):
    collector: str
    message: str


# ---------------------------------------------------------------- facts

Kind = Literal["bool", "number", "fraction", "missing"]
Want = Literal["bool", "number", "fraction"]


@dataclass(frozen=True)
class Ref:
    namespace: str
    key: str | None

    def __str__(self) -> str:
        return self.namespace if self.key is None else f"{self.namespace}:{self.key}"


class Fact(NamedTuple):  # a tuple: made for every criterion of every learner when a cohort is re-scored
    kind: Kind
    label: str
    value: float | bool | None = None
    done: int = 0
    total: int = 0
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        if self.kind == "fraction":
            return self.done / self.total if self.total else None
        if self.kind == "bool":
            return 1.0 if self.value else 0.0
        return None


# (evidence, reference, the shape the rule asks for, the base branch's metrics) -> the fact
Resolver = Callable[["Evidence", Ref, Want, "dict[str, float] | None"], Fact]


@dataclass(frozen=True)
class Namespace:
    """The ``namespace`` of ``namespace[:key]`` references: which rules may read it, and how it resolves."""

    key: Literal["none", "optional", "required"]
    rules: frozenset[str]
    what: str
    resolve: Resolver
    example: str = ""  # with key 'required': a reference with its key, for the error when the key is left out
    check_key: Callable[[str, str], None] | None = None  # (reference, key): raise ValueError for a key it can't read


def missing(label: str, why: str) -> Fact:
    return Fact("missing", label, detail=why)


def short(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def number_fact(values: dict[str, float] | None, problems: dict[str, str], key: str, label: str, src: str) -> Fact:
    """A named number of ``values`` (``src``: what they are, plural), or missing saying why."""
    if values is None:
        return missing(label, f"no {src} were collected")
    if key in values:
        return Fact("number", label, values[key])
    if key in problems:
        return missing(label, f"{key} is not a usable number: {problems[key]}")
    file = key.split(":", 1)[0]
    if file in problems:  # the whole metrics file could not be read
        return missing(label, f"{file}: {problems[file]}")
    known = sorted(values)
    return missing(label, f"no {src[:-1]} {key!r} (found: {names(known) or 'none'})")


def as_wanted(fact: Fact, want: Want) -> Fact:
    """A number read by a ``pass`` rule holds when it is not zero."""
    if want == "bool" and fact.kind == "number":
        return Fact("bool", fact.label, bool(fact.value), detail=f"{fact.label} = {fact.value:g}")
    return fact


# ---------------------------------------------------------------- progress lines


def status_line(value: Any) -> str:
    """A section with a ``status`` (and maybe a ``message``), as one progress line."""
    return str(value.status) + (f": {value.message}" if getattr(value, "message", "") else "")


def checked_line(items: list[Any]) -> str:
    """A list of checked things (suites, notebooks), as one progress line."""
    bad = sum(getattr(x, "status", "ok") != "ok" for x in items)
    return f"{len(items)} checked" + (f", {bad} not ok" if bad else "")


def no_section_line(fields: dict[str, Any]) -> str:
    """A collector that filled no section: its first error, else done."""
    errs = fields.get("errors")
    return f"error: {errs[0].message}" if errs else "done"
