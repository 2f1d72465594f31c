"""`cohort status` and `cohort reinvite` against the fake GitHub, after a real `apply` and real learner pushes."""

from __future__ import annotations

import base64
import contextlib
import csv
import json
import os
import subprocess
import sys
from datetime import datetime

import requests
from test_cohort_apply import LOGINS, ORG, TEMPLATE, run_apply, write_cohort
from testing.fakegithub import FakeGitHub


def learner_push(fk: FakeGitHub, full: str, login: str, work, branch: str = "work") -> str:
    token = fk.add_learner_token(login)
    hdr = "Authorization: Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    url = f"{fk.root}/{full}.git"
    subprocess.run(["git", "-c", f"http.extraHeader={hdr}", "clone", "-q", url, str(work)], env=env, check=True)
    subprocess.run(f"git checkout -q -B {branch} && echo more >> README.md && git -c user.name={login} "
                   f"-c user.email={login}@x commit -qam work", shell=True, cwd=work, check=True)
    subprocess.run(["git", "-c", f"http.extraHeader={hdr}", "push", "-q", "origin", branch], cwd=work, env=env,
                   check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def applied(cohort):
    """The fake GitHub with the organisation (alan-t a member), the learners, and the cohort applied."""
    with FakeGitHub() as fk:
        fk.add_org(ORG, members=("alan-t",))
        fk.add_users(*LOGINS)
        run_apply(fk, cohort)
        yield fk


def test_status_shows_invitations_pushes_lateness_and_scores_then_reinvite(tmp_path):
    cohort = write_cohort(tmp_path)
    with applied(cohort) as fk:
        fk.accept_invitation(f"{ORG}/churn-ada-l", "ada-l")
        after_due = datetime.fromisoformat("2027-01-26T12:00:00+01:00").timestamp()
        fk.clock = lambda: after_due  # GitHub's clock at the push: after due, before the cutoff
        learner_push(fk, f"{ORG}/churn-ada-l", "ada-l", tmp_path / "ada")
        fk.clock = __import__("time").time
        fk.age_invitations(f"{ORG}/churn-grace-h", 8 * 24 * 3600)
        head = fk.branch_sha(f"{ORG}/churn-ada-l")
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {fk.installation_token}"
        s.post(f"{fk.url}/repos/{ORG}/churn-ada-l/statuses/{head}", timeout=5, json={
            "state": "success", "context": f"roadmap-ci/{TEMPLATE}",
            "description": "73.5/100 points — pass (pass mark 50)"})

        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url, "COLUMNS": "200"}
        cmd = [sys.executable, "-m", "roadmap_ci", "cohort"]
        res = subprocess.run([*cmd, "status", "-c", str(cohort), "--json"], env=env, capture_output=True, text=True,
                             timeout=120)
        assert res.returncode == 0, res.stderr
        rows = {r["seat"]: r for r in json.loads(res.stdout)}
        ada, grace, alan = rows["churn/ada-l"], rows["churn/grace-h"], rows["churn/alan-t"]
        assert (ada["invitation"], ada["pushes"], ada["late"], ada["evaluation"], ada["score"]) == (
            "accepted", 1, "late", "success", "73.5/100")
        assert (grace["invitation"], grace["pushes"], grace["late"], grace["evaluation"]) == (
            "expired", 0, "—", "none")
        assert alan["invitation"] == "member"
        writes = len(fk.writes())

        out = tmp_path / "status.csv"
        res = subprocess.run([*cmd, "status", str(cohort), "--csv", str(out)], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0 and "churn/ada-l" in res.stdout
        assert [r["invitation"] for r in csv.DictReader(out.open())] == ["accepted", "expired", "member"]
        assert len(fk.writes()) == writes  # status only reads
        # the deliverable as README shows it (positional) or -d; a mistyped one is one line, exit 1
        res = subprocess.run([*cmd, "status", "churn", "-c", str(cohort), "--json"], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0 and len(json.loads(res.stdout)) == 3, res.stderr
        for args in (["-d", "chrun"], ["chrun"]):
            res = subprocess.run([*cmd, "status", "-c", str(cohort), *args], env=env, capture_output=True,
                                 text=True, timeout=120)
            assert res.returncode == 1 and res.stderr.strip() == (
                f"error: no deliverable 'chrun' in {cohort} (deliverables: churn)"), (args, res.stderr)

        res = subprocess.run([*cmd, "reinvite", "-c", str(cohort), "--pause", "0"], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == "churn/grace-h: grace-h invited again"
        (inv,) = fk.invitations[f"{ORG}/churn-grace-h"]
        assert inv["permissions"] == "write" and not fk._expired(inv)
        # the journal knows the new invitation: apply has nothing to do
        res = subprocess.run([*cmd, "apply", str(cohort), "--pause", "0"], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0 and "GitHub: 0 writes" in res.stdout, res.stdout + res.stderr


def test_close_drops_learners_to_read_and_a_second_close_writes_nothing(tmp_path):
    cohort = write_cohort(tmp_path)
    with applied(cohort) as fk:
        fk.accept_invitation(f"{ORG}/churn-ada-l", "ada-l")
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        cmd = [sys.executable, "-m", "roadmap_ci", "cohort", "close", "churn", "-c", str(cohort), "--pause", "0"]
        # the cutoff (2027) is still to come: closing now would stop learners pushing before it
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 1 and res.stderr.strip() == (
            "error: churn's cutoff is 2027-01-31T23:59:00+01:00: closing now stops its learners pushing before it; "
            "close after the cutoff, or --force to close now"), res.stderr
        assert fk.collaborators[f"{ORG}/churn-ada-l"] == {"ada-l": "push"}
        cmd.append("--force")
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert fk.collaborators[f"{ORG}/churn-ada-l"] == {"ada-l": "pull"}
        assert fk.collaborators[f"{ORG}/churn-alan-t"] == {"alan-t": "pull"}
        (inv,) = fk.invitations[f"{ORG}/churn-grace-h"]
        assert inv["permissions"] == "read"
        assert len(fk.repos) == 3
        writes = len(fk.writes())
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0 and len(fk.writes()) == writes and "GitHub: 0 writes" in res.stdout
        # the read-only invitation expires; reinvite renews it read-only, and neither close nor apply gives
        # write access back (nor writes anything)
        fk.age_invitations(f"{ORG}/churn-grace-h", 8 * 24 * 3600)
        res = subprocess.run([*cmd[:4], "reinvite", "-c", str(cohort), "--pause", "0"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == "churn/grace-h: grace-h invited again to read (closed)"
        (inv,) = fk.invitations[f"{ORG}/churn-grace-h"]
        assert inv["permissions"] == "read" and not fk._expired(inv)
        writes = len(fk.writes())
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0 and "GitHub: 0 writes" in res.stdout, res.stdout + res.stderr
        res = subprocess.run([*cmd[:4], "apply", str(cohort), "--pause", "0"], env=env, capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0 and "GitHub: 0 writes" in res.stdout, res.stdout + res.stderr
        assert len(fk.writes()) == writes and fk.invitations[f"{ORG}/churn-grace-h"][0]["permissions"] == "read"
        res = subprocess.run([*cmd[:5], str(cohort), "nope"], env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 1 and res.stderr.startswith("error: no deliverable 'nope'")


def test_close_after_the_cutoff_keeps_a_learner_with_a_later_extension_open(tmp_path):
    from test_cohort_apply import engine

    from roadmap_ci.cohort.status import close

    cohort = write_cohort(tmp_path)
    cohort.write_text(cohort.read_text() + "extensions:\n  - {learner: grace-h, deliverable: churn, "
                                           "due: 2027-02-20T23:59:00+01:00}\n")
    with applied(cohort) as fk:
        fk.accept_invitation(f"{ORG}/churn-ada-l", "ada-l")
        eng = engine(fk, cohort)
        try:
            done, failures, kept = close(eng, "churn", now=datetime.fromisoformat("2027-02-05T12:00:00+01:00"))
        finally:
            eng.close()
    assert failures == [] and kept == [
        "churn/grace-h: kept open until 2027-02-20T23:59:00+01:00 (an extension); close again after it"]
    assert done == ["churn/ada-l: ada-l can now read, not push", "churn/alan-t: alan-t can now read, not push"]
    assert fk.invitations[f"{ORG}/churn-grace-h"][0]["permissions"] == "write"


def test_repos_made_before_a_deliverable_was_held_back_stay_visible(tmp_path):
    # made, then `opens` moved later with provision_ahead_days set: the journal says the repos exist, so
    # status lists them and close, collect and reinvite still reach them (the date alone hid them all)
    cohort = write_cohort(tmp_path)
    with applied(cohort) as fk:
        cohort.write_text(cohort.read_text().replace("mentors: mentors\n",
                                                     "mentors: mentors\nprovision_ahead_days: 7\n")
                          .replace(": 2027-", ": 2096-"))
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url, "COLUMNS": "200"}
        cmd = [sys.executable, "-m", "roadmap_ci", "cohort"]
        res = subprocess.run([*cmd, "status", "-c", str(cohort), "--json"], env=env, capture_output=True, text=True,
                             timeout=120)
        assert res.returncode == 0, res.stderr
        assert sorted(r["seat"] for r in json.loads(res.stdout)) == ["churn/ada-l", "churn/alan-t", "churn/grace-h"]
        res = subprocess.run([*cmd, "plan", "-c", str(cohort)], env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0 and "not provisioned yet" not in res.stdout, res.stdout
        res = subprocess.run([*cmd, "collect", "churn", "-c", str(cohort)], env=env, capture_output=True, text=True,
                             timeout=120)
        assert "no repos yet" not in res.stdout + res.stderr, res.stdout + res.stderr
        res = subprocess.run([*cmd, "close", "churn", "-c", str(cohort), "--pause", "0", "--force"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        assert fk.collaborators[f"{ORG}/churn-alan-t"] == {"alan-t": "pull"}
