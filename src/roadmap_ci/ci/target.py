"""The target, found through the API and never taken from the artifact: the open PR whose head is
``head_owner:head_branch`` *and* whose head SHA is still the run's (a moved head means a stale run), or the
pushed commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from roadmap_ci.ci.event import Run
from roadmap_ci.ci.reader import as_reader

if TYPE_CHECKING:
    import requests

    from roadmap_ci.ci.reader import Reader


@dataclass(frozen=True)
class Target:
    kind: str  # "pull_request" | "push"
    repo: str  # where to post
    sha: str
    number: int | None = None
    title: str = ""


@dataclass
class Skip:
    reason: str


def find_target(session: Reader | requests.Session, api_url: str, run: Run) -> Target | Skip:
    """The PR (by head owner + branch, SHA checked) or the pushed commit; Skip when nothing should be posted."""
    if run.event == "push":
        if run.head_repo != run.repo:
            return Skip(f"a push run from {run.head_repo}, not {run.repo}")
        return Target("push", run.repo, run.head_sha)
    if run.event not in ("pull_request", "pull_request_target"):
        return Skip(f"the evaluate run was triggered by {run.event!r}; nothing to report")
    data = as_reader(session).json(f"list the open pull requests of {run.repo}", f"{api_url}/repos/{run.repo}/pulls",
                                 {"head": f"{run.head_owner}:{run.head_branch}", "state": "open", "per_page": 30})
    pulls = [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []
    ours = [p for p in pulls
            if (p.get("head") or {}).get("ref") == run.head_branch
            and ((p.get("head") or {}).get("repo") or {}).get("full_name") == run.head_repo]
    if not ours:
        return Skip(f"no open pull request from {run.head_owner}:{run.head_branch}")
    current = [p for p in ours if p["head"].get("sha") == run.head_sha]
    if not current:
        return Skip(f"stale run: the pull request's head moved past {run.head_sha[:12]} (force-push or new "
                    "commits); the newer run reports")
    pr = current[0]
    return Target("pull_request", run.repo, run.head_sha, int(pr["number"]), str(pr.get("title") or ""))
