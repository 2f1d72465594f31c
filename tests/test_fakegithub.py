"""The fake GitHub itself: pagination, faults, and the endpoints the report workflow reads (for issue 5)."""

from __future__ import annotations

import io
import zipfile

import requests
from fakegithub import FakeGitHub

from roadmap_ci import ci_report


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
    run = ci_report.Run(repo="mentor/course", run_id=77, event="pull_request", head_sha=sha,
                        head_branch="feature", head_repo="ada/course", head_owner="ada", conclusion="success")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("evidence.json", "{}")
    with FakeGitHub() as fk:
        fk.add_pull("mentor/course", 5, head_sha=sha, head_branch="feature", head_repo="ada/course")
        fk.add_workflow_run("mentor/course", 77, head_sha=sha, head_repo="ada/course")
        fk.add_artifact("mentor/course", 77, ci_report.ARTIFACT_NAME, buf.getvalue(), head_sha=sha)
        s = _session(fk)
        target = ci_report.find_target(s, fk.url, run)
        assert isinstance(target, ci_report.Target) and target.number == 5
        zip_path = ci_report.download_artifact(s, fk.url, "mentor/course", run, ci_report.ARTIFACT_NAME,
                                               tmp_path / "a.zip")
        assert zip_path.read_bytes() == buf.getvalue()
        assert fk.count("GET", r"^/_blobs/") == 1  # followed the redirect to storage
        runs = s.get(f"{fk.url}/repos/mentor/course/actions/runs", params={"event": "pull_request"}, timeout=5)
        assert runs.json()["total_count"] == 1

