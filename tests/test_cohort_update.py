"""`cohort update`: the template changed after learners started; each gets a pull request, their work kept."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager

from test_cohort_apply import LOGINS, ORG, TEMPLATE, engine, write_cohort
from test_cohort_status import learner_push
from testing.common import ROOT
from testing.fakegithub import FakeGitHub

from roadmap_ci.cohort.update import update


def apply_with(fk, cohort, templates):
    eng = engine(fk, cohort)
    eng.templates_root = templates
    try:
        eng.preflight()
        plans = eng.plan()
        eng.check_learners(plans)
        assert eng.apply(plans).failures == []
    finally:
        eng.close()


def course(tmp_path, logins=LOGINS):
    """A copy of the template (the test changes it) and a cohort file."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / TEMPLATE, templates / TEMPLATE)
    return templates, write_cohort(tmp_path, logins)


@contextmanager
def organisation():
    with FakeGitHub() as fk:
        fk.add_org(ORG)
        fk.add_users(*LOGINS)
        yield fk


def change_template_and_update(fk, cohort, templates):
    """The course's Makefile gets a new first line; then `cohort update churn`."""
    mk = templates / TEMPLATE / "{{cookiecutter.project_slug}}" / "Makefile"
    mk.write_text("# the course's Makefile, version 2\n" + mk.read_text().split("\n", 1)[1])
    eng = engine(fk, cohort)
    eng.templates_root = templates
    try:
        return update(eng, "churn")
    finally:
        eng.close()


def test_update_opens_a_pull_request_keeps_learner_work_and_lists_conflicts(tmp_path):
    templates, cohort = course(tmp_path)
    with organisation() as fk:
        apply_with(fk, cohort, templates)
        for g in LOGINS[:2]:
            fk.accept_invitation(f"{ORG}/churn-{g}", g)
        # ada changes params.yaml (kept); grace rewrites the Makefile's first line, which the template changes too
        ada = tmp_path / "ada"
        learner_push(fk, f"{ORG}/churn-ada-l", "ada-l", ada, branch="main")
        grace = tmp_path / "grace"
        learner_push(fk, f"{ORG}/churn-grace-h", "grace-h", grace, branch="main")
        subprocess.run("sed -i '1s/.*/# grace was here/' Makefile && git -c user.name=g -c user.email=g@x "
                       "commit -qam mine && git push -q origin main", shell=True, cwd=grace, check=True,
                       env={**__import__("os").environ, "GIT_TERMINAL_PROMPT": "0",
                            "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
                            "GIT_CONFIG_VALUE_0": "Authorization: Bearer " + fk.add_learner_token("grace-h")})
        mk = templates / TEMPLATE / "{{cookiecutter.project_slug}}" / "Makefile"
        mk.write_text("# the course's Makefile, version 2\n" + mk.read_text().split("\n", 1)[1])
        new_file = templates / TEMPLATE / "{{cookiecutter.project_slug}}" / "CHANGES.md"
        new_file.write_text("# Changes\n\n- the template got a change log\n")

        eng = engine(fk, cohort)
        eng.templates_root = templates
        result = update(eng, "churn")
        assert result.failures == []
        assert [label for label, _ in result.opened] == ["churn/ada-l", "churn/alan-t"]
        assert [(label, files) for label, files in result.conflicts] == [("churn/grace-h", ["Makefile"])]
        (pr,) = fk.pulls[f"{ORG}/churn-ada-l"]
        branch = pr["head"]["ref"]
        assert branch.startswith("roadmap-ci/update-") and pr["base"]["ref"] == "main"
        full = f"{ORG}/churn-ada-l"
        assert fk.repo_file(full, "CHANGES.md", branch) == new_file.read_bytes()
        assert fk.repo_file(full, "Makefile", branch).startswith(b"# the course's Makefile, version 2\n")
        assert b"more" in fk.repo_file(full, "README.md", branch)  # the learner's own change is kept
        assert fk.branch_sha(f"{ORG}/churn-grace-h", branch) is None  # a conflict is not pushed
        assert f"{ORG}/churn-grace-h" not in fk.pulls

        writes = len(fk.writes())
        again = update(eng, "churn")
        eng.close()
        assert again.opened == [] and len(fk.writes()) == writes  # idempotent
        assert len(again.current) == 2 and [c[0] for c in again.conflicts] == ["churn/grace-h"]


def test_a_repo_made_elsewhere_is_refused_by_name_and_the_others_are_updated(tmp_path):
    """A repo GitHub Classroom made (adopted by apply: same name) has no roadmap-ci starter to merge from."""
    templates, cohort = course(tmp_path)
    with organisation() as fk:
        full = f"{ORG}/churn-ada-l"
        fk.add_repo(full)
        classroom = tmp_path / "classroom"
        classroom.mkdir()
        (classroom / "README.md").write_text("# Churn assignment (made by GitHub Classroom)\n")
        git = ["git", "-c", "user.name=github-classroom[bot]", "-c", "user.email=classroom@github.com"]
        subprocess.run([*git, "init", "-q", "-b", "main"], cwd=classroom, check=True)
        subprocess.run([*git, "add", "-A"], cwd=classroom, check=True)
        subprocess.run([*git, "commit", "-qm", "Initial commit\x1b[31m"], cwd=classroom, check=True)
        subprocess.run(["git", "push", "-q", f"{fk.git_root}/{full}.git", "main"], cwd=classroom, check=True)
        classroom_head = fk.branch_sha(full)
        apply_with(fk, cohort, templates)  # adopted: checked and set up, never overwritten
        assert fk.branch_sha(full) == classroom_head
        result = change_template_and_update(fk, cohort, templates)
        assert sorted(label for label, _ in result.opened) == ["churn/alan-t", "churn/grace-h"]
        ((label, line),) = result.failures
        assert label == "churn/ada-l"
        assert line.startswith(f"{full} did not start from a roadmap-ci starter: its first commit "
                               f"{classroom_head[:12]} ('Initial commit\\x1b[31m' by 'classroom@github.com') "
                               "was made elsewhere")
        assert "\x1b" not in line and line.endswith("nothing pushed")
        assert full not in fk.pulls and fk.branch_sha(full) == classroom_head
        assert fk.variables[full]["ROADMAP_CI_LEDGER_SHA"]["value"] == classroom_head  # the ledger: its first commit
        heads = subprocess.run(["git", "for-each-ref", "--format=%(refname)"], cwd=f"{fk.git_root}/{full}.git",
                               capture_output=True, text=True, check=True).stdout.split()
        assert heads == ["refs/heads/main"]


