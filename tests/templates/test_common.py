"""Checks every template shares: its rubric lints, and its README's scoring table is the rubric's.

Template-specific end-to-end tests (render → run → evaluate) live beside this file, one module each.
"""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path

import pytest

from roadmap_ci.paths import template_ids
from roadmap_ci.score.explain import explain_markdown
from roadmap_ci.score.load import lint_rubric, load_rubric

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [ROOT / "templates" / t for t in template_ids(ROOT / "templates")]
IDS = [t.name for t in TEMPLATES]
SCORING = re.compile(r"<!-- scoring:start -->\n(.*?)<!-- scoring:end -->", re.S)


def project_dir(template: Path) -> Path:
    (inner,) = [p for p in template.iterdir() if p.is_dir() and p.name.startswith("{{")]
    return inner


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_template_has_a_rubric_that_lints(template):
    rubric = ROOT / "rubrics" / f"{template.name}.yaml"
    assert rubric.is_file(), f"templates/{template.name} has no rubrics/{template.name}.yaml"
    assert [str(e) for e in lint_rubric(rubric)] == []
    assert load_rubric(rubric).rubric.deliverable == template.name


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_readme_scoring_section_matches_the_rubric(template):
    readme = (project_dir(template) / "README.md").read_text()
    match = SCORING.search(readme)
    assert match, "README.md needs a scoring section between <!-- scoring:start --> and <!-- scoring:end -->"
    expected = explain_markdown(load_rubric(ROOT / "rubrics" / f"{template.name}.yaml"))
    assert match.group(1).strip() == expected.strip(), (
        f"regenerate with: roadmap-ci rubric explain --format md rubrics/{template.name}.yaml")


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_template_declares_its_deliverable(template):
    config = project_dir(template) / ".roadmap-ci.yml"
    assert config.is_file(), "every template ships .roadmap-ci.yml"
    assert re.search(rf"^deliverable:\s*{re.escape(template.name)}\s*$", config.read_text(), re.M)


def _index() -> dict[str, dict[str, str]]:
    """The repository root's cookiecutter.json: the template chooser of `cookiecutter <this repo>`."""
    return json.loads((ROOT / "cookiecutter.json").read_text())["templates"]


def test_index_lists_every_template_in_curriculum_order():
    from roadmap_ci.roadmap import catalog

    listed = _index()
    folders = sorted(p.parent.name for p in (ROOT / "templates").glob("*/cookiecutter.json")
                     if not p.parent.name.startswith("_"))
    assert sorted(listed) == folders, "add the template to the root cookiecutter.json"
    assert folders == IDS  # paths.template_ids, which new, the tools and these tests use, reads the index
    for tid, entry in listed.items():
        assert (ROOT / entry["path"]).resolve() == (ROOT / "templates" / tid).resolve(), tid
        assert entry["title"].strip() and entry["description"].strip(), tid
    order = [d["id"] for p in catalog()["phases"] for d in p["deliverables"]]
    assert list(listed) == [d for d in order if d in listed], "list the templates in the roadmap's order"
    assert not (ROOT / "templates" / "cookiecutter.json").exists(), "one index: the root cookiecutter.json"


def _tree(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}


def test_cookiecutter_on_the_repo_root_offers_the_template_chooser(tmp_path):
    """`cookiecutter <this repo>` as docs/templates.md says: with --no-input the first template of the chooser,
    otherwise the one the user picks; either renders what `--directory templates/<id>` renders."""
    import subprocess
    import sys

    from cookiecutter.main import cookiecutter

    first = next(iter(_index()))
    chosen = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(tmp_path / "chooser")))
    direct = Path(cookiecutter(str(ROOT), directory=f"templates/{first}", no_input=True,
                               output_dir=str(tmp_path / "direct")))
    assert chosen.name == direct.name and _tree(chosen) == _tree(direct)

    pick = "tabular-classification"
    number = list(_index()).index(pick) + 1
    out = tmp_path / "picked"
    out.mkdir()
    # a user at the prompt: the template's number, then Enter for every question's default
    res = subprocess.run([sys.executable, "-m", "cookiecutter", str(ROOT)], input=f"{number}\n" + "\n" * 20,
                         cwd=out, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    (picked,) = out.iterdir()
    direct = Path(cookiecutter(str(ROOT), directory=f"templates/{pick}", no_input=True,
                               output_dir=str(tmp_path / "direct-pick")))
    assert _tree(picked) == _tree(direct)
    assert re.search(rf"^deliverable:\s*{pick}\s*$", (picked / ".roadmap-ci.yml").read_text(), re.M)


def _section(readme: str, heading: str) -> str:
    start = readme.index(heading)
    nxt = re.search(r"^#{2,3} ", readme[start + len(heading):], re.M)
    return readme[start: start + len(heading) + (nxt.start() if nxt else len(readme))]


def _dvc_outputs(repo: Path) -> tuple[list[str], list[str]]:
    """(outputs git keeps, outputs git ignores) of the rendered repo's dvc.yaml, as `git check-ignore` says."""
    import subprocess

    import yaml

    stages = yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]
    kept, ignored = [], []
    for spec in stages.values():
        for kind in ("outs", "metrics", "plots"):
            for entry in spec.get(kind) or []:
                path = entry if isinstance(entry, str) else next(iter(entry))
                ig = subprocess.run(["git", "check-ignore", "-q", path], cwd=repo).returncode == 0
                (ignored if ig else kept).append(path)
    return kept, ignored


