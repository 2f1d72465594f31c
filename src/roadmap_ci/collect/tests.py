"""tests: pytest as a subprocess (own process group, timeout) with JUnit XML: each test's outcome and duration.

The learner's tests (``tests.paths``) run together with the mentor tests the rubric names
(``mentor_tests:``, a directory beside the rubric): those are copied into the repo under a fresh random
name for the run -- so a learner cannot pre-empt or impersonate them -- and removed afterwards, even when
pytest fails or times out. Cases from that directory are recorded with ``source: mentor`` and the id
``mentor.<module>::<test>`` (whatever the copy was called), so a rubric can name them: ``tests:mentor.*``.

Locally (not in CI), a result is reused when nothing it could depend on changed: every file of the
repo (path, size, mtime), the mentor tests, the interpreter and its installed packages, the
environment -- less what a shell, make or a terminal set by themselves (``SHELL_BOOKKEEPING``: PWD, OLDPWD,
SHLVL, MAKEFLAGS, …), and with PATH compared as the lookup it is -- and the pytest arguments
(``collect/_cache.py``). It is stored only when the repo was
the same before and after the run, and it is marked ``cached: true`` in the evidence.

Tests that run beside the pipeline (the default; ``tests.after_pipeline: true`` makes them wait) do not
read what the pipeline writes -- it may not exist yet -- so the pipeline's declared outputs (outs,
metrics, plots of dvc.yaml) and dvc.lock are left out of the key: a first evaluation whose pipeline ran
is cacheable, and a changed output always comes with a changed input (code, params, data) that is in the
key. When dvc.yaml is templated (``${…}``, ``foreach``) and the outputs cannot be read, nothing is left out.
The lines DVC adds to ``.gitignore`` files for those outputs (on a first ``dvc repro``) are not part of the
key either, whenever the tests run: the evaluation's own writes never make the next run start afresh.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from roadmap_ci import __version__
from roadmap_ci.collect.base import (
    EvidenceModel,
    Fact,
    Namespace,
    Ref,
    RelPaths,
    Section,
    Want,
    locate,
    names,
    no_section_line,
    short,
)
from roadmap_ci.collect.base import missing as missing_fact

if TYPE_CHECKING:
    from roadmap_ci.collect._context import Context
    from roadmap_ci.evidence import Evidence

NAME = "tests"
NEEDS: tuple[str, ...] = ()
TOOLS = ("pytest",)
MODULES = ("pytest",)
MAX_CASES = 5000
MENTOR_PREFIX = "roadmap_ci_mentor_tests_"


@functools.cache
def config() -> tuple[Any, Any]:
    """Its ``tests:`` key in .roadmap-ci.yml, the model built on first use (``score`` imports this module
    for its evidence models and never reads the key)."""

    class TestsConfig(Section):
        paths: RelPaths = Field(default=["tests"], description="What pytest collects.")
        timeout: float = Field(default=300, gt=0)
        args: list[str] = Field(default=[], description="Extra pytest arguments, e.g. ['-m', 'not slow'].")
        after_pipeline: bool = Field(
            default=False, description="Run after the pipeline (tests that read its outputs); else concurrently."
        )

    return (TestsConfig | None, None)


MENTOR_CASES = "mentor."  # the id prefix of the rubric's mentor tests (mentor.<module>::<test>), theirs alone


class TestCase(EvidenceModel):
    id: str = Field(description="classname::name as pytest's JUnit XML reports it; the rubric's mentor tests "
                    "are mentor.<module>::<name>.")
    outcome: Literal["passed", "failed", "error", "skipped"]
    duration_s: float | None = None
    message: str = ""
    source: Literal["learner", "mentor"] = "learner"


class Tests(EvidenceModel):
    status: Literal["ok", "failed", "no_tests", "error", "timeout"]
    cases: list[TestCase] = Field(default_factory=list)
    message: str = ""
    duration_s: float | None = None
    cached: bool = Field(default=False, description="Reused from an earlier local run of the very same files "
                         "(never in CI; ROADMAP_CI_NO_CACHE=1 turns it off).")


EVIDENCE = {"tests": (Tests | None, None)}


def enabled(ctx: Context) -> bool:
    return ctx.config.tests is not None


def needs(ctx: Context) -> tuple[str, ...]:
    return ("pipeline",) if ctx.config.tests is not None and ctx.config.tests.after_pipeline else ()


def mentor_dir(ctx: Context) -> Path | None:
    if ctx.rubric is None or not ctx.rubric.rubric.mentor_tests:
        return None
    return (ctx.rubric.directory / ctx.rubric.rubric.mentor_tests).resolve()


def parse_junit(path: Path, mentor_name: str | None) -> list[TestCase]:
    cases: list[TestCase] = []
    import xml.etree.ElementTree as ET  # here: importing a collector (the evidence model does) stays light

    from roadmap_ci.collect.proc import last_line

    root = ET.parse(path).getroot()
    for tc in root.iter("testcase"):
        if len(cases) >= MAX_CASES:
            break
        classname = tc.get("classname") or ""
        name = tc.get("name") or "?"
        outcome, message = "passed", ""
        for child in tc:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                message = child.get("message") or last_line(child.text or "")
                break
            if child.tag == "skipped":
                outcome, message = "skipped", child.get("message") or ""
        try:
            duration = round(float(tc.get("time") or ""), 4)
        except ValueError:
            duration = None
        case_id = f"{classname}::{name}" if classname else name
        mentor = mentor_name is not None and case_id.startswith(mentor_name)
        if mentor:  # the copy's random name -> "mentor", so a rubric can say tests:mentor.test_x::*
            case_id = MENTOR_CASES + case_id[len(mentor_name):].removeprefix(".")  # type: ignore[arg-type]
        cases.append(TestCase(id=case_id, outcome=outcome,  # type: ignore[arg-type]
                              duration_s=duration, message=short(message, 300),
                              source="mentor" if mentor else "learner"))
    return cases


def _summary(output: str) -> str:
    """The line that says why pytest stopped (a collection error, a usage error), else the last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("ERROR ", "ERROR:", "E   ")) and ("Error" in ln or "error" in ln):
            return short(ln, 300)
    return short(lines[-1], 300) if lines else "pytest printed nothing"


