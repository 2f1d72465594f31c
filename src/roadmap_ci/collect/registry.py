"""Collectors: one module per evidence source, one small uniform interface.

Each module in :data:`COLLECTORS` exposes

* ``NAME`` -- its name (the Evidence section it fills, and the progress line);
* ``NEEDS`` -- collectors that must finish first, e.g. ``("pipeline",)`` for what reads pipeline outputs
  (an optional ``needs(ctx)`` may decide from the repo config instead);
* ``enabled(ctx) -> bool`` -- whether the repo's ``.roadmap-ci.yml`` asks for it;
* ``collect(ctx) -> dict`` -- Evidence fields to set (facts only, never scores). A collector records bad
  input (a failing stage, an invalid suite) in its section with a clear message; an exception it lets
  escape becomes one ``evidence.errors`` entry, never a crash;
* optionally ``warm(ctx)`` -- work that may start before ``NEEDS`` are done (heavy imports), overlapping them.

Adding a collector: a module here, its name in ``COLLECTORS``, and its test.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context

COLLECTORS: tuple[str, ...] = (
    "structure", "pipeline", "tests", "lint", "metrics", "data", "notebooks", "predictions",
)


def load(name: str) -> ModuleType:
    if name not in COLLECTORS:
        raise KeyError(f"unknown collector {name!r} (allowed: {', '.join(COLLECTORS)})")
    return importlib.import_module(f"roadmap_ci.collect.{name}")


def needs(mod: ModuleType, ctx: Context) -> tuple[str, ...]:
    fn = getattr(mod, "needs", None)
    return tuple(fn(ctx)) if fn is not None else tuple(mod.NEEDS)
