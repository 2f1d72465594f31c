"""`roadmap-ci report` and `roadmap-ci publish`: plain functions the CLI calls.

``publish`` writes every report to disk first, then posts to the sinks asked for (job summary, GitHub,
MLflow), each on its own: one failing sink does not stop the others, and all failures are reported
together as one line each.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from roadmap_ci.errors import CannotRun, InvalidInput, Place, RoadmapError, read_text

MAX_SCORECARD_BYTES = 8 * 1024 * 1024  # as evidence (roadmap_ci.evidence.MAX_EVIDENCE_BYTES)


def load_scorecard(path: Path) -> Any:
    from pydantic import ValidationError

    from roadmap_ci.evidence import format_validation_error
    from roadmap_ci.score.scoring import Scorecard

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
        from roadmap_ci.score.load import load_rubric

        loaded = load_rubric(rubric)
    return render(fmt, card, ev, now=now, reveal=reveal, rubric=loaded, max_chars=max_chars)


def run_url(env: Mapping[str, str]) -> str | None:
    """This Actions run's page (where the artifacts are), from the default environment."""
    server, repo, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if server and repo and run_id:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    return None


def pr_from_env(env: Mapping[str, str]) -> int | None:
    m = re.fullmatch(r"refs/pull/(\d+)/(?:merge|head)", env.get("GITHUB_REF", ""))
    return int(m.group(1)) if m else None


@dataclass
class Published:
    files: dict[str, Path] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def publish(scorecard: Path, evidence: Path | None, *, out_dir: Path, github: bool = False, repo: str | None = None,
            pr: int | None = None, sha: str | None = None, mlflow: bool = False, summary: bool = False,
            rubric: Path | None = None, artifact_url: str | None = None, env: Mapping[str, str] | None = None,
            now: datetime | None = None, client: Any = None) -> Published:
    env = os.environ if env is None else env
    card, ev = load_inputs(scorecard, evidence)
    loaded = None
    if rubric is not None:
        from roadmap_ci.score.load import load_rubric

        loaded = load_rubric(rubric)
    link = artifact_url or run_url(env)

    from roadmap_ci.publish.files import write_reports

    result = Published(files=write_reports(card, ev, out_dir, now=now, rubric=loaded, artifact_url=link))
    result.done.append(f"reports written to {out_dir}")

    if summary:
        try:
            from roadmap_ci.publish.summary import write_summary

            where = write_summary(card, ev, env=env, now=now, rubric=loaded, artifact_url=link)
            result.done.append(f"job summary: {where}" if where else "job summary: skipped (GITHUB_STEP_SUMMARY unset)")
        except RoadmapError as exc:
            result.errors.append(f"job summary: {exc}")

    if github:
        try:
            result.done.append(_github(card, ev, env, repo, pr, sha, loaded, link, now, client))
        except RoadmapError as exc:
            result.errors.append(f"github: {exc}")

    if mlflow:
        try:
            from roadmap_ci.publish.mlflow import log_evaluation

            files = [p for k, p in result.files.items() if k in ("md", "html", "junit", "scorecard", "evidence")]
            r = log_evaluation(card, ev, files=files, env=env)
            result.done.append(f"mlflow: run {r.run_id} in {r.tracking_uri}")
        except RoadmapError as exc:
            result.errors.append(f"mlflow: {exc}")
    return result


def _github(card: Any, ev: Any, env: Mapping[str, str], repo: str | None, pr: int | None, sha: str | None,
            rubric: Any, link: str | None, now: datetime | None, client: Any) -> str:
    from roadmap_ci.publish.github import GitHubTarget, check_repo, client_from_env, publish_github
    from roadmap_ci.reports import COMMENT_LIMIT, render

    repo = check_repo(repo or env.get("GITHUB_REPOSITORY") or "")
    pr = pr if pr is not None else pr_from_env(env)
    sha = sha or card.commit or env.get("GITHUB_SHA")
    if pr is None and not sha:
        raise InvalidInput("nothing to post to: give --pr and/or --sha")
    if sha and not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise InvalidInput(f"{sha[:50]!r} is not a full commit SHA")
    body = render("md", card, ev, now=now, rubric=rubric, max_chars=COMMENT_LIMIT, artifact_url=link)
    gh = client if client is not None else client_from_env(env)
    if not gh.token:
        raise CannotRun("no GitHub token: set GITHUB_TOKEN")
    out = publish_github(gh, card, ev, GitHubTarget(repo, pr, sha), body=body, details_url=link)
    parts = []
    if out.comment:
        parts.append(f"comment {out.comment.action} ({out.comment.url})")
    if out.status:
        parts.append(f"status {out.status}")
    if out.check_run:
        parts.append(f"check run with {out.check_run.annotations} annotations")
    parts += [f"skipped {s}" for s in out.skipped]
    return f"github ({out.requests} API calls): " + ", ".join(parts)
