"""The job summary sink: the Markdown report appended to ``$GITHUB_STEP_SUMMARY``.

GitHub keeps at most 1 MiB of summary per step (more and the summary is dropped with an error), so the
report is rendered to fit what is left of that budget, in bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.errors import CannotRun

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.publish.sinks import Job, Posted
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.scoring import Scorecard


SUMMARY_LIMIT_BYTES = 1024 * 1024


def fit_bytes(render_at: Callable[[int], str], budget: int) -> str:
    """Call ``render_at(max_chars)`` until the UTF-8 result fits ``budget`` bytes."""
    chars = budget
    for _ in range(8):
        text: str = render_at(chars)
        size = len(text.encode("utf-8"))
        if size <= budget:
            return text
        chars = max(1, int(chars * budget / size * 0.95))
    return render_at(max(1, budget // 4))  # at most 4 bytes a character


def write_summary(card: Scorecard, evidence: Evidence | None = None, *, path: Path | None = None,
                  env: Mapping[str, str] | None = None, now: datetime | None = None,
                  rubric: LoadedRubric | None = None, artifact_url: str | None = None) -> Path | None:
    """Append the report to the job summary; None when not running in GitHub Actions."""
    from roadmap_ci.report import render

    env = os.environ if env is None else env
    if path is None:
        where = env.get("GITHUB_STEP_SUMMARY")
        if not where:
            return None
        path = Path(where)
    used = path.stat().st_size if path.exists() else 0
    budget = SUMMARY_LIMIT_BYTES - used - 2
    if budget < 200:
        raise CannotRun(f"the job summary already holds {used:,} bytes; GitHub keeps at most 1 MiB per step")
    text = fit_bytes(lambda n: render("md", card, evidence, now=now, rubric=rubric, artifact_url=artifact_url,
                                      max_chars=n), budget)
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(("\n" if used else "") + text + ("" if text.endswith("\n") else "\n"))
    except OSError as exc:
        raise CannotRun(f"cannot write the job summary {path}: {exc.strerror}") from None
    return path


class SummarySink:
    """``summary``: the Markdown report appended to the job summary (skipped outside GitHub Actions)."""

    name = "summary"
    label = "job summary"

    def post(self, job: Job) -> Posted:
        from roadmap_ci.publish.sinks import Posted

        where = write_summary(job.card, job.evidence, env=job.env, now=job.now, rubric=job.rubric,
                              artifact_url=job.link)
        if where is None:
            return Posted(f"{self.label}: skipped (GITHUB_STEP_SUMMARY unset)")
        return Posted(f"{self.label}: {where}", ["job summary written"])
