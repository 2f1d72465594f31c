"""Fixtures shared by the ci-report tests: a rubric scored only on hidden labels, its labels, predictions;
an in-memory double of the GitHub reads, a recording Publisher, payload and artifact builders."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from roadmap_ci.ci.step import Publisher, ci_report
from roadmap_ci.ci.target import Target

HIDDEN_RUBRIC = """\
version: "t1"
deliverable: tabular-classification
pass_mark: 5
hidden_labels:
  source: labels.csv
  target_column: label
  prediction_column: pred
  positive_label: "1"
  metrics: [accuracy, f1]
criteria:
  - id: hidden-accuracy
    points: 10
    rule: threshold
    evidence: hidden:public.accuracy
    min: 0.5
    target: 1.0
  - id: hidden-f1
    points: 10
    rule: threshold
    evidence: hidden:private.f1
    min: 0.0
    target: 1.0
    visibility: after_due
"""
LABELS = "id,label,split\nr1,1,public\nr2,0,public\nr3,1,private\nr4,0,private\n"
GOOD_PREDS = "id,pred\nr1,1\nr2,0\nr3,1\nr4,0\n"


SHA = "a" * 40
OLD_SHA = "b" * 40
ROOT_SHA = "c" * 40  # the base repository's oldest commit: the feedback ledger
API = "https://api.example.test"

RUBRIC = HIDDEN_RUBRIC
POOR_PREDS = "id,pred\nr1,0\nr2,1\nr3,0\nr4,0\n"  # public acc 0, private: tp0 fn1 -> f1 0


# ---------------------------------------------------------------- doubles


class FakeResponse:
    def __init__(self, data: Any = None, status: int = 200, body: bytes = b"", links: dict | None = None):
        self._data, self.status_code, self._body = data, status, body
        self.links = links or {}

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self) -> Any:
        return self._data

    def raise_for_status(self) -> None:
        if not self.ok:
            raise RuntimeError(f"HTTP {self.status_code}")

    def iter_content(self, n: int):
        for i in range(0, len(self._body), n):
            yield self._body[i:i + n]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeAPI:
    """The read endpoints ci-report calls, answering from in-memory data; every call is recorded."""

    def __init__(self, pulls=(), artifact: bytes | None = None, runs=(), statuses=None, repo="mentor/course"):
        self.pulls, self.artifact, self.runs = list(pulls), artifact, list(runs)
        self.statuses = statuses or {}
        self.repo = repo
        self.commit_reads = 0
        self.artifact_sha = SHA
        self.calls: list[tuple[str, dict]] = []

    def get(self, url: str, params=None, **kw):
        from urllib.parse import parse_qsl

        url, _, query = url.partition("?")
        params = {**dict(parse_qsl(query)), **dict(params or {})}
        self.calls.append((url, dict(params)))
        path = url.removeprefix(API)
        if path == f"/repos/{self.repo}/pulls":
            owner, _, branch = params["head"].partition(":")
            return FakeResponse([p for p in self.pulls
                                 if p["head"]["repo"]["owner"]["login"] == owner and p["head"]["ref"] == branch])
        if path.endswith("/artifacts"):
            arts = [] if self.artifact is None else [{
                "name": "roadmap-ci-evidence", "expired": False, "size_in_bytes": len(self.artifact),
                "archive_download_url": f"{API}/download/1", "workflow_run": {"head_sha": self.artifact_sha}}]
            return FakeResponse({"artifacts": arts})
        if path == "/download/1":
            return FakeResponse(body=self.artifact or b"")
        if path == f"/repos/{self.repo}/actions/runs":
            return FakeResponse({"workflow_runs": self.runs})
        if "/commits/" in path and path.endswith("/statuses"):
            items = self.statuses.get(path.split("/")[-2], [])
            page = int((params or {}).get("page", 1))
            chunk = items[(page - 1) * 100:page * 100]
            more = {"next": {"url": f"{url}?per_page=100&page={page + 1}"}} \
                if len(items) > page * 100 else {}
            return FakeResponse(chunk, links=more)
        if path == f"/repos/{self.repo}/commits":
            self.commit_reads += 1
            return FakeResponse([{"sha": ROOT_SHA}])
        return FakeResponse({"message": "Not Found"}, status=404)


class Recorder(Publisher):
    """Records what would be posted; feedback marks land on the FakeAPI's ledger commit, newest first."""

    def __init__(self, api: FakeAPI | None = None, now: datetime | None = None):
        self.published: list[tuple[Target, Any, Any]] = []
        self.errors: list[tuple[Target, str]] = []
        self.marks: list[Target] = []
        self.api, self.now = api, now or datetime.now(UTC)

    def publish(self, target, card, evidence, out_dir):
        self.published.append((target, card, evidence))
        return "comment" if target.kind == "pull_request" else "status"

    def error(self, target, message):
        self.errors.append((target, message))
        return "error"

    def mark_feedback(self, target, ledger_sha, context):
        self.marks.append(target)
        if self.api is None:
            return None
        ledger = self.api.statuses.setdefault(ledger_sha, [])
        sid = 1 + max((st.get("id", 0) for sts in self.api.statuses.values() for st in sts), default=0)
        ledger.insert(0, {"id": sid, "context": context, "created_at": self.now.strftime("%Y-%m-%dT%H:%M:%SZ")})
        return sid


