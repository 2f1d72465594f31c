"""tests: pytest as a subprocess (own process group, timeout) with JUnit XML: each test's outcome and duration.

A run that does not complete scores no test points -- every ``tests`` criterion is missing, with the reason --
because the tests it never ran, or could not see, might have failed:

* a test file pytest cannot collect (a syntax error, an import that fails: in it or in the code it imports) is
  ``error``. pytest runs with ``--continue-on-collection-errors``, so every other file still runs and the report
  lists all there is to fix at once; the reason names the file and the line pytest stopped at
  (``tests/test_a.py:3: …``, ``tests/test_b.py (at src/model.py:12): …``). One error case standing for a file
  of tests must not raise the score, so no test scores until every file is collected (pytest's own exit status
  says the same: the run failed), whatever ``tests.args`` asks;
* a pytest that dies (``os._exit``, a signal) is ``error``, and a hang killed on ``tests.timeout`` is
  ``timeout``; neither leaves JUnit XML. A small plugin (``STREAM_PLUGIN``, written into the run's temporary
  folder and loaded with ``-p``) records each test's start and result as it happens, so the reason says how
  pytest ended and which test was running, and the finished tests keep their outcomes (the running one is an
  ``error`` case).

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
import re
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


def _mentor_id(case_id: str, mentor_name: str | None) -> tuple[str, bool]:
    """The copy's random name -> "mentor", so a rubric can say tests:mentor.test_x::*."""
    if mentor_name is not None and case_id.startswith(mentor_name):
        return MENTOR_CASES + case_id[len(mentor_name):].removeprefix("."), True
    return case_id, False


def parse_junit(path: Path, mentor_name: str | None, where: _Where | None = None) -> list[TestCase]:
    """The cases of pytest's JUnit XML. A module pytest could not collect is an ``error`` case whose id has no
    ``::`` (its module, as pytest names it) and whose message is where and why (``where`` shows paths)."""
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
                if not classname and child.get("message") == "collection failure" and where is not None:
                    message = where.collection_error(name, child.text or "")
                break
            if child.tag == "skipped":
                outcome, message = "skipped", child.get("message") or ""
        try:
            duration = round(float(tc.get("time") or ""), 4)
        except ValueError:
            duration = None
        case_id, mentor = _mentor_id(f"{classname}::{name}" if classname else name, mentor_name)
        cases.append(TestCase(id=case_id, outcome=outcome,  # type: ignore[arg-type]
                              duration_s=duration, message=short(message, 300),
                              source="mentor" if mentor else "learner"))
    return cases


def _uncollectable(c: TestCase) -> bool:
    return c.outcome == "error" and "::" not in c.id


def uncollected(cases: list[TestCase]) -> list[TestCase]:
    """The modules pytest could not collect (an import error, a syntax error): ``error`` cases without ``::``."""
    return [c for c in cases if _uncollectable(c)]


_SYNTAX_AT = re.compile(r'^E\s+File "(?P<path>[^"]+)", line (?P<line>\d+)')  # a SyntaxError's own place
_FRAME_AT = re.compile(r"^(?P<path>[^\s<][^:]*):(?P<line>\d+): in ")  # a traceback frame, pytest's short style


