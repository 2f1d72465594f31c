"""`cohort update`: the template changed after learners started; each gets a pull request, their work kept."""

from __future__ import annotations

import shutil
import subprocess

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


def test_update_opens_a_pull_request_keeps_learner_work_and_lists_conflicts(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / TEMPLATE, templates / TEMPLATE)
    cohort = write_cohort(tmp_path)
    with FakeGitHub() as fk:
        fk.add_org(ORG)
        fk.add_users(*LOGINS)
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