# ---------------------------------------------------------------- payloads and artifacts


def event(kind: str = "pull_request", branch: str = "feature", head_owner: str = "learner",
          repo: str = "mentor/course", sha: str = SHA) -> dict:
    head_repo = f"{head_owner}/course" if head_owner != repo.split("/")[0] else repo
    return {
        "action": "completed",
        "repository": {"full_name": repo},
        "workflow_run": {
            "id": 4242, "event": kind, "head_sha": sha, "head_branch": branch, "conclusion": "success",
            "pull_requests": [],  # empty for a fork PR: the PR must be found through the API
            "head_repository": {"full_name": head_repo, "owner": {"login": head_owner}},
        },
    }


def pull(number: int, sha: str = SHA, branch: str = "feature", owner: str = "learner", title: str = "My work"):
    return {"number": number, "title": title,
            "head": {"sha": sha, "ref": branch, "repo": {"full_name": f"{owner}/course", "owner": {"login": owner}}}}


def evidence(**extra) -> dict:
    ev = {"schema_version": 1, "deliverable": "tabular-classification", "commit": SHA,
          "predictions": {"path": "data/predictions/predictions.csv", "status": "ok", "rows": 4,
                          "bundled_as": "predictions/predictions.csv"}}
    ev.update(extra)
    return ev


def make_zip(entries: dict[str, str | bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return buf.getvalue()


def bundle(preds: str = GOOD_PREDS, **ev) -> bytes:
    return make_zip({"evidence.json": json.dumps(evidence(**ev)), "predictions/predictions.csv": preds})


@pytest.fixture
def setup(tmp_path: Path):
    (tmp_path / "mentor").mkdir()
    (tmp_path / "mentor" / "rubric.yaml").write_text(RUBRIC)
    (tmp_path / "mentor" / "labels.csv").write_text(LABELS)

    def go(payload: dict, api: FakeAPI, version: str = "t1", **kw):
        ev_path = tmp_path / "event.json"
        ev_path.write_text(json.dumps(payload))
        rec = Recorder(api, kw.get("now"))
        env = {"GITHUB_EVENT_PATH": str(ev_path), "GITHUB_API_URL": API, "RUNNER_TEMP": str(tmp_path / "rt"),
               **kw.pop("env", {})}
        out = ci_report(rubric=str(tmp_path / "mentor" / "rubric.yaml"), rubric_version=version, env=env,
                           session=api, publisher=rec, **kw)
        return out, rec

    return go