def test_update_close_collect_reinvite_of_a_deliverable_whose_repos_are_not_made_yet_say_so(tmp_path):
    import os
    import sys

    cohort = write_cohort(tmp_path, LOGINS[:1])
    cohort.write_text(cohort.read_text().replace("mentors: mentors\n", "mentors: mentors\nprovision_ahead_days: 7\n")
                      .replace(": 2027-", ": 2096-"))
    with organisation() as fk:
        env = {**os.environ, "GITHUB_TOKEN": fk.user_token, "GITHUB_API_URL": fk.url}
        for command, code in (("update", 0), ("close", 1), ("collect", 1)):
            fk.reset_log()
            where = ["-c", str(cohort)] if command == "collect" else [str(cohort)]
            res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", command, *where, "churn"],
                                 env=env, capture_output=True, text=True, timeout=120)
            assert res.returncode == code, (command, res.stdout, res.stderr)
            out = (res.stdout + res.stderr).strip().splitlines()
            assert len(out) == 1 and "churn has no repos yet (cohort apply makes them from 2096-01-04T09:00:00+01:00" \
                in out[0], (command, out)
            assert fk.writes() == [] and not fk.repos
        # reinvite asks GitHub nothing about repos that do not exist yet; an unknown deliverable is one line
        waiting = ("churn: not provisioned yet (opens 2096-01-11T09:00:00+01:00; apply makes its repos from "
                   "2096-01-04T09:00:00+01:00)")
        for args, code, lines in (([], 0, [waiting, "no expired invitations"]),
                                  (["-d", "churn"], 0, [waiting, "no expired invitations"]),
                                  (["-d", "chrun"], 1,
                                   [f"error: no deliverable 'chrun' in {cohort} (deliverables: churn)"])):
            fk.reset_log()
            res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "reinvite", "-c", str(cohort), *args],
                                 env=env, capture_output=True, text=True, timeout=120)
            assert res.returncode == code, (args, res.stdout, res.stderr)
            assert (res.stdout + res.stderr).strip().splitlines() == lines, args
            assert fk.count(path=f"/repos/{ORG}/churn-ada-l/invitations") == 0


def test_after_a_lost_state_directory_update_still_merges_from_the_starter_not_the_learners_head(tmp_path):
    """apply adopts repos when its journal is gone; a repo the learner pushed to keeps its starter as the base."""
    templates, cohort = course(tmp_path, LOGINS[:1])
    with organisation() as fk:
        apply_with(fk, cohort, templates)
        full = f"{ORG}/churn-ada-l"
        starter = fk.branch_sha(full)
        fk.accept_invitation(full, "ada-l")
        learner_push(fk, full, "ada-l", tmp_path / "ada", branch="main")
        head = fk.branch_sha(full)
        assert head != starter
        shutil.rmtree(tmp_path / ".roadmap-ci")
        apply_with(fk, cohort, templates)  # adopted: each step checked
        eng = engine(fk, cohort)
        result = eng.journal.get(full, "starter").result
        eng.close()
        # the learner's commit is not the starter: the first commit is, found on GitHub
        assert (result["sha"], result["root"], result["head"]) == (starter, starter, head)
        assert fk.variables[full]["ROADMAP_CI_LEDGER_SHA"]["value"] == starter
        eng = engine(fk, cohort)  # a journal written before 2026-12-07 recorded the head as the starter
        eng.journal.done(full, "starter", None, {"sha": head, "verified": True}, verified=True)
        eng.journal.done(full, "var:ROADMAP_CI_LEDGER_SHA", None, {"value": head})
        eng.close()
        fk.variables[full]["ROADMAP_CI_LEDGER_SHA"]["value"] = head
        done = change_template_and_update(fk, cohort, templates)  # update checks the journal's starter itself
        assert done.failures == [] and [label for label, _ in done.opened] == ["churn/ada-l"]
        branch = fk.pulls[full][0]["head"]["ref"]
        assert fk.repo_file(full, "Makefile", branch).startswith(b"# the course's Makefile, version 2\n")
        assert fk.repo_file(full, "README.md", branch) == fk.repo_file(full, "README.md")  # their work kept
        assert b"more" in fk.repo_file(full, "README.md", branch)
        eng = engine(fk, cohort)
        try:
            eng.preflight()
            assert [a.step for a in eng.plan()[0].actions] == ["check:starter"]
        finally:
            eng.close()
        apply_with(fk, cohort, templates)  # apply checks such a journal once, and moves the ledger back
        assert fk.variables[full]["ROADMAP_CI_LEDGER_SHA"]["value"] == starter
        writes = len(fk.writes())
        apply_with(fk, cohort, templates)
        assert len(fk.writes()) == writes
