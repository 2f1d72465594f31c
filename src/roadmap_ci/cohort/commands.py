"""What the ``roadmap-ci cohort …`` commands do and print (the CLI only parses and calls these)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.model import LoadedCohort, lint_cohort, load_cohort
from roadmap_ci.errors import EXIT_INVALID, EXIT_OK, CannotRun

PLAN_ROWS = 200


def lint(files: list[Path]) -> int:
    """Each file's problems (one line each) or its ok line; exit 1 when a file has problems, 2 when one could not
    be read at all (a missing cohort file, as for every other cohort command), the worse of the two."""
    code = EXIT_OK
    for f in files:
        try:
            errors = lint_cohort(f)
        except CannotRun as exc:
            print(str(exc), file=sys.stderr)
            code = max(code, exc.exit_code)
            continue
        for e in errors:
            print(str(e), file=sys.stderr)
        if errors:
            code = max(code, EXIT_INVALID)
            continue
        loaded = load_cohort(f)
        seats = len(loaded.seats())
        print(f"{f}: ok ({len(loaded.learners)} learners, {len(loaded.cohort.deliverables)} deliverables, "
              f"{seats} repos)")
        for note in loaded.ungrouped_notes():
            print(note)
    return code


def state_dir(loaded: LoadedCohort, state: Path | None) -> Path:
    from roadmap_ci.cohort.apply import STATE_DIR

    return state if state is not None else loaded.base / STATE_DIR


def make_client(state: Path, pause_s: float | None) -> Any:
    from roadmap_ci.github.client import WRITE_PAUSE_S, Client, EtagCache, api_url_from_env, token_from_env

    return Client(api_url_from_env(), token_from_env(), pause_s=WRITE_PAUSE_S if pause_s is None else pause_s,
                  cache=EtagCache(state / "etags.json"))


def _engine(file: Path, state: Path | None, pause_s: float | None) -> Any:
    from roadmap_ci.cohort.apply import Engine

    loaded = load_cohort(file)
    sd = state_dir(loaded, state)
    return Engine(loaded, make_client(sd, pause_s), sd)


def _plan_table(plans: list[Any], limit: int = 200) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="What apply would change", show_lines=False)
    for col in ("seat", "repo", "changes", "notes"):
        table.add_column(col, overflow="fold")
    shown = 0
    for sp in plans:
        if not sp.actions and not sp.notes and not sp.error:
            continue
        shown += 1
        if shown > limit:
            continue
        changes = ", ".join(a.what for a in sp.actions) or "—"
        notes = "; ".join(sp.notes + ([f"[red]{escape(sp.error)}[/]"] if sp.error else []))
        table.add_row(escape(sp.seat.label), escape(sp.full), escape(changes), notes if sp.error else escape(notes))
    return table, shown


def summary_line(plans: list[Any], pause_s: float) -> str:
    from roadmap_ci.cohort.apply import STEP_WORDS, totals, write_count
    from roadmap_ci.github.client import eta_seconds

    t = totals(plans)
    writes, content = write_count(plans)
    held = sum(1 for sp in plans if sp.error)
    if not writes:
        return f"{len(plans)} repos: nothing to change" + (f" ({held} held back: below)" if held else "")
    parts = [f"{STEP_WORDS.get(k, k)} ×{n}" for k, n in sorted(t.items())]
    eta = eta_seconds(writes, content, pause_s)
    return (f"{len(plans)} repos: {writes} writes ({content} content-creating): {', '.join(parts)}; "
            f"at GitHub's pace (writes ≥ {pause_s:g} s apart, ≤ 80 repos/invitations a minute, 500 an hour) "
            f"this takes at least {_duration(eta)}" + (f"; {held} held back (below)" if held else ""))


def _duration(s: float) -> str:
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def waiting_lines(eng: Any) -> list[str]:
    """One line per deliverable ``provision_ahead_days`` holds back: when it opens and when apply makes it."""
    from roadmap_ci.cohort.store import iso

    return [f"{d.id}: not provisioned yet (opens {iso(d.opens)}; apply makes its repos from "
            f"{iso(eng.c.provision_from(d))})" for d in eng.waiting()]


def plan(file: Path, state: Path | None, as_json: bool = False, now: Any = None) -> int:
    import json

    from roadmap_ci.console import stdout
    from roadmap_ci.github.client import WRITE_PAUSE_S

    eng = _engine(file, state, None)
    eng.now = now
    try:
        eng.preflight()
        plans = eng.plan()
        eng.check_learners(plans)
    finally:
        eng.close()
    if as_json:
        print(json.dumps([{"seat": sp.seat.label, "repo": sp.full, "changes": [a.step for a in sp.actions],
                           "notes": sp.notes, "error": sp.error} for sp in plans], indent=2))
        return EXIT_INVALID if any(sp.error for sp in plans) else EXIT_OK
    con = stdout()
    for line in [*waiting_lines(eng), *eng.c.ungrouped_notes()]:
        con.print(line, markup=False, highlight=False)
    table, shown = _plan_table(plans, PLAN_ROWS)
    if shown:
        con.print(table)
    if shown > PLAN_ROWS:
        con.print(f"… and {shown - PLAN_ROWS} more repos with changes (`--json` lists every one)")
    con.print(summary_line(plans, WRITE_PAUSE_S))
    c = eng.client.counters
    con.print(f"GitHub: {c.reads} reads ({c.not_modified} not modified), 0 writes")
    return EXIT_INVALID if any(sp.error for sp in plans) else EXIT_OK


def apply(file: Path, state: Path | None, pause_s: float | None = None, quiet: bool = False) -> int:
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from roadmap_ci.cohort.apply import write_count
    from roadmap_ci.console import stderr, stdout

    eng = _engine(file, state, pause_s)
    con, err = stdout(), stderr()
    try:
        eng.preflight()
        plans = eng.plan()
        eng.check_learners(plans)
        writes, _ = write_count(plans)
        for line in waiting_lines(eng):
            con.print(line, markup=False, highlight=False)
        con.print(summary_line(plans, eng.client.pacer.pause_s))
        if writes:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=err, disable=quiet, transient=True) as progress:
                task = progress.add_task("applying", total=writes)

                def tick(what: str) -> None:
                    progress.update(task, advance=1, description=escape(what[:60]))

                eng.on_write = tick
                result = eng.apply(plans)
        else:
            result = eng.apply(plans)  # nothing to write; the seats held back (a learner not on GitHub) fail
    finally:
        eng.close()
    for sp in plans:
        for note in sp.notes:
            if "accepted" not in note and "pending" not in note:  # the news only; `cohort status` has the rest
                con.print(f"{escape(sp.seat.label)}: {escape(note)}")
    c = eng.client.counters
    con.print(f"GitHub: {c.writes} writes, {c.reads} reads ({c.not_modified} not modified); "
              f"journal: {escape(str(eng.journal.path))}")
    for label, line in result.failures:
        err.print(f"{escape(label)}: {escape(line)}")
    if result.failures:
        err.print(f"{len(result.failures)} of {len(plans)} repos not done; run apply again once fixed "
                  "(what is done is kept)")
        return result.exit_code or EXIT_INVALID
    return EXIT_OK


def status(file: Path, state: Path | None, deliverable: str | None, as_json: bool, csv_out: Path | None) -> int:
    import json
    from dataclasses import asdict

    from rich.markup import escape
    from rich.table import Table

    from roadmap_ci.cohort.status import cohort_status, write_csv
    from roadmap_ci.console import stdout

    eng = _engine(file, state, None)
    try:
        if deliverable is not None:
            _known(eng, file, deliverable)
        rows = cohort_status(eng, deliverable)
    finally:
        eng.close()
    if csv_out is not None:
        write_csv(rows, csv_out)
    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    elif csv_out is None or str(csv_out) != "-":
        table = Table(title=f"{escape(eng.c.org)}: {len(rows)} repos")
        for col in ("seat", "invitation", "pushes", "last push", "late", "evaluation", "score"):
            table.add_column(col, overflow="fold")
        style = {"success": "green", "failure": "red", "error": "red", "pending": "cyan"}
        for r in rows:
            ev = f"[{style[r.evaluation]}]{r.evaluation}[/]" if r.evaluation in style else escape(r.evaluation)
            table.add_row(escape(r.seat), escape(r.invitation) + (f" [red]{escape(r.error)}[/]" if r.error else ""),
                          str(r.pushes), escape(r.last_push or "—"), escape(r.late), ev, escape(r.score))
        stdout().print(table)
        for line in waiting_lines(eng):
            stdout().print(line, markup=False, highlight=False)
    return EXIT_INVALID if any(r.error for r in rows) else EXIT_OK


def no_repos_yet(c: LoadedCohort, deliverable: str, now: Any = None, journal: Any = None) -> str | None:
    """For a deliverable ``provision_ahead_days`` still holds back (and whose repos the journal says were not
    made): the line saying so."""
    from datetime import UTC, datetime

    from roadmap_ci.cohort.store import iso

    for d in c.waiting(now or datetime.now(UTC), journal):
        if d.id == deliverable:
            return (f"{deliverable} has no repos yet (cohort apply makes them from {iso(c.provision_from(d))}; "
                    f"it opens {iso(d.opens)})")
    return None


def _known(eng: Any, file: Path, deliverable: str) -> None:
    from roadmap_ci.errors import InvalidInput

    if deliverable not in {d.id for d in eng.c.cohort.deliverables}:
        raise InvalidInput(f"no deliverable {deliverable!r} in {file} "
                           f"(deliverables: {', '.join(d.id for d in eng.c.cohort.deliverables)})")


def reinvite(file: Path, state: Path | None, deliverable: str | None, pause_s: float | None) -> int:
    from rich.markup import escape

    from roadmap_ci.cohort.status import reinvite as do_reinvite
    from roadmap_ci.console import stderr, stdout

    eng = _engine(file, state, pause_s)
    try:
        if deliverable is not None:
            _known(eng, file, deliverable)
        eng.preflight()
        done, failures = do_reinvite(eng, deliverable)
    finally:
        eng.close()
    for line in waiting_lines(eng):
        if deliverable is None or line.startswith(f"{deliverable}: "):
            stdout().print(escape(line))
    for line in done:
        stdout().print(escape(line))
    for label, line in failures:
        stderr().print(f"{escape(label)}: {escape(line)}")
    if not done and not failures:
        stdout().print("no expired invitations")
    return EXIT_INVALID if failures else EXIT_OK


def close(file: Path, state: Path | None, deliverable: str, pause_s: float | None, force: bool = False) -> int:
    from datetime import UTC, datetime

    from rich.markup import escape

    from roadmap_ci.cohort.status import close as do_close
    from roadmap_ci.cohort.store import iso
    from roadmap_ci.console import stderr, stdout
    from roadmap_ci.errors import InvalidInput

    eng = _engine(file, state, pause_s)
    try:
        _known(eng, file, deliverable)
        if (line := no_repos_yet(eng.c, deliverable, eng.now, eng.journal)) is not None:
            raise InvalidInput(f"{line}: nothing to close")
        now = eng.now or datetime.now(UTC)
        cutoff = next(d.last_push for d in eng.c.cohort.deliverables if d.id == deliverable)
        if not force and now < cutoff:
            raise InvalidInput(f"{deliverable}'s cutoff is {iso(cutoff)}: closing now stops its learners pushing "
                               "before it; close after the cutoff, or --force to close now")
        eng.preflight()
        done, failures, kept = do_close(eng, deliverable, now=None if force else now)
    finally:
        eng.close()
    for line in kept:
        stdout().print(escape(line))
    for line in done:
        stdout().print(escape(line))
    for label, line in failures:
        stderr().print(f"{escape(label)}: {escape(line)}")
    c = eng.client.counters
    stdout().print(f"GitHub: {c.writes} writes, {c.reads} reads")
    return EXIT_INVALID if failures else EXIT_OK


def update(file: Path, state: Path | None, deliverable: str, pause_s: float | None) -> int:
    from rich.markup import escape

    from roadmap_ci.cohort.update import update as do_update
    from roadmap_ci.console import stderr, stdout

    eng = _engine(file, state, pause_s)
    con, err = stdout(), stderr()
    try:
        _known(eng, file, deliverable)
        if (line := no_repos_yet(eng.c, deliverable, eng.now, eng.journal)) is not None:
            con.print(escape(f"{line}: nothing to update (apply renders today's template)"))
            return EXIT_OK
        eng.preflight()
        result = do_update(eng, deliverable)
    finally:
        eng.close()
    for label, url in result.opened:
        con.print(f"{escape(label)}: pull request {escape(url)}")
    for line in result.current:
        con.print(escape(line))
    for label, files in result.conflicts:
        err.print(f"{escape(label)}: conflicts with the learner's changes in {escape(', '.join(files))} "
                  "(nothing pushed; merge by hand or leave it)")
    for label, line in result.failures:
        err.print(f"{escape(label)}: {escape(line)}")
    con.print(f"{len(result.opened)} pull requests opened, {len(result.current)} up to date, "
              f"{len(result.conflicts)} with conflicts, {len(result.failures)} failed")
    return EXIT_INVALID if result.failures or result.conflicts else EXIT_OK