class _Where:
    """Paths of one run as a learner reads them: relative to the repo, the mentor copy as the rubric's folder."""

    def __init__(self, repo: Path, mentor_name: str | None, mentor_shown: str) -> None:
        self.repo = repo
        self.mentor_name = mentor_name
        self.mentor_shown = mentor_shown

    def path(self, path: str) -> str | None:
        """``path`` (absolute, or from the repo) relative to the repo; None when outside it (a library)."""
        full = os.path.normpath(os.path.join(self.repo, path))
        if not full.startswith(str(self.repo) + os.sep):
            return None
        return self.nodeid(Path(os.path.relpath(full, self.repo)).as_posix())

    def nodeid(self, nodeid: str) -> str:
        if self.mentor_name and nodeid.startswith(self.mentor_name + "/"):
            return self.mentor_shown + nodeid[len(self.mentor_name):]
        return nodeid

    def module(self, module: str) -> str:
        """pytest's dotted name of a module it could not collect, as its file (when that file is there)."""
        rel = module.replace(".", "/")
        for candidate in (f"{rel}.py", f"{rel}/__init__.py", rel):
            if (self.repo / candidate).exists():
                return self.path(candidate) or module
        return module

    def collection_error(self, module: str, text: str) -> str:
        """Why ``module`` could not be collected, one line: the file and line pytest stopped at, and the error."""
        lines = text.splitlines()
        errors = [ln[1:].strip() for ln in lines if ln.startswith("E ") and ln[1:].strip()]
        what = errors[-1] if errors else next((ln.strip() for ln in reversed(lines) if ln.strip()), "cannot import")
        syntax = frame = None  # a SyntaxError names its place; else the deepest frame in the repo (not a library)
        for ln in lines:
            if (m := _SYNTAX_AT.match(ln)) and (rel := self.path(m["path"])) is not None:
                syntax = (rel, m["line"])
            elif (m := _FRAME_AT.match(ln)) and (rel := self.path(m["path"])) is not None:
                frame = (rel, m["line"])
        place = syntax or frame
        shown = self.module(module)
        if place is None or what.startswith(shown):
            return short(what if what.startswith(shown) else f"{shown}: {what}", 300)
        at = f"{place[0]}:{place[1]}"
        return short(f"{at}: {what}" if place[0] == shown else f"{shown} (at {at}): {what}", 300)


def _case_id(nodeid: str) -> str:
    """pytest's node id as its JUnit XML names the case: ``tests/test_a.py::T::t[x]`` -> ``tests.test_a.T::t[x]``."""
    path, bracket, params = nodeid.partition("[")
    parts = path.split("::")
    parts[0] = re.sub(r"\.py$", "", parts[0].replace("/", "."))
    parts[-1] += bracket + params
    return f"{'.'.join(parts[:-1])}::{parts[-1]}" if len(parts) > 1 else parts[0]


STREAM_PLUGIN = "roadmap_ci_pytest_stream"  # a plugin written into the run's temporary folder, loaded with -p
STREAM_FILE = "stream.jsonl"
_STREAM_SOURCE = '''"""roadmap-ci: each test's start and result, one JSON line each, written as it happens.

JUnit XML is written when the session ends: a pytest that dies (os._exit, a segfault) or is killed on the
timeout leaves none. This file says which test was running then, and how the finished ones fared.
"""
import json
import os

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream.jsonl")
_out = []


def _put(**record):
    try:
        if not _out:
            _out.append(open(_PATH, "a", encoding="utf-8"))
        _out[0].write(json.dumps(record) + "\\n")
        _out[0].flush()
    except (OSError, ValueError, TypeError):
        pass


def pytest_sessionstart(session):
    _put(e="session")


def pytest_runtest_logstart(nodeid, location):
    _put(e="start", id=nodeid)


def pytest_runtest_logreport(report):
    msg = ""
    if report.failed:  # what the JUnit XML's message says: the crash line, else the report's last line
        try:
            msg = getattr(getattr(report.longrepr, "reprcrash", None), "message", None)
            if not isinstance(msg, str):
                lines = [ln for ln in report.longreprtext[-4000:].splitlines() if ln.strip()]
                msg = lines[-1].strip() if lines else ""
            msg = msg[:300]
        except Exception:
            msg = ""
    _put(e="report", id=report.nodeid, when=report.when, outcome=report.outcome, msg=msg)


def pytest_collectreport(report):
    if report.failed:
        try:
            text = report.longreprtext[-8000:]
        except Exception:
            text = ""
        _put(e="collect", id=report.nodeid, text=text)


def pytest_sessionfinish(session, exitstatus):
    _put(e="finish", status=int(exitstatus))
'''


