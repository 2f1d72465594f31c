"""`cohort plan` / `cohort apply` against the fake GitHub: real requests, real git smart HTTP, real PyNaCl.

What a mentor relies on: every learner gets a private repo with their starter, an invitation with write (never
admin), a protected default branch, the pinned rubric and the hidden labels as an environment secret; a second
apply writes nothing; faults, lost answers and a kill -9 never make a duplicate.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from testing.common import FUZZ_LONG, ROOT
from testing.fakegithub import FakeGitHub

from roadmap_ci.cohort.apply import ENVIRONMENT, LABELS_SECRET, RULESET_NAME, Engine
from roadmap_ci.cohort.model import load_cohort
from roadmap_ci.github.client import Client, EtagCache
from roadmap_ci.github.secrets import unpack_labels
from roadmap_ci.publish.retry import Retrying

ORG = "ml-2027"
LOGINS = ["ada-l", "grace-h", "alan-t"]
# the deliverable most tests provision: its rubric scores hidden labels, and its practice labels (14 KB) fit a
# secret with room to spare whatever the sizes of the tabular templates' test sets
TEMPLATE = "time-series"


def rubric_version(template: str) -> str:
    import yaml

    return str(yaml.safe_load((ROOT / "rubrics" / f"{template}.yaml").read_text())["version"])


def write_cohort(tmp: Path, logins: list[str] = LOGINS, *, extra_rows: str = "", template: str = TEMPLATE) -> Path:
    (tmp / "roster.csv").write_text("github,name,email,lms_id,section\n" + "".join(
        f"{g},Learner {i},{g}@example.edu,{100 + i},A\n" for i, g in enumerate(logins)) + extra_rows)
    (tmp / "cohort.yaml").write_text(f"""\
version: 1
organisation: {ORG}
roster: roster.csv
mentors: mentors
deliverables:
  - id: churn
    template: {template}
    opens: 2027-01-11T09:00:00+01:00
    due: 2027-01-24T23:59:00+01:00
    cutoff: 2027-01-31T23:59:00+01:00
    rubric: {{id: {template}, version: "{rubric_version(template)}"}}
