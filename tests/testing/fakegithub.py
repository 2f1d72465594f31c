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


# ================================================================ organisations, repos, access, settings, git
#
# The classroom's endpoints (``roadmap-ci cohort plan|apply|status``), mixed into FakeGitHub below. State:
# ``orgs`` (admins, members, teams), ``users`` (logins that exist), ``repos`` (each with a bare git repo served
# through ``git http-backend``), ``collaborators``, ``invitations`` (7-day expiry, 50 per repo per 24 h),
# ``rulesets``, ``variables``, ``environments`` (deployment-branch policies), secrets (sealed with the fake's
# own key pair and decrypted here, so a test reads back what the client really sent: ``secret_value``).

INVITATIONS_PER_DAY = 50
INVITATION_TTL_S = 7 * 24 * 3600
PERMISSION_NAMES = {"pull": "read", "triage": "triage", "push": "write", "maintain": "maintain", "admin": "admin"}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ClassroomMixin:
    """Org repos, collaborators and invitations, rulesets, contents, variables, secrets, environments, git."""

    def _classroom_init(self) -> None:
        import tempfile

        self.clock: Callable[[], float] = time.time  # tests move time (invitation expiry)
        self.orgs: dict[str, dict[str, Any]] = {}
        self.users: set[str] = set()
        self.repos: dict[str, dict[str, Any]] = {}
        self.collaborators: dict[str, dict[str, str]] = {}
        self.invitations: dict[str, list[dict[str, Any]]] = {}
        self.invitations_sent: dict[str, list[float]] = {}
        self.rulesets: dict[str, list[dict[str, Any]]] = {}
        self.variables: dict[str, dict[str, dict[str, Any]]] = {}
        self.environments: dict[str, dict[str, dict[str, Any]]] = {}
        self.secrets: dict[tuple[str, str | None], dict[str, dict[str, Any]]] = {}
        self.keys: dict[tuple[str, str | None], Any] = {}
        self.pushes: dict[str, list[dict[str, Any]]] = {}
        self.activity: dict[str, list[dict[str, Any]]] = {}
        self.scopes: dict[str, str] = {self.user_token: "admin:org, repo, workflow"}
        self.latency = 0.0  # seconds added to every request (benchmarks)
        self._git_tmp = tempfile.TemporaryDirectory(prefix="fakegithub-git-")
        self.git_root = self._git_tmp.name

    # ------------------------------------------------------------ test helpers

    def add_org(self, login: str, *, admins: tuple[str, ...] = (), members: tuple[str, ...] = (),
                teams: tuple[str, ...] = ("mentors",)) -> dict[str, Any]:
        with self.lock:
            org = {"login": login, "admins": set(admins) | {self.human["login"]}, "members": set(members),
                   "teams": {t: {"id": 3000 + len(t), "slug": t} for t in teams}}
            self.orgs[login] = org
            return org

    def add_repo(self, full: str, *, private: bool = True, readers: tuple[str, ...] = ()) -> dict[str, Any]:
        """A repository of an organisation added with ``add_org`` (an empty bare git repo); ``readers`` get pull."""
        import subprocess

        org, name = full.split("/", 1)
        bare = f"{self.git_root}/{full}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", bare], check=True, capture_output=True)
        subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
        with self.lock:
            repo = {**self.repository(full), "owner": {**self.account(org, "Organization")}, "private": private,
                    "visibility": "private" if private else "public", "description": None, "size": 0,
                    "pushed_at": None, "created_at": _now(), "updated_at": _now(),
                    "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
                    "_bare": bare}
            self.repos[full] = repo
            self.collaborators[full] = {login: "pull" for login in readers}
        return repo

    def add_users(self, *logins: str) -> None:
        with self.lock:
            self.users.update(logins)

    def accept_invitation(self, repo: str, login: str) -> None:
        with self.lock:
            for inv in list(self.invitations.get(repo, [])):
                if inv["invitee"]["login"].lower() == login.lower() and not self._expired(inv):
                    self.invitations[repo].remove(inv)
                    self.collaborators.setdefault(repo, {})[login] = inv["_permission"]
                    return
        raise AssertionError(f"no open invitation for {login} in {repo}")

    def age_invitations(self, repo: str, seconds: float) -> None:
        """Make a repo's invitations ``seconds`` older (past 7 days they are expired)."""
        with self.lock:
            for inv in self.invitations.get(repo, []):
                inv["_at"] -= seconds
                inv["created_at"] = _iso(inv["_at"])

    def secret_value(self, repo: str, name: str, env: str | None = None) -> bytes:
        with self.lock:
            return self.secrets[(repo, env)][name]["_value"]

    def branch_sha(self, repo: str, branch: str = "main") -> str | None:
        import subprocess

        res = subprocess.run(["git", "rev-parse", "-q", "--verify", f"refs/heads/{branch}"],
                             cwd=self.repos[repo]["_bare"], capture_output=True, text=True)
        return res.stdout.strip() or None

    def repo_file(self, repo: str, path: str, ref: str = "main") -> bytes | None:
        import subprocess

        res = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=self.repos[repo]["_bare"], capture_output=True)
        return res.stdout if res.returncode == 0 else None

    def writes(self) -> list[Logged]:
        """Every write: REST POST/PUT/PATCH/DELETE and git pushes (a clone's or fetch's POST is a read)."""
        with self.lock:
            return [r for r in self.requests if r.method in ("POST", "PUT", "PATCH", "DELETE")
                    and not r.path.endswith("/git-upload-pack")]

    # ------------------------------------------------------------ payload helpers

    def _org_payload(self, login: str) -> dict[str, Any]:
        a = self.account(login, "Organization")
        return {**a, "description": None, "hooks_url": f"{{root}}/orgs/{login}/hooks",
                "issues_url": f"{{root}}/orgs/{login}/issues",
                "members_url": f"{{root}}/orgs/{login}/members{{/member}}",
                "public_members_url": f"{{root}}/orgs/{login}/public_members{{/member}}",
                "repos_url": f"{{root}}/orgs/{login}/repos", "events_url": f"{{root}}/orgs/{login}/events"}

    def _expired(self, inv: dict[str, Any]) -> bool:
        return self.clock() - inv["_at"] > INVITATION_TTL_S

    def _admin_of(self, me: dict[str, Any], org: str) -> bool:
        o = self.orgs.get(org)
        return o is not None and me["login"] in o["admins"]

    def _can_admin(self, me: dict[str, Any], repo: str) -> bool:
        return repo in self.repos and self._admin_of(me, repo.split("/")[0])

    def _key(self, repo: str, env: str | None) -> Any:
        from nacl.public import PrivateKey

        k = (repo, env)
        if k not in self.keys:
            self.keys[k] = PrivateKey.generate()
        return self.keys[k]

    def _key_id(self, repo: str, env: str | None) -> str:
        import hashlib

        pub = bytes(self._key(repo, env).public_key)
        return str(int(hashlib.sha256(pub).hexdigest()[:12], 16))

    # ------------------------------------------------------------ routes

    def _classroom_routes(self) -> None:
        R = r"(?P<repo>[^/]+/[^/]+)"
        add = [
            ("GET", r"^/users/([^/]+)$", self._get_account),
            ("GET", r"^/orgs/([^/]+)$", self._get_org),
            ("GET", r"^/user/memberships/orgs/([^/]+)$", self._get_membership),
            ("GET", r"^/orgs/([^/]+)/teams/([^/]+)$", self._get_team),
            ("POST", r"^/orgs/([^/]+)/repos$", self._create_repo),
            ("GET", rf"^/repos/{R}$", self._get_repo),
            ("PATCH", rf"^/repos/{R}$", self._edit_repo),
            ("GET", rf"^/repos/{R}/branches/([^/]+)$", self._get_branch),
            ("GET", rf"^/repos/{R}/contents/(.+)$", self._get_contents),
            ("PUT", rf"^/repos/{R}/contents/(.+)$", self._put_contents),
            ("GET", rf"^/repos/{R}/commits$", self._list_commits),
            ("PUT", rf"^/repos/{R}/collaborators/([^/]+)$", self._put_collaborator),
            ("GET", rf"^/repos/{R}/collaborators/([^/]+)$", self._check_collaborator),
            ("GET", rf"^/repos/{R}/collaborators/([^/]+)/permission$", self._collaborator_permission),
            ("GET", rf"^/repos/{R}/collaborators$", self._list_collaborators),
            ("GET", rf"^/repos/{R}/invitations$", self._list_invitations),
            ("DELETE", rf"^/repos/{R}/invitations/(\d+)$", self._delete_invitation),
            ("PATCH", rf"^/repos/{R}/invitations/(\d+)$", self._update_invitation),
            ("POST", rf"^/repos/{R}/rulesets$", self._create_ruleset),
            ("GET", rf"^/repos/{R}/rulesets$", self._list_rulesets),
            ("GET", rf"^/repos/{R}/rulesets/(\d+)$", self._get_ruleset),
            ("PUT", rf"^/repos/{R}/rulesets/(\d+)$", self._update_ruleset),
            ("POST", rf"^/repos/{R}/actions/variables$", self._create_variable),
            ("GET", rf"^/repos/{R}/actions/variables$", self._list_variables),
            ("GET", rf"^/repos/{R}/actions/variables/([^/]+)$", self._get_variable),
            ("PATCH", rf"^/repos/{R}/actions/variables/([^/]+)$", self._update_variable),
            ("PUT", rf"^/repos/{R}/environments/([^/]+)$", self._put_environment),
            ("GET", rf"^/repos/{R}/environments/([^/]+)$", self._get_environment),
            ("POST", rf"^/repos/{R}/environments/([^/]+)/deployment-branch-policies$", self._create_policy),
            ("GET", rf"^/repos/{R}/environments/([^/]+)/deployment-branch-policies$", self._list_policies),
            ("GET", rf"^/repos/{R}/environments/([^/]+)/secrets/public-key$", self._env_public_key),
            ("PUT", rf"^/repos/{R}/environments/([^/]+)/secrets/([^/]+)$", self._put_env_secret),
            ("GET", rf"^/repos/{R}/environments/([^/]+)/secrets/([^/]+)$", self._get_env_secret),
            ("DELETE", rf"^/repos/{R}/environments/([^/]+)/secrets/([^/]+)$", self._delete_env_secret),
            ("GET", rf"^/repos/{R}/actions/secrets/public-key$", self._repo_public_key),
            ("PUT", rf"^/repos/{R}/actions/secrets/([^/]+)$", self._put_repo_secret),
            ("GET", rf"^/repos/{R}/commits/([^/]+)/check-runs$", self._list_check_runs_for_ref),
            ("GET", rf"^/repos/{R}/activity$", self._list_activity),
            ("POST", rf"^/repos/{R}/pulls$", self._create_pull),
        ]
        # before the comment/status routes: /repos/{R}/commits/{sha}/statuses etc. still match theirs
        self.routes = [(m, re.compile(p), h) for m, p, h in add] + self.routes

    # --- accounts and organisations

    def _get_account(self, req: Request, me: dict[str, Any], login: str) -> Any:
        if login in self.orgs:
            return 200, {**self._org_payload(login), "type": "Organization"}
        known = {u.lower() for u in self.users} | {me["login"].lower()}
        if login.lower() not in known:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest/users/users"}
        return 200, {**self.account(login), "name": None, "company": None, "blog": "", "location": None,
                     "email": None, "hireable": None, "bio": None, "twitter_username": None, "public_repos": 0,
                     "public_gists": 0, "followers": 0, "following": 0, "created_at": "2020-01-01T00:00:00Z",
                     "updated_at": "2026-01-01T00:00:00Z"}

    def _get_org(self, req: Request, me: dict[str, Any], org: str) -> Any:
        if org not in self.orgs:
            return 404, {"message": "Not Found"}
        return 200, {**self._org_payload(org), "name": org, "company": None, "blog": "", "location": None,
                     "email": None, "is_verified": False, "has_organization_projects": True,
                     "has_repository_projects": True, "public_repos": 0, "public_gists": 0, "followers": 0,
                     "following": 0, "html_url": f"{{root}}/{org}", "created_at": "2020-01-01T00:00:00Z",
                     "updated_at": "2026-01-01T00:00:00Z", "type": "Organization"}

    def _get_membership(self, req: Request, me: dict[str, Any], org: str) -> Any:
        o = self.orgs.get(org)
        if o is None or (me["login"] not in o["admins"] and me["login"] not in o["members"]):
            return 404, {"message": "Not Found"}
        role = "admin" if me["login"] in o["admins"] else "member"
        return 200, {"url": f"{{root}}/orgs/{org}/memberships/{me['login']}", "state": "active", "role": role,
                     "organization_url": f"{{root}}/orgs/{org}", "organization": self._org_payload(org), "user": me}

    def _get_team(self, req: Request, me: dict[str, Any], org: str, slug: str) -> Any:
        o = self.orgs.get(org)
        team = (o or {}).get("teams", {}).get(slug)
        if team is None:
            return 404, {"message": "Not Found"}
        return 200, {"id": team["id"], "node_id": f"T_{team['id']}", "url": f"{{root}}/orgs/{org}/teams/{slug}",
                     "html_url": f"{{root}}/orgs/{org}/teams/{slug}", "name": slug, "slug": slug,
                     "description": None, "privacy": "closed", "notification_setting": "notifications_enabled",
                     "permission": "pull", "members_url": f"{{root}}/teams/{team['id']}/members{{/member}}",
                     "repositories_url": f"{{root}}/teams/{team['id']}/repos", "parent": None,
                     "members_count": 1, "repos_count": 0, "created_at": "2026-01-01T00:00:00Z",
                     "updated_at": "2026-01-01T00:00:00Z", "organization": self._org_payload(org)}

    # --- repositories

    def _create_repo(self, req: Request, me: dict[str, Any], org: str) -> Any:
        import subprocess

        if org not in self.orgs:
            return 404, {"message": "Not Found"}
        if not self._admin_of(me, org):
            return 403, {"message": "You need admin access to the organization before adding a repository to it."}
        data = req.get_json(silent=True) or {}
        name = data.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", name):
            return 422, {"message": "Repository creation failed.",
                         "errors": [{"resource": "Repository", "code": "missing_field", "field": "name"}]}
        full = f"{org}/{name}"
        if full.lower() in (r.lower() for r in self.repos):
            return 422, {"message": "Repository creation failed.",
                         "errors": [{"resource": "Repository", "code": "custom", "field": "name",
                                     "message": "name already exists on this account"}]}
        bare = f"{self.git_root}/{full}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", bare], check=True, capture_output=True)
        subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
        private = bool(data.get("private", False))
        repo = {**self.repository(full), "owner": {**self.account(org, "Organization")}, "private": private,
                "visibility": "private" if private else "public", "description": data.get("description"),
                "size": 0, "pushed_at": None, "created_at": _now(), "updated_at": _now(),
                "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
                "_bare": bare}
        self.repos[full] = repo
        self.collaborators[full] = {}
        return 201, self._public(repo)

    def _public(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _get_repo(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        r = self.repos.get(repo)
        if r is None or not self._can_read(me, repo):  # a private repo: its admins and collaborators only
            return 404, {"message": "Not Found"}
        return 200, self._public(r)

    def _edit_repo(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        for k in ("description", "default_branch", "private", "archived"):
            if k in data:
                self.repos[repo][k] = data[k]
        return 200, self._public(self.repos[repo])

    def _git(self, repo: str, *args: str) -> str | None:
        import subprocess

        res = subprocess.run(["git", *args], cwd=self.repos[repo]["_bare"], capture_output=True, text=True)
        return res.stdout if res.returncode == 0 else None

    def _get_branch(self, req: Request, me: dict[str, Any], repo: str, branch: str) -> Any:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}
        sha = self._git(repo, "rev-parse", "-q", "--verify", f"refs/heads/{branch}")
        if not sha:
            return 404, {"message": "Branch not found"}
        sha = sha.strip()
        protected = any(rs["enforcement"] == "active" for rs in self.rulesets.get(repo, []))
        commit = self._commit_item(repo, self._git(repo, "log", "-1", self.LOG_FORMAT, sha).rstrip("\n"))
        return 200, {"name": branch, "commit": commit,
                     "_links": {"self": f"{{root}}/repos/{repo}/branches/{branch}",
                                "html": f"{{root}}/{repo}/tree/{branch}"},
                     "protected": protected, "protection": {"enabled": protected},
                     "protection_url": f"{{root}}/repos/{repo}/branches/{branch}/protection"}

    def _get_contents(self, req: Request, me: dict[str, Any], repo: str, path: str) -> Any:
        import base64
        import subprocess

        if repo not in self.repos or not self._can_read(me, repo):
            return 404, {"message": "Not Found"}
        ref = req.args.get("ref") or self.repos[repo].get("default_branch") or "main"
        res = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=self.repos[repo]["_bare"], capture_output=True)
        sha = self._git(repo, "rev-parse", f"{ref}:{path}")
        if res.returncode != 0 or sha is None:
            return 404, {"message": "Not Found"}
        if self._git(repo, "cat-file", "-t", f"{ref}:{path}") != "blob\n":
            return 200, []  # a directory: a listing (not needed by our clients beyond "not a file")
        return 200, {**self._content_object(repo, ref, path, sha.strip(), len(res.stdout)), "encoding": "base64",
                     "content": base64.encodebytes(res.stdout).decode()}

    def _can_read(self, me: dict[str, Any], repo: str) -> bool:
        r = self.repos[repo]
        return not r.get("private") or self._can_admin(me, repo) or me["login"] in self.collaborators.get(repo, {})

    def _can_push(self, me: dict[str, Any], repo: str) -> bool:
        return self._can_admin(me, repo) or self.collaborators.get(repo, {}).get(me["login"]) in (
            "push", "maintain", "admin")

    def _content_object(self, repo: str, ref: str, path: str, sha: str, size: int) -> dict[str, Any]:
        api = f"{{root}}/repos/{repo}/contents/{path}?ref={ref}"
        return {"type": "file", "size": size, "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "url": api, "git_url": f"{{root}}/repos/{repo}/git/blobs/{sha}",
                "html_url": f"{{root}}/{repo}/blob/{ref}/{path}",
                "download_url": f"{{root}}/raw/{repo}/{ref}/{path}",
                "_links": {"self": api, "git": f"{{root}}/repos/{repo}/git/blobs/{sha}",
                           "html": f"{{root}}/{repo}/blob/{ref}/{path}"}}

    def _put_contents(self, req: Request, me: dict[str, Any], repo: str, path: str) -> Any:
        """Create or update one file with a commit on a branch, as GitHub's contents API does: ``sha`` is required
        to replace a file and must be the file's current blob (409 otherwise); an empty repo gets its first commit."""
        import base64
        import binascii
        import os
        import subprocess
        import tempfile

        if repo not in self.repos or not self._can_read(me, repo):
            return 404, {"message": "Not Found"}
        if not self._can_push(me, repo):
            return 403, {"message": "Resource not accessible by personal access token"}
        data = req.get_json(silent=True) or {}
        if not isinstance(data.get("message"), str) or not isinstance(data.get("content"), str):
            field_ = "message" if not isinstance(data.get("message"), str) else "content"
            return 422, {"message": f"Invalid request.\n\n\"{field_}\" wasn't supplied.",
                         "documentation_url": "https://docs.github.com/rest/repos/contents"}
        try:
            raw = base64.b64decode(data["content"], validate=True)
        except (binascii.Error, ValueError):
            return 422, {"message": "content is not valid Base64"}
        if any(part in ("", ".", "..") for part in path.split("/")) or path.startswith(".git/"):
            return 422, {"message": f"path {path!r} is invalid"}
        bare = self.repos[repo]["_bare"]
        branch = data.get("branch") or self.repos[repo].get("default_branch") or "main"
        head = self._git(repo, "rev-parse", "-q", "--verify", f"refs/heads/{branch}")
        head = head.strip() if head else None
        empty = self._git(repo, "rev-parse", "-q", "--verify", "HEAD") is None and not self._git(
            repo, "for-each-ref", "refs/heads")
        if head is None and not empty:
            return 404, {"message": f"Branch {branch} not found"}
        current = self._git(repo, "rev-parse", "-q", "--verify", f"{head}:{path}") if head else None
        current = current.strip() if current else None
        if current is not None and "sha" not in data:
            return 422, {"message": "Invalid request.\n\n\"sha\" wasn't supplied.",
                         "documentation_url": "https://docs.github.com/rest/repos/contents"}
        if current is not None and data["sha"] != current:
            return 409, {"message": f"{path} does not match {data['sha']}",
                         "documentation_url": "https://docs.github.com/rest/repos/contents"}
        env = {**os.environ, "GIT_AUTHOR_NAME": me["login"], "GIT_AUTHOR_EMAIL": f"{me['login']}@users.noreply",
               "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
        with tempfile.TemporaryDirectory(prefix="fakegithub-index-") as tmp:
            env["GIT_INDEX_FILE"] = f"{tmp}/index"

            def git(*args: str, stdin: bytes | None = None) -> str:
                res = subprocess.run(["git", *args], cwd=bare, env=env, input=stdin, capture_output=True,
                                     check=True)
                return res.stdout.decode().strip()

            blob = git("hash-object", "-w", "--stdin", stdin=raw)
            if head:
                git("read-tree", head)
            git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
            tree = git("write-tree")
            commit = git("commit-tree", tree, *(["-p", head] if head else []), "-m", data["message"])
            git("update-ref", f"refs/heads/{branch}", commit, *([head] if head else []))
        date = _now()
        person = {"name": me["login"], "email": f"{me['login']}@users.noreply", "date": date}
        body = {"content": self._content_object(repo, branch, path, blob, len(raw)),
                "commit": {"sha": commit, "node_id": f"C_{commit[:8]}",
                           "url": f"{{root}}/repos/{repo}/git/commits/{commit}",
                           "html_url": f"{{root}}/{repo}/commit/{commit}",
                           "author": person, "committer": {"name": "GitHub", "email": "noreply@github.com",
                                                          "date": date},
                           "tree": {"sha": tree, "url": f"{{root}}/repos/{repo}/git/trees/{tree}"},
                           "message": data["message"],
                           "parents": [{"sha": head, "url": f"{{root}}/repos/{repo}/git/commits/{head}",
                                        "html_url": f"{{root}}/{repo}/commit/{head}"}] if head else [],
                           "verification": {"verified": False, "reason": "unsigned", "signature": None,
                                            "payload": None, "verified_at": None}}}
        return (200 if current is not None else 201), body

    LOG_FORMAT = "--format=%H%x09%P%x09%an%x09%ae%x09%cI%x09%s"

    def _commit_item(self, repo: str, line: str) -> dict[str, Any]:
        """A commit as the commits and branches endpoints give it, from one ``git log`` line in LOG_FORMAT."""
        sha, parents, name, email, date, subject = line.split("\t", 5)
        person = {"name": name, "email": email, "date": date}
        return {"sha": sha, "node_id": f"C_{sha[:8]}", "url": f"{{root}}/repos/{repo}/commits/{sha}",
                "html_url": f"{{root}}/{repo}/commit/{sha}", "comments_url": "",
                "commit": {"author": person, "committer": person, "message": subject,
                           "tree": {"sha": "0" * 40, "url": ""}, "comment_count": 0,
                           "url": f"{{root}}/repos/{repo}/git/commits/{sha}"},
                "author": None, "committer": None,
                "parents": [{"sha": p, "url": f"{{root}}/repos/{repo}/commits/{p}",
                             "html_url": f"{{root}}/{repo}/commit/{p}"} for p in parents.split()]}

    def _list_commits(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}
        ref = req.args.get("sha", "main")
        out = self._git(repo, "log", self.LOG_FORMAT, ref,
                        *(["--", req.args["path"]] if req.args.get("path") else []))
        if out is None:
            return 409, {"message": "Git Repository is empty."}
        return self._page(req, [self._commit_item(repo, line) for line in out.splitlines()])

    # --- collaborators and invitations

    def _put_collaborator(self, req: Request, me: dict[str, Any], repo: str, login: str) -> Any:
        if not self._can_admin(me, repo):
            return 404 if repo not in self.repos else 403, {"message": "Must have admin rights to Repository."}
        if login.lower() not in {u.lower() for u in self.users}:
            return 404, {"message": "Not Found"}
        permission = (req.get_json(silent=True) or {}).get("permission", "push")
        if permission not in PERMISSION_NAMES:
            return 422, {"message": "Validation Failed", "errors": [{"field": "permission", "code": "invalid"}]}
        org = self.orgs[repo.split("/")[0]]
        collabs = self.collaborators.setdefault(repo, {})
        if login in collabs or login in org["members"] or login in org["admins"]:
            collabs[login] = permission  # existing collaborators and org members: changed directly
            return 204, None
        for inv in self.invitations.get(repo, []):
            if inv["invitee"]["login"].lower() == login.lower() and not self._expired(inv):
                inv["_permission"] = permission
                inv["permissions"] = PERMISSION_NAMES[permission]
                return 201, self._public(inv)  # the open invitation, updated (no second one)
        now = self.clock()
        sent = [t for t in self.invitations_sent.get(repo, []) if now - t < 24 * 3600]
        if len(sent) >= INVITATIONS_PER_DAY:
            return 422, {"message": "Validation Failed", "errors": [{
                "resource": "Invitation", "code": "custom",
                "message": "You have exceeded the invitation limit of 50 per repository per 24 hours"}]}
        self.invitations_sent[repo] = [*sent, now]
        iid = next(self.ids)
        inv = {"id": iid, "node_id": f"RI_{iid}", "repository": self._public(self.repos[repo]),
               "invitee": self.account(login), "inviter": me, "permissions": PERMISSION_NAMES[permission],
               "created_at": _iso(now), "expired": False, "url": f"{{root}}/user/repository_invitations/{iid}",
               "html_url": f"{{root}}/{repo}/invitations", "_at": now, "_permission": permission}
        self.invitations.setdefault(repo, []).append(inv)
        return 201, self._public(inv)

    def _check_collaborator(self, req: Request, me: dict[str, Any], repo: str, login: str) -> Any:
        return (204, None) if login in self.collaborators.get(repo, {}) else (404, {"message": "Not Found"})

    def _collaborator_permission(self, req: Request, me: dict[str, Any], repo: str, login: str) -> Any:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}
        if login.lower() not in {u.lower() for u in self.users}:
            return 404, {"message": "Not Found"}
        p = self.collaborators.get(repo, {}).get(login)
        role = PERMISSION_NAMES.get(p or "", "none")
        legacy = {"read": "read", "triage": "read", "write": "write", "maintain": "write", "admin": "admin"}
        return 200, {"permission": legacy.get(role, "none"), "role_name": role, "user": self.account(login)}

    def _list_collaborators(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        items = []
        for login, p in self.collaborators.get(repo, {}).items():
            level = list(PERMISSION_NAMES).index(p)
            perms = {k: i <= level for i, k in enumerate(PERMISSION_NAMES)}
            items.append({**self.account(login), "permissions": perms, "role_name": PERMISSION_NAMES[p]})
        return self._page(req, items)

    def _list_invitations(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        items = []
        for inv in self.invitations.get(repo, []):
            items.append({**self._public(inv), "expired": self._expired(inv)})
        return self._page(req, items)

    def _update_invitation(self, req: Request, me: dict[str, Any], repo: str, iid: str) -> Any:
        wanted = (req.get_json(silent=True) or {}).get("permissions")
        names = {v: k for k, v in PERMISSION_NAMES.items()}
        if wanted not in names:
            return 422, {"message": "Validation Failed", "errors": [{"field": "permissions", "code": "invalid"}]}
        for inv in self.invitations.get(repo, []):
            if inv["id"] == int(iid):
                inv["permissions"], inv["_permission"] = wanted, names[wanted]
                return 200, self._public(inv)
        return 404, {"message": "Not Found"}

    def _delete_invitation(self, req: Request, me: dict[str, Any], repo: str, iid: str) -> Any:
        for inv in list(self.invitations.get(repo, [])):
            if inv["id"] == int(iid):
                self.invitations[repo].remove(inv)
                return 204, None
        return 404, {"message": "Not Found"}

    # --- rulesets

    RULE_TYPES = ("creation", "update", "deletion", "required_linear_history", "required_signatures",
                  "pull_request", "required_status_checks", "non_fast_forward", "file_path_restriction")

    def _ruleset_problem(self, data: dict[str, Any], repo: str, rid: int | None) -> str | None:
        if not data.get("name"):
            return "name is required"
        if any(rs["name"] == data["name"] and rs["id"] != rid for rs in self.rulesets.get(repo, [])):
            return "Name must be unique"
        if data.get("enforcement") not in ("active", "disabled", "evaluate"):
            return "enforcement must be active, disabled or evaluate"
        if data.get("target", "branch") not in ("branch", "tag", "push"):
            return "target is invalid"
        for rule in data.get("rules") or []:
            if not isinstance(rule, dict) or rule.get("type") not in self.RULE_TYPES:
                return f"Invalid rule '{rule.get('type') if isinstance(rule, dict) else rule}'"
        return None

    def _ruleset_payload(self, repo: str, rid: int, data: dict[str, Any], created: str) -> dict[str, Any]:
        return {"id": rid, "name": data["name"], "target": data.get("target", "branch"),
                "source_type": "Repository", "source": repo, "enforcement": data["enforcement"],
                "bypass_actors": data.get("bypass_actors") or [], "conditions": data.get("conditions") or {},
                "rules": data.get("rules") or [], "node_id": f"RRS_{rid}", "current_user_can_bypass": "never",
                "_links": {"self": {"href": f"{{root}}/repos/{repo}/rulesets/{rid}"},
                           "html": {"href": f"{{root}}/{repo}/rules/{rid}"}},
                "created_at": created, "updated_at": _now()}

    def _create_ruleset(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        problem = self._ruleset_problem(data, repo, None)
        if problem:
            return 422, {"message": "Validation Failed", "errors": [problem]}
        rs = self._ruleset_payload(repo, next(self.ids), data, _now())
        self.rulesets.setdefault(repo, []).append(rs)
        return 201, rs

    def _list_rulesets(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        keys = ("id", "name", "target", "source_type", "source", "enforcement", "node_id", "_links",
                "created_at", "updated_at")
        return self._page(req, [{k: rs[k] for k in keys} for rs in self.rulesets.get(repo, [])])

    def _get_ruleset(self, req: Request, me: dict[str, Any], repo: str, rid: str) -> Any:
        for rs in self.rulesets.get(repo, []):
            if rs["id"] == int(rid):
                return 200, rs
        return 404, {"message": "Not Found"}

    def _update_ruleset(self, req: Request, me: dict[str, Any], repo: str, rid: str) -> Any:
        items = self.rulesets.get(repo, [])
        for i, rs in enumerate(items):
            if rs["id"] == int(rid):
                data = {**{k: rs[k] for k in ("name", "target", "enforcement", "bypass_actors", "conditions",
                                              "rules")}, **(req.get_json(silent=True) or {})}
                problem = self._ruleset_problem(data, repo, rs["id"])
                if problem:
                    return 422, {"message": "Validation Failed", "errors": [problem]}
                items[i] = self._ruleset_payload(repo, rs["id"], data, rs["created_at"])
                return 200, items[i]
        return 404, {"message": "Not Found"}

    # --- variables

    def _create_variable(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        name, value = data.get("name"), data.get("value")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not isinstance(value, str):
            return 422, {"message": "Validation Failed", "errors": [{"field": "name", "code": "invalid"}]}
        store = self.variables.setdefault(repo, {})
        if name.upper() in store:
            return 409, {"message": "Already exists - Variable already exists"}
        store[name.upper()] = {"name": name.upper(), "value": value, "created_at": _now(), "updated_at": _now()}
        return 201, {}

    def _list_variables(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        items = list(self.variables.get(repo, {}).values())
        status, chunk, headers = self._page(req, items)
        return status, {"total_count": len(items), "variables": chunk}, headers

    def _get_variable(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        v = self.variables.get(repo, {}).get(name.upper())
        return (200, v) if v else (404, {"message": "Not Found"})

    def _update_variable(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        v = self.variables.get(repo, {}).get(name.upper())
        if v is None:
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        if "value" in data:
            v["value"] = data["value"]
            v["updated_at"] = _now()
        return 204, None

    # --- environments, deployment-branch policies and secrets

    def _env_payload(self, repo: str, env: dict[str, Any]) -> dict[str, Any]:
        name = env["name"]
        return {"id": env["id"], "node_id": f"EN_{env['id']}", "name": name,
                "url": f"{{root}}/repos/{repo}/environments/{name}", "html_url": f"{{root}}/{repo}/deployments/{name}",
                "created_at": env["created_at"], "updated_at": env["updated_at"], "protection_rules": [],
                "deployment_branch_policy": env["deployment_branch_policy"]}

    def _put_environment(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        if not self._can_admin(me, repo):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        policy = data.get("deployment_branch_policy")
        if policy is not None and (not isinstance(policy, dict) or bool(policy.get("protected_branches"))
                                   == bool(policy.get("custom_branch_policies"))):
            return 422, {"message": "Validation Failed", "errors": [
                "Exactly one of protected_branches or custom_branch_policies must be true"]}
        envs = self.environments.setdefault(repo, {})
        env = envs.get(name) or {"id": next(self.ids), "name": name, "created_at": _now(), "policies": []}
        env["deployment_branch_policy"] = policy
        env["updated_at"] = _now()
        envs[name] = env
        return 200, self._env_payload(repo, env)

    def _get_environment(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        env = self.environments.get(repo, {}).get(name)
        return (200, self._env_payload(repo, env)) if env else (404, {"message": "Not Found"})

    def _create_policy(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        env = self.environments.get(repo, {}).get(name)
        if env is None or not (env.get("deployment_branch_policy") or {}).get("custom_branch_policies"):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        if not data.get("name") or data.get("type", "branch") not in ("branch", "tag"):
            return 422, {"message": "Validation Failed"}
        if any(p["name"] == data["name"] and p["type"] == data.get("type", "branch") for p in env["policies"]):
            return 303, None, {"Location": f"{self.root}/repos/{repo}/environments/{name}/deployment-branch-policies"}
        pid = next(self.ids)
        p = {"id": pid, "node_id": f"DBP_{pid}", "name": data["name"], "type": data.get("type", "branch")}
        env["policies"].append(p)
        return 200, p

    def _list_policies(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        env = self.environments.get(repo, {}).get(name)
        if env is None:
            return 404, {"message": "Not Found"}
        return 200, {"total_count": len(env["policies"]), "branch_policies": env["policies"]}

    def _public_key(self, repo: str, env: str | None) -> Any:
        import base64

        if repo not in self.repos or (env is not None and env not in self.environments.get(repo, {})):
            return 404, {"message": "Not Found"}
        pub = bytes(self._key(repo, env).public_key)
        return 200, {"key_id": self._key_id(repo, env), "key": base64.b64encode(pub).decode()}

    def _put_secret(self, req: Request, me: dict[str, Any], repo: str, env: str | None, name: str) -> Any:
        import base64

        from nacl.exceptions import CryptoError
        from nacl.public import SealedBox

        if not self._can_admin(me, repo) or (env is not None and env not in self.environments.get(repo, {})):
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        if data.get("key_id") != self._key_id(repo, env):
            return 422, {"message": "Bad request - key_id is not valid"}
        try:
            value = SealedBox(self._key(repo, env)).decrypt(base64.b64decode(data.get("encrypted_value") or ""))
        except (CryptoError, ValueError, TypeError):
            return 422, {"message": "Bad request - encrypted_value is not valid"}
        if len(value) > 48 * 1024:
            return 422, {"message": "Secret value is too large (maximum is 48 KB)"}
        store = self.secrets.setdefault((repo, env), {})
        created = name.upper() not in store
        old = store.get(name.upper(), {})
        store[name.upper()] = {"name": name.upper(), "created_at": old.get("created_at", _now()),
                               "updated_at": _now(), "_value": value}
        return (201, {}) if created else (204, None)

    def _env_public_key(self, req: Request, me: dict[str, Any], repo: str, env: str) -> Any:
        return self._public_key(repo, env)

    def _repo_public_key(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        return self._public_key(repo, None)

    def _put_env_secret(self, req: Request, me: dict[str, Any], repo: str, env: str, name: str) -> Any:
        return self._put_secret(req, me, repo, env, name)

    def _put_repo_secret(self, req: Request, me: dict[str, Any], repo: str, name: str) -> Any:
        return self._put_secret(req, me, repo, None, name)

    def _get_env_secret(self, req: Request, me: dict[str, Any], repo: str, env: str, name: str) -> Any:
        s = self.secrets.get((repo, env), {}).get(name.upper())
        return (200, self._public(s)) if s else (404, {"message": "Not Found"})

    def _delete_env_secret(self, req: Request, me: dict[str, Any], repo: str, env: str, name: str) -> Any:
        if not self._can_admin(me, repo) or env not in self.environments.get(repo, {}):
            return 404, {"message": "Not Found"}
        if self.secrets.get((repo, env), {}).pop(name.upper(), None) is None:
            return 404, {"message": "Not Found"}
        return 204, None

    def _list_check_runs_for_ref(self, req: Request, me: dict[str, Any], repo: str, ref: str) -> Any:
        runs = [r for r in self.check_runs.values()
                if r["head_sha"] == ref and r["url"].startswith(f"{{root}}/repos/{repo}/")]
        if req.args.get("check_name"):
            runs = [r for r in runs if r["name"] == req.args["check_name"]]
        runs.sort(key=lambda r: -r["id"])
        return 200, {"total_count": len(runs), "check_runs": runs}

    def _list_activity(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}
        items = self.activity.get(repo, [])
        if req.args.get("ref"):
            ref = req.args["ref"]
            items = [a for a in items if a["ref"] in (ref, f"refs/heads/{ref}")]
        if req.args.get("activity_type"):
            items = [a for a in items if a["activity_type"] == req.args["activity_type"]]
        return self._page(req, items)

    def _create_pull(self, req: Request, me: dict[str, Any], repo: str) -> Any:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}
        data = req.get_json(silent=True) or {}
        head, base = data.get("head"), data.get("base", "main")
        sha = self._git(repo, "rev-parse", "-q", "--verify", f"refs/heads/{head}") if head else None
        if not sha or not data.get("title"):
            return 422, {"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": "head",
                                                                     "code": "invalid"}]}
        if any(p["head"]["ref"] == head and p["state"] == "open" for p in self.pulls.get(repo, [])):
            return 422, {"message": "Validation Failed", "errors": [{
                "resource": "PullRequest", "code": "custom", "message": f"A pull request already exists for {head}."}]}
        number = len(self.pulls.get(repo, [])) + 1
        pr = self.add_pull(repo, number, head_sha=sha.strip(), head_branch=head, title=data["title"])
        pr["body"] = data.get("body")
        pr["base"]["ref"] = base
        pr["user"] = me
        pr["head"]["label"] = f"{repo.split('/')[0]}:{head}"
        return 201, pr

    def add_learner_token(self, login: str) -> str:
        token = f"ghp_learner_{login}".ljust(40, "0")
        with self.lock:
            self.tokens[token] = self.account(login)
        return token

    # ------------------------------------------------------------ git smart HTTP

    GIT_PATH = re.compile(r"^/(?P<repo>[^/]+/[^/]+?)\.git(?P<rest>/(?:info/refs|git-upload-pack|git-receive-pack))$")

    def _git_http(self, req: Request, repo: str, rest: str) -> Response:
        """Real smart HTTP through ``git http-backend`` (CGI); the token from the Authorization header."""
        import base64
        import subprocess

        auth = req.headers.get("Authorization", "")
        token = None
        if auth.lower().startswith("basic "):
            try:
                token = base64.b64decode(auth[6:]).decode().split(":", 1)[1]
            except (ValueError, IndexError):
                token = None
        elif " " in auth:
            token = auth.split(" ", 1)[1]
        me = self.tokens.get(token or "")
        r = self.repos.get(repo)
        if me is None:
            return Response("Authentication required", status=401,
                            headers={"WWW-Authenticate": 'Basic realm="GitHub"'}), token
        writing = rest == "/git-receive-pack" or req.args.get("service") == "git-receive-pack"
        allowed = r is not None and (self._can_admin(me, repo) or (
            not writing and me["login"] in self.collaborators.get(repo, {})) or (
            writing and self.collaborators.get(repo, {}).get(me["login"]) in ("push", "maintain", "admin")))
        if not allowed:
            return Response("Repository not found.", status=404), token
        env = {"GIT_PROJECT_ROOT": self.git_root, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": f"/{repo}.git{rest}",
               "REQUEST_METHOD": req.method, "QUERY_STRING": req.query_string.decode(),
               "CONTENT_TYPE": req.headers.get("Content-Type", ""), "REMOTE_USER": me["login"],
               "REMOTE_ADDR": "127.0.0.1", "GIT_HTTP_MAX_REQUEST_BUFFER": "100M", "PATH": "/usr/bin:/bin"}
        if req.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = req.headers["Content-Encoding"]
        if req.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = req.headers["Git-Protocol"]
        body = req.get_data()
        env["CONTENT_LENGTH"] = str(len(body))
        backend = subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip()
        before = self._git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads") if writing else None
        out = subprocess.run([f"{backend}/git-http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = out.stdout.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            if ":" in line:
                k, v = line.split(":", 1)
                if k.lower() == "status":
                    status = int(v.strip().split()[0])
                else:
                    headers[k.strip()] = v.strip()
        if writing and rest == "/git-receive-pack":
            after = self._git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")
            if after != before:
                old = dict(line.split(" ", 1) for line in (before or "").splitlines())
                new = dict(line.split(" ", 1) for line in (after or "").splitlines())
                with self.lock:
                    self.pushes.setdefault(repo, []).append({"by": me["login"], "at": _now(), "refs": after})
                    self.repos[repo]["pushed_at"] = _now()
                    for ref in sorted(set(old) | set(new)):
                        if old.get(ref) != new.get(ref):
                            self.activity.setdefault(repo, []).insert(0, {
                                "id": next(self.ids), "node_id": "A_push", "before": old.get(ref, "0" * 40),
                                "after": new.get(ref, "0" * 40), "ref": ref, "timestamp": _iso(self.clock()),
                                "activity_type": "push" if ref in old else "branch_creation", "actor": me})
        return Response(payload, status=status, headers=headers), token


class FakeGitHub(ClassroomMixin):
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
        self.reruns: list[tuple[str, int]] = []
        self.rate_remaining = 5000
        self.installation_token = "ghs_fakeinstallationtoken0000000000000"
        self.user_token = "ghp_fakeusertoken000000000000000000000"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.bot = self._user("github-actions[bot]", 41898282, "Bot")
        self.human = self._user("mentor-mona", 583231, "User")
        self.tokens: dict[str, dict[str, Any]] = {self.installation_token: self.bot, self.user_token: self.human}
        self._classroom_init()
        self._builtin_routes()
        self._classroom_routes()

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
        self._git_tmp.cleanup()

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
            ("POST", re.compile(rf"^/repos/{R}/actions/runs/(\d+)/rerun$"), self._rerun),
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
        if self.repos and repo not in self.repos and repo not in self.workflow_runs:
            return 404, {"message": "Not Found"}
        items = sorted(self.workflow_runs.get(repo, []), key=lambda r: (r["created_at"], r["id"]), reverse=True)
        for key in ("event", "head_sha", "status"):
            if req.args.get(key):
                items = [r for r in items if r[key] == req.args[key]]
        if req.args.get("branch"):
            items = [r for r in items if r["head_branch"] == req.args["branch"]]
        created = req.args.get("created", "")
        for op, keep in ((">=", lambda a, b: a >= b), ("<=", lambda a, b: a <= b)):
            if created.startswith(op):
                items = [r for r in items if keep(r["created_at"], created[2:])]
        status, chunk, headers = self._page(req, items)
        return status, {"total_count": len(items), "workflow_runs": chunk}, headers

    def _list_artifacts(self, req: Request, me: dict[str, Any], repo: str, run_id: str) -> Any:
        items = [{k: v for k, v in a.items() if not k.startswith("_")} for a in self.artifacts.values()
                 if a["_repo"] == repo and a["_run"] == int(run_id)]
        if req.args.get("name"):
            items = [a for a in items if a["name"] == req.args["name"]]
        status, chunk, headers = self._page(req, items)
        return status, {"total_count": len(items), "artifacts": chunk}, headers

    def _rerun(self, req: Request, me: dict[str, Any], repo: str, run_id: str) -> Any:
        """A re-run: the same run (its created_at kept, as on GitHub), a new attempt, queued; ``reruns`` records it."""
        for run in self.workflow_runs.get(repo, []):
            if run["id"] == int(run_id):
                run["run_attempt"] += 1
                run["status"], run["conclusion"] = "queued", None
                self.reruns.append((repo, int(run_id)))
                return 201, {}
        return 404, {"message": "Not Found"}

    def finish_rerun(self, repo: str, run_id: int, data: bytes, name: str = "roadmap-ci-evidence") -> dict[str, Any]:
        """Complete a re-run: the run succeeds and uploads a fresh artifact."""
        with self.lock:
            run = next(r for r in self.workflow_runs[repo] if r["id"] == run_id)
            run["status"], run["conclusion"] = "completed", "success"
        return self.add_artifact(repo, run_id, name, data, head_sha=run["head_sha"])

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
        if self.latency:
            time.sleep(self.latency)
        git = self.GIT_PATH.match(path[len(self.api_prefix):] if self.api_prefix and path.startswith(self.api_prefix)
                                  else path)
        if git:
            fault = self._fault_for(method, path)
            if fault is not None and fault.status is not None and not fault.after:
                return self._log(req, path, Response(fault.message, status=fault.status))
            resp, token = self._git_http(req, git["repo"], git["rest"])
            return self._log(req, path, resp, token)
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
        if token in self.scopes:
            resp.headers["X-OAuth-Scopes"] = self.scopes[token]
        if method == "GET" and resp.status_code == 200:  # ETags: a conditional GET of an unchanged answer is a 304
            import hashlib

            etag = f'W/"{hashlib.sha256(resp.get_data()).hexdigest()[:32]}"'
            resp.headers["ETag"] = etag
            if req.headers.get("If-None-Match") == etag:
                resp = Response(b"", status=304, headers={"ETag": etag, **{
                    k: v for k, v in resp.headers.items() if k.startswith("X-")}})
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