class _Stream:
    """What the stream plugin wrote: whether the session started and finished, the tests that finished (their
    cases, at most MAX_CASES) and those still running (started, no teardown)."""

    def __init__(self, path: Path, where: _Where) -> None:
        self.started = self.finished = False
        self.cases: list[TestCase] = []
        self.running: dict[str, None] = {}  # node ids, in start order
        self.mentor_name = mentor_name = where.mentor_name
        state: dict[str, tuple[str, str]] = {}  # node id -> (outcome so far, message)
        try:
            fh = path.open(encoding="utf-8", errors="replace")
        except OSError:
            return
        with fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                    event, nodeid = rec.get("e"), str(rec.get("id", ""))
                except (ValueError, AttributeError):  # the line being written when the process died
                    continue
                if event == "session":
                    self.started = True
                elif event == "finish":
                    self.finished = True
                elif event == "collect" and len(self.cases) < MAX_CASES:  # a module pytest could not collect
                    module = _case_id(nodeid)
                    case_id, mentor = _mentor_id(module, mentor_name)
                    self.cases.append(TestCase(id=case_id, outcome="error", source="mentor" if mentor else "learner",
                                               message=where.collection_error(module, str(rec.get("text") or ""))))
                elif event == "start":
                    self.running[nodeid] = None
                    state[nodeid] = ("passed", "")
                elif event == "report" and nodeid in state:
                    outcome, message = state[nodeid]
                    when, got, msg = rec.get("when"), rec.get("outcome"), str(rec.get("msg") or "")
                    if got == "failed":
                        outcome, message = ("failed" if when == "call" else "error"), msg
                    elif got == "skipped" and outcome == "passed":
                        outcome = "skipped"
                    state[nodeid] = (outcome, message)
                    if when == "teardown":
                        self.running.pop(nodeid, None)
                        outcome, message = state.pop(nodeid)
                        if len(self.cases) < MAX_CASES:
                            self.cases.append(self.case(nodeid, outcome, message, mentor_name))

    @staticmethod
    def case(nodeid: str, outcome: str, message: str, mentor_name: str | None) -> TestCase:
        case_id, mentor = _mentor_id(_case_id(nodeid), mentor_name)
        return TestCase(id=case_id, outcome=outcome, message=short(message, 300),  # type: ignore[arg-type]
                        source="mentor" if mentor else "learner")

    def with_running(self, why: str) -> list[TestCase]:
        """The finished cases and, as errors saying ``why``, the ones that were running."""
        running = [self.case(n, "error", why, self.mentor_name) for n in self.running]
        return (self.cases + running)[:MAX_CASES]


def _running(stream: _Stream, where: _Where) -> str:
    """ "while tests/test_a.py::test_x was running" (or a few), or ""."""
    ids = [where.nodeid(n) for n in stream.running]
    if not ids:
        return ""
    return f" while {names(ids)} {'was' if len(ids) == 1 else 'were'} running"


_PROGRESS = re.compile(r"^[.FEsxXpP]*(\s*\[\s*\d+%\])?$")  # pytest -q's progress dots


