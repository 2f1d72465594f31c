"""Local simulation of the report workflow: synthetic ``workflow_run`` payloads fed through the real
``roadmap-ci ci-report`` command (a subprocess, configured only by the environment GitHub Actions gives it)
against the loopback fake GitHub (tests/testing/fakegithub.py), which real github3.py talks to over HTTP.

Every assertion is about what reached the fake GitHub: comments, statuses, check runs, request log.
The in-process tests at the end drive ``ci_report()`` with an injected clock to check the read retries.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.ci_fixtures import GOOD_PREDS, HIDDEN_RUBRIC, LABELS
from testing.fakegithub import FakeGitHub

from roadmap_ci.ci.artifact import ARTIFACT_NAME
from roadmap_ci.ci.quota import HIDDEN_CONTEXT, ledger_context
from roadmap_ci.ci.reader import Reader
from roadmap_ci.ci.step import StepResult, ci_report
from roadmap_ci.publish.retry import GitHubError, Retrying
from roadmap_ci.report.escape import marker

BASE = "mentor/course"
SHA = "1" * 40
NEW_SHA = "2" * 40
RUN_ID = 4242
CONTEXT = "roadmap-ci/tabular-classification"
MARK = marker("tabular-classification")

RUBRIC = HIDDEN_RUBRIC + """\
  - id: tests
    points: 2
    rule: fraction
    evidence: tests
