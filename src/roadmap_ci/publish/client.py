"""The GitHub client of the ``github`` sink (github3.py): one PR comment per deliverable, a commit status, a check run.

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
- **Retries in one place**: every call goes through :class:`roadmap_ci.publish.retry.Retrying`.

Steady state (comment on the first page, installation token): list comments (1) + edit the comment
(1, skipped when the body is unchanged) + status (1) + check run (1) = at most 4 API calls.
github3 is imported inside the functions that use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.extras import imports
from roadmap_ci.publish.env import DEFAULT_API_URL
from roadmap_ci.publish.retry import GitHubError, Retrying
from roadmap_ci.report import COMMENT_LIMIT
from roadmap_ci.report.escape import marker, plain

if TYPE_CHECKING:
    pass

BOT_LOGIN = "github-actions[bot]"
STATUS_DESCRIPTION_LIMIT = 140
ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATIONS = 500  # 10 requests at most
OUTPUT_LIMIT = 65_535


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



def client_from_env(env: Mapping[str, str] | None = None, **kwargs: Any) -> GitHubClient:
    """A client from ``GITHUB_TOKEN`` (or ``GH_TOKEN``), ``GITHUB_API_URL`` and ``ROADMAP_CI_GITHUB_LOGIN``."""
    from roadmap_ci.publish.env import api_url_from_env, github_token

    login = (os.environ if env is None else env).get("ROADMAP_CI_GITHUB_LOGIN") or None
    return GitHubClient(github_token(env), api_url_from_env(env), login=login, **kwargs)