def test_every_template_asks_for_the_github_owner_alike():
    configs = {t.name: json.loads((t / "cookiecutter.json").read_text()) for t in TEMPLATES}
    assert {(c["github_owner"], c["__prompts__"]["github_owner"]) for c in configs.values()} == {
        ("your-github-user", "GitHub user or organisation that will own the repo")}


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_rendered_readme_says_how_to_work_in_the_repo(template, tmp_path):
    """The learner's README: its CI badge and remote on their own GitHub repo (github_owner), work inside .venv,
    what to commit after `dvc repro` (dvc.lock, the kept result files) and what not (the regenerated outputs),
    how to pull template updates (cruft) and where the evaluator's install instructions are."""
    import fnmatch
    import subprocess

    from cookiecutter.main import cookiecutter

    repo = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path),
                             extra_context={"github_owner": "ada-lovelace"}))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    readme = (repo / "README.md").read_text()
    own = f"https://github.com/ada-lovelace/{repo.name}"
    assert f"[![roadmap-ci]({own}/actions/workflows/roadmap-ci.yml/badge.svg)]" in readme.split("\n## ")[0]
    assert f"git remote add origin {own}.git" in readme and "your-github-user" not in readme
    assert "source .venv/bin/activate" in _section(readme, "### Work inside `.venv`")

    commit = _section(readme, "### What to commit")
    kept, regenerated = _dvc_outputs(repo)
    keep_part, _, dont = commit.partition("Do not commit what the pipeline regenerates:")
    assert "`dvc.lock`" in keep_part and dont, commit
    for path in kept:
        assert f"`{path}`" in keep_part, f"README: say to commit {path} (a cache: false output git keeps)"
    named = re.findall(r"`([^`]+)`", dont.split(".\n")[0].split(". ")[0])
    for path in regenerated:
        assert any(path == n or path.startswith(n) and n.endswith("/") or fnmatch.fnmatch(path, n) for n in named), (
            f"README: say not to commit {path} (a DVC output git ignores); named: {named}")
        assert f"`{path}`" not in keep_part

    updates = _section(readme, "### Pull template updates")
    assert "cruft update" in updates and f"--directory templates/{template.name}" in updates
    assert "docs/templates.md" in updates
    install = _section(readme, "### Install the evaluator")
    assert "roadmap-ci evaluate" in install and "https://github.com/roadmap-ci/roadmap-ci#readme" in install


GENERATED = [t for t in TEMPLATES if (t / "generate_data.py").is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("template", GENERATED, ids=[t.name for t in GENERATED])
def test_generator_reproduces_the_shipped_data(template, tmp_path):
    """generate_data.py (seeded) rewrites data/raw and the hidden labels byte for byte; the data stays ≤ 5 MiB."""
    from _kit import load_generator

    gen = load_generator(template.name)
    out = tmp_path / "raw"
    labels = ROOT / "labels" / f"{template.name}.csv"
    if labels.is_file():
        gen.generate(out, tmp_path / "labels.csv")
        assert filecmp.cmp(tmp_path / "labels.csv", labels, shallow=False), f"labels/{template.name}.csv"
    else:
        gen.generate(out)
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert made, "the generator wrote nothing"
    shipped = sorted(p.relative_to(gen.RAW) for p in gen.RAW.rglob("*") if p.is_file())
    assert shipped == made, "data/raw holds files the generator does not write, or lacks some it does"
    for rel in made:
        assert filecmp.cmp(out / rel, gen.RAW / rel, shallow=False), f"data/raw/{rel} differs from the generator's"
    assert sum(p.stat().st_size for p in gen.RAW.rglob("*") if p.is_file()) < 5 * 1024 * 1024
