"""The default :class:`~roadmap_ci.ci.step.Publisher` of ``ci-report``: the ``summary`` and ``github`` sinks.

The job summary first (a local file; a full one is noted, not fatal), then: pull request -> the one PR
comment + commit status + check run; push -> commit status + check run, no comment. A rejected artifact
gets an ``error`` status; a hidden-label feedback mark is a status on the ledger commit (:mod:`.quota`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.ci.quota import HIDDEN_CONTEXT

if TYPE_CHECKING:
    from roadmap_ci.ci.step import Publisher
    from roadmap_ci.ci.target import Target
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.publish.client import GitHubClient
    from roadmap_ci.publish.retry import Retrying
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.scoring import Scorecard


class ActionsPublisher:
    """:class:`~roadmap_ci.ci.step.Publisher` on top of :class:`~roadmap_ci.publish.client.GitHubClient`.

    ``done`` collects one line per thing posted. ``rubric``/``now`` (optional) reach the renderer (charts,
    after-due criteria).
    """

    sinks = ("summary", "github")  # posted through roadmap_ci.publish.sinks.post, in this order

    def __init__(self, client: GitHubClient, *, env: Mapping[str, str] | None = None,
                 error_context: str = "roadmap-ci/evaluate", feedback_context: str = HIDDEN_CONTEXT,
                 rubric: LoadedRubric | None = None, now: datetime | None = None):
        self.client = client
        self.env = os.environ if env is None else env
        self.error_context = error_context
        self.feedback_context = feedback_context
        self.rubric = rubric
        self.now = now
        self.done: list[str] = []

    def _link(self) -> str | None:
        from roadmap_ci.publish.env import run_url

        return run_url(self.env)

    def publish(self, target: Target, card: Scorecard, evidence: Evidence, out_dir: Path) -> str:
        from roadmap_ci.publish.github import GitHubTarget
        from roadmap_ci.publish.sinks import Job, post

        pr = target.number if target.kind == "pull_request" else None
        job = Job(card, evidence, self.env, rubric=self.rubric, now=self.now, link=self._link(),
                  target=GitHubTarget(target.repo, pr, target.sha), client=self.client)
        results = post(self.sinks, job)
        for name in self.sinks:
            if name in results.posted:
                self.done += results.posted[name].items
            elif name == "summary":  # the summary must not stop the comment, status and check run
                self.done.append(f"job summary not written: {results.failed[name]}")
            else:
                raise results.failed[name]
        return "comment" if pr is not None else "status"

    def _status(self, repo: str, sha: str, context: str, state: str, description: str) -> None:
        self.client.set_status(repo, sha, "", state, description, self._link(), context=context)

    def error(self, target: Target, message: str) -> str:
        self._status(target.repo, target.sha, self.error_context, "error", f"could not score: {message}")
        self.done.append("status error")
        return "error"

    @property
    def login(self) -> str:
        """Who posts (the ledger counts only this account's marks)."""
        return self.client.me()

    def mark_feedback(self, target: Target, ledger_sha: str, context: str) -> int | None:
        st = self.client.set_status(target.repo, ledger_sha, "", "success",
                                    f"hidden-label feedback given for {target.sha[:12]}", self._link(),
                                    context=context)
        self.done.append(f"{context} status")
        return int(st.id) if getattr(st, "id", None) is not None else None


def github_publisher(env: Mapping[str, str], api_url: str, *, client: GitHubClient | None = None,
                     retry: Retrying | None = None, now: datetime | None = None,
                     deliverable: str | None = None) -> Publisher:
    """The default publisher: :class:`ActionsPublisher`, sharing ``client`` (its github3 session and retry
    policy) with the reads. Hidden-label feedback marks use ``HIDDEN_CONTEXT``; a rejected artifact gets an
    ``error`` status under the rubric's context (``roadmap-ci/<deliverable>``)."""
    from roadmap_ci.publish.client import client_from_env

    if client is None:
        kwargs = {"retry": retry} if retry is not None else {}
        client = client_from_env({**env, "GITHUB_API_URL": api_url}, **kwargs)
    error_context = f"roadmap-ci/{deliverable}" if deliverable else "roadmap-ci/evaluate"
    return ActionsPublisher(client, env=env, error_context=error_context, feedback_context=HIDDEN_CONTEXT, now=now)
