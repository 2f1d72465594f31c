"""cohort collect against the fake GitHub: a cohort of 50 learners with every case a deadline brings (on time,
late, after the cutoff, extended, no run, no repo, an expired artifact re-run, a rejected artifact, copied
predictions), then cohort grade, checked against totals computed here from the cases themselves."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from testing.cohort_kit import artifact_zip, expected_points, predictions_csv, sha_of, write_cohort
from testing.fakegithub import FakeGitHub

from roadmap_ci.cohort import store

ORG = "ml-roadmap-2027"
DUE = datetime(2027, 1, 24, 23, 59, tzinfo=UTC)
CUTOFF = datetime(2027, 1, 31, 23, 59, tzinfo=UTC)
EXT_DUE = datetime(2027, 1, 27, 23, 59, tzinfo=UTC)


def at(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "roadmap_ci", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


def symlink_zip(login: str, sha: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evidence.json", json.dumps({"schema_version": 1, "deliverable": "tabular-classification"}))
        info = zipfile.ZipInfo("predictions.csv")
        info.external_attr = (0o120777 << 16)  # a symlink (to the mentor's files, say)
        z.writestr(info, "/etc/passwd")
    return buf.getvalue()


class Cohort:
    """Fifty learners, their runs and artifacts on the fake, and what each should get."""

    def __init__(self, gh: FakeGitHub, base: Path) -> None:
        self.gh = gh
        self.logins = [f"learner-{i:02d}" for i in range(50)]
        self.expect: dict[str, dict] = {}  # login -> {"status", "sha", "wrong", "late_days"}
        self.ids = iter(range(10_000, 99_999))
        extended = self.logins[40:43]
        self.file = write_cohort(base, self.logins, extensions=[
            {"learner": lg, "deliverable": "churn", "due": at(EXT_DUE)} for lg in extended])
        for i, lg in enumerate(self.logins):
            if lg != "learner-49":  # learner-49 has no repo
                full = f"{ORG}/churn-{lg}"
                gh.repos[full] = gh.repository(full)
            self._learner(i, lg)

    def run(self, lg: str, sha: str, created: datetime, *, event: str = "push", branch: str = "main",
            data: bytes | None = None, expired: bool = False) -> int:
        rid = next(self.ids)
        full = f"{ORG}/churn-{lg}"
        run = self.gh.add_workflow_run(full, rid, head_sha=sha, event=event, head_branch=branch,
                                       created_at=at(created))
        run["head_commit"]["timestamp"] = "2027-01-01T00:00:00Z"  # the learner writes any commit date
        if data is not None:
            self.gh.add_artifact(full, rid, "roadmap-ci-evidence", data, head_sha=sha, expired=expired)
        return rid

    def _learner(self, i: int, lg: str) -> None:
        wrong = (i % 5, i % 7)
        preds = predictions_csv(*wrong, shift=i)
        early, final = sha_of(lg, "early"), sha_of(lg, "final")
        if i == 49:  # no repo
            self.expect[lg] = {"status": store.NO_REPO}
            return
        # an earlier push, graded never (a later one exists before due)
        self.run(lg, early, DUE - timedelta(days=5), data=artifact_zip(lg, early, predictions_csv(19, 19)))
        if i < 28 or i in (45, 46, 47, 48):  # on time (45-48: copied predictions, two pairs)
            if i in (45, 46):
                preds, wrong = predictions_csv(3, 3, shift=1), (3, 3)
            if i in (47, 48):
                preds, wrong = predictions_csv(6, 2, shift=4), (6, 2)
            self.run(lg, final, DUE - timedelta(hours=i % 24 + 1), data=artifact_zip(lg, final, preds))
            # after the cutoff, on a branch, for a PR: none of these is graded
            self.run(lg, sha_of(lg, "after"), CUTOFF + timedelta(hours=1), data=artifact_zip(lg, final, preds))
            self.run(lg, sha_of(lg, "pr"), DUE - timedelta(minutes=5), event="pull_request",
                     data=artifact_zip(lg, final, preds))
            self.run(lg, sha_of(lg, "branch"), DUE - timedelta(minutes=5), branch="wip",
                     data=artifact_zip(lg, final, preds))
            self.expect[lg] = {"status": store.COLLECTED, "sha": final, "wrong": wrong, "late_days": 0}
        elif i < 35:  # late: 1..7 started days after due, before the cutoff
            days = i - 27
            created = DUE + timedelta(days=days - 1, hours=3)
            self.run(lg, final, created, data=artifact_zip(lg, final, preds))
            self.expect[lg] = {"status": store.COLLECTED, "sha": final, "wrong": wrong, "late_days": days}
        elif i < 38:  # every push after the cutoff (the early push below is removed)
            self.gh.workflow_runs[f"{ORG}/churn-{lg}"].clear()
            self.run(lg, final, CUTOFF + timedelta(minutes=1), data=artifact_zip(lg, final, preds))
            self.expect[lg] = {"status": store.AFTER_CUTOFF}
        elif i < 40:  # a repo and no evaluation at all
            self.gh.workflow_runs[f"{ORG}/churn-{lg}"].clear()
            self.expect[lg] = {"status": store.NO_RUN}
        elif i < 43:  # extended to EXT_DUE: after the general due, on time for them
            self.run(lg, final, EXT_DUE - timedelta(hours=2), data=artifact_zip(lg, final, preds))
            self.expect[lg] = {"status": store.COLLECTED, "sha": final, "wrong": wrong, "late_days": 0}
        elif i == 43:  # the graded run's artifact expired (retention)
            rid = self.run(lg, final, DUE - timedelta(hours=1), data=artifact_zip(lg, final, preds), expired=True)
            self.expect[lg] = {"status": store.EXPIRED, "sha": final, "wrong": wrong, "late_days": 0, "run": rid,
                               "preds": preds}
        else:  # 44: an artifact ci-report would reject (a symlink entry)
            self.run(lg, final, DUE - timedelta(hours=1), data=symlink_zip(lg, final))
            self.expect[lg] = {"status": store.REJECTED}

    def graded(self) -> dict[str, float]:
        """The final points of every learner that should be in the gradebook: 10 × accuracy per split, then
        10 % of the 20 points per started day late, at most 30 %."""
        out = {}
        for lg, e in self.expect.items():
            if e["status"] == store.COLLECTED:
                raw = expected_points(*e["wrong"])
                out[lg] = round(raw - min(10 * e["late_days"], 30) / 100 * 20, 4)
        return out


@pytest.fixture
def fake():
    with FakeGitHub() as gh:
        yield gh


def api_calls(gh: FakeGitHub) -> int:
    return sum(1 for r in gh.requests if not r.path.startswith("/_blobs/"))


def test_collect_a_cohort_at_the_deadline_then_grade(fake, tmp_path):
    c = Cohort(fake, tmp_path)
    env = {"GITHUB_TOKEN": fake.user_token, "GITHUB_API_URL": fake.url}
    fake.fail("GET", r"/actions/runs$", status=403, headers={"Retry-After": "0", "X-RateLimit-Remaining": "0"},
              message="You have exceeded a secondary rate limit")  # one learner's listing waits and is retried
    r = cli("cohort", "collect", "churn", "-c", str(c.file), env=env)
    assert r.returncode == 1, r.stderr  # some learners have no graded commit
    cold = api_calls(fake)
    assert cold <= 3 * 50 + 2, cold  # ≤ 3 per learner (+ the rate-limited try, + one expired-artifact look)
    status = store.read_status(tmp_path / "cohort" / "churn")
    for lg, e in c.expect.items():
        assert status[lg]["status"] == e["status"], (lg, status[lg])
        if e["status"] == store.COLLECTED:
            folder = tmp_path / "cohort" / "churn" / lg / e["sha"]
            prov = json.loads((folder / "provenance.json").read_text())
            assert prov["late"] == (e["late_days"] > 0) and prov["sha"] == e["sha"]
            assert sorted(p.name for p in folder.iterdir()) == ["evidence.json", "predictions.csv", "provenance.json"]
            assert [p.name for p in folder.parent.iterdir()] == [e["sha"]]
    for lg in ("learner-35", "learner-38", "learner-43", "learner-44", "learner-49"):
        assert f"churn/{lg}: {c.expect[lg]['status']}: " in r.stderr
    assert "symlink" in status["learner-44"]["reason"]
    assert "expired" in status["learner-43"]["reason"]
    assert not (tmp_path / "cohort" / "churn" / "learner-44").exists()
    # the storage redirect never saw the token
    assert all(q.token is None for q in fake.requests if q.path.startswith("/_blobs/"))

    # warm: nothing new is downloaded, one conditional request per learner with a repo
    fake.reset_log()
    r2 = cli("cohort", "collect", "churn", "-c", str(c.file), env=env)
    assert api_calls(fake) <= 50 + 1, [q.path for q in fake.requests]
    assert "0 downloaded now" in r2.stdout
    assert fake.count("GET", r"/zip$") == 0 and fake.count("GET", r"/actions/runs$", status=304) >= 40

    # a mistyped --branch: no learner has a run there, where the last collect found graded commits -- one line,
    # and the status file keeps what it said (it turned everyone into no-run while their folders stayed)
    before = (tmp_path / "cohort" / "churn" / "_collect.json").read_bytes()
    typo = cli("cohort", "collect", "churn", "-c", str(c.file), "--branch", "mian", env=env)
    assert typo.returncode == 1 and typo.stderr.strip().startswith(
        "error: no learner of churn has a run of .github/workflows/roadmap-ci.yml on a push to 'mian', where the "
        "last collect found "), typo.stderr
    assert (tmp_path / "cohort" / "churn" / "_collect.json").read_bytes() == before

    # the expired artifact: --rerun asks GitHub to evaluate the commit again, and the next collect has it
    r3 = cli("cohort", "collect", "churn", "-c", str(c.file), "--rerun", env=env)
    e43 = c.expect["learner-43"]
    assert fake.reruns == [(f"{ORG}/churn-learner-43", e43["run"])]
    assert "re-run of run" in r3.stdout and "collect again" in r3.stdout
    fake.finish_rerun(f"{ORG}/churn-learner-43", e43["run"], artifact_zip("learner-43", e43["sha"], e43["preds"]))
    cli("cohort", "collect", "churn", "-c", str(c.file), env=env)
    assert store.read_status(tmp_path / "cohort" / "churn")["learner-43"]["status"] == store.COLLECTED
    e43["status"] = store.COLLECTED

    g = cli("cohort", "grade", "churn", "-c", str(c.file), env=env)
    assert g.returncode == 0, g.stderr
    with (tmp_path / "grades" / "gradebook.csv").open(newline="") as fh:
        book = {row["github"]: row for row in csv.DictReader(fh)}
    want = c.graded()
    assert len(want) == 28 + 4 + 7 + 3 + 1
    for lg in c.logins:
        if lg in want:
            assert float(book[lg]["churn"]) == pytest.approx(want[lg]), lg
        else:
            assert book[lg]["churn"] == "", lg
            assert "churn: missing (" in book[lg]["problems"]
    assert "after the cutoff" in book["learner-36"]["problems"]
    assert "no repo" in book["learner-49"]["problems"]
    assert sum(float(v["churn"]) for v in book.values() if v["churn"]) == pytest.approx(sum(want.values()))

    # the copied predictions are pairs to look at
    sim = cli("cohort", "similar", "churn", "-c", str(c.file), "--json", env=env)
    data = json.loads(sim.stdout)
    pairs = {(p["a"], p["b"]): p["kind"] for p in data["pairs"]}
    assert pairs[("learner-45", "learner-46")] == pairs[("learner-47", "learner-48")] == "identical files"
    right = [lg for lg, e in c.expect.items() if e["status"] == store.COLLECTED and e["wrong"] == (0, 0)]
    assert right and data["perfect_files"] == len(right)  # every row right: counted, never paired
    assert not any(a in right and b in right for a, b in pairs)


def test_a_push_evaluated_twice_keeps_the_later_run_and_replaces_a_superseded_commit(fake, tmp_path):
    f = write_cohort(tmp_path, ["ada"])
    full = f"{ORG}/churn-ada"
    fake.repos[full] = fake.repository(full)
    a, b = sha_of("a"), sha_of("b")
    fake.add_workflow_run(full, 1, head_sha=a, event="push", head_branch="main",
                          created_at=at(DUE - timedelta(days=1)))
    fake.add_artifact(full, 1, "roadmap-ci-evidence", artifact_zip("ada", a, predictions_csv(0, 0)), head_sha=a)
    env = {"GITHUB_TOKEN": fake.user_token, "GITHUB_API_URL": fake.url}
    assert cli("cohort", "collect", "churn", "-c", str(f), env=env).returncode == 0
    fake.add_workflow_run(full, 2, head_sha=b, event="push", head_branch="main",
                          created_at=at(DUE - timedelta(hours=1)))
    fake.add_artifact(full, 2, "roadmap-ci-evidence", artifact_zip("ada", b, predictions_csv(1, 1)), head_sha=b)
    r = cli("cohort", "collect", "churn", "-c", str(f), env=env)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in (tmp_path / "cohort" / "churn" / "ada").iterdir()] == [b]


def test_unknown_deliverable_and_bad_concurrency_are_one_line(fake, tmp_path):
    f = write_cohort(tmp_path, ["ada"])
    env = {"GITHUB_TOKEN": fake.user_token, "GITHUB_API_URL": fake.url}
    r = cli("cohort", "collect", "nope", "-c", str(f), env=env)
    assert r.returncode == 1 and "no deliverable 'nope'" in r.stderr and "Traceback" not in r.stderr
    r = cli("cohort", "collect", "churn", "-c", str(f), "--concurrency", "50", env=env)
    assert r.returncode == 1 and "between 1 and 8" in r.stderr


def test_collect_sweeps_what_a_killed_run_left_and_its_next_hint_pastes(fake, tmp_path):
    import os
    import shlex
    import time

    f = write_cohort(tmp_path, ["ada"])
    env = {"GITHUB_TOKEN": fake.user_token, "GITHUB_API_URL": fake.url}
    store_dir = tmp_path / "my store"
    tmp_root = store_dir / "churn" / "_tmp"
    (tmp_root / "ada-killed").mkdir(parents=True)  # a kill -9 mid-download leaves its folder behind
    (tmp_root / "ada-killed" / "a.zip").write_bytes(b"PK")
    old = time.time() - 3600
    os.utime(tmp_root / "ada-killed", (old, old))
    (tmp_root / "ada-running").mkdir()  # fresh: maybe another collect's, left alone
    r = cli("cohort", "collect", "churn", "-c", str(f), "--store", str(store_dir), env=env)
    assert r.returncode == 1, r.stderr  # ada has no graded commit
    assert sorted(p.name for p in tmp_root.iterdir()) == ["ada-running"]
    hint = r.stdout.strip().splitlines()[-1].split("next: ", 1)[1]
    assert shlex.split(hint) == ["roadmap-ci", "cohort", "grade", "churn", "-c", str(f), "--store", str(store_dir)]


def test_the_graded_run_behind_a_page_of_later_pushes(fake, tmp_path):
    f = write_cohort(tmp_path, ["ada"])
    full = f"{ORG}/churn-ada"
    fake.repos[full] = fake.repository(full)
    good = sha_of("good")
    fake.add_workflow_run(full, 1, head_sha=good, event="push", head_branch="main",
                          created_at=at(DUE - timedelta(hours=3)))
    fake.add_artifact(full, 1, "roadmap-ci-evidence", artifact_zip("ada", good, predictions_csv(0, 0)), head_sha=good)
    for i in range(130):  # a storm of pushes after the cutoff: more than a page of 100
        fake.add_workflow_run(full, 100 + i, head_sha=sha_of("late", i), event="push", head_branch="main",
                              created_at=at(CUTOFF + timedelta(minutes=i + 1)))
    env = {"GITHUB_TOKEN": fake.user_token, "GITHUB_API_URL": fake.url}
    r = cli("cohort", "collect", "churn", "-c", str(f), env=env)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in (tmp_path / "cohort" / "churn" / "ada").iterdir()] == [good]
    assert fake.count("GET", r"/actions/runs$") == 2  # two pages, no more
