"""The fake GitHub itself: pagination, faults, and the endpoints the report workflow reads (for issue 5)."""

from __future__ import annotations

import io
import zipfile

import requests
from testing.fakegithub import FakeGitHub

from roadmap_ci.ci.artifact import ARTIFACT_NAME, download_artifact
from roadmap_ci.ci.event import Run
from roadmap_ci.ci.target import Target, find_target


def _session(fk: FakeGitHub) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {fk.installation_token}"
    return s


def test_link_header_pagination_reaches_every_item():
    with FakeGitHub() as fk:
        fk.add_comments("o/r", 1, 75)
        s = _session(fk)
        url, seen = f"{fk.url}/repos/o/r/issues/1/comments?per_page=30", []
        while url:
            r = s.get(url, timeout=5)
            seen += [c["id"] for c in r.json()]
            url = r.links.get("next", {}).get("url")
        assert len(seen) == len(set(seen)) == 75
        assert fk.count("GET", "/comments") == 3


def test_faults_fire_the_given_number_of_times_and_urls_point_home():
    with FakeGitHub() as fk:
        fk.fail("GET", r"/comments$", status=500, times=2)
        s = _session(fk)
        codes = [s.get(f"{fk.url}/repos/o/r/issues/1/comments", timeout=5).status_code for _ in range(3)]
        assert codes == [500, 500, 200]
        c = s.post(f"{fk.url}/repos/o/r/issues/1/comments", json={"body": "hi"}, timeout=5).json()
        assert c["url"].startswith(fk.url) and c["user"]["url"].startswith(fk.url)
        assert s.get(f"{fk.url}/repos/o/r/issues/1/comments", headers={"Authorization": "Bearer nope"},
                     timeout=5).status_code == 401


def test_report_workflow_endpoints_work_with_ci_report(tmp_path):
    sha = "a" * 40
    run = Run(repo="mentor/course", run_id=77, event="pull_request", head_sha=sha,
                        head_branch="feature", head_repo="ada/course", head_owner="ada", conclusion="success")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("evidence.json", "{}")
    with FakeGitHub() as fk:
        fk.add_pull("mentor/course", 5, head_sha=sha, head_branch="feature", head_repo="ada/course")
        fk.add_workflow_run("mentor/course", 77, head_sha=sha, head_repo="ada/course")
        fk.add_artifact("mentor/course", 77, ARTIFACT_NAME, buf.getvalue(), head_sha=sha)
        s = _session(fk)
        target = find_target(s, fk.url, run)
        assert isinstance(target, Target) and target.number == 5
        zip_path = download_artifact(s, fk.url, "mentor/course", run, ARTIFACT_NAME,
                                               tmp_path / "a.zip")
        assert zip_path.read_bytes() == buf.getvalue()
        assert fk.count("GET", r"^/_blobs/") == 1  # followed the redirect to storage
        runs = s.get(f"{fk.url}/repos/mentor/course/actions/runs", params={"event": "pull_request"}, timeout=5)
        assert runs.json()["total_count"] == 1



def test_classroom_endpoints_git_push_and_secrets(tmp_path):
    """Org repos, git smart HTTP with the token checked, invitations (expiry, daily limit), sealed secrets, ETags."""
    import base64
    import os
    import subprocess

    from roadmap_ci.github.secrets import seal

    with FakeGitHub() as fk:
        fk.add_org("ml")
        fk.add_users("ada")
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {fk.user_token}"
        repo = s.post(f"{fk.url}/orgs/ml/repos", json={"name": "r", "private": True}, timeout=5).json()
        assert repo["private"] and repo["clone_url"] == f"{fk.root}/ml/r.git"
        again = s.post(f"{fk.url}/orgs/ml/repos", json={"name": "r"}, timeout=5)
        assert again.status_code == 422 and "already exists" in again.json()["errors"][0]["message"]
        first = s.get(f"{fk.url}/repos/ml/r", timeout=5)
        assert s.get(f"{fk.url}/repos/ml/r", headers={"If-None-Match": first.headers["ETag"]},
                     timeout=5).status_code == 304
        assert s.get(f"{fk.url}/users/nobody-here", timeout=5).status_code == 404

        work = tmp_path / "w"
        work.mkdir()
        git = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        subprocess.run("git init -q -b main && echo hi > f && git add f && "
                       "git -c user.name=t -c user.email=t@x commit -qm one", shell=True, cwd=work, check=True)

        def push(token: str) -> int:
            hdr = "Authorization: Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
            return subprocess.run(["git", "-c", f"http.extraHeader={hdr}", "push", "-q", repo["clone_url"], "main"],
                                  cwd=work, env=git, capture_output=True).returncode

        assert push("ghp_wrong") != 0 and fk.branch_sha("ml/r") is None
        assert push(fk.user_token) == 0 and fk.repo_file("ml/r", "f") == b"hi\n" and len(fk.pushes["ml/r"]) == 1
        assert s.get(f"{fk.url}/repos/ml/r/branches/main", timeout=5).json()["commit"]["sha"] == fk.branch_sha("ml/r")

        inv = s.put(f"{fk.url}/repos/ml/r/collaborators/ada", json={"permission": "push"}, timeout=5)
        assert inv.status_code == 201 and inv.json()["permissions"] == "write"
        assert s.put(f"{fk.url}/repos/ml/r/collaborators/ada", json={"permission": "push"},
                     timeout=5).json()["id"] == inv.json()["id"]  # the open invitation, not a second one
        fk.age_invitations("ml/r", 8 * 24 * 3600)
        assert s.get(f"{fk.url}/repos/ml/r/invitations", timeout=5).json()[0]["expired"] is True
        fk.invitations_sent["ml/r"] = [fk.clock()] * 50
        limited = s.put(f"{fk.url}/repos/ml/r/collaborators/ada", json={"permission": "push"}, timeout=5)
        assert limited.status_code == 422 and "50 per repository" in limited.json()["errors"][0]["message"]

        key = s.get(f"{fk.url}/repos/ml/r/actions/secrets/public-key", timeout=5).json()
        ok = s.put(f"{fk.url}/repos/ml/r/actions/secrets/S", json={"encrypted_value": seal(key["key"], "v1"),
                                                                   "key_id": key["key_id"]}, timeout=5)
        assert ok.status_code == 201 and fk.secret_value("ml/r", "S") == b"v1"
        from nacl.public import PrivateKey

        other = base64.b64encode(bytes(PrivateKey.generate().public_key)).decode()
        bad = s.put(f"{fk.url}/repos/ml/r/actions/secrets/S", json={"encrypted_value": seal(other, "v2"),
                                                                    "key_id": key["key_id"]}, timeout=5)
        assert bad.status_code == 422 and fk.secret_value("ml/r", "S") == b"v1"


