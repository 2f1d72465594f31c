"""Post results to GitHub with github3.py: one PR comment per deliverable, a commit status, a check run.

- **One comment.** The body starts with a hidden marker (``<!-- roadmap-ci:<deliverable> -->``). Every
  page of the PR's comments is read (Link headers); a comment with the marker *written by this account*
  is edited, never one by anyone else; otherwise one is created. A create whose answer is lost (timeout,
  5xx) is never simply repeated: the comments are listed again first, so a create that did happen is
  found and edited. Extra copies of our comment (two runs racing) are deleted.
- **Who am I.** A user token (PAT) asks ``/user``; an installation token (``ghs_…``: GITHUB_TOKEN or a
  GitHub App's) cannot, and acts as ``github-actions[bot]`` unless ``login`` says otherwise (a GitHub App
  posts as ``<slug>[bot]``).
- **Check runs** need an installation token: github3 refuses them unless the session is told the token
  is one (``session.app_installation_token_auth``), which is done here for ``ghs_`` tokens. Annotations
  go 50 per request: the create carries the first 50, PATCHes the rest.
- **Retries in one place** (:class:`Retrying`): ``Retry-After`` and ``x-ratelimit-reset`` on 403/429,
  exponential backoff on 5xx and timeouts, a bounded number of tries and a bounded total wait; a
  permission 403 fails at once with one line saying which permission is missing. ``sleep`` and
  ``clock`` are injectable so tests run in milliseconds.

Steady state (comment on the first page, installation token): list comments (1) + edit the comment
(1, skipped when the body is unchanged) + status (1) + check run (1) = at most 4 API calls.
github3 is imported inside the functions that use it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.extras import imports
from roadmap_ci.reports import COMMENT_LIMIT
from roadmap_ci.reports.escape import marker, plain

DEFAULT_API_URL = "https://api.github.com"
BOT_LOGIN = "github-actions[bot]"
STATUS_DESCRIPTION_LIMIT = 140
ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATIONS = 500  # 10 requests at most
OUTPUT_LIMIT = 65_535
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


# ---------------------------------------------------------------- results


@dataclass
class CommentResult:
    action: str  # created | updated | unchanged
    id: int
    url: str
    deleted_duplicates: int = 0


@dataclass
class CheckRunResult:
    id: int
    url: str
    annotations: int
    requests: int


@dataclass
class Annotation:
    path: str
    start_line: int
    message: str
    level: str = "failure"  # notice | warning | failure
    title: str = ""
    end_line: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "start_line": self.start_line,
                               "end_line": self.end_line or self.start_line, "annotation_level": self.level,
                               "message": self.message[:60_000]}
        if self.title:
            out["title"] = self.title[:255]
        return out


# ---------------------------------------------------------------- the client


def token_kind(token: str) -> str:
    """'installation' for GITHUB_TOKEN / GitHub App installation tokens (ghs_), else 'user'."""
    return "installation" if token.startswith(("ghs_", "v1.")) else "user"


@dataclass
class GitHubClient:
    token: str
    api_url: str = DEFAULT_API_URL
    login: str | None = None  # whose comments we may edit; default: /user, or github-actions[bot]
    kind: str = "auto"  # auto | installation | user
    retry: Retrying = field(default_factory=Retrying)
    timeout: tuple[float, float] = (4.0, 10.0)
    _gh: Any = None

    def __post_init__(self) -> None:
        with imports("github"):
            import github3
            from github3.session import GitHubSession

        if not self.token:
            raise CannotRun("no GitHub token: set GITHUB_TOKEN")
        if self.kind == "auto":
            self.kind = token_kind(self.token)
        session = GitHubSession(default_connect_timeout=self.timeout[0], default_read_timeout=self.timeout[1])
        self._gh = github3.GitHub(token=self.token, session=session)
        self._gh.session.base_url = self.api_url.rstrip("/")
        if self.kind == "installation":
            # github3 refuses check runs unless it knows the token is an installation token
            expires = (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._gh.session.app_installation_token_auth({"token": self.token, "expires_at": expires})

    @property
    def session(self) -> Any:
        """github3's session (a requests.Session with the token and timeouts), for reads others make."""
        return self._gh.session

    @property
    def requests_made(self) -> int:
        return int(self._gh.session.request_counter)

    def url(self, *parts: object) -> str:
        return "/".join([self._gh.session.base_url, *(str(p) for p in parts)])

    def me(self) -> str:
        if self.login:
            return self.login
        if self.kind == "installation":
            self.login = BOT_LOGIN
            return self.login
        user = self.retry.call("read the authenticated user", lambda: self._gh._json(self._gh._get(self.url("user")),
                                                                                       200))
        self.login = str(user["login"])
        return self.login

    # ------------------------------------------------------------ comments

    def _ours(self, repo: str, number: int, mark: str, me: str) -> list[Any]:
        with imports("github"):
            from github3.issues.comment import IssueComment

        def listing() -> list[Any]:
            it = self._gh._iter(-1, self.url("repos", repo, "issues", number, "comments"), IssueComment,
                                params={"per_page": 100})
            return [c for c in it if c.user is not None and c.user.login.lower() == me.lower()
                    and (c.body or "").startswith(mark)]

        return self.retry.call(f"list the comments of {repo}#{number}", listing)

    def upsert_comment(self, repo: str, number: int, deliverable: str, body: str) -> CommentResult:
        """Edit our comment for ``deliverable`` on PR ``number``, or create it; never a second one."""
        with imports("github"):
            from github3.issues.comment import IssueComment

        mark = marker(deliverable)
        if not body.startswith(mark):
            body = f"{mark}\n{body}"
        if len(body) > COMMENT_LIMIT:
            raise InvalidInput(f"comment body is {len(body):,} characters, more than GitHub's {COMMENT_LIMIT:,}: "
                               "render it with max_chars")
        me = self.me()
        what = f"comment on {repo}#{number}"
        for attempt in range(1, self.retry.max_tries + 1):
            mine = self._ours(repo, number, mark, me)
            if mine:
                keep, extra = mine[0], mine[1:]
                for dup in extra:  # two runs raced: keep the oldest
                    self.retry.call(f"delete a duplicate {what}", dup.delete)
                if keep.body == body:
                    return CommentResult("unchanged", keep.id, keep.html_url, len(extra))
                self.retry.call(f"edit the {what}", lambda keep=keep: keep.edit(body))
                return CommentResult("updated", keep.id, keep.html_url, len(extra))
            try:  # one try: if its answer is lost, list again before creating again
                data = self._gh._json(self._gh._post(self.url("repos", repo, "issues", number, "comments"),
                                                     data={"body": body}), 201)
                c = IssueComment(data, self._gh.session)
                return CommentResult("created", c.id, c.html_url)
            except Exception as exc:
                t = self.retry.classify(exc, f"create the {what}")
                if attempt == self.retry.max_tries:
                    raise GitHubError(f"gave up after {attempt} tries: {t}") from None
                self.retry.wait(t.wait if t.wait is not None else self.retry.backoff(attempt), str(t))
        raise GitHubError(f"could not {what}")  # pragma: no cover - the loop returns or raises

    # ------------------------------------------------------------ status

    def set_status(self, repo: str, sha: str, deliverable: str, state: str, description: str,
                   target_url: str | None = None, *, context: str | None = None) -> Any:
        """A commit status; context ``roadmap-ci/<deliverable>`` unless given, description ≤ 140 chars."""
        with imports("github"):
            from github3.repos.status import Status

        if state not in ("error", "failure", "pending", "success"):
            raise InvalidInput(f"unknown commit status state {state!r}")
        data = {"state": state, "context": context or f"roadmap-ci/{deliverable}",
                "description": plain(description, STATUS_DESCRIPTION_LIMIT)}
        if target_url:
            data["target_url"] = target_url
        url = self.url("repos", repo, "statuses", sha)
        return self.retry.call(f"set the commit status of {sha[:12]}",
                               lambda: Status(self._gh._json(self._gh._post(url, data=data), 201), self._gh.session))

    # ------------------------------------------------------------ check run

    def check_run(self, repo: str, sha: str, deliverable: str, *, conclusion: str, title: str, summary: str,
                  text: str | None = None, annotations: list[Annotation] | None = None,
                  details_url: str | None = None) -> CheckRunResult:
        """One completed check run; annotations beyond the first 50 go in PATCHes of 50."""
        with imports("github"):
            from github3.checks import CheckRun

        if self.kind != "installation":
            raise GitHubError("check runs need an installation token (GITHUB_TOKEN or a GitHub App's); "
                              "this is a user token — leave out the check run or use GITHUB_TOKEN")
        items = [a.as_json() for a in (annotations or [])[:MAX_ANNOTATIONS]]
        batches = [items[i:i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(items), ANNOTATIONS_PER_REQUEST)] or [[]]
        output = {"title": plain(title, 255), "summary": _clip_output(summary),
                  "annotations": batches[0]}
        if text:
            output["text"] = _clip_output(text)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data: dict[str, Any] = {"name": f"roadmap-ci/{deliverable}", "head_sha": sha, "status": "completed",
                                "conclusion": conclusion, "completed_at": now, "output": output}
        if details_url:
            data["details_url"] = details_url
        url = self.url("repos", repo, "check-runs")
        what = f"create the check run on {sha[:12]}"
        # a check run created twice is harmless (GitHub shows the latest per name), so a lost answer is retried
        run = self.retry.call(what, lambda: CheckRun(
            self._gh._json(self._gh._post(url, data=data, headers=CheckRun.CUSTOM_HEADERS), 201), self._gh.session))
        requests = 1
        sent = len(batches[0])
        for batch in batches[1:]:
            out = {"title": output["title"], "summary": output["summary"], "annotations": batch}
            requests += self._append_annotations(repo, run, out, sent)
            sent += len(batch)
        return CheckRunResult(run.id, run.html_url, len(items), requests)

    def _append_annotations(self, repo: str, run: Any, output: dict[str, Any], sent: int) -> int:
        """PATCH one batch of annotations; GitHub *appends* them, so a PATCH is not safe to repeat blindly.

        After a failure whose answer may have been lost (timeout, 5xx), the check run is read back: if its
        ``annotations_count`` already holds this batch, the PATCH happened and is not sent again. Returns the
        number of requests made.
        """
        what = "add annotations to the check run"
        want = sent + len(output["annotations"])
        requests = 0
        for attempt in range(1, self.retry.max_tries + 1):
            requests += 1
            try:
                if not _update(run, output):
                    raise GitHubError("GitHub did not accept the check run's annotations")
                return requests
            except GitHubError:
                raise
            except Exception as exc:
                t = self.retry.classify(exc, what)
                if attempt == self.retry.max_tries:
                    raise GitHubError(f"gave up after {attempt} tries: {t}") from None
                self.retry.wait(t.wait if t.wait is not None else self.retry.backoff(attempt), str(t))
            have = self.retry.call("read the check run back", lambda: self._annotations_count(repo, run.id))
            requests += 1
            if have >= want:
                return requests  # the lost PATCH did happen
            if have != sent:
                raise GitHubError(f"the check run holds {have} annotations, expected {sent} or {want}: "
                                  "another writer is changing it")
        raise GitHubError(f"could not {what}")  # pragma: no cover - the loop returns or raises

    def _annotations_count(self, repo: str, run_id: int) -> int:
        from github3.checks import CheckRun

        data = self._gh._json(self._gh._get(self.url("repos", repo, "check-runs", run_id),
                                            headers=CheckRun.CUSTOM_HEADERS), 200)
        return int(((data or {}).get("output") or {}).get("annotations_count") or 0)


