"""The sinks a scorecard is posted to after its reports are on disk, and the one loop that posts to them.

:data:`SINKS` is the one list: ``publish`` offers each as a flag (``--summary``, ``--github``, ``--mlflow``)
and ``ci-report`` posts through the same loop (:func:`post`) to ``summary`` and ``github``. Each sink gets
one :class:`Job` and answers one :class:`Posted`, or raises a :class:`~roadmap_ci.errors.RoadmapError`;
one failing sink never stops the others.

To add a sink: write ``publish/<name>.py`` with a class that has a ``name``, a ``label`` and a
``post(job) -> Posted`` (heavy libraries imported inside ``post``), add one line to :data:`SINKS`, and
add its ``--<name>`` flag to ``publish`` in ``cli.py``; ``tests/publish/test_publish_registry.py`` checks
that every entry keeps the :class:`Sink` contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from roadmap_ci.errors import RoadmapError
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.publish.client import GitHubClient
    from roadmap_ci.publish.github import GitHubTarget
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.scoring import Scorecard


@dataclass
class Job:
    """One scorecard to post, and what the sinks need besides it."""

    card: Scorecard
    evidence: Evidence | None
    env: Mapping[str, str]
    files: dict[str, Path] = field(default_factory=dict)  # what the files sink wrote (by format / kind)
    rubric: LoadedRubric | None = None
    now: datetime | None = None
    link: str | None = None  # where the full report is (this Actions run)
    # github: a target already found (ci-report), else the one asked for (publish: --repo / --pr / --sha)
    target: GitHubTarget | None = None
    repo: str | None = None
    pr: int | None = None
    sha: str | None = None
    client: GitHubClient | None = None


@dataclass
class Posted:
    """What one sink did: one ``line`` for ``publish``'s output, and one item per thing posted."""

    line: str
    items: list[str] = field(default_factory=list)


@runtime_checkable
class Sink(Protocol):
    name: str  # the registry key and the ``publish`` flag
    label: str  # how its lines and errors begin

    def post(self, job: Job) -> Posted:
        """Post ``job``; raise a RoadmapError (one line) when it cannot."""
        ...


@dataclass
class PostResults:
    """What :func:`post` got from each sink: the posts, and the failures by sink name."""

    posted: dict[str, Posted] = field(default_factory=dict)
    failed: dict[str, RoadmapError] = field(default_factory=dict)

    def errors(self) -> list[str]:
        return [f"{SINKS[name].label}: {exc}" for name, exc in self.failed.items()]


def _registry() -> dict[str, Sink]:
    from roadmap_ci.publish.github import GitHubSink
    from roadmap_ci.publish.mlflow import MlflowSink
    from roadmap_ci.publish.summary import SummarySink

    return {s.name: s for s in (SummarySink(), GitHubSink(), MlflowSink())}


SINKS: dict[str, Sink] = _registry()


def post(names: Iterable[str], job: Job) -> PostResults:
    """Post ``job`` to each named sink in turn, each on its own; the failures are collected, not raised."""
    from roadmap_ci.errors import RoadmapError

    out = PostResults()
    for name in names:
        try:
            out.posted[name] = SINKS[name].post(job)
        except RoadmapError as exc:
            out.failed[name] = exc
    return out