def _key(ctx: Context, paths: list[str], src: Path | None) -> str | None:
    from roadmap_ci.collect import _cache

    if not _cache.enabled():
        return None
    cfg = ctx.config.tests
    assert cfg is not None
    parts = [__version__, sys.version, sys.executable, json.dumps([paths, cfg.args]),
             json.dumps(_env_state(ctx.env, ctx.repo)), *_cache.site_state(ctx.repo)]
    outputs = _pipeline_outputs(ctx)
    skip = frozenset() if cfg.after_pipeline or outputs is None else outputs | {"dvc.lock"}
    return _cache.key(parts, [ctx.repo, *([src] if src is not None else [])], skip=skip,
                      generated=outputs or frozenset())


# What a shell, make, a terminal or a login sets by itself, and changes with nothing a test could see: a `cd`
# (PWD, OLDPWD), a nested shell (SHLVL, _), `make evaluate` instead of `roadmap-ci evaluate` (MAKELEVEL,
# MAKEFLAGS: a fresh jobserver fifo each run), a new terminal window, tab, tmux pane or SSH login. Every other
# variable counts: PYTHON*, PATH, the project's own, the libraries' (OMP_*, CUDA_*, …) -- anything may.
SHELL_BOOKKEEPING = frozenset({
    "PWD", "OLDPWD", "SHLVL", "_", "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKE_TERMOUT",
    "MAKE_TERMERR", "TERM_SESSION_ID", "ITERM_SESSION_ID", "SHELL_SESSION_ID", "SECURITYSESSIONID", "WINDOWID",
    "TMUX", "TMUX_PANE", "STY", "WT_SESSION", "KITTY_WINDOW_ID", "ALACRITTY_WINDOW_ID", "WEZTERM_PANE",
    "KONSOLE_DBUS_SESSION", "KONSOLE_DBUS_WINDOW", "TERM_PROGRAM_VERSION", "SSH_CLIENT", "SSH_CONNECTION",
    "SSH_TTY", "SSH_AUTH_SOCK", "XDG_SESSION_ID", "GPG_TTY",
})
SHELL_BOOKKEEPING_PREFIXES = ("VSCODE_",)  # the editor's terminal: its IPC handles and pids, new per window


