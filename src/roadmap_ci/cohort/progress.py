"""``roadmap-ci cohort progress``: every learner across the roadmap's deliverables, and where the calendar says
they should be.

A cell is ``passed``, ``late`` (handed in after due, before the cutoff; passed or not, the gradebook has the
points), ``failed`` (graded below the pass mark, or the collected artifact was rejected) or ``not started``
(nothing collected, or the deliverable is not in the cohort yet). The calendar (:func:`calendar_week`): the
cohort's deliverable that comes first in the roadmap opened at the start of its first roadmap week
(:mod:`roadmap_ci.roadmap`); each week after is the next roadmap week, and says which deliverables the cohort
should be working on and should have finished. A learner is *behind* on a deliverable
of the cohort whose due date (theirs, extensions included) has passed without a passing or late hand-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.grade import DeliverableGrades
from roadmap_ci.cohort.model import LoadedCohort

PASSED, LATE, FAILED, NOT_STARTED = "passed", "late", "failed", "not started"
STATES = (PASSED, LATE, FAILED, NOT_STARTED)
ROADMAP_WEEKS = 65


@dataclass
class Column:
    id: str  # the cohort's deliverable id, or the roadmap's id when the cohort has none for it yet
    roadmap: str  # the roadmap deliverable (template) id
    title: str
    weeks: tuple[int, int]
    in_cohort: bool


@dataclass
class LearnerProgress:
    github: str
    name: str
    section: str
    cells: dict[str, str] = field(default_factory=dict)  # column id -> state
    behind: list[str] = field(default_factory=list)  # columns the calendar says are done, and are not

    @property
    def done(self) -> int:
        return sum(1 for s in self.cells.values() if s in (PASSED, LATE))


@dataclass
class Progress:
    now: datetime
    week: int  # the roadmap week the cohort is in (1..65)
    columns: list[Column]
    learners: list[LearnerProgress]

    @property
    def expected_now(self) -> list[str]:
        return [c.id for c in self.columns if c.weeks[0] <= self.week <= c.weeks[1]]

    @property
    def expected_done(self) -> list[str]:
        return [c.id for c in self.columns if c.weeks[1] < self.week]

    def counts(self, column: str) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for lr in self.learners:
            out[lr.cells[column]] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "week": self.week, "expected_now": self.expected_now,
                "expected_done": self.expected_done,
                "columns": [{"id": c.id, "roadmap": c.roadmap, "title": c.title, "weeks": list(c.weeks),
                             "in_cohort": c.in_cohort} for c in self.columns],
                "learners": [{"github": lr.github, "name": lr.name, "section": lr.section, "cells": lr.cells,
                              "done": lr.done, "behind": lr.behind} for lr in self.learners]}


def cell(r: DeliverableGrades, login: str) -> str:
    seat = r.seat_of(login)
    if seat is None:
        return NOT_STARTED
    g = r.grades.get(seat.key.lower())
    if g is None:
        return FAILED if r.missing.get(seat.key.lower(), "").startswith("rejected") else NOT_STARTED
    if g.late:
        return LATE
    return PASSED if g.final.passed else FAILED


def calendar_week(loaded: LoadedCohort, now: datetime) -> int:
    """The roadmap week the cohort is in at ``now`` (unclamped).

    The calendar is anchored at the cohort's deliverable that comes first in the roadmap: its ``opens`` is the
    start of its first roadmap week. A cohort of the whole roadmap opens math-foundations in week 1; one that
    starts later in it (a second term, a course of one phase) is placed where it is, not back at week 1. With no
    roadmap deliverable in the cohort, the first ``opens`` is week 1."""
    from roadmap_ci.roadmap import deliverable

    placed = [(rd.weeks[0], d.opens) for d in loaded.cohort.deliverables if (rd := deliverable(d.template))]
    first_week, opened = min(placed) if placed else (1, min(d.opens for d in loaded.cohort.deliverables))
    return first_week + int((now - opened).total_seconds() // (7 * 86400))


def compute(loaded: LoadedCohort, results: list[DeliverableGrades], now: datetime) -> Progress:
    from roadmap_ci.roadmap import DELIVERABLES

    week = max(1, min(ROADMAP_WEEKS, calendar_week(loaded, now)))
    by_template: dict[str, list[DeliverableGrades]] = {}
    for r in results:
        by_template.setdefault(r.deliverable.template, []).append(r)
    columns: list[Column] = []
    for rd in DELIVERABLES:
        mine = by_template.pop(rd.id, [])
        if mine:
            columns += [Column(r.deliverable.id, rd.id, rd.title, rd.weeks, True) for r in mine]
        else:
            columns.append(Column(rd.id, rd.id, rd.title, rd.weeks, False))
    for template, rest in by_template.items():  # a template outside the roadmap's list
        columns += [Column(r.deliverable.id, template, template, (ROADMAP_WEEKS, ROADMAP_WEEKS), True) for r in rest]
    results_by_id = {r.deliverable.id: r for r in results}
    learners = []
    for lr in loaded.learners:
        lp = LearnerProgress(lr.github, lr.name, lr.section)
        for c in columns:
            r = results_by_id.get(c.id) if c.in_cohort else None
            lp.cells[c.id] = cell(r, lr.github) if r is not None else NOT_STARTED
        learners.append(lp)
    p = Progress(now, week, columns, learners)
    for lp in learners:  # behind: a deliverable of the cohort whose due date (theirs) is past, not handed in
        for c in columns:
            r = results_by_id.get(c.id) if c.in_cohort else None
            seat = r.seat_of(lp.github) if r is not None else None
            if seat is not None and loaded.deadline(seat)[0] < now and lp.cells[c.id] not in (PASSED, LATE):
                lp.behind.append(c.id)
    return p


# ---------------------------------------------------------------- output

SYMBOL = {PASSED: ("█", "green"), LATE: ("▓", "yellow"), FAILED: ("▒", "red"), NOT_STARTED: ("·", "dim")}


def heatmap(p: Progress) -> Any:
    """The terminal table: one narrow column per deliverable (no vertical rules), so 15 of them and the learner's
    login fit 80 columns; the login never shrinks (it is the row's name), the ``behind`` list folds."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=f"Week {p.week} of {ROADMAP_WEEKS}: expected now {', '.join(p.expected_now) or '—'}",
              caption="█ passed  ▓ late  ▒ failed  · not started", show_lines=False, pad_edge=False,
              box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0))
    t.add_column("learner", no_wrap=True, min_width=min(39, max([len(lp.github) for lp in p.learners] + [7])))
    for i, _ in enumerate(p.columns, 1):
        t.add_column(str(i), justify="center", min_width=2, no_wrap=True)
    t.add_column("done", justify="right", no_wrap=True, min_width=4)
    t.add_column("behind", overflow="fold", min_width=10)
    for lp in p.learners:
        cells = []
        for c in p.columns:
            sym, colour = SYMBOL[lp.cells[c.id]]
            cells.append(f"[{colour}]{sym}[/]")
        t.add_row(escape(lp.github), *cells, str(lp.done), escape(", ".join(lp.behind)))
    return t


