"""`roadmap-ci report` and `roadmap-ci publish` through the real entry point (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from testing.fakegithub import FakeGitHub
from testing.reportkit import EVIDENCE, RUBRIC

from roadmap_ci.report.escape import marker


def roadmap(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLFLOW_"))}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "roadmap_ci", *args], capture_output=True, text=True, env=full,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def scorecard(tmp_path_factory):
    out = tmp_path_factory.mktemp("card") / "scorecard.json"
    r = roadmap("score", "-e", str(EVIDENCE), "-r", str(RUBRIC), "--out", str(out))
    assert out.is_file(), r.stderr
    return out


@pytest.mark.parametrize("fmt", ["md", "html", "junit", "json"])
def test_report_every_format(scorecard, fmt, tmp_path):
    out = tmp_path / f"r.{fmt}"
    r = roadmap("report", "--scorecard", str(scorecard), "--evidence", str(EVIDENCE), "--format", fmt,
                "--out", str(out), "--rubric", str(RUBRIC))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    if fmt == "md":
        assert text.startswith(marker("tabular-classification")) and "```mermaid" in text
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    elif fmt == "junit":
        assert ET.fromstring(text.encode()).tag == "testsuites"
    else:
        assert json.loads(text)["deliverable"] == "tabular-classification"


def test_report_errors_are_one_line(scorecard, tmp_path):
    r = roadmap("report", "--scorecard", str(scorecard), "--format", "pdf")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "unknown report format" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"deliverable": 3}')
    r = roadmap("report", "--scorecard", str(bad))
    assert r.returncode == 1 and "not a valid scorecard" in r.stderr and "Traceback" not in r.stderr


def test_publish_writes_reports_then_posts_to_github(scorecard, tmp_path):
    summary = tmp_path / "summary.md"
    with FakeGitHub() as fk:
        env = {"GITHUB_TOKEN": fk.installation_token, "GITHUB_API_URL": fk.url, "GITHUB_REPOSITORY": "ada/churn",
               "GITHUB_REF": "refs/pull/12/merge", "GITHUB_STEP_SUMMARY": str(summary),
               "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "99"}
        for _ in range(3):
            r = roadmap("publish", "--scorecard", str(scorecard), "--evidence", str(EVIDENCE), "--github", "--summary",
                        "--out-dir", str(tmp_path / "out"), env=env)
            assert r.returncode == 0, r.stderr
        comments = fk.comments("ada/churn", 12)
        assert len(comments) == 1
        assert "https://github.com/ada/churn/actions/runs/99" in comments[0]["body"]
        sha = json.loads(scorecard.read_text())["commit"]
        assert fk.statuses("ada/churn", sha)[0]["context"] == "roadmap-ci/tabular-classification"
        assert len(fk.check_runs) == 3
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "scorecard.json").is_file()
    assert summary.read_text().count(marker("tabular-classification")) == 3


def test_publish_permission_error_still_leaves_the_reports(scorecard, tmp_path):
    with FakeGitHub() as fk:
        fk.fail("POST", r"/comments$", status=403, message="Resource not accessible by integration", times=5)
        env = {"GITHUB_TOKEN": fk.installation_token, "GITHUB_API_URL": fk.url}
        r = roadmap("publish", "-s", str(scorecard), "-e", str(EVIDENCE), "--github", "--repo", "ada/churn",
                    "--pr", "3", "--out-dir", str(tmp_path / "out"), env=env)
        assert fk.count("POST", r"/comments$") == 1
    assert r.returncode == 2 and "pull-requests: write" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "out" / "report.md").is_file()


def test_cli_start_up_imports_nothing_heavy():
    code = ("import sys, roadmap_ci.cli, roadmap_ci.report; "
            "bad = [m for m in ('jinja2', 'github3', 'mlflow', 'requests') if m in sys.modules]; print(bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
