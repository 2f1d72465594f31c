"""Where the bundled rubrics, templates and practice labels live (a checkout or an installed wheel), which
templates there are, and how a rubric named by id or path is found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap_ci.errors import Place

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


def template_index(root: Path | None = None) -> Path:
    """The one list of templates: the repository root's ``cookiecutter.json`` (cookiecutter's chooser,
    ``{"templates": {"<id>": {"path": "./templates/<id>", ...}}}``), beside the templates folder."""
    return (root or templates_dir()).parent / "cookiecutter.json"


def template_ids(root: Path | None = None) -> list[str]:
    """Every template's id, sorted: the index's entries (:func:`template_index`) whose folder under ``root``
    (default :func:`templates_dir`) holds a ``cookiecutter.json``. A templates folder with no index beside it
    (a fork's, a test's) lists its subfolders that hold one; ``_`` folders (``_shared``) are never templates."""
    import json

    root = root or templates_dir()
    index = template_index(root)
    if index.is_file():
        listed = json.loads(index.read_text(encoding="utf-8")).get("templates", {})
        return sorted(t for t in listed if not t.startswith("_") and (root / t / "cookiecutter.json").is_file())
    return sorted(p.parent.name for p in root.glob("*/cookiecutter.json") if not p.parent.name.startswith("_"))


def labels_dir() -> Path:
    """The practice labels of the bundled templates (public: feedback, never a grade)."""
    return _find("labels")


# ---------------------------------------------------------------- rubrics by id or path

RUBRIC_ID = r"[a-z0-9][a-z0-9-]{0,63}"  # a deliverable id: never a path, never leaves rubrics_dir()


def bundled_rubric_ids() -> list[str]:
    """The ids a rubric can be named by (``base`` is what the others extend, not a rubric of its own)."""
    return sorted(p.stem for p in rubrics_dir().glob("*.yaml") if p.stem != "base")


def is_rubric_path(spec: str) -> bool:
    """How every command tells a rubric path from a bundled id: a path has a directory or a YAML suffix."""
    return "/" in spec or "\\" in spec or spec.endswith((".yaml", ".yml"))


def bundled_rubric(rubric_id: str, place: Place | None = None) -> Path:
    """The bundled rubric of a deliverable id; one line listing the bundled ids when there is none."""
    import re

    from roadmap_ci.errors import CannotRun, InvalidInput

    known = ", ".join(bundled_rubric_ids()) or "none"
    if not re.fullmatch(RUBRIC_ID, rubric_id):
        raise InvalidInput(f"{rubric_id[:64]!r} is not a deliverable id (bundled rubrics: {known})", place)
    path = rubrics_dir() / f"{rubric_id}.yaml"
    if not path.is_file():
        raise CannotRun(f"rubric {rubric_id!r} is not a bundled rubric (allowed: {known}; or give a path)", place)
    return path


def rubric_path(spec: str | Path, place: Place | None = None) -> Path:
    """A rubric named on a command line, in a workflow input or in ``.roadmap-ci.yml``: a path as given, or a
    bundled id (``tabular-classification``) as its file under :func:`rubrics_dir`."""
    if isinstance(spec, Path) or is_rubric_path(spec):
        return Path(spec)
    return bundled_rubric(spec, place)
