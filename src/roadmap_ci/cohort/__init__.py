"""The classroom (mentor side): the cohort file, plan/apply, status, and re-scoring stored evidence.

- :mod:`roadmap_ci.cohort.rescore` — re-score a cohort's stored evidence with a new rubric, gradebooks.
- :mod:`roadmap_ci.cohort.model` — ``cohort.yaml`` and its roster CSV (``roadmap-ci cohort lint``).
- :mod:`roadmap_ci.cohort.apply` — ``cohort plan`` / ``cohort apply``: GitHub made to match the file.
- :mod:`roadmap_ci.cohort.status` — ``cohort status`` / ``reinvite`` / ``close``.
- :mod:`roadmap_ci.cohort.update` — ``cohort update``: template changes as a pull request per learner.

The re-scoring names stay importable from here (``from roadmap_ci.cohort import rescore``). Setting a tuning
constant here (``roadmap_ci.cohort.PARALLEL_FROM = 1``) sets it where the code reads it.
"""

from __future__ import annotations

import sys
import types

from roadmap_ci.cohort import rescore as _rescore_module
from roadmap_ci.cohort.rescore import (
    PARALLEL_FROM,
    Plan,
    RescoreResult,
    Row,
    Stats,
    expand,
    histogram,
    plan,
    rescore,
    write_gradebook,
)

__all__ = ["PARALLEL_FROM", "Plan", "RescoreResult", "Row", "Stats", "expand", "histogram", "plan", "rescore",
           "write_gradebook"]

_FORWARDED = frozenset({"PARALLEL_FROM"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        if name in _FORWARDED:
            setattr(_rescore_module, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
