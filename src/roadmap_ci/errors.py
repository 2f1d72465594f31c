"""Errors a user can act on.

Every error that reaches the command line is printed as one line -- ``file:line:column: what is
wrong`` where a place is known -- and mapped to an exit code, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_INVALID = 1  # invalid input (a rubric, an evidence file) or below the pass mark
EXIT_CANNOT_RUN = 2  # could not run at all (missing file, unreadable input, tool failure)


@dataclass(frozen=True)
class Place:
    """Where in a file something is wrong; line and column are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class RoadmapError(Exception):
    """Base class: a message the user can act on, and the exit code to leave with."""

    exit_code = EXIT_CANNOT_RUN

    def __init__(self, message: str, place: Place | None = None):
        super().__init__(message)
        self.message = message
        self.place = place

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message

    def __reduce__(self) -> tuple[object, ...]:  # crosses process boundaries (rescore's workers) whole
        return (type(self), (self.message, self.place))


class InvalidInput(RoadmapError):
    """The input exists but is wrong (schema, types, unknown keys). Exit code 1."""

    exit_code = EXIT_INVALID


class CannotRun(RoadmapError):
    """The command could not run (missing file, unreadable input). Exit code 2."""

    exit_code = EXIT_CANNOT_RUN


class HiddenError(InvalidInput):
    """A one-line problem with the hidden-label inputs: the predictions (learner's) or the labels (mentor's)."""


class InvalidInputs(InvalidInput):
    """Several independent problems in one or more files, each on its own line."""

    def __init__(self, errors: list[InvalidInput]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.errors,))


def read_text(path: Path, what: str = "file", max_bytes: int | None = None) -> str:
    """Read a UTF-8 text file or raise a one-line error naming it (see :func:`roadmap_ci.safeio.read_text`)."""
    from roadmap_ci.safeio import read_text as guarded

    return guarded(path, what, max_bytes)


def problems_of(load: Callable[[], object], *, could_not_run_is_a_problem: bool = True) -> list[InvalidInput]:
    """Every problem ``load()`` raises, as a list (empty when it loads): what a ``lint`` command prints.

    A CannotRun (the file is missing or unreadable) is one problem too, unless ``could_not_run_is_a_problem`` is
    False: then it propagates, for a command that exits 2 on it as the other commands reading that file do.
    """
    try:
        load()
    except InvalidInputs as exc:
        return list(exc.errors)
    except InvalidInput as exc:
        return [exc]
    except CannotRun as exc:
        if not could_not_run_is_a_problem:
            raise
        return [InvalidInput(exc.message, exc.place)]
    return []