def _summary(output: str) -> str:
    """The line that says why pytest stopped (a collection error, a usage error), else the last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip() and not _PROGRESS.match(ln.strip())]
    usage = next((m[1] for ln in lines if (m := re.match(r"\S.*?: error: (.+)$", ln))), None)  # argparse's
    if usage is not None:
        return short(f"pytest: {usage}", 300)
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
    where = _Where(ctx.repo, None, "")
    try:
        if src is not None:
            mentor_name = MENTOR_PREFIX + secrets.token_hex(4)
            mentor_copy = ctx.repo / mentor_name
            where = _Where(ctx.repo, mentor_name, src.name)
            shutil.copytree(src, mentor_copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            if not (mentor_copy / "__init__.py").exists():  # import as <dir>.test_x: no clash with learner names
                (mentor_copy / "__init__.py").write_text("")
        (tmp / f"{STREAM_PLUGIN}.py").write_text(_STREAM_SOURCE)
        env = {**ctx.env, "PYTHONPATH": os.pathsep.join([str(tmp), *filter(None, [ctx.env.get("PYTHONPATH")])])}
        # every module pytest can collect runs, whatever one it cannot (its error is a case): the report lists
        # all there is to fix at once. A run with such a module scores no test points at all (_resolve).
        cmd = [sys.executable, "-m", "pytest", *paths, *([mentor_name] if mentor_name else []),
               f"--junitxml={junit}", "-o", "junit_family=xunit2", "-p", "no:cacheprovider", "-p", STREAM_PLUGIN,
               "--continue-on-collection-errors", "--color=no", "-q", *cfg.args]
        res = proc.run(cmd, ctx.repo, timeout=cfg.timeout, env=env)
        stream = _Stream(tmp / STREAM_FILE, where)
        cases: list[TestCase] = []
        parse_error = ""
        if junit.is_file() and not res.timed_out:
            try:
                cases = parse_junit(junit, mentor_name, where)
            except ParseError as exc:
                parse_error = f"pytest's JUnit XML is unreadable: {exc}"
    finally:
        if mentor_copy is not None:
            shutil.rmtree(mentor_copy, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    note = f" ({', '.join(missing)} not found)" if missing else ""
    duration = round(res.duration_s, 3)
    if res.error:
        return Tests(status="error", message=res.error)
    if res.timed_out:  # no JUnit XML: what finished, and what was running, from the stream
        running = _running(stream, where)
        return Tests(status="timeout", cases=stream.with_running(f"still running after {cfg.timeout:g} s, "
                                                                 "when the run was killed"),
                     duration_s=duration,
                     message=f"pytest did not finish within {cfg.timeout:g} s; the process group was killed"
                     + (running or ("" if stream.cases else " before any test started")))
    rc = res.returncode
    if stream.started and not stream.finished:  # it died mid-run (os._exit, a signal): no JUnit XML either
        how = (f"was killed by signal {-rc}" + (f" ({_signal_name(-rc)})" if _signal_name(-rc) else "")
               if rc is not None and rc < 0 else f"exited with code {rc}")
        running = _running(stream, where)
        fatal = m[0] if (m := re.search(r"Fatal Python error: [^\n]*", res.tail)) else ""  # faulthandler's line
        return Tests(status="error", cases=stream.with_running(f"running when pytest {how}"), duration_s=duration,
                     message=f"pytest {how}{running + ',' if running else ''} before writing its report"
                     + (f" ({short(fatal, 120)})" if fatal else ""))
    broken = uncollected(cases)
    if broken:
        more = f" (and {len(broken) - 1} more test file{'s' if len(broken) > 2 else ''})" if len(broken) > 1 else ""
        return Tests(status="error", cases=cases, duration_s=duration,
                     message=f"cannot collect {broken[0].message}{more}: while a test file cannot be collected, "
                     "no test scores" + note)
    if rc == 5 or (rc == 0 and not cases):
        status, message = "no_tests", "pytest collected no tests" + note
    elif rc == 0:
        status, message = "ok", note.strip()
    elif rc == 1:
        status, message = "failed", note.strip()
    else:  # 2 interrupted, 3 internal error, 4 usage error
        status, message = "error", _summary(res.tail) + note
    if parse_error:
        status, message = "error", parse_error
    return Tests(status=status, cases=cases, message=message,  # type: ignore[arg-type]
                 duration_s=duration)


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return ""


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
    if t.status in ("error", "timeout"):
        # a run that did not complete -- killed on the timeout, died, or with a test file pytest cannot collect --
        # scores no test points: the tests it never ran (or could not see) might have failed, so whatever ran
        # must not earn more than the whole would. The reason says what stopped it and how the rest fared.
        ran = [c for c in cases if not _uncollectable(c)]
        return missing_fact(label, short(t.message, 200) + (f"; of the tests that ran, {_tally(ran)}" if ran else ""))
    if not cases:
        return missing_fact(label, "no tests were collected" + (f" matching {ref.key!r}" if ref.key else ""))
    passed = sum(c.outcome == "passed" for c in cases)
    failed = [c.id.rsplit("::", 1)[-1] for c in cases if c.outcome != "passed"]
    detail = _tally(cases)
    if want == "number":
        return Fact("number", f"{label} failing", float(len(failed)), detail=detail)
    if want == "bool":
        return Fact("bool", label, not failed, detail=detail)
    return Fact("fraction", label, done=passed, total=len(cases), detail=detail)


def _tally(cases: list[TestCase]) -> str:
    """ "3 of 4 tests passed (failing: test_x)"."""
    passed = sum(c.outcome == "passed" for c in cases)
    failed = [c.id.rsplit("::", 1)[-1] for c in cases if c.outcome != "passed"]
    return f"{passed} of {len(cases)} tests passed" + (f" (failing: {names(failed)})" if failed else "")


NAMESPACES = {
    "tests": Namespace("optional", frozenset({"pass", "fraction", "threshold"}), "pytest results", _resolve),
}
