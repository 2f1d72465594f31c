"""A fake GitHub REST API on loopback, for driving real github3.py (and plain requests) in tests.

Real HTTP (werkzeug in a thread), full response shapes (github3 raises IncompleteResponse on a missing
key), every ``url`` pointing back at this server, state in memory, a request log, Link-header
pagination and fault injection. Reusable: workflow simulations add endpoints with :meth:`FakeGitHub.route`.

    with FakeGitHub() as gh:
        gh.add_comments("o/r", 7, 65, user=gh.human)           # noise before ours
        gh.fail("POST", r"/issues/\\d+/comments$", status=503)  # the next matching request fails once
        ...                                                      # point the client at gh.url
        assert len(gh.comments("o/r", 7)) == 66
        assert gh.count("GET", r"/comments") == 1

Workflow simulations: ``add_pull``, ``move_head`` (a force-push), ``add_workflow_run``, ``add_artifact`` (zip
served via a 302 to an unauthenticated ``/_blobs/<id>`` on ``localhost`` -- another host name, like GitHub's
storage redirect, so a client that keeps sending its token there shows up as a token on that log entry),
then ``GET /repos/{repo}/pulls``, ``/actions/runs``, ``/actions/runs/{id}/artifacts``,
``/commits/{sha}/statuses`` answer from that state, in GitHub's full shapes.

Tokens: ``gh.installation_token`` (``ghs_…``, acts as ``github-actions[bot]``) and ``gh.user_token``
(``ghp_…``, acts as ``gh.human``). As on GitHub, ``/user`` answers 403 to an installation token and
check runs answer 403 to a user token.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

COMMENT_LIMIT = 65_536
STATUS_DESCRIPTION_LIMIT = 140
ANNOTATIONS_PER_REQUEST = 50
OUTPUT_LIMIT = 65_535


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fault:
    """A canned failure for the next ``times`` requests matching ``method`` and ``path`` (a regex).

    status: an HTTP status to answer with (body ``{"message": message}``, extra ``headers``);
    delay: seconds to sleep first (a client read timeout shorter than this sees a timeout);
    after: apply the request to the state first, then fail (a write that "happened" but whose answer was lost).
    """

    method: str
    path: str
    status: int | None = 503
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Service Unavailable"
    delay: float = 0.0
    after: bool = False
    hits: int = 0


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    token: str | None


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # the request log is kept in memory instead
        pass


class FakeGitHub:
    def __init__(self, host: str = "127.0.0.1", per_page: int = 30, api_prefix: str = "") -> None:
        self.host = host
        self.default_per_page = per_page
        self.api_prefix = api_prefix.rstrip("/")  # e.g. "/api/v3" to look like GitHub Enterprise
        self.lock = threading.RLock()
        self.ids = itertools.count(1000)
        self.requests: list[Logged] = []
        self.faults: list[Fault] = []
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = []
        self.comments_by_issue: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.statuses_by_sha: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotations: dict[int, list[dict[str, Any]]] = {}
        self.pulls: dict[str, list[dict[str, Any]]] = {}
        self.workflow_runs: dict[str, list[dict[str, Any]]] = {}
        self.artifacts: dict[int, dict[str, Any]] = {}
        self.blobs: dict[int, bytes] = {}
        self.rate_remaining = 5000
        self.installation_token = "ghs_fakeinstallationtoken0000000000000"
        self.user_token = "ghp_fakeusertoken000000000000000000000"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.bot = self._user("github-actions[bot]", 41898282, "Bot")
        self.human = self._user("mentor-mona", 583231, "User")
        self.tokens: dict[str, dict[str, Any]] = {self.installation_token: self.bot, self.user_token: self.human}
        self._builtin_routes()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeGitHub:
        self._server = make_server(self.host, 0, self._wsgi, threaded=True, request_handler=_Quiet)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fakegithub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL (what GITHUB_API_URL would hold)."""
        return self.root + self.api_prefix

    # ------------------------------------------------------------ test helpers

    def route(self, method: str, pattern: str, handler: Callable[..., Any]) -> None:
        """Add an endpoint: ``handler(request, *groups) -> (status, json_body[, headers])``; checked first."""
        self.routes.insert(0, (method.upper(), re.compile(f"^{pattern}$"), handler))

    def fail(self, method: str, path: str, status: int | None = 503, *, times: int = 1,
             headers: dict[str, str] | None = None, message: str = "Service Unavailable", delay: float = 0.0,
             after: bool = False) -> Fault:
        fault = Fault(method.upper(), path, status, times, dict(headers or {}), message, delay, after)
        with self.lock:
            self.faults.append(fault)
        return fault

    def count(self, method: str | None = None, path: str | None = None, *, status: int | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if (method is None or r.method == method.upper())
                       and (path is None or re.search(path, r.path)) and (status is None or r.status == status))

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def comments(self, repo: str, issue: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.comments_by_issue.get((repo, issue), []))

    def statuses(self, repo: str, sha: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.statuses_by_sha.get((repo, sha), []))

    def add_comments(self, repo: str, issue: int, n: int, *, user: dict[str, Any] | None = None,
                     body: str = "a comment") -> list[dict[str, Any]]:
        with self.lock:
            return [self._new_comment(repo, issue, f"{body} {i}", user or self.human) for i in range(n)]

    def add_pull(self, repo: str, number: int, *, head_sha: str, head_branch: str = "feature",
                 head_repo: str | None = None, state: str = "open", title: str = "A change") -> dict[str, Any]:
        """A pull request in GitHub's full shape (github3's ShortPullRequest reads it without complaint)."""
        head_repo = head_repo or repo
        owner = self.account(head_repo.split("/")[0])
        api, web = f"{{root}}/repos/{repo}", f"{{root}}/{repo}"
        base_repo = self.repository(repo)
        links = {"self": f"{api}/pulls/{number}", "html": f"{web}/pull/{number}", "issue": f"{api}/issues/{number}",
                 "comments": f"{api}/issues/{number}/comments", "review_comments": f"{api}/pulls/{number}/comments",
                 "review_comment": f"{api}/pulls/comments{{/number}}", "commits": f"{api}/pulls/{number}/commits",
                 "statuses": f"{api}/statuses/{head_sha}"}
        pr = {"id": 9000 + number, "node_id": f"PR_{9000 + number}", "number": number, "state": state,
              "locked": False, "title": title, "body": None, "body_html": "", "body_text": "",
              "url": links["self"], "html_url": links["html"], "diff_url": f"{web}/pull/{number}.diff",
              "patch_url": f"{web}/pull/{number}.patch", "issue_url": links["issue"],
              "commits_url": links["commits"], "review_comments_url": links["review_comments"],
              "review_comment_url": links["review_comment"], "comments_url": links["comments"],
              "statuses_url": links["statuses"], "user": owner, "labels": [], "milestone": None,
              "active_lock_reason": None, "created_at": _now(), "updated_at": _now(), "closed_at": None,
              "merged_at": None, "merge_commit_sha": None, "assignee": None, "assignees": [],
              "requested_reviewers": [], "requested_teams": [], "author_association": "CONTRIBUTOR",
              "auto_merge": None, "draft": False, "_links": {k: {"href": v} for k, v in links.items()},
              "head": {"ref": head_branch, "sha": head_sha, "label": f"{owner['login']}:{head_branch}",
                       "user": owner, "repo": self.repository(head_repo, fork=head_repo != repo)},
              "base": {"ref": "main", "sha": "0" * 40, "label": f"{repo.split('/')[0]}:main",
                       "user": base_repo["owner"], "repo": base_repo}}
        with self.lock:
            self.pulls.setdefault(repo, []).append(pr)
        return pr

    def move_head(self, repo: str, number: int, sha: str) -> None:
        """A force-push: pull request ``number`` now has head ``sha``."""
        with self.lock:
            for pr in self.pulls.get(repo, []):
                if pr["number"] == number:
                    pr["head"]["sha"] = sha
                    pr["statuses_url"] = pr["_links"]["statuses"]["href"] = f"{{root}}/repos/{repo}/statuses/{sha}"

    def account(self, login: str, kind: str = "User") -> dict[str, Any]:
        """A user (same login, same id) in GitHub's full shape."""
        return self._user(login, 7000 + sum(map(ord, login)) % 1000, kind)

    def repository(self, full_name: str, *, fork: bool = False) -> dict[str, Any]:
        """A repository as pulls and workflow runs embed it (every key github3's ShortRepository reads)."""
        login, name = full_name.split("/", 1)
        rid = 90000 + sum(map(ord, full_name))
        api, web = f"{{root}}/repos/{full_name}", f"{{root}}/{full_name}"
        urls = {f"{k}_url": f"{api}/{k}" for k in (
            "assignees", "blobs", "branches", "collaborators", "comments", "commits", "compare", "contents",
            "contributors", "deployments", "downloads", "events", "forks", "git_commits", "git_refs", "git_tags",
            "hooks", "issue_comment", "issue_events", "issues", "keys", "labels", "languages", "merges",
            "milestones", "notifications", "pulls", "releases", "stargazers", "statuses", "subscribers",
            "subscription", "tags", "teams", "trees")}
        return {"id": rid, "node_id": f"R_{rid}", "name": name, "full_name": full_name, "owner": self.account(login),
                "private": False, "html_url": web, "description": None, "fork": fork, "url": api,
                "archive_url": f"{api}/{{archive_format}}{{/ref}}", **urls, "git_url": f"git://fake/{full_name}.git",
                "ssh_url": f"git@fake:{full_name}.git", "clone_url": f"{web}.git", "svn_url": web,
                "mirror_url": None, "homepage": None, "language": "Python", "forks_count": 0, "forks": 0,
                "stargazers_count": 0, "watchers_count": 0, "watchers": 0, "size": 1, "default_branch": "main",
                "open_issues_count": 0, "open_issues": 0, "is_template": False, "topics": [], "has_issues": True,
                "has_projects": False, "has_wiki": False, "has_pages": False, "has_downloads": True,
                "has_discussions": False, "archived": False, "disabled": False, "visibility": "public",
                "pushed_at": "2026-11-20T08:00:00Z", "created_at": "2026-09-01T08:00:00Z",
                "updated_at": "2026-11-20T08:00:00Z", "network_count": 0, "subscribers_count": 0,
                "allow_forking": True, "web_commit_signoff_required": False, "license": None}

    def add_workflow_run(self, repo: str, run_id: int, *, head_sha: str, event: str = "pull_request",
                         head_branch: str = "feature", head_repo: str | None = None,
                         created_at: str | None = None, conclusion: str = "success") -> dict[str, Any]:
        """A completed workflow run in the Actions API's shape (``pull_requests`` empty, as for a fork PR)."""
        head_repo = head_repo or repo
        created = created_at or _now()
        api, web = f"{{root}}/repos/{repo}", f"{{root}}/{repo}"
        head = self.repository(head_repo, fork=head_repo != repo)
        run = {"id": run_id, "name": "evaluate", "node_id": f"WFR_{run_id}", "display_title": "evaluate",
               "event": event, "status": "completed", "conclusion": conclusion, "head_sha": head_sha,
               "head_branch": head_branch, "path": ".github/workflows/roadmap-ci.yml", "run_number": run_id % 1000,
               "run_attempt": 1, "workflow_id": 161335, "check_suite_id": 5000 + run_id,
               "check_suite_node_id": f"CS_{run_id}", "created_at": created, "updated_at": created,
               "run_started_at": created, "url": f"{api}/actions/runs/{run_id}",
               "html_url": f"{web}/actions/runs/{run_id}", "pull_requests": [], "referenced_workflows": [],
               "actor": head["owner"], "triggering_actor": head["owner"],
               "jobs_url": f"{api}/actions/runs/{run_id}/jobs", "logs_url": f"{api}/actions/runs/{run_id}/logs",
               "check_suite_url": f"{api}/check-suites/{5000 + run_id}",
               "artifacts_url": f"{api}/actions/runs/{run_id}/artifacts",
               "cancel_url": f"{api}/actions/runs/{run_id}/cancel", "rerun_url": f"{api}/actions/runs/{run_id}/rerun",
               "previous_attempt_url": None, "workflow_url": f"{api}/actions/workflows/161335",
               "head_commit": {"id": head_sha, "tree_id": "1" * 40, "message": "work", "timestamp": created,
                               "author": {"name": "Learner", "email": "learner@example.test"},
                               "committer": {"name": "Learner", "email": "learner@example.test"}},
               "repository": self.repository(repo), "head_repository": head}
        with self.lock:
            self.workflow_runs.setdefault(repo, []).append(run)
        return run

    def add_artifact(self, repo: str, run_id: int, name: str, data: bytes, *, head_sha: str,
                     expired: bool = False) -> dict[str, Any]:
        """An artifact of a workflow run; its zip is served through a redirect, as GitHub does."""
        aid = next(self.ids)
        art = {"id": aid, "node_id": f"MDg6QXJ0aWZhY3Q{aid}", "name": name, "size_in_bytes": len(data),
               "url": f"{{root}}/repos/{repo}/actions/artifacts/{aid}",
               "archive_download_url": f"{{root}}/repos/{repo}/actions/artifacts/{aid}/zip",
               "expired": expired, "created_at": _now(), "expires_at": _now(), "updated_at": _now(),
               "digest": None,
               "workflow_run": {"id": run_id, "repository_id": 90000 + sum(map(ord, repo)), "head_repository_id": 1,
                                "head_branch": "feature", "head_sha": head_sha}, "_run": run_id, "_repo": repo}
        with self.lock:
            self.artifacts[aid] = art
            self.blobs[aid] = data
        return art

    # ------------------------------------------------------------ payloads

    def _user(self, login: str, uid: int, kind: str) -> dict[str, Any]:
        base = "{root}"
        return {
            "login": login, "id": uid, "node_id": f"MDQ6VXNlcj{uid}", "avatar_url": f"{base}/avatars/{uid}",
            "gravatar_id": "", "url": f"{base}/users/{login}", "html_url": f"{base}/{login}",
            "followers_url": f"{base}/users/{login}/followers",
            "following_url": f"{base}/users/{login}/following{{/other_user}}",
            "gists_url": f"{base}/users/{login}/gists{{/gist_id}}",
            "starred_url": f"{base}/users/{login}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/users/{login}/subscriptions",
            "organizations_url": f"{base}/users/{login}/orgs",
            "repos_url": f"{base}/users/{login}/repos", "events_url": f"{base}/users/{login}/events{{/privacy}}",
            "received_events_url": f"{base}/users/{login}/received_events", "type": kind, "site_admin": False,
        }

    def _expand(self, obj: Any) -> Any:
        """Fill in {root}/{api} placeholders so every url points back at this server."""
        text = json.dumps(obj).replace("{root}", self.root + self.api_prefix)
        return json.loads(text)

    def _new_comment(self, repo: str, issue: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        cid = next(self.ids)
        now = _now()
        c = {
            "id": cid, "node_id": f"IC_{cid}", "url": f"{{root}}/repos/{repo}/issues/comments/{cid}",
            "html_url": f"{{root}}/{repo}/pull/{issue}#issuecomment-{cid}",
            "issue_url": f"{{root}}/repos/{repo}/issues/{issue}", "body": body, "body_html": "", "body_text": body,
            "user": user, "created_at": now, "updated_at": now, "author_association": "NONE",
            "performed_via_github_app": None, "reactions": {"total_count": 0},
        }
        self.comments_by_issue.setdefault((repo, issue), []).append(c)
        return c

    def _find_comment(self, repo: str, cid: int) -> dict[str, Any] | None:
        for (r, _), items in self.comments_by_issue.items():
            if r == repo:
                for c in items:
                    if c["id"] == cid:
                        return c
        return None

    # ------------------------------------------------------------ built-in endpoints

    def _builtin_routes(self) -> None:
        R = r"(?P<repo>[^/]+/[^/]+)"
        self.routes = [
            ("GET", re.compile(r"^/user$"), self._get_user),
            ("GET", re.compile(rf"^/repos/{R}/issues/(\d+)/comments$"), self._list_comments),
            ("POST", re.compile(rf"^/repos/{R}/issues/(\d+)/comments$"), self._create_comment),
            ("PATCH", re.compile(rf"^/repos/{R}/issues/comments/(\d+)$"), self._edit_comment),
            ("GET", re.compile(rf"^/repos/{R}/issues/comments/(\d+)$"), self._get_comment),
            ("DELETE", re.compile(rf"^/repos/{R}/issues/comments/(\d+)$"), self._delete_comment),
            ("POST", re.compile(rf"^/repos/{R}/statuses/([0-9a-f]{{7,40}})$"), self._create_status),
            ("GET", re.compile(rf"^/repos/{R}/commits/([0-9a-f]{{7,40}})/statuses$"), self._list_statuses),
            ("POST", re.compile(rf"^/repos/{R}/check-runs$"), self._create_check_run),
            ("PATCH", re.compile(rf"^/repos/{R}/check-runs/(\d+)$"), self._update_check_run),
            ("GET", re.compile(rf"^/repos/{R}/check-runs/(\d+)$"), self._get_check_run),
            ("GET", re.compile(rf"^/repos/{R}/check-runs/(\d+)/annotations$"), self._list_annotations),
            ("GET", re.compile(rf"^/repos/{R}/pulls$"), self._list_pulls),
            ("GET", re.compile(rf"^/repos/{R}/actions/runs$"), self._list_runs),
            ("GET", re.compile(rf"^/repos/{R}/actions/runs/(\d+)/artifacts$"), self._list_artifacts),
            ("GET", re.compile(rf"^/repos/{R}/actions/artifacts/(\d+)/zip$"), self._download_artifact),
        ]

    def _get_user(self, req: Request, me: dict[str, Any]) -> tuple[int, Any]:
        if me["type"] == "Bot":
            return 403, {"message": "Resource not accessible by integration"}
        return 200, me

    def _page(self, req: Request, items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(100, int(req.args.get("per_page", self.default_per_page)))
        page = max(1, int(req.args.get("page", 1)))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        base = self.root + req.path

        def link(p: int, rel: str) -> str:
            q = dict(req.args)
            q.update(page=str(p), per_page=str(per_page))
            return f'<{base}?{urlencode(q)}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})

    def _list_comments(self, req: Request, me: dict[str, Any], repo: str, issue: str) -> Any:
        return self._page(req, self.comments_by_issue.get((repo, int(issue)), []))

    def _create_comment(self, req: Request, me: dict[str, Any], repo: str, issue: str) -> Any:
        body = (req.get_json(silent=True) or {}).get("body")
        if not isinstance(body, str) or not body:
            return 422, {"message": "Validation Failed", "errors": [{"field": "body", "code": "missing_field"}]}
        if len(body) > COMMENT_LIMIT:
            return 422, {"message": "Validation Failed", "errors": [{"message": "Body is too long (maximum is 65536 "
                                                                     "characters)"}]}
        return 201, self._new_comment(repo, int(issue), body, me)

    def _get_comment(self, req: Request, me: dict[str, Any], repo: str, cid: str) -> Any:
        c = self._find_comment(repo, int(cid))
        return (200, c) if c else (404, {"message": "Not Found"})

    def _edit_comment(self, req: Request, me: dict[str, Any], repo: str, cid: str) -> Any:
        c = self._find_comment(repo, int(cid))
        if c is None:
            return 404, {"message": "Not Found"}
        if c["user"]["login"] != me["login"]:
            return 403, {"message": "Resource not accessible by integration"}
        body = (req.get_json(silent=True) or {}).get("body")
        if not isinstance(body, str) or len(body) > COMMENT_LIMIT:
            return 422, {"message": "Validation Failed", "errors": [{"message": "Body is too long"}]}
        c["body"] = c["body_text"] = body
        c["updated_at"] = _now()
        return 200, c

    def _delete_comment(self, req: Request, me: dict[str, Any], repo: str, cid: str) -> Any:
        for (r, _), items in self.comments_by_issue.items():
            for c in list(items):
                if r == repo and c["id"] == int(cid):
                    if c["user"]["login"] != me["login"]:
                        return 403, {"message": "Resource not accessible by integration"}
                    items.remove(c)
                    return 204, None
        return 404, {"message": "Not Found"}

    def _create_status(self, req: Request, me: dict[str, Any], repo: str, sha: str) -> Any:
        data = req.get_json(silent=True) or {}
        if data.get("state") not in ("error", "failure", "pending", "success"):
            return 422, {"message": "Validation Failed", "errors": [{"field": "state", "code": "invalid"}]}
        desc = data.get("description")
        if desc is not None and len(desc) > STATUS_DESCRIPTION_LIMIT:
            return 422, {"message": "Validation Failed",
                         "errors": [{"message": "description is too long (maximum is 140 characters)"}]}
        sid = next(self.ids)
        now = _now()
        s = {"url": f"{{root}}/repos/{repo}/statuses/{sha}", "avatar_url": me["avatar_url"], "id": sid,
             "node_id": f"SC_{sid}", "state": data["state"], "description": desc,
             "target_url": data.get("target_url"), "context": data.get("context") or "default",
             "created_at": now, "updated_at": now, "creator": me}
        self.statuses_by_sha.setdefault((repo, sha), []).insert(0, s)
        return 201, s

    def _list_statuses(self, req: Request, me: dict[str, Any], repo: str, sha: str) -> Any:
        return self._page(req, self.statuses_by_sha.get((repo, sha), []))

    def _check_output_problem(self, output: dict[str, Any]) -> str | None:
        if len(output.get("annotations") or []) > ANNOTATIONS_PER_REQUEST:
            return "Only 50 annotations are allowed per request"
        for key in ("summary", "text"):
            if len(output.get(key) or "") > OUTPUT_LIMIT:
                return f"output.{key} is too long (maximum is 65535 characters)"
        return None

    def _create_check_run(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if me["type"] != "Bot":
            return 403, {"message": "You must authenticate via a GitHub App."}
        data = req.get_json(silent=True) or {}
        output = data.get("output") or {}
        problem = self._check_output_problem(output)
        if problem or not data.get("name") or not data.get("head_sha"):
            return 422, {"message": "Validation Failed", "errors": [{"message": problem or "name and head_sha"}]}
        rid = next(self.ids)
        run = {
            "id": rid, "node_id": f"CR_{rid}", "head_sha": data["head_sha"],
            "external_id": data.get("external_id", ""),
            "url": f"{{root}}/repos/{repo}/check-runs/{rid}", "html_url": f"{{root}}/{repo}/runs/{rid}",
            "details_url": data.get("details_url"), "status": data.get("status", "queued"),
            "conclusion": data.get("conclusion"), "started_at": data.get("started_at") or _now(),
            "completed_at": data.get("completed_at"), "name": data["name"],
            "output": {"title": output.get("title"), "summary": output.get("summary"), "text": output.get("text"),
                       "annotations_count": len(output.get("annotations") or []),
                       "annotations_url": f"{{root}}/repos/{repo}/check-runs/{rid}/annotations"},
            "check_suite": {"id": 5000 + rid},
            "app": {"id": 15368, "slug": "github-actions", "node_id": "MDM6QXBwMTUzNjg=", "owner": self.human,
                    "name": "GitHub Actions", "description": "", "external_url": "https://help.github.com/en/actions",
                    "html_url": "https://github.com/apps/github-actions", "created_at": "2018-07-30T09:30:17Z",
                    "updated_at": "2019-12-10T19:04:12Z"},
            "pull_requests": [],
        }
        self.check_runs[rid] = run
        self.annotations[rid] = list(output.get("annotations") or [])
        return 201, run

    def _update_check_run(self, req: Request, me: dict[str, Any], repo: str, rid: str) -> Any:
        run = self.check_runs.get(int(rid))
        if run is None:
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        output = data.get("output") or {}
        problem = self._check_output_problem(output)
        if problem:
            return 422, {"message": "Validation Failed", "errors": [{"message": problem}]}
        for key in ("name", "status", "conclusion", "completed_at", "details_url"):
            if data.get(key) is not None:
                run[key] = data[key]
        if output:
            for key in ("title", "summary", "text"):
                if output.get(key) is not None:
                    run["output"][key] = output[key]
            self.annotations[int(rid)].extend(output.get("annotations") or [])
            run["output"]["annotations_count"] = len(self.annotations[int(rid)])
        return 200, run

    def _get_check_run(self, req: Request, me: dict[str, Any], repo: str, rid: str) -> Any:
        run = self.check_runs.get(int(rid))
        return (200, run) if run else (404, {"message": "Not Found"})

    def _list_annotations(self, req: Request, me: dict[str, Any], repo: str, rid: str) -> Any:
        return self._page(req, self.annotations.get(int(rid), []))

    def _list_pulls(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        items = self.pulls.get(repo, [])
        state = req.args.get("state", "open")
        if state != "all":
            items = [p for p in items if p["state"] == state]
        if req.args.get("head"):
            items = [p for p in items if p["head"]["label"] == req.args["head"]]
        return self._page(req, items)

    def _list_runs(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        items = self.workflow_runs.get(repo, [])
        if req.args.get("event"):
            items = [r for r in items if r["event"] == req.args["event"]]
        created = req.args.get("created", "")
        if created.startswith(">="):
            items = [r for r in items if r["created_at"] >= created[2:]]
        status, chunk, headers = self._page(req, items)
        return status, {"total_count": len(items), "workflow_runs": chunk}, headers

    def _list_artifacts(self, req: Request, me: dict[str, Any], repo: str, run_id: str) -> Any:
        items = [{k: v for k, v in a.items() if not k.startswith("_")} for a in self.artifacts.values()
                 if a["_repo"] == repo and a["_run"] == int(run_id)]
        if req.args.get("name"):
            items = [a for a in items if a["name"] == req.args["name"]]
        status, chunk, headers = self._page(req, items)
        return status, {"total_count": len(items), "artifacts": chunk}, headers

    def _download_artifact(self, req: Request, me: dict[str, Any], repo: str, aid: str) -> Any:
        if int(aid) not in self.blobs:
            return 404, {"message": "Not Found"}
        # storage is another host, as on GitHub: a client must not carry the API token there
        return 302, None, {"Location": f"http://localhost:{self.port}/_blobs/{aid}?sig=fake"}

    # ------------------------------------------------------------ the WSGI app

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.hits < f.times and f.method == method and re.search(f.path, path):
                    f.hits += 1
                    return f
        return None

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        req = Request(environ)
        resp = self._handle(req)
        return resp(environ, start_response)

    def _respond(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        h = {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": "5000",
             "X-RateLimit-Remaining": str(self.rate_remaining), "X-RateLimit-Reset": str(int(time.time()) + 3600),
             "X-RateLimit-Resource": "core"}
        h.update(headers or {})
        data = "" if body is None else json.dumps(self._expand(body))
        return Response(data, status=status, headers=h)

    def _handle(self, req: Request) -> Response:
        method, path = req.method.upper(), req.path
        blob = re.fullmatch(r"/_blobs/(\d+)", path)
        if blob and method == "GET":  # a pre-signed storage URL: no token needed
            fault = self._fault_for(method, path)
            if fault is not None and fault.status is not None:
                return self._log(req, path, self._respond(fault.status, {"message": fault.message}, fault.headers))
            data = self.blobs.get(int(blob.group(1)))
            resp = Response(data or b"", status=200 if data is not None else 404, mimetype="application/zip")
            auth = req.headers.get("Authorization", "")
            return self._log(req, path, resp, auth.split(" ", 1)[1] if " " in auth else None)  # token: leaked
        if self.api_prefix:
            if not path.startswith(self.api_prefix + "/"):
                return self._log(req, path, self._respond(404, {"message": "Not Found"}))
            path = path[len(self.api_prefix):]
        auth = req.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else None
        me = self.tokens.get(token or "")
        fault = self._fault_for(method, path)
        if fault is not None and fault.delay and not fault.after:
            time.sleep(fault.delay)
        if me is None:
            return self._log(req, path, self._respond(401, {"message": "Bad credentials"}), token)
        if fault is not None and not fault.after and fault.status is not None:
            return self._log(req, path, self._respond(fault.status, {"message": fault.message}, fault.headers), token)
        with self.lock:
            result = None
            for m, pattern, handler in self.routes:
                match = pattern.match(path)
                if m == method and match:
                    result = handler(req, me, *match.groups())
                    break
        resp = self._respond(404, {"message": "Not Found"}) if result is None else self._respond(*result)
        if fault is not None and fault.after:  # the write happened; the answer is late or lost
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                resp = self._respond(fault.status, {"message": fault.message}, fault.headers)
        return self._log(req, path, resp, token)

    def _log(self, req: Request, path: str, resp: Response, token: str | None = None) -> Response:
        with self.lock:
            self.requests.append(Logged(req.method.upper(), path, dict(req.args), req.get_json(silent=True),
                                        resp.status_code, token))
        return resp