def legend(p: Progress) -> list[str]:
    return [f"{i:>2} {c.id}" + ("" if c.in_cohort else " (not in this cohort yet)") + f", weeks {c.weeks[0]}-"
            f"{c.weeks[1]}" for i, c in enumerate(p.columns, 1)]


def refuse_an_input(out: Path, loaded: LoadedCohort, option: str = "--csv") -> None:
    """``out`` must not be the cohort file or its roster (``--csv roster.csv`` would replace the roster with a
    sheet): one line, exit 1, before anything is graded or written."""
    from roadmap_ci.errors import InvalidInput

    for what, path in (("the cohort file", loaded.path), ("the roster", loaded.roster_path())):
        try:
            same = out.resolve() == path.resolve() or (out.exists() and out.samefile(path))
        except (OSError, ValueError):
            same = False
        if same:
            raise InvalidInput(f"{option} {out}: is {what}; write the sheet elsewhere")


def write_csv(p: Progress, path: Path) -> None:
    """The table as CSV, written whole through the one writer ``grade -o`` and ``report --html`` use (a path that
    cannot be written is one ``cannot write`` line, exit 2)."""
    from roadmap_ci.cohort.rescore import _cell
    from roadmap_ci.safeio import write_csv

    write_csv(path, ["github", "name", "section", *(c.id for c in p.columns), "done", "week", "behind"],
              ([_cell(lp.github), _cell(lp.name), _cell(lp.section), *(lp.cells[c.id] for c in p.columns), lp.done,
                p.week, _cell(" ".join(lp.behind))] for lp in p.learners))


def command(file: Path, *, store_dir: Path | None = None, state: Path | None = None, labels: Path | None = None,
            csv_out: Path | None = None, as_json: bool = False, now: datetime | None = None) -> int:
    from datetime import UTC

    from roadmap_ci.cohort.grade import grade_all, problems_said, safe
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.console import stdout

    loaded = load_cohort(file)
    if csv_out is not None:
        refuse_an_input(csv_out, loaded)
    results = grade_all(loaded, store_dir=store_dir, state=state, labels=labels)
    p = compute(loaded, results, now or datetime.now(UTC))
    if csv_out is not None:
        write_csv(p, csv_out)
    code = problems_said(results)
    if as_json:
        print(json.dumps(p.to_json(), indent=2))
        return code
    con = stdout()
    from rich.measure import Measurement

    table = heatmap(p)  # a file or a pipe gets the whole table at its natural width, not folded into 80 columns
    natural = Measurement.get(con, con.options, table).maximum
    con.print(table, width=None if con.is_terminal else max(con.width, natural))
    for line in legend(p):
        con.print(safe(line), markup=False)
    behind = sum(1 for lp in p.learners if lp.behind)
    con.print(f"{behind} of {len(p.learners)} learners are behind the calendar (week {p.week})", markup=False)
    if csv_out is not None:
        con.print(safe(f"progress written to {csv_out}"), markup=False)
    return code
