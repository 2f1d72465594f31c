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
