"""The ``github`` sink: for one scorecard, the PR comment, the commit status and the check run.

The calls themselves (one comment per deliverable, retries, who may be edited) are :mod:`.client`'s;
this module decides what is posted: the body, the status line (:func:`status_of`) and the annotations
(:func:`annotations_for`, learner paths checked).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from roadmap_ci.errors import InvalidInput
from roadmap_ci.publish.client import MAX_ANNOTATIONS, Annotation, CheckRunResult, CommentResult, GitHubClient
from roadmap_ci.publish.retry import GitHubError
from roadmap_ci.report.escape import plain

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.publish.sinks import Job, Posted
    from roadmap_ci.score.scoring import Scorecard


T = TypeVar("T")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]{1,300}$")


def _repo_path(path: str) -> str | None:
    p = path.replace("\\", "/").lstrip("./") if path.startswith("./") else path.replace("\\", "/")
    if not _SAFE_PATH.match(p) or p.startswith("/") or ".." in p.split("/"):
        return None
    return p


def annotations_for(evidence: Evidence | None) -> list[Annotation]:
    """Failing tests and lint findings, where they are (learner paths are checked, text is one line)."""
    out: list[Annotation] = []
    if evidence is None:
        return out
    if evidence.tests is not None:
        for tc in evidence.tests.cases:
            if tc.outcome not in ("failed", "error") or tc.source != "learner":
                continue
            file_part = tc.id.split("::", 1)[0]
            path = file_part if file_part.endswith(".py") else file_part.replace(".", "/") + ".py"
            safe = _repo_path(path)
            if safe:
                out.append(Annotation(safe, 1, plain(tc.message or tc.outcome, 2000), "failure",
                                      plain(f"test {tc.outcome}: {tc.id}", 255)))
    if evidence.lint is not None:
        for f in evidence.lint.findings:
            safe = _repo_path(f.path)
            if safe:
                out.append(Annotation(safe, max(1, f.line or 1), plain(f"{f.code} {f.message}", 2000), "warning",
                                      plain(f.code, 255)))
    return out[:MAX_ANNOTATIONS]


# ---------------------------------------------------------------- one call for the CLI / CI


@dataclass
class GitHubTarget:
    repo: str
    pr: int | None = None
    sha: str | None = None


@dataclass
class GitHubResult:
    """What :func:`publish_github` posted (and skipped), and the API calls it took."""

    comment: CommentResult | None = None
    status: str | None = None
    check_run: CheckRunResult | None = None
    skipped: list[str] = field(default_factory=list)
    requests: int = 0

def check_repo(repo: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}", repo or ""):
        raise InvalidInput(f"{repo!r} is not OWNER/NAME (use --repo or GITHUB_REPOSITORY)")
    return repo


def publish_github(client: GitHubClient, card: Scorecard, evidence: Evidence | None, target: GitHubTarget, *, body: str,
                   details_url: str | None = None, check_run: bool = True) -> GitHubResult:
    """Comment (PR), status and check run (SHA) for one scorecard. ``body`` is the rendered Markdown."""
    check_repo(target.repo)
    out = GitHubResult()
    start = client.requests_made
    failed: list[str] = []

    def attempt(what: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except GitHubError as exc:  # one failing post does not stop the others; all are reported at the end
            failed.append(f"{what}: {exc}")
            return None

    if target.pr is not None:
        out.comment = attempt("comment", lambda: client.upsert_comment(target.repo, target.pr, card.deliverable,
                                                                       body))
    if target.sha:
        state, desc = status_of(card)
        if attempt("status", lambda: client.set_status(target.repo, target.sha, card.deliverable, state, desc,
                                                       details_url)) is not None:
            out.status = state
        if check_run and client.kind == "installation":
            out.check_run = attempt("check run", lambda: client.check_run(
                target.repo, target.sha, card.deliverable, conclusion=state, title=desc,
                summary=body, annotations=annotations_for(evidence), details_url=details_url))
        elif check_run:
            out.skipped.append("check run (needs an installation token such as GITHUB_TOKEN)")
    out.requests = client.requests_made - start
    if failed:
        done = [w for w, ok in (("comment", out.comment), ("status", out.status), ("check run", out.check_run))
                if ok is not None]
        raise GitHubError("; ".join(failed) + (f" (posted: {', '.join(done)})" if done else ""))
    return out


def status_of(card: Scorecard) -> tuple[str, str]:
    """The commit status (and check-run conclusion) for a scorecard: state and a ≤ 140-character line.

    A total with points still to come (after the due date, or from hidden labels) is provisional: the line
    says so, and the state says whether the learner passed, or is on track for the pass mark, so far.
    """
    pending = getattr(card, "pending_points", 0.0) or 0.0
    mark = f"(pass mark {card.pass_mark:g})" + (", practice labels: not a grade" if card.labels == "practice" else "")
    if not pending:
        verdict = "passed" if card.passed else "below the pass mark"
        return ("success" if card.passed else "failure"), f"{card.total:g}/{card.max:g} points — {verdict} {mark}"
    ok = card.passed or card.on_track
    verdict = "passed" if card.passed else ("on track" if ok else "not on track")
    return ("success" if ok else "failure"), (f"{card.total:g}/{card.max:g} points so far, {pending:g} still to "
                                              f"be scored — {verdict} {mark}")




def resolve_target(job: Job) -> GitHubTarget:
    """The target ``publish`` was asked for: ``--repo``/``--pr``/``--sha``, else the scorecard and the environment."""
    from roadmap_ci.publish.env import pr_from_env

    repo = check_repo(job.repo or job.env.get("GITHUB_REPOSITORY") or "")
    pr = job.pr if job.pr is not None else pr_from_env(job.env)
    sha = job.sha or job.card.commit or job.env.get("GITHUB_SHA")
    if pr is None and not sha:
        raise InvalidInput("nothing to post to: give --pr and/or --sha")
    if sha and not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise InvalidInput(f"{sha[:50]!r} is not a full commit SHA")
    return GitHubTarget(repo, pr, sha)


class GitHubSink:
    """``github``: the PR comment, the commit status and the check run (:func:`publish_github`)."""

    name = "github"
    label = "github"

    def post(self, job: Job) -> Posted:
        from roadmap_ci.errors import CannotRun
        from roadmap_ci.publish.client import client_from_env
        from roadmap_ci.publish.sinks import Posted
        from roadmap_ci.report import COMMENT_LIMIT, render

        target = job.target if job.target is not None else resolve_target(job)
        body = render("md", job.card, job.evidence, now=job.now, rubric=job.rubric, max_chars=COMMENT_LIMIT,
                      artifact_url=job.link)
        gh = job.client if job.client is not None else client_from_env(job.env)
        if not gh.token:
            raise CannotRun("no GitHub token: set GITHUB_TOKEN")
        out = publish_github(gh, job.card, job.evidence, target, body=body, details_url=job.link)
        items = []
        if out.comment:
            items.append(f"comment {out.comment.action} ({out.comment.url})")
        if out.status:
            items.append(f"status {out.status}")
        if out.check_run:
            items.append(f"check run with {out.check_run.annotations} annotations")
        items += [f"skipped {s}" for s in out.skipped]
        return Posted(f"{self.label} ({out.requests} API calls): " + ", ".join(items), items)