""")
    return tmp / "cohort.yaml"


def fake(members: tuple[str, ...] = ()) -> FakeGitHub:
    fk = FakeGitHub()
    fk.add_org(ORG, members=members)
    fk.add_users(*LOGINS)
    return fk


def engine(fk: FakeGitHub, cohort: Path, **kw) -> Engine:
    state = cohort.parent / ".roadmap-ci"
    retry = Retrying(sleep=lambda s: None, max_tries=kw.pop("max_tries", 5))
    client = Client(fk.url, fk.user_token, pause_s=0.0, retrying=retry, cache=EtagCache(state / "etags.json"),
                    sleep=lambda s: None, timeout=kw.pop("timeout", (4.0, 20.0)))
    return Engine(load_cohort(cohort), client, state)


def run_apply(fk: FakeGitHub, cohort: Path, *, now=None, **kw):
    eng = engine(fk, cohort, **kw)
    eng.now = now  # the clock provision_ahead_days reads (None: the real one)
    try:
        eng.preflight()
        plans = eng.plan()
        eng.check_learners(plans)
        result = eng.apply(plans)
    finally:
        eng.close()
    return eng, result


def assert_converged(fk: FakeGitHub, logins: list[str] = LOGINS, members: tuple[str, ...] = ()) -> None:
    labels = (ROOT / "labels" / f"{TEMPLATE}.csv").read_bytes()
    for g in logins:
        full = f"{ORG}/churn-{g}"
        repo = fk.repos[full]
        assert repo["private"] is True
        assert len(fk.pushes[full]) == 1  # one push per repo, ever
        owners = fk.repo_file(full, ".github/CODEOWNERS").decode()
        assert f"/.github/ @{ORG}/mentors" in owners
        assert fk.repo_file(full, "dvc.yaml") is not None and fk.repo_file(full, "params.yaml") is not None
        # the labels go to the mentor's side, never into the repo
        tree = subprocess.run(["git", "ls-tree", "-r", "--name-only", "main"], cwd=repo["_bare"],
                              capture_output=True, text=True, check=True).stdout
        assert "labels" not in tree.split("\n") and not any(p.endswith(f"{TEMPLATE}.csv")
                                                              for p in tree.split())
        if g in members:
            assert fk.collaborators[full] == {g: "push"} and not fk.invitations.get(full)
        else:
            (inv,) = fk.invitations[full]
            assert inv["invitee"]["login"] == g and inv["permissions"] == "write"
        (rs,) = fk.rulesets[full]
        assert rs["name"] == RULESET_NAME and rs["enforcement"] == "active"
        assert {r["type"] for r in rs["rules"]} == {"deletion", "non_fast_forward", "pull_request"}
        assert rs["rules"][2]["parameters"]["require_code_owner_review"] is True
        assert {k: v["value"] for k, v in fk.variables[full].items()} == {
            "ROADMAP_CI_RUBRIC": TEMPLATE, "ROADMAP_CI_RUBRIC_VERSION": rubric_version(TEMPLATE),
            "ROADMAP_CI_REPORT_ENVIRONMENT": ENVIRONMENT, "ROADMAP_CI_LEDGER_SHA": starter_sha(fk, full)}
        env = fk.environments[full][ENVIRONMENT]
        assert env["deployment_branch_policy"] == {"protected_branches": False, "custom_branch_policies": True}
        assert [(p["name"], p["type"]) for p in env["policies"]] == [("main", "branch")]
        # decrypted by the fake's private key (packed when over 48 KB, as ci-report reads it)
        assert unpack_labels(fk.secret_value(full, LABELS_SECRET, ENVIRONMENT)) == labels
    # no create was ever repeated for a repo that exists (GitHub would answer 422), and no stray repo
    assert fk.count("POST", rf"^/orgs/{ORG}/repos$", status=422) == 0
    assert sorted(fk.repos) == sorted(f"{ORG}/churn-{g}" for g in logins)


def starter_sha(fk, full: str) -> str:
    """The first commit of the repo's default branch on the fake (the daily-limit ledger's commit)."""
    out = subprocess.run(["git", "rev-list", "--max-parents=0", "main"], cwd=fk.repos[full]["_bare"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 1
    return out[0]


def test_apply_provisions_every_learner_and_a_second_apply_writes_nothing(tmp_path):
    cohort = write_cohort(tmp_path)
    with fake(members=("alan-t",)) as fk:
        eng, result = run_apply(fk, cohort)
        assert result.failures == []
        assert_converged(fk, members=("alan-t",))
        first = eng.client.counters
        # per learner x deliverable: 1 repo + 1 push + 1 invite + 1 ruleset + 4 variables + env + policy + secret
        assert first.writes == 11 * len(LOGINS)
        journal = [json.loads(line) for line in (tmp_path / ".roadmap-ci" / "journal.jsonl").open()]
        assert sum(1 for r in journal if r["event"] == "done") == 11 * len(LOGINS)
        assert {r["event"] for r in journal} == {"begin", "done"}
        assert (tmp_path / ".roadmap-ci" / "labels" / "churn" / "ada-l.csv").stat().st_mode & 0o077 == 0
        # the token went to git in a header only: never in a URL, and nothing on disk holds it
        pushes = [r for r in fk.requests if r.path.endswith("/git-receive-pack")]
        assert len(pushes) == len(LOGINS) and all(r.token == fk.user_token for r in pushes)
        assert all("@" not in r.path for r in fk.requests)
        for f in (tmp_path / ".roadmap-ci").rglob("*"):
            assert not f.is_file() or fk.user_token.encode() not in f.read_bytes(), f

        fk.reset_log()
        eng2, result2 = run_apply(fk, cohort)
        assert result2.failures == [] and fk.writes() == [] and eng2.client.counters.writes == 0
        per_seat = [r for r in fk.requests if r.path.startswith(f"/repos/{ORG}/")]
        assert len(per_seat) <= 2 * len(LOGINS)
        assert all(r.status == 304 for r in per_seat)  # conditional reads: nothing changed, nothing counted


def test_plan_changes_nothing_and_names_every_change(tmp_path, monkeypatch):
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        monkeypatch.setenv("GITHUB_TOKEN", fk.user_token)
        monkeypatch.setenv("GITHUB_API_URL", fk.url)
        from roadmap_ci.cli import main

        with pytest.raises(SystemExit) as exit_:
            main(["cohort", "plan", "-c", str(cohort), "--json"])
        assert exit_.value.code == 0
        assert fk.writes() == [] and fk.repos == {}
    # run through the CLI for its printed plan too
    with fake() as fk:
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "plan", str(cohort)], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert "churn/ada-l" in res.stdout and "create repo" in res.stdout and "invite ada-l" in res.stdout
        assert "3 repos: 33 writes (6 content-creating)" in res.stdout
        assert fk.writes() == []


def test_faults_and_lost_answers_converge_without_duplicates(tmp_path):
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        fk.fail("POST", rf"^/orgs/{ORG}/repos$", status=502, after=True)  # created, answer lost
        fk.fail("PUT", r"/collaborators/grace-h$", status=504, after=True)  # invited, answer lost
        fk.fail("POST", r"/rulesets$", status=500)
        fk.fail("POST", r"/actions/variables$", status=429, headers={"Retry-After": "2"})
        fk.fail("PUT", r"/environments/[^/]+$", status=403, message="You have exceeded a secondary rate limit.",
                headers={"Retry-After": "1"})
        fk.fail("POST", r"/deployment-branch-policies$", status=503, after=True)
        fk.fail("GET", r"/invitations$", status=None, delay=1.5)  # a read that times out
        eng, result = run_apply(fk, cohort, timeout=(4.0, 1.0))
        assert result.failures == []
        assert_converged(fk)
        assert eng.client.retrying.retries >= 6
        writes_before = len(fk.writes())
        eng2, _ = run_apply(fk, cohort)
        assert len(fk.writes()) == writes_before


def test_a_learner_who_is_not_on_github_is_reported_and_the_others_are_done(tmp_path):
    cohort = write_cohort(tmp_path, [*LOGINS, "no-such-person"])
    with fake() as fk:
        eng, result = run_apply(fk, cohort)
        assert [(label, line) for label, line in result.failures] == [
            ("churn/no-such-person", "roster.csv:5: 'no-such-person' is not a GitHub user (nothing was written "
                                     "for this seat)")]
        assert f"{ORG}/churn-no-such-person" not in fk.repos
        assert_converged(fk)


def test_apply_when_no_learner_is_on_github_fails_each_seat_and_exits_1(tmp_path):
    # every roster login mistyped (or GITHUB_API_URL at the wrong server): nothing to write, but not "done"
    cohort = write_cohort(tmp_path, ["no-such-a", "no-such-b"])
    with FakeGitHub() as fk:
        fk.add_org(ORG)
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        for cmd in ("plan", "apply"):
            args = ["-c", str(cohort), *(["--pause", "0"] if cmd == "apply" else [])]
            res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", cmd, *args], env=env,
                                 capture_output=True, text=True, timeout=120)
            assert res.returncode == 1, (cmd, res.stdout, res.stderr)
            assert "2 repos: nothing to change (2 held back: below)" in res.stdout, (cmd, res.stdout)
        assert res.stderr.splitlines() == [
            "churn/no-such-a: roster.csv:2: 'no-such-a' is not a GitHub user (nothing was written for this seat)",
            "churn/no-such-b: roster.csv:3: 'no-such-b' is not a GitHub user (nothing was written for this seat)",
            "2 of 2 repos not done; run apply again once fixed (what is done is kept)"]
        assert fk.writes() == []


def test_a_token_that_cannot_administer_the_organisation_writes_nothing(tmp_path, cli):
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        fk.orgs[ORG]["admins"].clear()
        fk.orgs[ORG]["members"].add(fk.human["login"])
        fk.scopes[fk.user_token] = "repo"
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "apply", "-c", str(cohort), "--pause", "0"],
                             env={**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url},
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 1
        lines = res.stderr.strip().splitlines()
        assert lines == ["error: the token lacks the scope(s) admin:org (it has: repo)",
                         f"{cohort}:2:15: organisation: the token's user mentor-mona cannot administer {ORG} "
                         "(role member, active); cohort apply needs an organisation owner's token"] or (
            lines[0].endswith("the token lacks the scope(s) admin:org (it has: repo)")
            and "cannot administer" in lines[1]), res.stderr
        assert fk.writes() == []


def test_a_deleted_repo_is_made_again_and_an_adopted_one_is_checked_not_duplicated(tmp_path):
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        run_apply(fk, cohort)
        del fk.repos[f"{ORG}/churn-ada-l"]  # a mentor deleted it by hand
        del fk.pushes[f"{ORG}/churn-ada-l"]
        for store in (fk.invitations, fk.rulesets, fk.variables, fk.environments):
            store.pop(f"{ORG}/churn-ada-l", None)
        fk.repos.pop(f"{ORG}/churn-ada-l", None)
        import shutil

        shutil.rmtree(Path(fk.git_root) / ORG / "churn-ada-l.git")
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        assert_converged(fk)
        # the state directory is lost: everything is adopted, checked, and nothing is written twice
        shutil.rmtree(tmp_path / ".roadmap-ci")
        before = len(fk.writes())
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        # only the secret is written again (its value cannot be read back to compare)
        assert [w.path.rsplit("/", 1)[-1] for w in fk.writes()[before:]] == [LABELS_SECRET] * len(LOGINS)
        assert_converged(fk)


def kill_points(tmp_path: Path) -> Sequence[int]:
    """Where `cohort apply` is killed, in journal lines: four spread over a run in `make test`; under `make fuzz`
    every line of a whole uninterrupted run."""
    if not FUZZ_LONG:
        return (1, 7, 19, 50)
    (tmp_path / "whole").mkdir()
    cohort = write_cohort(tmp_path / "whole")
    with fake() as fk:
        run_apply(fk, cohort)
    with (tmp_path / "whole" / ".roadmap-ci" / "journal.jsonl").open() as fh:
        return range(1, sum(1 for _ in fh) + 1)


@pytest.mark.slow
def test_kill_9_at_any_point_then_apply_finishes_without_duplicates(tmp_path):
    """`cohort apply` killed with SIGKILL after k journal lines, for several k; the next run finishes the job."""
    for k in kill_points(tmp_path):
        work = tmp_path / f"k{k}"
        work.mkdir()
        cohort = write_cohort(work)
        with fake() as fk:
            env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
            cmd = [sys.executable, "-m", "roadmap_ci", "cohort", "apply", "-c", str(cohort), "--pause", "0.05",
                   "--quiet"]
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            journal = work / ".roadmap-ci" / "journal.jsonl"
            while proc.poll() is None:
                if journal.is_file() and journal.read_text().count("\n") >= k:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
                time.sleep(0.002)
            proc.wait()
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
            assert res.returncode == 0, res.stderr
            assert_converged(fk)
            n = len(fk.writes())
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
            assert res.returncode == 0 and len(fk.writes()) == n and "0 writes" in res.stdout


def test_a_repo_github_keeps_failing_is_reported_the_others_are_done_and_the_next_apply_finishes(tmp_path):
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        fk.fail("POST", rf"^/repos/{ORG}/churn-grace-h/rulesets$", status=500, times=5)
        eng, result = run_apply(fk, cohort)
        assert [label for label, _ in result.failures] == ["churn/grace-h"] and result.exit_code == 2
        assert "gave up after 5 tries" in result.failures[0][1]
        assert f"{ORG}/churn-grace-h" not in fk.rulesets and len(fk.rulesets) == 2
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        assert_converged(fk)


def test_the_cohorts_artifact_retention_becomes_a_repository_variable(tmp_path):
    cohort = write_cohort(tmp_path)
    cohort.write_text(cohort.read_text().replace("mentors: mentors", "mentors: mentors\nartifact_retention_days: 60"))
    with fake(members=("alan-t",)) as fk:
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        for full in fk.repos:
            assert fk.variables[full]["ROADMAP_CI_ARTIFACT_RETENTION_DAYS"]["value"] == "60"
        # changed in cohort.yaml: the next apply updates the variable and nothing else
        cohort.write_text(cohort.read_text().replace("artifact_retention_days: 60", "artifact_retention_days: 90"))
        fk.reset_log()
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        assert {fk.variables[full]["ROADMAP_CI_ARTIFACT_RETENTION_DAYS"]["value"] for full in fk.repos} == {"90"}
        writes = {r.path for r in fk.requests if r.method != "GET"}
        assert writes and all(p.endswith("/actions/variables/ROADMAP_CI_ARTIFACT_RETENTION_DAYS")
                              or p.endswith("/actions/variables") for p in writes), writes


def test_a_deliverable_without_hidden_labels_gets_no_secret_and_re_applies_to_nothing(tmp_path):
    cohort = write_cohort(tmp_path, LOGINS[:1], template="math-foundations")
    with fake() as fk:
        eng, result = run_apply(fk, cohort)
        assert result.failures == [] and eng.client.counters.writes == 10
        assert not fk.secrets and fk.variables[f"{ORG}/churn-ada-l"]["ROADMAP_CI_RUBRIC"]["value"] == "math-foundations"
        eng2, _ = run_apply(fk, cohort)
        assert eng2.client.counters.writes == 0


def course_key(tmp_path: Path) -> Path:
    key = tmp_path.parent / f"{tmp_path.name}-course.key"  # outside the cohort folder, as a mentor keeps it
    key.write_text("0f" * 32 + "\n")
    return key


def with_secret(cohort: Path, key: Path) -> None:
    cohort.write_text(cohort.read_text().replace("mentors: mentors\n",
                                                 f"mentors: mentors\ncourse_secret_file: {key}\n"))


GRADING = f"{ORG}/grading"


def with_rubrics(cohort: Path, fk: FakeGitHub, *, make: bool = True) -> str:
    """The mentors' private rubrics repository on the fake and its read-only token in a file outside the cohort
    folder; cohort.yaml names both. The token (a bot with pull access) is what the report job will use."""
    token = fk.add_learner_token("grading-reader")
    if make:
        fk.add_repo(GRADING, readers=("grading-reader",))
    tfile = cohort.parent.parent / f"{cohort.parent.name}-grading.token"
    tfile.write_text(token + "\n")
    cohort.write_text(cohort.read_text().replace(
        "mentors: mentors\n", f"mentors: mentors\nrubrics: {{repository: {GRADING}, token_file: {tfile}}}\n"))
    return token


def grading_commits(fk: FakeGitHub, path: str | None = None) -> list[str]:
    if fk.branch_sha(GRADING) is None:
        return []
    return subprocess.run(["git", "rev-list", "main", *(["--", path] if path else [])], cwd=fk.repos[GRADING]["_bare"],
                          capture_output=True, text=True, check=True).stdout.split()


def test_with_a_course_secret_each_learner_gets_their_own_data_and_the_course_labels(tmp_path):
    """The starter is the template rendered with the course secret for that learner: their own rows and ids;
    the labels the report job reads (from the rubrics repository, at the commit the learner's repo pins) are the
    ones that render produced -- the course's, never the public practice ones. A second apply writes nothing."""
    from roadmap_ci.cohort.apply import RUBRICS_TOKEN_SECRET
    from roadmap_ci.cohort.starter import render_starter
    from roadmap_ci.seeding import read_secret

    cohort = write_cohort(tmp_path, LOGINS[:2], template="tabular-classification")
    key = course_key(tmp_path)
    with_secret(cohort, key)
    practice = (ROOT / "labels" / "tabular-classification.csv").read_bytes()
    with fake() as fk:
        token = with_rubrics(cohort, fk)
        eng, result = run_apply(fk, cohort)
        assert result.failures == []
        ids, tests = [], []
        loaded = load_cohort(cohort)
        for seat in loaded.seats():
            g, full = seat.key, f"{ORG}/{seat.repo}"
            # the labels, rendered again here for this seat, are what the rubrics repository holds at the pinned ref
            labels = render_starter(loaded, seat, tmp_path / "again" / g, secret=read_secret(key)).labels
            assert labels and labels != practice
            v = {k: x["value"] for k, x in fk.variables[full].items()}
            ref, path = v["ROADMAP_CI_RUBRICS_REF"], v["ROADMAP_CI_HIDDEN_LABELS_PATH"]
            assert v["ROADMAP_CI_RUBRICS_REPOSITORY"] == GRADING and path == f"labels/churn/{g}.csv"
            assert len(ref) == 40 and grading_commits(fk, path) == [ref]  # the commit that wrote them
            assert fk.repo_file(GRADING, path, ref=ref) == labels
            assert (tmp_path / ".roadmap-ci" / "labels" / "churn" / f"{g}.csv").read_bytes() == labels
            # the report job's read-only token sits in the default-branch-only environment; no labels secret
            assert fk.secret_value(full, RUBRICS_TOKEN_SECRET, ENVIRONMENT).decode() == token
            assert LABELS_SECRET not in fk.secrets.get((full, ENVIRONMENT), {})
            assert v["ROADMAP_CI_REPORT_ENVIRONMENT"] == ENVIRONMENT
            rows = labels.decode().splitlines()[1:]
            ids.append({r.split(",")[0] for r in rows})
            test_csv = fk.repo_file(full, "data/raw/test.csv").decode()
            tests.append(test_csv)
            assert {line.split(",")[0] for line in test_csv.splitlines()[1:]} == ids[-1]  # the repo's own rows
        assert not ids[0] & ids[1] and tests[0] != tests[1]
        assert len(grading_commits(fk)) == 2  # one commit per seat

        fk.reset_log()
        eng2, result2 = run_apply(fk, cohort)
        assert result2.failures == [] and fk.writes() == [] and eng2.client.counters.writes == 0

        # the state directory is lost: the labels are found unchanged (same git blob), nothing is committed; only
        # the token secret is written again (a secret cannot be read back to compare)
        import shutil

        shutil.rmtree(tmp_path / ".roadmap-ci")
        _, result3 = run_apply(fk, cohort)
        assert result3.failures == [] and len(grading_commits(fk)) == 2
        assert [w.path.rsplit("/", 1)[-1] for w in fk.writes()] == [RUBRICS_TOKEN_SECRET] * 2


def test_course_labels_packed_within_48_kb_still_go_into_the_environment_secret(tmp_path):
    """Without `rubrics:`, labels over 48 KB that xz + base64 brings under it travel in the secret (recsys: about
    235 KB of course labels for 2,000 test users, about 42 KB packed); ci-report unpacks them."""
    from roadmap_ci.github.secrets import PACKED, unpack_labels

    cohort = write_cohort(tmp_path, LOGINS[:1], template="recsys")
    with_secret(cohort, course_key(tmp_path))
    with fake() as fk:
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        full = f"{ORG}/churn-ada-l"
        sealed = fk.secret_value(full, LABELS_SECRET, ENVIRONMENT)
        kept = (tmp_path / ".roadmap-ci" / "labels" / "churn" / "ada-l.csv").read_bytes()
        assert len(kept) > 48 * 1024 and sealed.startswith(PACKED) and len(sealed) <= 48 * 1024
        assert unpack_labels(sealed) == kept
        assert "ROADMAP_CI_HIDDEN_LABELS_PATH" not in fk.variables[full]


def test_labels_too_large_for_a_secret_are_refused_naming_rubrics_and_go_through_the_rubrics_repository(tmp_path):
    """imbalanced-tuning's course labels are about 770 KB (250 KB packed): no secret holds them. Without `rubrics:`
    apply refuses that seat with one line naming the setting; with it, they go to the rubrics repository."""
    cohort = write_cohort(tmp_path, LOGINS[:2], template="imbalanced-tuning")
    with_secret(cohort, course_key(tmp_path))
    with fake() as fk:
        _, result = run_apply(fk, cohort)
        assert [label for label, _ in result.failures] == ["churn/ada-l", "churn/grace-h"] and result.exit_code == 2
        line = result.failures[0][1]
        assert "a GitHub secret holds 48 KB: set `rubrics:` in the cohort file" in line and "\n" not in line
        assert not any(LABELS_SECRET in names for names in fk.secrets.values())

        with_rubrics(cohort, fk)
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "plan", "-c", str(cohort)], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert "write labels ×2" in res.stdout and "0 writes" in res.stdout  # the summary; nothing written
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "plan", "-c", str(cohort), "--json"],
                             env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        for seat in json.loads(res.stdout):
            assert {"labels", "var:ROADMAP_CI_RUBRICS_REPOSITORY", "var:ROADMAP_CI_RUBRICS_REF",
                    "var:ROADMAP_CI_HIDDEN_LABELS_PATH", "secret:ROADMAP_CI_RUBRICS_TOKEN"} <= set(seat["changes"])
            assert "secret" not in seat["changes"]  # no labels secret was ever written: none to remove
        assert fk.writes() == [] or all(w.path.endswith("/git-receive-pack") or "/contents/" not in w.path
                                        for w in fk.writes())
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        for g in LOGINS[:2]:
            kept = (tmp_path / ".roadmap-ci" / "labels" / "churn" / f"{g}.csv").read_bytes()
            assert len(kept) > 700 * 1024  # 40,000 course transactions
            ref = fk.variables[f"{ORG}/churn-{g}"]["ROADMAP_CI_RUBRICS_REF"]["value"]
            assert fk.repo_file(GRADING, f"labels/churn/{g}.csv", ref=ref) == kept
        # the contents reads are not kept in the ETag cache (it would hold every seat's labels, saved per seat)
        assert "/contents/" not in (tmp_path / ".roadmap-ci" / "etags.json").read_text()