"""
POOR_PREDS = "id,pred\nr1,0\nr2,1\nr3,0\nr4,0\n"


class Clock:
    def __init__(self) -> None:
        self.now, self.sleeps = 1_800_000_000.0, []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s

    def clock(self) -> float:
        return self.now


# ---------------------------------------------------------------- payloads


def event(kind: str = "pull_request", *, branch: str = "feature", head_repo: str = "learner/course",
          repo: str = BASE, sha: str = SHA, run_id: int = RUN_ID, pull_requests: list | None = None) -> dict:
    return {
        "action": "completed",
        "repository": {"full_name": repo, "owner": {"login": repo.split("/")[0]}},
        "workflow_run": {
            "id": run_id, "name": "roadmap-ci evaluate", "event": kind, "status": "completed",
            "conclusion": "success", "head_sha": sha, "head_branch": branch,
            "pull_requests": pull_requests or [],  # empty for a fork PR
            "head_repository": {"full_name": head_repo, "owner": {"login": head_repo.split("/")[0]}},
        },
    }


def artifact(preds: str = GOOD_PREDS, **extra: Any) -> bytes:
    ev = {"schema_version": 1, "deliverable": "tabular-classification", "commit": SHA,
          "tests": {"status": "ok", "cases": [{"id": "tests/test_model.py::test_fit", "outcome": "passed"}]},
          "predictions": {"path": "data/predictions.csv", "status": "ok", "rows": 4,
                          "bundled_as": "predictions/predictions.csv"}}
    ev.update(extra)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("evidence.json", json.dumps(ev))
        zf.writestr("predictions/predictions.csv", preds)
    return buf.getvalue()


# ---------------------------------------------------------------- the simulated report job


class Sim:
    def __init__(self, fk: FakeGitHub, tmp: Path) -> None:
        self.fk, self.tmp, self.n = fk, tmp, 0
        mentor = tmp / "mentor"
        mentor.mkdir()
        (mentor / "rubric.yaml").write_text(RUBRIC)
        (mentor / "labels.csv").write_text(LABELS)
        self.rubric = mentor / "rubric.yaml"

    def evaluate_run(self, payload: dict, data: bytes | None = None, *, repo: str = BASE) -> None:
        """What GitHub holds once the learner's evaluate run finished: the run and its artifact."""
        wr = payload["workflow_run"]
        self.fk.add_workflow_run(repo, wr["id"], head_sha=wr["head_sha"], event=wr["event"],
                                 head_branch=wr["head_branch"], head_repo=wr["head_repository"]["full_name"])
        self.fk.add_artifact(repo, wr["id"], ARTIFACT_NAME, artifact() if data is None else data,
                             head_sha=wr["head_sha"])

    def _job(self, payload: dict) -> tuple[Path, dict[str, str]]:
        """A fresh report job: its event file and the environment GitHub Actions sets."""
        self.n += 1
        job = self.tmp / f"job{self.n}"
        job.mkdir()
        (job / "event.json").write_text(json.dumps(payload))
        return job, {"GITHUB_EVENT_PATH": str(job / "event.json"), "GITHUB_API_URL": self.fk.url,
                     "GITHUB_TOKEN": self.fk.installation_token, "GITHUB_STEP_SUMMARY": str(job / "summary.md"),
                     "GITHUB_SERVER_URL": "https://github.example",
                     "GITHUB_REPOSITORY": payload["repository"]["full_name"], "GITHUB_RUN_ID": str(9000 + self.n),
                     "GITHUB_EVENT_NAME": "workflow_run", "RUNNER_TEMP": str(job / "rt")}

    def report(self, payload: dict, labels: list[str] | None = None,
               workspace: dict[str, str | Path] | None = None) -> subprocess.CompletedProcess[str]:
        """One run of the report job: the real `roadmap-ci ci-report` command, as report.yml runs it.
        ``labels``: the labels arguments (default: ``--labels`` and the mentor's file); ``workspace``: files of
        the job's ``GITHUB_WORKSPACE`` (the rubrics checkout is ``roadmap-ci-rubrics/`` in it), a Path value a
        symbolic link to it."""
        job, gh_env = self._job(payload)
        ws = job / "ws"
        for rel, text in (workspace or {}).items():
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, Path):
                (ws / rel).symlink_to(text)
            else:
                (ws / rel).write_text(text)
        ws.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "GH_", "ROADMAP_CI"))}
        args = ["--labels", str(self.rubric.parent / "labels.csv")] if labels is None else labels
        return subprocess.run([sys.executable, "-m", "roadmap_ci", "ci-report", "--rubric", str(self.rubric),
                               "--rubric-version", "t1", *args],
                              capture_output=True, text=True, env={**env, **gh_env, "GITHUB_WORKSPACE": str(ws)},
                              cwd=job, timeout=120)

    def report_here(self, payload: dict, clock: Clock | None = None, now: datetime | None = None) -> StepResult:
        """The same step in this process (real github3 and HTTP; no interpreter start-up): attacks about
        *what* is posted run here to keep the module fast. ``clock`` replaces sleeping in the retries."""
        _, env = self._job(payload)
        retry = Retrying(sleep=clock.sleep, clock=clock.clock) if clock is not None else None
        return ci_report(rubric=str(self.rubric), rubric_version="t1", labels=self.rubric.parent / "labels.csv",
                            env=env, retry=retry, now=now)

    def out(self, name: str) -> Any:
        return json.loads((self.job() / "rt" / "roadmap-ci-report" / "out" / name).read_text())

    def job(self, n: int | None = None) -> Path:
        return self.tmp / f"job{n or self.n}"

    def bot_comments(self, number: int, repo: str = BASE) -> list[dict]:
        return [c for c in self.fk.comments(repo, number) if c["user"]["login"] == self.fk.bot["login"]]

    def statuses(self, sha: str = SHA, context: str = CONTEXT, repo: str = BASE) -> list[dict]:
        return [s for s in self.fk.statuses(repo, sha) if s["context"] == context]

    def writes(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.fk.requests if r.method in ("POST", "PATCH", "DELETE", "PUT")]


@pytest.fixture
def sim(tmp_path: Path):
    with FakeGitHub() as fk:
        yield Sim(fk, tmp_path)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


# ---------------------------------------------------------------- the three events


