"""``rescore``'s terminal view (also ``cohort grade --rubric``): flips first, statistics, the distribution.

The command (``roadmap-ci rescore``) parses its options and calls :func:`roadmap_ci.cohort.rescore.rescore`;
everything it prints is drawn here. Learner text is made inert (no control characters, no markup) by
:func:`roadmap_ci.safeio.markup` before it reaches a table.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap_ci.cohort.rescore import RescoreResult

TABLE_ROWS = 50  # a screenful; the gradebook (--csv) and --all have every learner


def print_skipped(result: RescoreResult) -> None:
    """Each file or directory that could not be scored, one line on stderr."""
    from roadmap_ci.safeio import plain

    for err in result.errors:
        for line in str(err).splitlines():
            print(plain(line), file=sys.stderr)


def print_rescore(result: RescoreResult, rubric_name: str, *, has_old: bool, show_all: bool) -> None:
    """rescore's terminal view (also `cohort grade --rubric`): flips first, statistics, the distribution.
    Learner text is made inert (no control characters, no markup) by safeio.markup."""
    from rich.table import Table

    from roadmap_ci.cohort import histogram
    from roadmap_ci.console import stdout
    from roadmap_ci.safeio import markup as escape

    con = stdout()
    old = True if has_old else None
    rubric_label = escape(rubric_name)
    if show_all:
        rows, more = result.rows, 0
    else:
        rows = result.notable() if old is not None else (result.rows if len(result.rows) <= TABLE_ROWS else [])
        rows, more = rows[:TABLE_ROWS], max(0, len(rows) - TABLE_ROWS)
    if rows:
        table = Table(title=f"{len(result.rows)} learners re-scored with {rubric_label}"
                      + ("" if show_all or old is None else " (flips first, then the largest changes)"))
        table.add_column("learner", overflow="fold")
        if old is not None:
            table.add_column("old", justify="right")
        table.add_column("new", justify="right")
        if old is not None:
            table.add_column("change", justify="right")
        table.add_column("result")
        for r in rows:
            verdict = "pass" if r.new.passed else "[red]below[/]"
            if r.flipped:
                verdict = "[green]now passes[/]" if r.new.passed else "[red]now fails[/]"
            cells = [escape(r.learner)]
            if old is not None:
                cells.append(f"{r.old.total:g}" if r.old else "")
            cells.append(f"{r.new.total:g}/{r.new.max:g}")
            if old is not None:
                cells.append(f"{r.delta:+g}" if r.delta is not None else "")
            cells.append(verdict)
            table.add_row(*cells)
        con.print(table)
    if more:
        con.print(f"… and {more} more changed: --all lists every learner, --csv writes a gradebook")
    for label, st in (("old rubric", result.stats(old=True) if old else None), ("new rubric", result.stats())):
        if st is None:
            continue
        con.print(f"{label}: n={st.count} mean={st.mean:.2f} quartiles={st.quartiles[0]:g}/{st.quartiles[1]:g}/"
                  f"{st.quartiles[2]:g} min={st.minimum:g} max={st.maximum:g} pass rate={st.pass_rate:.1%}")
    if old is not None:
        up = sum(1 for r in result.flips if r.new.passed)
        con.print(f"pass/fail flips: {len(result.flips)} ({up} now pass, {len(result.flips) - up} now fail)")
    if result.rows:
        bars = histogram([r.new.total for r in result.rows], result.max_points)
        peak = max(n for _, n in bars) or 1
        for label, n in bars:
            con.print(f"{label} │{'█' * round(30 * n / peak)} {n}")


def print_outcome(result: RescoreResult, gradebook: Path | None) -> None:
    """The closing lines: where the gradebook went, and how many were skipped."""
    from roadmap_ci.console import stdout
    from roadmap_ci.safeio import markup as escape

    con = stdout()
    if gradebook is not None:
        con.print(f"gradebook written to {escape(str(gradebook))}")
    if result.errors:
        con.print(f"{len(result.errors)} skipped (listed on stderr"
                  + (" and in the gradebook's problems column)" if gradebook is not None else ")"))