def test_moving_to_a_rubrics_repository_survives_lost_answers_and_removes_the_old_secret(tmp_path):
    """A cohort applied with the labels secret, then `rubrics:` added: the labels are committed once per seat even
    when GitHub's answer to the write is lost or it keeps failing for one seat, the old secret is deleted, and the
    apply after that writes nothing."""
    cohort = write_cohort(tmp_path)
    with fake() as fk:
        _, result = run_apply(fk, cohort)
        assert result.failures == [] and all(LABELS_SECRET in fk.secrets[(f"{ORG}/churn-{g}", ENVIRONMENT)]
                                             for g in LOGINS)
        with_rubrics(cohort, fk)
        fk.fail("PUT", r"/contents/labels/churn/ada-l\.csv$", status=502, after=True)  # committed, answer lost
        fk.fail("PUT", r"/contents/labels/churn/alan-t\.csv$", status=500, times=5)  # gives up this run
        fk.fail("DELETE", r"/secrets/ROADMAP_CI_HIDDEN_LABELS$", status=504, after=True)  # deleted, answer lost
        _, result = run_apply(fk, cohort)
        assert [label for label, _ in result.failures] == ["churn/alan-t"]
        _, result = run_apply(fk, cohort)
        assert result.failures == []
        practice = (ROOT / "labels" / f"{TEMPLATE}.csv").read_bytes()
        for g in LOGINS:
            full = f"{ORG}/churn-{g}"
            path = f"labels/churn/{g}.csv"
            ref = fk.variables[full]["ROADMAP_CI_RUBRICS_REF"]["value"]
            assert grading_commits(fk, path) == [ref] and fk.repo_file(GRADING, path, ref=ref) == practice
            assert LABELS_SECRET not in fk.secrets[(full, ENVIRONMENT)]
        assert len(grading_commits(fk)) == len(LOGINS)
        fk.reset_log()
        _, result = run_apply(fk, cohort)
        assert result.failures == [] and fk.writes() == []