def _update(run: Any, output: dict[str, Any]) -> bool:
    """CheckRun.update swallows nothing: github3 raises on an error status (then the caller decides)."""
    return bool(run.update(output=output))


def _clip_output(text: str) -> str:
    if len(text) <= OUTPUT_LIMIT:
        return text
    note = "\n\n… (shortened to fit the check run's limit; see the full report)"
    return text[: OUTPUT_LIMIT - len(note)] + note


# ---------------------------------------------------------------- annotations from evidence


_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./-]{1,300}$")


def _repo_path(path: str) -> str | None:
    p = path.replace("\\", "/").lstrip("./") if path.startswith("./") else path.replace("\\", "/")
    if not _SAFE_PATH.match(p) or p.startswith("/") or ".." in p.split("/"):
        return None
    return p


def annotations_for(evidence: Any) -> list[Annotation]:
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
class GitHubOutcome:
    comment: CommentResult | None = None
    status: str | None = None
    check_run: CheckRunResult | None = None
    skipped: list[str] = field(default_factory=list)
    requests: int = 0


def client_from_env(env: Mapping[str, str] | None = None, **kwargs: Any) -> GitHubClient:
    env = os.environ if env is None else env
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
    api = env.get("GITHUB_API_URL") or DEFAULT_API_URL
    login = env.get("ROADMAP_CI_GITHUB_LOGIN") or None
    return GitHubClient(token, api, login=login, **kwargs)


