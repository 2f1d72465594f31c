"""Where the bundled rubrics, templates and examples live: a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    bundled = _PKG / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return _PKG.parent.parent / name  # src/roadmap_ci -> repository root


def rubrics_dir() -> Path:
    return _find("rubrics")


def templates_dir() -> Path:
    return _find("templates")


def examples_dir() -> Path:
    return _find("examples")