def test_a_rubrics_repository_that_is_missing_public_or_unreadable_is_one_line_each(tmp_path):
    from roadmap_ci.errors import InvalidInputs

    cohort = write_cohort(tmp_path, LOGINS[:1])
    with fake() as fk:
        with_rubrics(cohort, fk, make=False)
        eng = engine(fk, cohort)
        with pytest.raises(InvalidInputs) as exc:
            eng.preflight()
        assert [str(e).split(": ", 1)[1] for e in exc.value.errors] == [
            f"rubrics: repository '{GRADING}' does not exist or the token cannot see it"]
        fk.add_repo(GRADING, private=False)  # public, and the reader is no collaborator (but can read a public repo)
        fk.repos[GRADING]["permissions"]["push"] = False
        with pytest.raises(InvalidInputs) as exc:
            eng.preflight()
        assert [str(e).split(": ", 1)[1] for e in exc.value.errors] == [
            f"rubrics: {GRADING} is public: anyone could read the hidden labels (make it private)",
            f"rubrics: the token cannot write to {GRADING} (apply writes the hidden labels there)"]
        fk.repos[GRADING].update(private=True, permissions={**fk.repos[GRADING]["permissions"], "push": True})
        with pytest.raises(InvalidInputs) as exc:
            eng.preflight()
        (only,) = exc.value.errors
        assert f"rubrics: token_file: that token cannot read {GRADING}" in str(only) and str(only).count("\n") == 0
        assert fk.writes() == []
        eng.close()