def check_repo(repo: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}", repo or ""):
        raise InvalidInput(f"{repo!r} is not OWNER/NAME (use --repo or GITHUB_REPOSITORY)")
    return repo


def publish_github(client: GitHubClient, card: Any, evidence: Any, target: GitHubTarget, *, body: str,
                   details_url: str | None = None, check_run: bool = True) -> GitHubOutcome:
    """Comment (PR), status and check run (SHA) for one scorecard. ``body`` is the rendered Markdown."""
    check_repo(target.repo)
    out = GitHubOutcome()
    start = client.requests_made
    failed: list[str] = []

    def attempt(what: str, fn: Callable[[], Any]) -> Any:
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


def status_of(card: Any) -> tuple[str, str]:
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


# ---------------------------------------------------------------- for `ci-report` (the privileged step)


class ActionsPublisher:
    """Duck-types ``roadmap_ci.ci_report.Publisher`` on top of :class:`GitHubClient`.

    The job summary first (a local file; a full one is noted, not fatal), then: pull request -> the one PR
    comment + commit status + check run; push -> commit status + check run, no comment. ``done`` collects
    one line per thing posted. ``rubric``/``now`` (optional) reach the renderer (charts, after-due criteria).
    """

    def __init__(self, client: GitHubClient, *, env: Mapping[str, str] | None = None,
                 error_context: str = "roadmap-ci/evaluate", feedback_context: str = "roadmap-ci/hidden-feedback",
                 rubric: Any = None, now: datetime | None = None):
        self.client = client
        self.env = os.environ if env is None else env
        self.error_context = error_context
        self.feedback_context = feedback_context
        self.rubric = rubric
        self.now = now
        self.done: list[str] = []

    def _link(self) -> str | None:
        from roadmap_ci.publish.run import run_url

        return run_url(self.env)

    def publish(self, target: Any, card: Any, evidence: Any, out_dir: Any) -> str:
        from roadmap_ci.errors import RoadmapError
        from roadmap_ci.publish.summary import write_summary
        from roadmap_ci.reports import render

        link = self._link()
        try:
            if write_summary(card, evidence, env=self.env, now=self.now, rubric=self.rubric, artifact_url=link):
                self.done.append("job summary written")
        except RoadmapError as exc:  # the summary must not stop the comment, status and check run
            self.done.append(f"job summary not written: {exc}")
        body = render("md", card, evidence, now=self.now, rubric=self.rubric, max_chars=COMMENT_LIMIT,
                      artifact_url=link)
        pr = target.number if target.kind == "pull_request" else None
        out = publish_github(self.client, card, evidence, GitHubTarget(target.repo, pr, target.sha), body=body,
                             details_url=link)
        if out.comment is not None:
            self.done.append(f"comment {out.comment.action} ({out.comment.url})")
        self.done.append(f"status {out.status}")
        if out.check_run is not None:
            self.done.append(f"check run with {out.check_run.annotations} annotations")
        self.done += [f"skipped {s}" for s in out.skipped]
        return "comment" if pr is not None else "status"

    def _status(self, repo: str, sha: str, context: str, state: str, description: str) -> None:
        self.client.set_status(repo, sha, "", state, description, self._link(), context=context)

    def error(self, target: Any, message: str) -> str:
        self._status(target.repo, target.sha, self.error_context, "error", f"could not score: {message}")
        self.done.append("status error")
        return "error"

    @property
    def login(self) -> str:
        """Who posts (the ledger counts only this account's marks)."""
        return self.client.me()

    def mark_feedback(self, target: Any, ledger_sha: str, context: str) -> int | None:
        st = self.client.set_status(target.repo, ledger_sha, "", "success",
                                    f"hidden-label feedback given for {target.sha[:12]}", self._link(),
                                    context=context)
        self.done.append(f"{context} status")
        return int(st.id) if getattr(st, "id", None) is not None else None
