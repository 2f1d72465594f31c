"""collect: a learner repo -> ``evidence.json`` (+ the bundle of declared outputs), by running it as CI will.

Reads ``.roadmap-ci.yml`` (:mod:`roadmap_ci.collect.config`), runs every enabled collector
(:mod:`roadmap_ci.collect.registry`) -- independent ones concurrently, those that read pipeline outputs after
the pipeline -- and writes the evidence atomically. Learner code runs only through :mod:`roadmap_ci.collect.proc`.
A collector that fails is one ``evidence.errors`` entry; collect itself fails only when it cannot start
(no commit to evaluate -- a folder outside git or a repo before its first commit --, no config, an invalid
config, a rubric that cannot be found).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from roadmap_ci.collect.base import CollectorError, check_rel_path
from roadmap_ci.collect.config import RepoConfig, load_config
from roadmap_ci.collect.registry import COLLECTORS, Collector, needs
from roadmap_ci.errors import CannotRun, InvalidInput, Place
from roadmap_ci.evidence import Evidence, write_json
from roadmap_ci.score.load import LoadedRubric, load_rubric

OUT_DIR = ".roadmap-ci"


# ---------------------------------------------------------------- progress


class Progress:
    """What the user sees while collecting: a live Rich display on a terminal, one line per step in CI logs,
    nothing with ``quiet``. All methods are safe to call from the collector threads."""

    def __init__(self, quiet: bool = False, live: bool | None = None):
        self.quiet = quiet
        self._lock = threading.Lock()
        self._rich: Any = None
        self._tasks: dict[str, Any] = {}
        if quiet:
            return
        from roadmap_ci.console import stderr

        self.console = stderr()
        self.live = self.console.is_terminal if live is None else live

    def __enter__(self) -> Progress:
        if not self.quiet and self.live:
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._rich = RichProgress(SpinnerColumn(), TextColumn("{task.description:<12}"),
                                      TextColumn("{task.fields[state]}"), TimeElapsedColumn(),
                                      console=self.console, transient=False)
            self._rich.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.__exit__(*exc)  # type: ignore[arg-type]
            self._rich = None

    def update(self, name: str, state: str, finished: bool = False, seconds: float | None = None) -> None:
        if self.quiet:
            return
        from roadmap_ci.safeio import markup as escape  # states quote learner text: no controls, no markup

        with self._lock:
            if self._rich is not None:
                task = self._tasks.get(name)
                if task is None:
                    task = self._tasks[name] = self._rich.add_task(name, total=1, state="")
                self._rich.update(task, state=escape(state), completed=1 if finished else 0)
                if finished:
                    self._rich.stop_task(task)
            elif finished:
                took = f" ({seconds:.1f} s)" if seconds is not None else ""
                self.console.print(f"collect {escape(name)}: {escape(state)}{took}")


# ---------------------------------------------------------------- inputs


def resolve_rubric(repo: Path, config: RepoConfig, override: Path | str | None = None,
                   required: bool = False) -> LoadedRubric | None:
    """``--rubric`` (a path or a bundled id) wins; else the config's ``rubric:`` -- a bundled id or a path inside
    the repo."""
    from roadmap_ci.paths import bundled_rubric, is_rubric_path, rubric_path

    if override is not None:
        return load_rubric(rubric_path(override))
    name = config.rubric
    if name is None:
        if required:
            raise CannotRun("no rubric: name one in .roadmap-ci.yml (rubric: <id or path>) or pass --rubric")
        return None
    where = Place(str(repo / ".roadmap-ci.yml"))
    if is_rubric_path(name):
        try:
            rel = check_rel_path(name)
        except ValueError as exc:
            raise InvalidInput(f"rubric: {exc}", where) from None
        return load_rubric(repo / rel)
    return load_rubric(bundled_rubric(name, where))


def _git(repo: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=20,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


FIRST_COMMIT = 'git commit -m "First version"'


def head_commit(repo: Path) -> str:
    """The commit being evaluated; CannotRun saying how to make one when there is none.

    What CI grades is a commit: a folder outside git (or a repo before its first commit) is not evaluated
    at all, rather than scored low for reasons that have nothing to do with the work.
    """
    commit = _git(repo, "rev-parse", "--verify", "-q", "HEAD")
    if commit:
        return commit
    import shutil

    if shutil.which("git") is None:
        raise CannotRun("git is not installed: roadmap-ci evaluates a commit, install git first", Place(str(repo)))
    if _git(repo, "rev-parse", "--is-inside-work-tree") == "true":
        raise CannotRun(f"the git repository has no commits yet: run `git add -A && {FIRST_COMMIT}` there, "
                        "then evaluate again", Place(str(repo)))
    raise CannotRun(f"not a git repository: run `git init && git add -A && {FIRST_COMMIT}` there, "
                    "then evaluate again", Place(str(repo)))


def _tool_versions(names: Sequence[str]) -> dict[str, str]:
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for dist in ("roadmap-ci", *names):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def _prepare_out(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        ignore = out_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# written by roadmap-ci: never commit evaluation output\n*\n")
    except OSError as exc:
        raise CannotRun(f"cannot write the evidence directory: {exc.strerror or exc}", Place(str(out_dir))) from None


# ---------------------------------------------------------------- running


def run_collectors(ctx: Any, names: Sequence[str], progress: Progress) -> dict[str, dict[str, Any]]:
    """Run the named collectors: each in its own thread, waiting for what it NEEDS."""
    from roadmap_ci.collect import proc

    mods: dict[str, Collector] = {n: COLLECTORS[n] for n in names}
    active = [n for n in names if mods[n].enabled(ctx)]
    done = {n: threading.Event() for n in active}

    def work(name: str) -> None:
        mod = mods[name]
        try:
            waits = [d for d in needs(mod, ctx) if d in done]
            progress.update(name, f"waiting for {', '.join(waits)}" if waits else "running")
            warm: Callable[[Any], None] | None = getattr(mod, "warm", None)
            if warm is not None:
                warm(ctx)
            for dep in waits:
                done[dep].wait()
            progress.update(name, "running")
            t0 = time.monotonic()
            fields = mod.collect(ctx)
            ctx.put(name, fields)
            progress.update(name, mod.summary(fields), finished=True, seconds=time.monotonic() - t0)
        except Exception as exc:  # a collector's own failure: evidence of it, never a crash
            msg = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            ctx.put(name, {"errors": [CollectorError(collector=name, message=msg)]})
            progress.update(name, f"error: {msg}", finished=True)
        finally:
            done[name].set()

    threads = [threading.Thread(target=work, args=(n,), name=f"collect-{n}", daemon=True) for n in active]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(timeout=0.2)
    except BaseException:
        proc.kill_all()
        raise
    return {n: ctx.results.get(n, {}) for n in active}


def _check_extra(ctx: Any, names: Sequence[str]) -> None:
    """Before anything runs: every library an enabled collector needs is installed, else one line naming the
    extra (exit 2) -- not eight collector errors and a 0/100 scorecard."""
    from roadmap_ci.extras import need

    for name in names:
        modules = COLLECTORS[name].MODULES
        if modules and COLLECTORS[name].enabled(ctx):
            need("collect", *modules, what=f"the {name} collector runs it")


def collect(
    repo: Path | str,
    out_dir: Path | str | None = None,
    rubric: LoadedRubric | Path | str | None = None,
    base: str | None = None,
    *,
    config: RepoConfig | None = None,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Evidence:
    """Collect evidence from ``repo`` into ``out_dir`` (default ``<repo>/.roadmap-ci``); return it.

    ``rubric`` (or the config's ``rubric:``) adds the files it references and its mentor tests;
    ``base`` is a git revision whose metrics become ``base_metrics``; ``only`` limits the collectors.
    """
    from roadmap_ci.collect._context import Context
    from roadmap_ci.collect.registry import COLLECTORS

    repo = Path(repo)
    if not repo.is_dir():
        raise CannotRun("not a directory", Place(str(repo)))
    repo = repo.resolve()
    config = config or load_config(repo)
    loaded = rubric if isinstance(rubric, LoadedRubric) else resolve_rubric(repo, config, rubric)
    commit = head_commit(repo)
    out = Path(out_dir) if out_dir is not None else repo / OUT_DIR
    out = out.resolve()
    _prepare_out(out)
    names = [n for n in COLLECTORS if only is None or n in only]
    if only is not None:
        unknown = [n for n in only if n not in COLLECTORS]
        if unknown:
            raise InvalidInput(f"unknown collector {unknown[0]!r} (allowed: {', '.join(COLLECTORS)})")

    ctx = Context(repo=repo, out_dir=out, config=config, rubric=loaded, base=base)
    _check_extra(ctx, names)
    errors: list[CollectorError] = []
    progress = progress or Progress(quiet=True)
    with progress:
        results = run_collectors(ctx, names, progress)

    fields: dict[str, Any] = {}
    for name in names:
        got = dict(results.get(name) or {})
        errors += got.pop("errors", [])
        fields.update(got)
    enabled_names = [n for n in names if n in results]
    evidence = Evidence(
        deliverable=config.deliverable,
        commit=commit,
        repo=os.environ.get("GITHUB_REPOSITORY") or repo.name,
        ref=os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME")
        or _git(repo, "rev-parse", "--abbrev-ref", "HEAD"),
        learner=os.environ.get("ROADMAP_CI_LEARNER") or os.environ.get("GITHUB_ACTOR") or None,
        tools=_tool_versions([t for n in enabled_names for t in COLLECTORS[n].TOOLS]),
        errors=errors,
        **fields,
    )
    write_json(evidence, out / "evidence.json")
    return evidence
