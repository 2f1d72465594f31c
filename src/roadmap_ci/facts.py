"""Evidence references: the names a rubric uses to point at facts in the evidence.

A reference is ``namespace`` or ``namespace:key``. Each namespace says which rules may read it,
and ``resolve`` turns a reference into a :class:`Fact` (a boolean, a number, a fraction, or
missing -- with the reason why). The scorer never looks into the evidence any other way. Each collector's
module declares its namespaces and their resolvers (``NAMESPACES``, :mod:`roadmap_ci.collect.registry`);
``hidden``, which the privileged report step fills, is the one declared here.

| reference                  | fact                                                       |
|----------------------------|------------------------------------------------------------|
| ``pipeline``               | every DVC stage ran or was cached (bool); duration (number) |
| ``pipeline:STAGE``         | that stage ran or was cached (bool)                         |
| ``metric:FILE:KEY.PATH``   | a number from a DVC metrics file                            |
| ``hidden:NAME``            | a hidden-label metric computed outside the learner's job    |
| ``tests`` / ``tests:GLOB`` | tests passed (fraction / bool), failures (number)            |
| ``data`` / ``data:SUITE``  | expectations met (fraction / bool)                           |
| ``lint`` / ``lint:RULE``   | number of ruff findings (number; bool = none)                |
| ``file:PATH``              | the file exists (a trailing ``/`` asks for a directory)      |
| ``readme:HEADING``         | the README has that section                                 |
| ``notebooks`` / ``notebook:PATH`` | notebooks executed (fraction / bool)                  |
| ``predictions``            | the declared predictions file is present and readable (bool); rows (number) |
"""

from __future__ import annotations

import functools

from roadmap_ci.collect.base import Fact, Kind, Namespace, Ref, Want, as_wanted, missing, number_fact, short
from roadmap_ci.collect.registry import COLLECTORS
from roadmap_ci.evidence import Evidence

__all__ = ["NAMESPACES", "Fact", "Kind", "Namespace", "Ref", "parse_ref", "resolve"]


def _hidden(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    key = ref.key or ""
    fact = number_fact(ev.hidden, {}, key, f"hidden {key}", "hidden-label metrics")
    why = next((e.message for e in ev.errors if e.collector == "hidden"), None)  # see roadmap_ci.score.hidden
    if fact.kind == "missing" and why:
        fact = missing(fact.label, f"hidden-label scoring failed: {short(why, 300)}")
    return as_wanted(fact, want)


def _namespaces() -> dict[str, Namespace]:
    found: dict[str, Namespace] = {}
    for collector in COLLECTORS.values():
        found.update(collector.NAMESPACES)
    found["hidden"] = Namespace("required", frozenset({"threshold", "pass"}), "a hidden-label metric", _hidden,
                                example="hidden:f1")
    return found


NAMESPACES: dict[str, Namespace] = _namespaces()


@functools.lru_cache(maxsize=4096)
def parse_ref(text: str) -> Ref:
    """Parse a reference; raise ValueError with a message naming what is allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("evidence reference must be a non-empty string")
    ns, sep, key = text.partition(":")
    spec = NAMESPACES.get(ns)
    if spec is None:
        raise ValueError(f"unknown evidence '{ns}' (allowed: {', '.join(sorted(NAMESPACES))})")
    if sep and not key:
        raise ValueError(f"'{text}' has an empty key after ':'")
    if spec.key == "required" and not sep:
        raise ValueError(f"'{ns}' needs a key, e.g. '{spec.example}'")
    if spec.key == "none" and sep:
        raise ValueError(f"'{ns}' takes no key")
    if spec.check_key is not None:
        spec.check_key(text, key)
    return Ref(ns, key if sep else None)


def resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None = None) -> Fact:
    """The fact ``ref`` names, in the shape ``want`` asks for (or missing, with the reason)."""
    return NAMESPACES[ref.namespace].resolve(ev, ref, want, base)  # parse_ref admits only NAMESPACES
