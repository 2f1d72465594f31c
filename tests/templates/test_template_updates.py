"""Template updates reach generated repos: real `cruft create` / `cruft check` / `cruft update` on a template.

The template repo is a temporary clone of this one (cruft reads templates from git). A learner's repo is created
from it with `--directory templates/tabular-classification`, the learner edits and commits, the template gains
a commit, and `cruft update -y` brings the template change in while keeping the learner's edits.
"""

from __future__ import annotations

import json
import shutil

import pytest
from _kit import BIN, GIT, ROOT, commit, run

pytestmark = pytest.mark.slow

TEMPLATE = "templates/tabular-classification"
SLUG = "{{cookiecutter.project_slug}}"

if shutil.which("git") is None or not (BIN / "cruft").exists():
    pytest.skip("needs git and cruft", allow_module_level=True)


def replace_in(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_cruft_update_brings_template_changes_and_keeps_learner_edits(tmp_path):
    template_repo = tmp_path / "roadmap-ci"
    run(["git", "clone", "-q", "--no-local", str(ROOT), str(template_repo)], tmp_path)

    # the learner starts a repo from the template (the committed version of it)
    run([str(BIN / "cruft"), "create", str(template_repo), "--directory", TEMPLATE, "--no-input",
         "--output-dir", str(tmp_path / "learner")], tmp_path)
    repo = tmp_path / "learner" / "customer-churn-classifier"
    state = json.loads((repo / ".cruft.json").read_text())
    assert state["directory"] == TEMPLATE and state["template"] == str(template_repo)
    assert state["context"]["cookiecutter"]["project_slug"] == "customer-churn-classifier"
    run(["git", "init", "-q", "-b", "main"], repo)
    commit(repo, "Start from the roadmap-ci template")
    run([str(BIN / "cruft"), "check"], repo)  # up to date

    # ... and works on it
    replace_in(repo / "params.yaml", "  type: logistic_regression", "  type: lightgbm")
    replace_in(repo / "README.md", "_Fill in: what you changed",
               "LightGBM beat the baseline.\n\n_Fill in: what you changed")
    commit(repo, "Try LightGBM")

    # the mentors improve the template: a new Makefile target, a tweak to params.yaml far from the learner's edit
    tpl = template_repo / TEMPLATE / SLUG
    with open(tpl / "Makefile", "a", encoding="utf-8") as fh:
        fh.write("\n# Pull template updates (docs/templates.md in roadmap-ci)\nupdate-template:\n\tcruft update\n")
    replace_in(tpl / "params.yaml", "  cv_folds: 5 ", "  cv_folds: 10")
    run([*GIT, "commit", "-qam", "Template: update-template target, 10 CV folds"], template_repo)
    new_commit = run(["git", "rev-parse", "HEAD"], template_repo).stdout.strip()

    behind = run([str(BIN / "cruft"), "check"], repo, check=False)
    assert behind.returncode == 1, behind.stdout + behind.stderr

    run([str(BIN / "cruft"), "update", "-y"], repo)

    assert "update-template:" in (repo / "Makefile").read_text()
    params = (repo / "params.yaml").read_text()
    assert "cv_folds: 10" in params, "the template change arrived"
    assert "  type: lightgbm" in params, "the learner's edit survived"
    assert "LightGBM beat the baseline." in (repo / "README.md").read_text()
    assert not list(repo.rglob("*.rej")), "no conflicts"
    assert json.loads((repo / ".cruft.json").read_text())["commit"] == new_commit
    run([str(BIN / "cruft"), "check"], repo)  # up to date again
    commit(repo, "Update from the template")
    assert run(["git", "status", "--porcelain"], repo).stdout == ""
