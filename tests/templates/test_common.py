"""Checks every template shares: its rubric lints, and its README's scoring table is the rubric's.

Template-specific end-to-end tests (render → run → evaluate) live beside this file, one module each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from roadmap_ci.rubric import explain_markdown, lint_rubric, load_rubric

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.parent for p in (ROOT / "templates").glob("*/cookiecutter.json")
                   if not p.parent.name.startswith("_"))
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


def test_index_lists_every_template():
    index = ROOT / "templates" / "cookiecutter.json"
    if not TEMPLATES:
        pytest.skip("no templates yet")
    listed = json.loads(index.read_text())["templates"]
    assert sorted(listed) == IDS
    for tid, entry in listed.items():
        assert (ROOT / "templates" / entry["path"]).resolve() == (ROOT / "templates" / tid).resolve()