def test_fork_pr_three_runs_leave_one_comment_with_status_check_run_and_summary(sim):
    payload = event()  # learner/course:feature -> mentor/course, pull_requests: []
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    sim.evaluate_run(payload)
    outs = [ok(sim.report(payload)) for _ in range(3)]
    assert all("posted: comment" in o for o in outs)
    assert "comment created" in outs[0]  # then edited in place: each run links its own report run
    assert all("comment updated" in o and "issuecomment-" in o for o in outs[1:])

    (comment,) = sim.bot_comments(7)
    assert comment["body"].startswith(MARK) and comment["body"].count(MARK) == 1
    assert len(sim.fk.comments(BASE, 7)) == 1
    statuses = sim.statuses()
    assert len(statuses) == 3 and {s["state"] for s in statuses} == {"success"}
    # the private split is scored after the due date: nothing of it is posted before
    assert statuses[0]["description"] == "12/22 points so far, 10 still to be scored — passed (pass mark 5)"
    assert statuses[0]["target_url"] == "https://github.example/mentor/course/actions/runs/9003"
    runs = [r for r in sim.fk.check_runs.values() if r["name"] == CONTEXT]
    assert len(runs) == 3 and {(r["head_sha"], r["conclusion"]) for r in runs} == {(SHA, "success")}
    hidden_marks = sim.statuses(context=HIDDEN_CONTEXT)
    assert hidden_marks == []  # no daily_limit in this rubric: nothing to count
    # written to disk (all formats) and to the job summary
    out = sim.job() / "rt" / "roadmap-ci-report" / "out"
    assert {p.name for p in out.iterdir()} >= {"evidence.json", "scorecard.json", "report.md", "report.html",
                                               "report.junit.xml", "report.json"}
    assert (sim.job() / "summary.md").read_text().startswith(MARK)
    # the artifact came through the storage redirect, and the token stayed on the API host
    blobs = [r for r in sim.fk.requests if r.path.startswith("/_blobs/")]
    assert len(blobs) == 3 and all(r.token is None for r in blobs)
    # the fork PR was found by head owner + branch, never by number
    assert {r.query.get("head") for r in sim.fk.requests if r.path.endswith("/pulls")} == {"learner:feature"}


def test_push_to_own_repo_posts_status_check_run_and_summary_but_no_comment(sim):
    repo = "learner/course"
    payload = event("push", branch="main", head_repo=repo, repo=repo)
    sim.evaluate_run(payload, repo=repo)
    out = ok(sim.report(payload))
    assert "posted: status" in out
    assert sim.fk.comments_by_issue == {} and sim.fk.count("POST", r"/comments$") == 0
    assert sim.fk.count("GET", r"/pulls$") == 0
    (status,) = sim.statuses(repo=repo)
    assert status["state"] == "success" and status["context"] == CONTEXT
    (run,) = sim.fk.check_runs.values()
    assert run["head_sha"] == SHA and run["output"]["summary"].startswith(MARK)
    assert (sim.job() / "summary.md").read_text().startswith(MARK)


def test_same_repo_pr_is_found_and_commented(sim):
    payload = event(branch="week-12", head_repo=BASE)  # a branch in the course repo itself
    sim.fk.add_pull(BASE, 3, head_sha=SHA, head_branch="week-12", head_repo=BASE)
    sim.evaluate_run(payload)
    assert "posted: comment" in ok(sim.report(payload))
    assert len(sim.bot_comments(3)) == 1 and len(sim.statuses()) == 1 and len(sim.fk.check_runs) == 1


# ---------------------------------------------------------------- attacks


def test_shell_metacharacters_in_branch_and_title_are_data(sim):
    branch = "x$(touch PWNED1);touch PWNED2`touch PWNED3`'\"$IFS${{ github.token }}"
    title = "$(touch PWNED4) `touch PWNED5` ${{ secrets.HIDDEN_LABELS }} <!-- roadmap-ci:tabular-classification -->"
    payload = event(branch=branch)
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch=branch, head_repo="learner/course", title=title)
    sim.evaluate_run(payload)
    assert "posted: comment" in ok(sim.report(payload))
    assert len(sim.bot_comments(7)) == 1
    (pulls,) = [r for r in sim.fk.requests if r.path.endswith("/pulls")][:1]
    assert pulls.query["head"] == f"learner:{branch}"  # reached the API byte for byte, as a query parameter
    assert not list(sim.tmp.rglob("PWNED*")) and not list(Path.cwd().glob("PWNED*"))


def test_forged_pr_number_posts_only_on_the_learners_own_pr(sim):
    # the victim's PR has the same branch name; the payload and the evidence both name it
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    sim.fk.add_pull(BASE, 99, head_sha=NEW_SHA, head_branch="feature", head_repo="victim/course")
    payload = event(pull_requests=[{"number": 99, "head": {"sha": NEW_SHA}}])
    sim.evaluate_run(payload, artifact(ref="refs/pull/99/merge", repo="victim/course", learner="victim"))
    assert sim.report_here(payload).posted == "comment"
    assert len(sim.bot_comments(7)) == 1
    assert sim.fk.comments(BASE, 99) == [] and sim.fk.statuses(BASE, NEW_SHA) == []
    assert all("/issues/99/" not in w for w in sim.writes())
    ev = sim.out("evidence.json")
    assert (ev["repo"], ev["learner"], ev["ref"]) == ("learner/course", "learner", "feature")


