"""The collectors: one module per evidence source, each a :class:`Collector`, all of them in :data:`COLLECTORS`.

This dict is the one list: ``collect`` runs what it names, ``.roadmap-ci.yml`` (:mod:`roadmap_ci.collect.config`)
takes each one's ``config()`` key, the :class:`~roadmap_ci.evidence.Evidence` model its ``EVIDENCE`` sections, and
:mod:`roadmap_ci.facts` its ``NAMESPACES`` with their resolvers. Its order is the order of those keys and sections
(and of ``evidence.errors``).

Adding a collector:

1. a module here that satisfies :class:`Collector` (copy a small one: ``lint.py``); its evidence and config
   models live in it, built on :mod:`roadmap_ci.collect.base`. ``score`` imports it for the evidence models and
   its resolvers, so its config model is built inside its cached ``config()``, and what only collecting uses
   (``proc``, ``_dvc``, ``_cache``, any library) is imported inside the functions that collect
   (``tests/test_cli_smoke.py`` checks);
2. its line in :data:`COLLECTORS`;
3. its test, ``tests/collect/test_collect_<name>.py`` (``tests/collect/test_collect_registry.py`` checks the
   rest), and
   ``make schemas`` for the evidence schema it extends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from roadmap_ci.collect import data, lint, metrics, notebooks, pipeline, predictions, structure, tests

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.collect.base import Namespace


class Collector(Protocol):
    """What a collector module exposes (module-level names).

    Optional as well: ``needs(ctx)`` -- decides ``NEEDS`` from the repo config --, and ``warm(ctx)`` -- work that
    may start before ``NEEDS`` are done (heavy imports), overlapping them.
    """

    NAME: str  # its key in COLLECTORS, in .roadmap-ci.yml, and on the progress line
    NEEDS: tuple[str, ...]  # collectors that must finish first, e.g. ("pipeline",) to read what it writes
    TOOLS: tuple[str, ...]  # distributions whose versions evidence.tools records when it runs
    MODULES: tuple[str, ...]  # modules it imports or runs, checked before anything runs (the `collect` extra)
    EVIDENCE: dict[str, tuple[Any, Any]]  # the Evidence fields it fills, as pydantic field definitions
    NAMESPACES: dict[str, Namespace]  # the evidence references a rubric may use for its facts, with resolvers

    def config(self) -> tuple[Any, Any] | None:
        """Its .roadmap-ci.yml key as a pydantic field definition, (annotation, default or ``Field(...)``); None: no
        key, always on. A function, cached, that builds the section model on first use: ``score`` imports every
        collector for its evidence models and resolvers, and only collecting reads the key."""
        ...

    def enabled(self, ctx: Context) -> bool:
        """Whether the repo's .roadmap-ci.yml asks for it."""
        ...

    def collect(self, ctx: Context) -> dict[str, Any]:
        """Evidence fields to set (facts only, never scores). Bad input (a failing stage, an invalid suite) is
        recorded in its section with a clear message; an exception it lets escape becomes one
        ``evidence.errors`` entry, never a crash."""
        ...

    def summary(self, fields: dict[str, Any]) -> str:
        """Its progress line, from what ``collect`` returned."""
        ...


COLLECTORS: dict[str, Collector] = {
    "structure": structure,
    "pipeline": pipeline,
    "metrics": metrics,
    "data": data,
    "tests": tests,
    "lint": lint,
    "notebooks": notebooks,
    "predictions": predictions,
}


def needs(collector: Collector, ctx: Context) -> tuple[str, ...]:
    fn = getattr(collector, "needs", None)
    return tuple(fn(ctx)) if fn is not None else tuple(collector.NEEDS)
