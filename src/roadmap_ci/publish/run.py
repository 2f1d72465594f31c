"""`roadmap-ci report` and `roadmap-ci publish`: plain functions the CLI calls.

``publish`` writes every report to disk first, then posts to the sinks asked for (job summary, GitHub,
MLflow), each on its own: one failing sink does not stop the others, and all failures are reported
together as one line each.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roadmap_ci.errors import InvalidInput, Place, read_text

if TYPE_CHECKING:
    from roadmap_ci.publish.client import GitHubClient

MAX_SCORECARD_BYTES = 8 * 1024 * 1024  # as evidence (roadmap_ci.evidence.MAX_EVIDENCE_BYTES)


def load_scorecard(path: Path) -> Any:
    from pydantic import ValidationError

    from roadmap_ci.evidence import format_validation_error
    from roadmap_ci.scoring import Scorecard

    text = read_text(path, "scorecard file", MAX_SCORECARD_BYTES)
    try:
        return Scorecard.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput(f"not a valid scorecard {format_validation_error(exc, str(path))}", Place(str(path))) \
            from None


def load_inputs(scorecard: Path, evidence: Path | None) -> tuple[Any, Any]:
    from roadmap_ci.evidence import load_evidence

    card = load_scorecard(scorecard)
    ev = load_evidence(evidence) if evidence is not None else None
    if ev is not None and ev.deliverable != card.deliverable:
        raise InvalidInput(f"the evidence is for {ev.deliverable!r} but the scorecard for {card.deliverable!r}")
    return card, ev


def report(scorecard: Path, evidence: Path | None, fmt: str, *, reveal: bool = False, now: datetime | None = None,
           rubric: Path | None = None, max_chars: int | None = None) -> str:
    from roadmap_ci.reports import render

    card, ev = load_inputs(scorecard, evidence)
    loaded = None
    if rubric is not None:
        from roadmap_ci.rubric import load_rubric

        loaded = load_rubric(rubric)
    return render(fmt, card, ev, now=now, reveal=reveal, rubric=loaded, max_chars=max_chars)


@dataclass
class Published:
    files: dict[str, Path] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def publish(scorecard: Path, evidence: Path | None, *, out_dir: Path, sinks: Iterable[str] = (),
            repo: str | None = None, pr: int | None = None, sha: str | None = None, rubric: Path | None = None,
            artifact_url: str | None = None, env: Mapping[str, str] | None = None, now: datetime | None = None,
            client: GitHubClient | None = None) -> Published:
    """The reports on disk, then each of ``sinks`` (names in :data:`roadmap_ci.publish.sinks.SINKS`)."""
    from roadmap_ci.publish.env import run_url
    from roadmap_ci.publish.files import write_reports
    from roadmap_ci.publish.sinks import SINKS, Job, post

    env = os.environ if env is None else env
    card, ev = load_inputs(scorecard, evidence)
    loaded = None
    if rubric is not None:
        from roadmap_ci.rubric import load_rubric

        loaded = load_rubric(rubric)
    link = artifact_url or run_url(env)
    result = Published(files=write_reports(card, ev, out_dir, now=now, rubric=loaded, artifact_url=link))
    result.done.append(f"reports written to {out_dir}")
    chosen = [name for name in SINKS if name in set(sinks)]  # the registry's order
    job = Job(card, ev, env, files=result.files, rubric=loaded, now=now, link=link, repo=repo, pr=pr, sha=sha,
              client=client)
    posted = post(chosen, job)
    result.done += [p.line for p in posted.posted.values()]
    result.errors += posted.errors()
    return result