def test_forged_comment_marker_in_learner_text_never_becomes_ours(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    learner = sim.fk.account("learner")
    forged_body = f"{MARK}\n## Score: 22/22 (passed)"
    (forged,) = sim.fk.add_comments(BASE, 7, 1, user=learner, body=forged_body)
    hostile = [{"id": f"tests/test_x.py::test_{MARK}", "outcome": "failed", "message": f"{MARK} -->@mentor-mona"},
               {"id": "tests/test_y.py::test_ok", "outcome": "passed", "message": MARK}]
    payload = event()
    sim.evaluate_run(payload, artifact(tests={"status": "failed", "cases": hostile}))
    for _ in range(2):
        assert sim.report_here(payload).posted == "comment"
    comments = sim.fk.comments(BASE, 7)
    assert len(comments) == 2
    assert comments[0]["id"] == forged["id"] and comments[0]["body"] == forged_body + " 0"  # untouched
    (ours,) = sim.bot_comments(7)
    assert ours["body"].count("<!--") == 1 and ours["body"].startswith(MARK)  # learner text is escaped
    assert "@mentor-mona" not in ours["body"]
    edits = [w for w in sim.writes() if w.startswith(("PATCH", "DELETE"))]
    assert all(w.endswith(f"/issues/comments/{ours['id']}") for w in edits)


def test_head_sha_moved_posts_nothing_for_the_stale_run(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    sim.fk.move_head(BASE, 7, NEW_SHA)  # force-push while the stale run's report is queued
    out = sim.report_here(payload)
    assert out.posted == "nothing" and out.reason.startswith("stale run")
    assert sim.writes() == [] and sim.fk.count("GET", r"/artifacts") == 0
    assert sim.fk.comments(BASE, 7) == [] and sim.fk.check_runs == {}


def test_claimed_perfect_hidden_score_follows_the_predictions(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    claimed = {"public.accuracy": 1.0, "public.f1": 1.0, "private.accuracy": 1.0, "private.f1": 1.0}
    payload = event()
    sim.evaluate_run(payload, artifact(POOR_PREDS, hidden=claimed))
    assert sim.report_here(payload).posted == "comment"
    (status,) = sim.statuses()
    assert status["state"] == "failure" and status["description"].startswith("2/22 points")
    (run,) = sim.fk.check_runs.values()
    assert run["conclusion"] == "failure"
    points = {c["id"]: c["points"] for c in sim.out("scorecard.json")["criteria"]}
    assert points["hidden-accuracy"] == 0 and points["hidden-f1"] == 0
    assert sim.out("evidence.json")["hidden"]["public.accuracy"] == 0.0
    (ours,) = sim.bot_comments(7)
    assert "22/22" not in ours["body"] and "2/22" in ours["body"]


def _within_one_utc_day(seconds: float = 120) -> None:
    """The daily limit counts today's (UTC) marks: don't start a two-run scenario just before midnight."""
    import time
    from datetime import UTC, timedelta

    now = datetime.now(UTC)
    left = (now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1) - now).total_seconds()
    if left < seconds:
        time.sleep(left + 1)


def _commit(fk: FakeGitHub, repo: str, sha: str, parent: str | None) -> dict:
    """A commit as GET /repos/{repo}/commits lists it."""
    who = {"name": "Learner", "email": "learner@example.com", "date": "2026-11-01T10:00:00Z"}
    api = f"{fk.url}/repos/{repo}"
    return {"sha": sha, "node_id": f"C_{sha[:8]}", "url": f"{api}/commits/{sha}",
            "html_url": f"https://github.example/{repo}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {"author": who, "committer": who, "message": "work", "comment_count": 0,
                       "url": f"{api}/git/commits/{sha}",
                       "tree": {"sha": "f" * 40, "url": f"{api}/git/trees/{'f' * 40}"},
                       "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None}},
            "author": None, "committer": None,
            "parents": [] if parent is None else [{"sha": parent, "url": f"{api}/commits/{parent}",
                                                   "html_url": f"https://github.example/{repo}/commit/{parent}"}]}


def test_daily_limit_counts_marks_on_the_ledger_commit_whatever_happens_to_runs_and_prs(sim):
    _within_one_utc_day()
    sim.rubric.write_text(RUBRIC.replace("  metrics: [accuracy, f1]", "  metrics: [accuracy, f1]\n  daily_limit: 2"))
    root, middle = "e" * 40, "d" * 40
    history = [_commit(sim.fk, BASE, SHA, middle), _commit(sim.fk, BASE, middle, root),
               _commit(sim.fk, BASE, root, None)]
    sim.fk.route("GET", rf"/repos/{BASE}/commits", lambda req, me: sim.fk._page(req, history))
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    first = event()
    sim.evaluate_run(first)
    assert sim.report_here(first).posted == "comment"
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    ledger = ledger_context("learner", today)
    (mark,) = sim.statuses(root, context=ledger)  # found through the commits listing's last page
    assert mark["state"] == "success" and mark["creator"]["login"] == sim.fk.bot["login"]
    assert sim.statuses(SHA, context=ledger) == []
    # a re-run of the same run id on the same commit: counted again
    assert sim.report_here(first).posted == "comment"
    assert len(sim.statuses(root, context=ledger)) == 2
    # every workflow run deleted, a new commit on the PR: the limit is still used up
    sim.fk.workflow_runs.clear()
    sim.fk.move_head(BASE, 7, NEW_SHA)
    second = event(sha=NEW_SHA, run_id=RUN_ID + 1)
    sim.evaluate_run(second, artifact(commit=NEW_SHA))
    assert sim.report_here(second).posted == "comment"
    assert len(sim.statuses(root, context=ledger)) == 2  # no feedback given, so none counted
    reason = next(c["reason"] for c in sim.out("scorecard.json")["criteria"] if c["id"] == "hidden-accuracy")
    assert "daily limit of 2 hidden-label scores is used up" in reason
    assert len(sim.bot_comments(7)) == 1


def test_reports_are_on_disk_when_posting_is_refused(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    sim.fk.fail("POST", r"/statuses/", status=403, times=5, message="Resource not accessible by integration")
    proc = sim.report(payload)
    assert proc.returncode != 0 and "statuses: write" in proc.stderr
    assert "Traceback" not in proc.stderr
    out = sim.job() / "rt" / "roadmap-ci-report" / "out"
    assert (out / "report.md").read_text().startswith(MARK) and (out / "scorecard.json").is_file()
    assert sim.fk.count("POST", r"/statuses/") == 1, "a permission 403 is not retried"


# ---------------------------------------------------------------- reads: shapes and retries (in process)


def test_fake_payloads_have_githubs_full_shapes(sim):
    from github3.pulls import ShortPullRequest
    from github3.repos.status import Status

    from roadmap_ci.publish.client import GitHubClient

    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    sim.fk.add_workflow_run(BASE, RUN_ID, head_sha=SHA, head_repo="learner/course")
    client = GitHubClient(sim.fk.installation_token, sim.fk.url)
    client.set_status(BASE, SHA, "x", "success", "ok")
    reader = Reader(client.session)
    (raw,) = reader.json("list", f"{sim.fk.url}/repos/{BASE}/pulls", {"head": "learner:feature"})
    pr = ShortPullRequest(raw, client.session)  # raises IncompleteResponse on a missing key
    assert (pr.number, pr.head.sha, pr.head.repository.full_name) == (7, SHA, "learner/course")
    assert pr.url.startswith(sim.fk.url) and pr.head.repository.url.startswith(sim.fk.url)
    (st,) = reader.json("list", f"{sim.fk.url}/repos/{BASE}/commits/{SHA}/statuses")
    assert Status(st, client.session).creator.login == "github-actions[bot]"
    runs = reader.json("list", f"{sim.fk.url}/repos/{BASE}/actions/runs")["workflow_runs"]
    assert runs[0]["head_repository"]["owner"]["login"] == "learner" and runs[0]["pull_requests"] == []


def test_reads_wait_for_rate_limits_and_back_off_on_5xx(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    clock = Clock()
    sim.fk.fail("GET", r"/pulls$", status=503)
    sim.fk.fail("GET", r"/artifacts$", status=429, headers={"Retry-After": "7"})
    reset = str(int(clock.now) + 30)
    sim.fk.fail("GET", r"/artifacts/\d+/zip$", status=403, message="API rate limit exceeded",
                headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    sim.fk.fail("GET", r"^/_blobs/", status=500)
    out = sim.report_here(payload, clock)
    assert out.posted == "comment" and len(sim.bot_comments(7)) == 1
    # backoff after the 503; Retry-After; until x-ratelimit-reset (30 s after the start, 8 s already slept,
    # +1 s margin); then storage's 500 is the download's second failure: backoff 2 s
    assert clock.sleeps == [1.0, 7.0, 23.0, 2.0]
    assert sim.fk.count("GET", r"^/_blobs/") == 2


def test_a_permission_403_on_a_read_fails_at_once_with_the_missing_permission(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    sim.fk.fail("GET", r"/artifacts$", status=403, message="Resource not accessible by integration")
    clock = Clock()
    with pytest.raises(GitHubError, match="actions: read"):
        sim.report_here(payload, clock)
    assert clock.sleeps == [] and sim.fk.count("GET", r"/artifacts$") == 1 and sim.writes() == []


def test_head_moving_while_scoring_posts_nothing(sim, monkeypatch):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    real_score = __import__("roadmap_ci.score.scoring", fromlist=["score"]).score

    def score_then_push(*args: Any, **kwargs: Any) -> Any:
        card = real_score(*args, **kwargs)
        sim.fk.move_head(BASE, 7, NEW_SHA)  # the learner pushed while this run was scoring
        return card

    monkeypatch.setattr("roadmap_ci.score.scoring.score", score_then_push)
    out = sim.report_here(payload)
    assert out.posted == "nothing" and "stale run" in out.reason
    assert sim.writes() == []  # a stale run posts nothing, counts nothing and writes nothing the learner reads
    assert not (sim.job() / "rt" / "roadmap-ci-report" / "out").exists()


# ---------------------------------------------------------------- labels from the mentor's rubrics checkout


def test_labels_read_from_the_rubrics_checkout_score_the_hidden_criteria(sim):
    """`cohort apply` with `rubrics:` points the report job at labels/<deliverable>/<seat>.csv in the checked-out
    rubrics repository: the same score as the labels secret gives."""
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    out = ok(sim.report(payload, ["--labels-path", "labels/churn/learner.csv"],
                        {"roadmap-ci-rubrics/labels/churn/learner.csv": LABELS}))
    assert "posted: comment" in out
    card = sim.out("scorecard.json")
    assert card["labels"] == "course"
    assert sim.out("evidence.json")["hidden"]["public.accuracy"] == 1.0
    via_secret = ok(sim.report(payload))  # the same predictions scored with the labels file given directly
    assert via_secret.splitlines()[0] == out.splitlines()[0]


@pytest.mark.parametrize("path, says", [
    ("/etc/passwd", "the hidden labels path '/etc/passwd' is absolute"),
    ("../../mentor/labels.csv", "the hidden labels path '../../mentor/labels.csv' leaves the rubrics repository"),
    ("labels/churn/nobody.csv", "the hidden labels file 'labels/churn/nobody.csv' is not in the rubrics repository"),
    ("labels/out.csv", "the hidden labels path 'labels/out.csv' leads out of the rubrics repository"),
])
def test_a_labels_path_that_is_absolute_climbs_out_or_is_missing_is_an_error_status_in_one_line(sim, path, says):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    ws: dict[str, str | Path] = {"roadmap-ci-rubrics/labels/churn/learner.csv": LABELS,
                                 # a link in the checkout that points at a file outside it
                                 "roadmap-ci-rubrics/labels/out.csv": sim.rubric.parent / "labels.csv"}
    proc = sim.report(payload, ["--labels-path", path], ws)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("posted:")]
    assert line.startswith(f"posted: error ({says}") and "vars.ROADMAP_CI_" in line, proc.stdout
    (status,) = sim.statuses()
    assert status["state"] == "error" and status["description"].startswith("could not score: the hidden labels")
    assert sim.bot_comments(7) == [] and not [r for r in sim.fk.check_runs.values()]  # nothing scored


def test_a_labels_path_without_a_rubrics_checkout_names_the_variable(sim):
    sim.fk.add_pull(BASE, 7, head_sha=SHA, head_branch="feature", head_repo="learner/course")
    payload = event()
    sim.evaluate_run(payload)
    proc = sim.report(payload, ["--labels-path", "labels/churn/learner.csv"])
    assert proc.returncode == 1
    assert "no rubrics repository is checked out (vars.ROADMAP_CI_RUBRICS_REPOSITORY)" in proc.stdout
