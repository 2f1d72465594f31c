"""`roadmap-ci publish`: the plain function the CLI calls.

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap_ci.publish.client import GitHubClient

@dataclass
class PublishResult:
    files: dict[str, Path] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def publish(scorecard: Path, evidence: Path | None, *, out_dir: Path, sinks: Iterable[str] = (),
            repo: str | None = None, pr: int | None = None, sha: str | None = None, rubric: Path | None = None,
            artifact_url: str | None = None, env: Mapping[str, str] | None = None, now: datetime | None = None,
            client: GitHubClient | None = None) -> PublishResult:
    """The reports on disk, then each of ``sinks`` (names in :data:`roadmap_ci.publish.sinks.SINKS`)."""
    from roadmap_ci.publish.env import run_url
    from roadmap_ci.publish.files import write_reports
    from roadmap_ci.publish.sinks import SINKS, Job, post
    from roadmap_ci.report.run import load_inputs

    env = os.environ if env is None else env
    card, ev = load_inputs(scorecard, evidence)
    loaded = None
    if rubric is not None:
        from roadmap_ci.score.load import load_rubric

        loaded = load_rubric(rubric)
    link = artifact_url or run_url(env)
    result = PublishResult(files=write_reports(card, ev, out_dir, now=now, rubric=loaded, artifact_url=link))
    result.done.append(f"reports written to {out_dir}")
    chosen = [name for name in SINKS if name in set(sinks)]  # the registry's order
    job = Job(card, ev, env, files=result.files, rubric=loaded, now=now, link=link, repo=repo, pr=pr, sha=sha,
              client=client)
    posted = post(chosen, job)
    result.done += [p.line for p in posted.posted.values()]
    result.errors += posted.errors()
    return result
