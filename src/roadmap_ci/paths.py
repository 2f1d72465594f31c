"""Where the bundled rubrics, templates and practice labels live: a checkout or an installed wheel."""

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


def labels_dir() -> Path:
    """The practice labels of the bundled templates (public: feedback, never a grade)."""
    return _find("labels")
