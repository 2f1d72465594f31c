"""The daily limit on hidden-label feedback: a ledger of commit statuses nobody can rewind.

context ``roadmap-ci/hidden-feedback/<YYYY-MM-DD>/<login>``, all posted on ONE commit of the base
repository -- ``ROADMAP_CI_LEDGER_SHA`` (set by the mentor; `cohort apply` pins the starter commit), else the
oldest commit of the default branch. Nothing about the commit being scored, its PR or its workflow runs
enters the count, so re-runs, close/reopen, new PRs, force-pushes and deleted runs all count, and other
learners' marks never do. A mark is posted *before* the feedback is shown and counted by its position
among today's marks, so two runs racing cannot both take the last one.

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roadmap_ci.ci.event import Run
from roadmap_ci.ci.reader import READ_TIMEOUT, Reader
from roadmap_ci.errors import CannotRun

HIDDEN_CONTEXT = "roadmap-ci/hidden-feedback"  # a status marking "hidden-label feedback given" (daily_limit)


@dataclass(frozen=True)
class Quota:
    sha: str  # the ledger commit
    context: str
    day: str
    limit: int
    creator: str | None = None  # only marks posted by this login count (None: any)


def ledger_context(login: str, day: str) -> str:
    return f"{HIDDEN_CONTEXT}/{day}/{login.lower()}"


def feedback_used(statuses: list[dict[str, Any]], context: str, day: str, *, creator: str | None = None,
                  upto_id: int | None = None) -> int:
    """How many marks of ``context`` were posted on ``day`` (YYYY-MM-DD, UTC) -- up to ``upto_id`` if given."""
    n = 0
    for st in statuses:
        if st.get("context") != context or not str(st.get("created_at", "")).startswith(day):
            continue
        if creator is not None and str(((st.get("creator") or {}).get("login")) or "").lower() != creator.lower():
            continue
        sid = st.get("id")
        if upto_id is not None and (not isinstance(sid, int) or sid > upto_id):
            continue
        n += 1
    return n


def ledger_sha(reader: Reader, api_url: str, run: Run, env: Mapping[str, str]) -> str:
    """The commit the feedback ledger lives on: pinned by the mentor, else the default branch's oldest.

    The fallback is as strong as the default branch's protection: a learner who may rewrite that history
    (or merge an unrelated one with older commits) could move it. Pin it (docs/security.md).
    """
    import re

    pinned = env.get("ROADMAP_CI_LEDGER_SHA", "").strip().lower()
    if pinned:
        if not re.fullmatch(r"[0-9a-f]{40}", pinned):
            raise CannotRun(f"ROADMAP_CI_LEDGER_SHA {pinned[:50]!r} is not a full commit SHA "
                            "(set vars.ROADMAP_CI_LEDGER_SHA to the starter commit, or leave it unset)")
        return pinned
    url = f"{api_url}/repos/{run.repo}/commits"
    what = f"find the oldest commit of {run.repo}@{run.default_branch}"
    first = reader.retry.call(what, lambda: reader._get(url, params={"sha": run.default_branch, "per_page": 1},
                                                        timeout=READ_TIMEOUT))
    last = ((getattr(first, "links", None) or {}).get("last") or {}).get("url")
    resp = first
    if isinstance(last, str):
        if not last.startswith(api_url + "/"):  # the token goes only to the API
            raise CannotRun(f"cannot {what}: GitHub's last-page link leaves the API")
        resp = reader.retry.call(what, lambda: reader._get(last, timeout=READ_TIMEOUT))
    try:
        page = resp.json()
    except ValueError:
        page = None
    sha = page[-1].get("sha") if isinstance(page, list) and page and isinstance(page[-1], dict) else None
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise CannotRun(f"cannot {what}: set vars.ROADMAP_CI_LEDGER_SHA to the repository's starter commit")
    return sha


def ledger_statuses(reader: Reader, api_url: str, repo: str, quota: Quota) -> list[dict[str, Any]]:
    """Every status on the ledger commit posted today (newest first: stop at the first older one)."""
    out: list[dict[str, Any]] = []
    for page in reader.pages(f"read the feedback ledger ({quota.sha[:12]})",
                             f"{api_url}/repos/{repo}/commits/{quota.sha}/statuses", {"per_page": 100}):
        items = [s for s in page if isinstance(s, dict)] if isinstance(page, list) else []
        out += items
        if not items or any(str(s.get("created_at", ""))[:10] < quota.day for s in items):
            break
    return out


def quota_for(reader: Reader, api_url: str, run: Run, env: Mapping[str, str], now: datetime, limit: int,
           creator: str | None) -> Quota:
    day = now.strftime("%Y-%m-%d")
    return Quota(ledger_sha(reader, api_url, run, env), ledger_context(run.head_owner, day), day, limit, creator)


def limit_reason(limit: int) -> str:
    return (f"the daily limit of {limit} hidden-label scores is used up for today; "
            "the next is available after 00:00 UTC")