def test_a_token_file_gone_at_apply_time_is_one_line_and_exit_1(tmp_path):
    cohort = write_cohort(tmp_path, LOGINS[:1])
    with fake() as fk:
        with_rubrics(cohort, fk)
        tfile = tmp_path.parent / f"{tmp_path.name}-grading.token"
        tfile.unlink()
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "apply", "-c", str(cohort), "--pause", "0"],
                             env={**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url},
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert res.stderr.strip().splitlines() == [
            f"{cohort}:5:{cohort.read_text().splitlines()[4].index('token_file: ') + 13}: rubrics: token_file: "
            f"{tfile}: no such token file"]
        assert fk.writes() == []


def test_provision_ahead_days_makes_each_deliverable_s_repos_when_it_nears_opening(tmp_path):
    """With `provision_ahead_days: 7` an apply makes only the deliverables that open within a week; the next
    apply, run later, makes the next deliverable's. plan --now says which wait, and until when."""
    from datetime import UTC, datetime

    cohort = write_cohort(tmp_path, LOGINS[:2])
    later = f"""  - id: later
    template: {TEMPLATE}
    opens: 2027-03-01T09:00:00+01:00
    due: 2027-03-14T23:59:00+01:00
    rubric: {{id: {TEMPLATE}, version: "{rubric_version(TEMPLATE)}"}}
"""
    cohort.write_text(cohort.read_text().replace("mentors: mentors\n", "mentors: mentors\nprovision_ahead_days: 7\n")
                      + later)
    with fake() as fk:
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "plan", str(cohort), "--now",
                              "2027-01-05T12:00:00Z"], env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert ("later: not provisioned yet (opens 2027-03-01T09:00:00+01:00; apply makes its repos from "
                "2027-02-22T09:00:00+01:00)") in res.stdout
        assert "churn/ada-l" in res.stdout and "later/ada-l" not in res.stdout
        assert "2 repos: 22 writes" in res.stdout

        eng = engine(fk, cohort)
        eng.now = datetime(2027, 1, 5, 12, tzinfo=UTC)  # churn opens in 6 days, later in 8 weeks
        try:
            eng.preflight()
            result = eng.apply(eng.plan())
        finally:
            eng.close()
        assert result.failures == [] and sorted(fk.repos) == [f"{ORG}/churn-{g}" for g in sorted(LOGINS[:2])]
        from roadmap_ci.cohort.status import cohort_status

        eng = engine(fk, cohort)
        eng.now = datetime(2027, 1, 5, 12, tzinfo=UTC)
        try:  # status asks GitHub about churn's repos only: later's do not exist yet
            assert sorted(r.seat for r in cohort_status(eng)) == sorted(f"churn/{g}" for g in LOGINS[:2])
        finally:
            eng.close()
        fk.reset_log()
        eng = engine(fk, cohort)
        eng.now = datetime(2027, 2, 23, tzinfo=UTC)  # a week before later opens
        try:
            eng.preflight()
            plans = eng.plan()
            result = eng.apply(plans)
        finally:
            eng.close()
        assert result.failures == [] and eng.waiting() == []
        assert sorted(fk.repos) == sorted(f"{ORG}/{d}-{g}" for d in ("churn", "later") for g in LOGINS[:2])
        assert sum(w.path == f"/orgs/{ORG}/repos" for w in fk.writes()) == 2  # later's two repos, no more
        assert all("churn-" not in w.path for w in fk.writes())  # churn's repos were done: nothing written there
