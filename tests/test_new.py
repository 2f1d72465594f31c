"""`roadmap-ci new`: real cookiecutter rendering and a real git repo."""

from __future__ import annotations

import json
import subprocess

import pytest

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.new import available, new


@pytest.fixture
def templates(tmp_path):
    root = tmp_path / "templates"
    t = root / "tabular-regression"
    (t / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (t / "cookiecutter.json").write_text(json.dumps({"project_name": "House prices",
                                                     "project_slug": "{{ cookiecutter.project_name.lower()"
                                                                     ".replace(' ', '-') }}"}))
    (t / "{{cookiecutter.project_slug}}" / "README.md").write_text("# {{ cookiecutter.project_name }}\n")
    return root


def test_new_renders_and_commits(templates, tmp_path):
    out = new("tabular-regression", tmp_path / "work", no_input=True, root=templates,
              extra={"project_name": "My Houses"})
    assert out.name == "my-houses"
    assert (out / "README.md").read_text() == "# My Houses\n"
    log = subprocess.run(["git", "log", "--oneline"], cwd=out, capture_output=True, text=True, check=True)
    assert "Start from the roadmap-ci template" in log.stdout
    assert available(templates) == ["tabular-regression"]


def test_new_refuses_to_overwrite(templates, tmp_path):
    new("tabular-regression", tmp_path, no_input=True, root=templates, git=False)
    with pytest.raises(CannotRun, match="choose another project name"):
        new("tabular-regression", tmp_path, no_input=True, root=templates, git=False)


def test_unknown_deliverable_and_missing_template(templates, tmp_path):
    with pytest.raises(InvalidInput, match="unknown deliverable 'tabular-regresion'"):
        new("tabular-regresion", tmp_path, root=templates)
    with pytest.raises(CannotRun, match=r"no template for 'gnn' yet \(templates: tabular-regression\)"):
        new("gnn", tmp_path, root=templates)


def test_cli_new_unknown(cli, tmp_path):
    res = cli("new", "no-such-thing", "-o", str(tmp_path))
    assert res.returncode == 1 and "unknown deliverable 'no-such-thing'" in res.stderr
