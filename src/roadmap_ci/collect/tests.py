"""tests: pytest as a subprocess (own process group, timeout) with JUnit XML: each test's outcome and duration.

The learner's tests (``tests.paths``) run together with the mentor tests the rubric names
(``mentor_tests:``, a directory beside the rubric): those are copied into the repo under a fresh random
name for the run -- so a learner cannot pre-empt or impersonate them -- and removed afterwards, even when
pytest fails or times out. Cases from that directory are recorded with ``source: mentor`` and the id
``mentor.<module>::<test>`` (whatever the copy was called), so a rubric can name them: ``tests:mentor.*``.

Locally (not in CI), a result is reused when nothing it could depend on changed: every file of the
repo (path, size, mtime), the mentor tests, the interpreter and its installed packages, the
environment and the pytest arguments (``collectors/_cache.py``). It is stored only when the repo was
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

import json
import secrets
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from roadmap_ci import __version__
from roadmap_ci.collect import _cache, proc
from roadmap_ci.collect._context import Context, locate, short
from roadmap_ci.collect._dvc import read_dvc_yaml
from roadmap_ci.evidence import MENTOR_CASES, TestCase, Tests

NAME = "tests"
NEEDS: tuple[str, ...] = ()
MAX_CASES = 5000
MENTOR_PREFIX = "roadmap_ci_mentor_tests_"


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
                message = child.get("message") or proc.last_line(child.text or "")
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
    if not _cache.enabled():
        return None
    cfg = ctx.config.tests
    assert cfg is not None
    parts = [__version__, sys.version, sys.executable, json.dumps([paths, cfg.args]),
             json.dumps(sorted(ctx.env.items())), *_cache.site_state(ctx.repo)]
    outputs = _pipeline_outputs(ctx)
    skip = frozenset() if cfg.after_pipeline or outputs is None else outputs | {"dvc.lock"}
    return _cache.key(parts, [ctx.repo, *([src] if src is not None else [])], skip=skip,
                      generated=outputs or frozenset())


def _pipeline_outputs(ctx: Context) -> frozenset[str] | None:
    """What dvc.yaml's stages write; None when there is no dvc.yaml or it cannot be read statically."""
    dvc = read_dvc_yaml(ctx.repo)
    if dvc is None or dvc.error or dvc.outputs is None:
        return None
    return frozenset(dvc.outputs)


def collect(ctx: Context) -> dict[str, Any]:
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
            except ET.ParseError as exc:
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