def _env_state(env: dict[str, str], repo: Path) -> list[tuple[str, str]]:
    """The environment as far as a test's result can depend on it: without :data:`SHELL_BOOKKEEPING`, and
    PATH as the lookup it is -- each entry absolute (from the repo, where pytest runs), the first of repeats
    kept -- so `make evaluate`'s ``PATH=.venv/bin:$PATH`` finds what a plain ``roadmap-ci evaluate`` finds."""
    out = []
    for name, value in sorted(env.items()):
        if name in SHELL_BOOKKEEPING or name.startswith(SHELL_BOOKKEEPING_PREFIXES):
            continue
        if name == "PATH":
            value = os.pathsep.join(dict.fromkeys(os.path.normpath(os.path.join(repo, d))
                                                  for d in value.split(os.pathsep)))
        out.append((name, value))
    return out


def _pipeline_outputs(ctx: Context) -> frozenset[str] | None:
    """What dvc.yaml's stages write; None when there is no dvc.yaml or it cannot be read statically."""
    from roadmap_ci.collect._dvc import read_dvc_yaml

    dvc = read_dvc_yaml(ctx.repo)
    if dvc is None or dvc.error or dvc.outputs is None:
        return None
    return frozenset(dvc.outputs)


def collect(ctx: Context) -> dict[str, Any]:
    from roadmap_ci.collect import _cache

    cfg = ctx.config.tests
    assert cfg is not None
    paths = [p for p in cfg.paths if locate(ctx.repo, p)[1] in ("file", "dir")]
    missing = [p for p in cfg.paths if p not in paths]
    src = mentor_dir(ctx)
    if src is not None and not src.is_dir():
        return {"tests": Tests(status="error", message=f"the rubric's mentor_tests directory {src} does not exist")}
    if not paths and src is None:
        return {"tests": Tests(status="no_tests", message=f"no tests: {', '.join(missing)} not found")}
    key = _key(ctx, paths, src)
    cached = _cache.read(ctx.repo, NAME).get(key or "")
    if cached is not None:
        try:
            return {"tests": Tests.model_validate({**cached, "cached": True})}
        except ValueError:
            pass
    tests = _run(ctx, paths, missing, src)
    if key is not None and tests.status in ("ok", "failed", "no_tests") and _key(ctx, paths, src) == key:
        _cache.write(ctx.repo, NAME, {key: tests.model_dump(mode="json")})  # the latest result only
    return {"tests": tests}


