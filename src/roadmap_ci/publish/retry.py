"""The retry policy every GitHub call shares (:class:`Retrying`), and :class:`GitHubError`.

``Retry-After`` and ``x-ratelimit-reset`` on 403/429, exponential backoff on 5xx and timeouts, a bounded
number of tries and a bounded total wait; a permission 403 fails at once with one line saying which
permission is missing. ``sleep`` and ``clock`` are injectable so tests run in milliseconds. Used by the
GitHub sink's client (:mod:`.client`), the reads of ``ci-report`` (:mod:`roadmap_ci.ci.reader`) and the
many-repo client of ``cohort`` (:mod:`roadmap_ci.github.client`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from roadmap_ci.errors import CannotRun
from roadmap_ci.extras import imports
from roadmap_ci.report.escape import plain

SECONDARY_WAIT_S = 60.0


class GitHubError(CannotRun):
    """A GitHub call failed for good (one line, already explained)."""


class _Transient(Exception):
    """A failure worth another try (after ``wait`` seconds, or backoff when None)."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass
class Retrying:
    """The retry policy, shared by every call this module makes."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time  # wall clock (x-ratelimit-reset is epoch seconds)
    max_tries: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_wait_s: float = 600.0  # the most this client may spend waiting, over all its calls
    waited_s: float = 0.0  # total slept, across calls (for reports and tests)
    retries: int = 0

    def backoff(self, attempt: int) -> float:
        return min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))

    def classify(self, exc: BaseException, what: str) -> _Transient:
        """A transient failure, or raise GitHubError for one that another try cannot fix."""
        with imports("github"):
            import github3.exceptions as gx

        if isinstance(exc, gx.ConnectionError | gx.TransportError):
            return _Transient(f"{what}: network error or timeout ({type(getattr(exc, 'exception', exc)).__name__})")
        if not isinstance(exc, gx.GitHubError):
            raise exc
        resp = exc.response
        status = getattr(exc, "code", None) or getattr(resp, "status_code", 0)
        message = plain(getattr(exc, "msg", None) or str(exc), 200)
        headers = getattr(resp, "headers", None) or {}
        if status in (403, 429):
            retry_after = headers.get("Retry-After")
            if retry_after is not None:
                try:
                    return _Transient(f"{what}: rate limited ({status})", max(0.0, float(retry_after)))
                except ValueError:
                    pass
            if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
                try:
                    reset = float(headers["X-RateLimit-Reset"])
                except ValueError:
                    reset = self.clock() + SECONDARY_WAIT_S
                return _Transient(f"{what}: rate limit exhausted ({status})", max(0.0, reset - self.clock()) + 1)
            if status == 429 or "rate limit" in message.lower() or "abuse" in message.lower():
                return _Transient(f"{what}: secondary rate limit ({status})", SECONDARY_WAIT_S)
            raise GitHubError(f"GitHub refused to {what} (403 {message}): the token lacks the permission — "
                              f"{_permission_hint(what)}") from None
        if status == 401:
            raise GitHubError(f"GitHub rejected the token while trying to {what} (401 {message}): "
                              "check GITHUB_TOKEN") from None
        if status == 404:
            raise GitHubError(f"cannot {what}: not found (404) — check the repository, PR number and SHA, "
                              "and that the token can see the repository") from None
        if status == 422:
            raise GitHubError(f"GitHub rejected the request to {what} (422 {message}{_errors(resp)})") from None
        if status >= 500:
            return _Transient(f"{what}: GitHub answered {status}")
        raise GitHubError(f"cannot {what}: GitHub answered {status} {message}") from None

    def wait(self, seconds: float, why: str) -> None:
        if self.waited_s + seconds > self.max_wait_s:
            raise GitHubError(f"{why}; waiting {seconds:.0f} s more would pass the {self.max_wait_s:.0f} s limit — "
                              "try again later")
        self.waited_s += seconds
        self.retries += 1
        self.sleep(seconds)

    def call(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` (an idempotent call) with bounded retries."""
        last = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                return fn()
            except Exception as exc:  # classify re-raises what is not a GitHub/transport error
                t = self.classify(exc, what)
                last = str(t)
                if attempt == self.max_tries:
                    break
                self.wait(t.wait if t.wait is not None else self.backoff(attempt), last)
        raise GitHubError(f"gave up after {self.max_tries} tries: {last}")


def _errors(resp: Any) -> str:
    try:
        errs = resp.json().get("errors") or []
    except Exception:
        return ""
    texts = [plain(e.get("message") or e.get("code") or "", 120) for e in errs if isinstance(e, dict)]
    return (": " + "; ".join(t for t in texts if t)) if any(texts) else ""


def _permission_hint(what: str) -> str:
    if what.startswith(("list the artifacts", "download the artifact", "list today's workflow runs")):
        return "give the workflow `permissions: actions: read`"
    if what.startswith("list the open pull requests"):
        return "give the workflow `permissions: pull-requests: read` (or write)"
    if "comment" in what:
        return "give the workflow `permissions: pull-requests: write` (or issues: write)"
    if "status" in what:
        return "give the workflow `permissions: statuses: write`"
    if "check run" in what:
        return "give the workflow `permissions: checks: write` (check runs need GITHUB_TOKEN or a GitHub App token)"
    return "check the workflow's `permissions:`"