def test_contents_put_creates_then_updates_with_the_blob_sha_and_refuses_a_stale_one():
    """GitHub's contents API as apply uses it: 201 then 200 with the full content and commit objects, 422 without
    the current sha, 409 with a stale one, 404 for someone without access; every write is a commit on main."""
    import base64
    import hashlib

    with FakeGitHub() as fk:
        fk.add_org("org")
        reader = fk.add_learner_token("grader-bot")
        fk.add_repo("org/grading", readers=("grader-bot",))
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {fk.user_token}"
        url = f"{fk.url}/repos/org/grading/contents/labels/churn/ada.csv"
        assert s.get(url, timeout=5).status_code == 404  # an empty repository
        first = b"id,label,split\n1,0,public\n"
        r = s.put(url, json={"message": "first", "content": base64.b64encode(first).decode(), "branch": "main"},
                  timeout=5)
        assert r.status_code == 201, r.text
        body = r.json()
        blob = hashlib.sha1(b"blob %d\0" % len(first) + first).hexdigest()
        assert body["content"]["sha"] == blob and body["content"]["path"] == "labels/churn/ada.csv"
        assert body["content"]["size"] == len(first) and body["content"]["type"] == "file"
        c1 = body["commit"]
        assert len(c1["sha"]) == 40 and c1["parents"] == [] and c1["message"] == "first"
        assert {"url", "html_url", "author", "committer", "tree", "verification", "node_id"} <= set(c1)
        assert fk.branch_sha("org/grading") == c1["sha"]
        assert fk.repo_file("org/grading", "labels/churn/ada.csv") == first
        got = s.get(url, params={"ref": "main"}, timeout=5).json()
        assert got["sha"] == blob and base64.b64decode(got["content"]) == first and got["encoding"] == "base64"

        second = first + b"2,1,private\n"
        new = {"message": "second", "content": base64.b64encode(second).decode()}
        r = s.put(url, json=new, timeout=5)
        assert r.status_code == 422 and '"sha" wasn\'t supplied' in r.json()["message"]
        r = s.put(url, json={**new, "sha": "0" * 40}, timeout=5)
        assert r.status_code == 409 and "does not match" in r.json()["message"]
        r = s.put(url, json={**new, "sha": blob}, timeout=5)
        assert r.status_code == 200
        c2 = r.json()["commit"]
        assert [p["sha"] for p in c2["parents"]] == [c1["sha"]]
        assert fk.repo_file("org/grading", "labels/churn/ada.csv") == second

        # the commits that touched a path, newest first (apply pins the one that wrote a seat's labels)
        other = f"{fk.url}/repos/org/grading/contents/labels/churn/bob.csv"
        r = s.put(other, json={"message": "bob", "content": base64.b64encode(first).decode()}, timeout=5)
        assert r.status_code == 201
        hist = s.get(f"{fk.url}/repos/org/grading/commits", params={"path": "labels/churn/ada.csv", "sha": "main"},
                     timeout=5).json()
        assert [c["sha"] for c in hist] == [c2["sha"], c1["sha"]]

        # a read-only collaborator reads but cannot write; a stranger sees nothing
        ro = requests.Session()
        ro.headers["Authorization"] = f"Bearer {reader}"
        assert ro.get(url, timeout=5).status_code == 200
        assert ro.put(url, json={**new, "sha": blob}, timeout=5).status_code == 403
        stranger = requests.Session()
        stranger.headers["Authorization"] = f"Bearer {fk.add_learner_token('mallory')}"
        assert stranger.get(url, timeout=5).status_code == 404


def test_an_environment_secret_is_deleted_once():
    with FakeGitHub() as fk:
        fk.add_org("org")
        fk.add_repo("org/r")
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {fk.user_token}"
        assert s.put(f"{fk.url}/repos/org/r/environments/prod", json={}, timeout=5).status_code == 200
        fk.secrets[("org/r", "prod")] = {"X": {"name": "X", "created_at": "", "updated_at": "", "_value": b"v"}}
        url = f"{fk.url}/repos/org/r/environments/prod/secrets/X"
        assert s.get(url, timeout=5).status_code == 200
        assert s.delete(url, timeout=5).status_code == 204
        assert s.get(url, timeout=5).status_code == 404 and s.delete(url, timeout=5).status_code == 404