def _run(ctx: Context, paths: list[str], missing: list[str], src: Path | None) -> Tests:
    from xml.etree.ElementTree import ParseError

    from roadmap_ci.collect import proc

    cfg = ctx.config.tests
    assert cfg is not None
    tmp = Path(tempfile.mkdtemp(prefix="roadmap-ci-pytest-"))
    junit = tmp / "junit.xml"
    mentor_name = None
    mentor_copy = None
    try:
        if src is not None:
            mentor_name = MENTOR_PREFIX + secrets.token_hex(4)
            mentor_copy = ctx.repo / mentor_name
            shutil.copytree(src, mentor_copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            if not (mentor_copy / "__init__.py").exists():  # import as <dir>.test_x: no clash with learner names
                (mentor_copy / "__init__.py").write_text("")
        cmd = [sys.executable, "-m", "pytest", *paths, *([mentor_name] if mentor_name else []),
               f"--junitxml={junit}", "-o", "junit_family=xunit2", "-p", "no:cacheprovider", "--color=no",
               "-q", *cfg.args]
        res = proc.run(cmd, ctx.repo, timeout=cfg.timeout, env=ctx.env)
        cases: list[TestCase] = []
        parse_error = ""
        if junit.is_file():
            try:
                cases = parse_junit(junit, mentor_name)
            except ParseError as exc:
                parse_error = f"pytest's JUnit XML is unreadable: {exc}"
    finally:
        if mentor_copy is not None:
            shutil.rmtree(mentor_copy, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    note = f" ({', '.join(missing)} not found)" if missing else ""
    if res.error:
        return Tests(status="error", message=res.error)
    if res.timed_out:
        return Tests(status="timeout", cases=cases, duration_s=round(res.duration_s, 3),
                     message=f"pytest did not finish within {cfg.timeout:g} s; the process group was killed")
    rc = res.returncode
    if rc == 5 or (rc == 0 and not cases):
        status, message = "no_tests", "pytest collected no tests" + note
    elif rc == 0:
        status, message = "ok", note.strip()
    elif rc == 1:
        status, message = "failed", note.strip()
    else:  # 2 interrupted (collection errors), 3 internal error, 4 usage error
        status, message = "error", _summary(res.tail) + note
    if parse_error:
        status, message = "error", parse_error
    return Tests(status=status, cases=cases, message=message,  # type: ignore[arg-type]
                 duration_s=round(res.duration_s, 3))


def summary(fields: dict[str, Any]) -> str:
    value = fields.get("tests")
    if value is None:
        return no_section_line(fields)
    counts: dict[str, int] = {}
    for c in value.cases:
        counts[c.outcome] = counts.get(c.outcome, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    return (f"{value.status}" + (f" ({parts})" if parts else "")
            + (f": {value.message}" if value.message and value.status != "ok" else "")
            + (" — reused: no file changed since the last run" if value.cached else ""))


# ---------------------------------------------------------------- facts


def _resolve(ev: Evidence, ref: Ref, want: Want, base: dict[str, float] | None) -> Fact:
    t = ev.tests
    label = "tests" if ref.key is None else f"tests {ref.key}"
    if t is None:
        return missing_fact(label, "tests were not run")
    if t.status in ("error", "timeout") and not t.cases:
        what = "timed out" if t.status == "timeout" else "could not run"
        return missing_fact(label, f"pytest {what}: {short(t.message, 160)}")
    cases = [c for c in t.cases if c.outcome != "skipped"]
    if ref.key is not None:  # mentor.* ids are the rubric's mentor tests: a learner module named mentor is not
        cases = [c for c in cases if fnmatch.fnmatchcase(c.id, ref.key)
                 and (c.source == "mentor" or not c.id.startswith(MENTOR_CASES))]
    if not cases:
        return missing_fact(label, "no tests were collected" + (f" matching {ref.key!r}" if ref.key else ""))
    passed = sum(c.outcome == "passed" for c in cases)
    failed = [c.id.rsplit("::", 1)[-1] for c in cases if c.outcome != "passed"]
    detail = f"{passed} of {len(cases)} tests passed" + (f" (failing: {names(failed)})" if failed else "")
    if want == "number":
        return Fact("number", f"{label} failing", float(len(failed)), detail=detail)
    if want == "bool":
        return Fact("bool", label, not failed, detail=detail)
    return Fact("fraction", label, done=passed, total=len(cases), detail=detail)


NAMESPACES = {
    "tests": Namespace("optional", frozenset({"pass", "fraction", "threshold"}), "pytest results", _resolve),
}
