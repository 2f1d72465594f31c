"""A local cache of collector results, keyed by what a result depends on -- never used in CI.

Re-evaluating an unchanged repo should cost next to nothing: DVC skips unchanged stages, and the
collectors that re-run tools on unchanged inputs (Great Expectations, pytest) answer from here.
In CI (``CI`` set) or with ``ROADMAP_CI_NO_CACHE`` set, every result is computed afresh. The cache
lives in ``.roadmap-ci/cache/<collector>.json`` (ignored by the templates' ``.gitignore``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Directories whose contents never decide a result, or change on every run by themselves.
SKIP_DIRS = frozenset({".git", ".roadmap-ci", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                       ".hypothesis", ".ipynb_checkpoints", "node_modules"})
SKIP_DVC = ("cache", "tmp")  # .dvc/cache and .dvc/tmp (locks, the updater's state)


def enabled() -> bool:
    return not (os.environ.get("CI") or os.environ.get("ROADMAP_CI_NO_CACHE"))


def _path(repo: Path, name: str) -> Path:
    return repo / ".roadmap-ci" / "cache" / f"{name}.json"


def read(repo: Path, name: str) -> dict[str, Any]:
    """The collector's cache (empty when disabled, missing or unreadable)."""
    if not enabled():
        return {}
    try:
        data = json.loads(_path(repo, name).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(repo: Path, name: str, data: dict[str, Any]) -> None:
    """Replace the collector's cache atomically; a cache that cannot be written is only a slower next run."""
    if not enabled():
        return
    path = _path(repo, name)
    from roadmap_ci.errors import CannotRun
    from roadmap_ci.safeio import write_atomic

    with contextlib.suppress(CannotRun):
        write_atomic(path, json.dumps(data))


def _gitignore_state(path: str, rel_dir: str, generated: frozenset[str]) -> str | None:
    """A ``.gitignore`` as the learner wrote it: its lines without those naming a ``generated`` path of the same
    directory (``/preds.csv`` in ``out/.gitignore`` for ``out/preds.csv``) -- the ones DVC appends when it
    first writes an output. None when nothing else is left (a file DVC created, or an empty one)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return "?"
    kept = []
    for line in map(str.rstrip, lines):
        if not line:
            continue
        if line.startswith("/") and rel_dir + re.sub(r"\\(.)", r"\1", line[1:]).rstrip("/") in generated:
            continue
        kept.append(line)
    return "\n".join(kept) if kept else None


def tree_state(root: Path, h: Any, skip: frozenset[str] = frozenset(), generated: frozenset[str] = frozenset()) -> None:
    """Feed every file under ``root`` (relative path, size, mtime in ns) into hash ``h``.

    Stat only, like make and DVC's state: any file written, added or removed changes the state. Except
    ``.gitignore`` files when ``generated`` (relative paths the evaluation itself writes: the pipeline's
    outputs) is given: they count by content, without the lines that ignore a generated path -- DVC
    appends those on a first `dvc repro`, and they must not make the next evaluation a stranger.
    Symlinks are recorded as links (their target text), never followed. ``skip``: relative paths
    (files or whole directories) left out. A virtual environment inside the tree (a directory holding
    ``pyvenv.cfg``, like the templates' ``.venv``) counts by name only: tens of thousands of files
    nobody's result depends on, except through the running interpreter (see ``site_state``).
    """
    def walk(d: str, rel: str) -> None:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            r = f"{rel}{e.name}"
            if r in skip:
                continue
            try:
                if e.is_symlink():
                    h.update(f"L{r}\0{os.readlink(e.path)}\0".encode("utf-8", "surrogateescape"))
                elif e.is_dir():
                    if e.name in SKIP_DIRS or (rel == ".dvc/" and e.name in SKIP_DVC):
                        continue
                    if os.path.isfile(os.path.join(e.path, "pyvenv.cfg")):
                        h.update(f"V{r}\0".encode("utf-8", "surrogateescape"))
                        continue
                    walk(e.path, r + "/")
                elif generated and e.name == ".gitignore":
                    state = _gitignore_state(e.path, rel, generated)
                    if state is not None:
                        h.update(f"G{r}\0{state}\0".encode("utf-8", "surrogateescape"))
                else:
                    st = e.stat()
                    h.update(f"F{r}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
            except OSError:
                h.update(f"?{r}\0".encode("utf-8", "surrogateescape"))

    walk(str(root), "")


def key(parts: Iterable[str], trees: Iterable[Path] = (), skip: frozenset[str] = frozenset(),
        generated: frozenset[str] = frozenset()) -> str:
    """sha256 over text parts and the state of whole directory trees (``skip`` and ``generated`` apply to the
    first: see :func:`tree_state`)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for i, tree in enumerate(trees):
        h.update(f"tree:{tree}\0".encode("utf-8", "surrogateescape"))
        tree_state(tree, h, skip if i == 0 else frozenset(), generated if i == 0 else frozenset())
    return h.hexdigest()


def site_state(repo: Path) -> list[str]:
    """The running interpreter's import directories with their mtimes (a package installed or removed
    changes its directory's mtime). Entries inside ``repo`` -- the working directory `python -m` puts
    first, a learner's ``src/`` -- are covered by the tree walk, unless they lie in a virtual environment
    there, which the walk leaves out."""
    import sys

    root = str(repo)
    out = []
    for d in map(os.path.abspath, sys.path):
        if not os.path.isdir(d):
            continue
        if d == root or d.startswith(root + os.sep):
            parts = os.path.relpath(d, root).split(os.sep)
            if not any(os.path.isfile(os.path.join(root, *parts[:i], "pyvenv.cfg")) for i in range(1, len(parts))):
                continue
        out.append(f"{d}:{os.stat(d).st_mtime_ns}")
    return out
