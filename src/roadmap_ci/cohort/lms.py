"""Grades into the learning-management system: Canvas's, Moodle's, Brightspace's and Blackboard's grade import CSVs,
and Canvas passback.

- **Canvas** (Grades → Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per
  assignment, and a ``Points Possible`` row. Canvas matches a row by ``ID`` (its user id), else ``SIS User ID``,
  else ``SIS Login ID``; the roster's ``lms_id`` goes to ``ID`` when it is a number (a Canvas user id) and to
  ``SIS User ID`` otherwise. An assignment column Canvas does not know becomes a new assignment; a blank cell
  changes nothing (a missing learner is not given 0 behind the mentor's back).
- **Moodle** (Grades → Import → CSV file): one row per learner with ``ID number``, ``Email address`` and
  ``Full name`` (map the learner by ID number or e-mail at import), then one grade column per deliverable.
- **Brightspace** (Grades → Enter Grades → Import): ``OrgDefinedId`` (the roster's ``lms_id``, written ``#``-
  prefixed as Brightspace's own exports write it, so a spreadsheet keeps leading zeros), one ``<item> Points
  Grade`` column per deliverable, and the ``End-of-Line Indicator`` column of ``#``. A learner without an
  ``lms_id`` has no row: Brightspace needs an identifier.
- **Blackboard Learn** (Grade Center → Work Offline → Upload; Ultra: Gradebook → Upload): ``Last Name``,
  ``First Name``, ``Username`` (the roster's ``lms_id``: Blackboard matches a row by the username alone),
  ``Student ID``, then one column per deliverable, every field quoted as Blackboard asks of comma-delimited
  files. A column with its Blackboard column id (``--blackboard-column churn=123456``) is written
  ``<title> [Total Pts: <max> Score] |<id>`` and updates that column; without one the upload makes a new
  (text) column. A learner without an ``lms_id`` has no row.
- Canvas's columns take their assignment id the same way (``<title> (<id>)``, as Canvas's own export writes
  them) when ``--canvas-assignment`` names it, so an import updates that assignment instead of making one.
- **Passback** (optional): with ``CANVAS_URL``, ``CANVAS_TOKEN`` and a course id, each deliverable's grades go to
  its Canvas assignment through ``canvasapi`` (one bulk grade update per assignment).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.grade import DeliverableGrades
from roadmap_ci.cohort.model import Learner, LoadedCohort
from roadmap_ci.cohort.rescore import _cell
from roadmap_ci.errors import CannotRun, InvalidInput

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("ID number", "Email address", "Full name")
BRIGHTSPACE_EOL = "End-of-Line Indicator"
BLACKBOARD_COLUMNS = ("Last Name", "First Name", "Username", "Student ID")


def assignment_title(d: Any) -> str:
    from roadmap_ci.roadmap import deliverable

    known = deliverable(d.template)
    return f"{d.id}: {known.title}" if known is not None else d.id


def _final(r: DeliverableGrades, lr: Learner) -> object:
    seat = r.seat_of(lr.github)
    g = r.grades.get(seat.key.lower()) if seat else None
    return g.final.total if g is not None else ""


def _write(path: Path, header: list[str], rows: list[list[object]], quoting: int = csv.QUOTE_MINIMAL) -> None:
    from roadmap_ci.safeio import write_csv

    write_csv(path, header, rows, quoting)


def _finals(loaded: LoadedCohort, results: list[DeliverableGrades]) -> list[list[object]]:
    """Per roster learner, in roster order: :func:`_final` of each result (one pass per result, not a lookup
    per cell)."""
    finals = [r.finals() for r in results]
    return [[f.get(login, "") for f in finals] for login in (lr.github.lower() for lr in loaded.learners)]


Ids = dict[str, str]  # deliverable id -> the LMS's own id of its column (assignment), where the mentor named it


def write_canvas(path: Path, loaded: LoadedCohort, results: list[DeliverableGrades], ids: Ids) -> None:
    header = [*CANVAS_COLUMNS, *(_titled(assignment_title(r.deliverable), ids.get(r.deliverable.id), "({})")
                                 for r in results)]
    rows: list[list[object]] = [["Points Possible", "", "", "", "", *(r.max_points for r in results)]]
    for lr, finals in zip(loaded.learners, _finals(loaded, results), strict=True):
        numeric = lr.lms_id.isdigit()
        rows.append([_cell(lr.name or lr.github), lr.lms_id if numeric else "", "" if numeric else _cell(lr.lms_id),
                     "", _cell(lr.section), *finals])
    _write(path, header, rows)


def _titled(title: str, lms_id: str | None, form: str) -> str:
    return f"{title} {form.format(lms_id)}" if lms_id else title


def write_moodle(path: Path, loaded: LoadedCohort, results: list[DeliverableGrades], ids: Ids) -> None:
    header = [*MOODLE_COLUMNS, *(assignment_title(r.deliverable) for r in results)]
    rows = [[_cell(lr.lms_id), _cell(lr.email), _cell(lr.name or lr.github), *finals]
            for lr, finals in zip(loaded.learners, _finals(loaded, results), strict=True)]
    _write(path, header, rows)


def canvas_env(what: str) -> tuple[str, str]:
    """``CANVAS_URL`` and ``CANVAS_TOKEN`` from the environment (passback and ``cohort roster`` alike)."""
    import os

    url, token = os.environ.get("CANVAS_URL", ""), os.environ.get("CANVAS_TOKEN", "")
    if not url or not token:
        raise CannotRun(f"{what}: set CANVAS_URL (https://<school>.instructure.com) and CANVAS_TOKEN")
    return url, token


def canvas(url: str, token: str) -> Any:
    """A ``canvasapi.Canvas`` for ``CANVAS_URL``: HTTPS only (the token travels in every request), but for a
    loopback address (a tunnel, a test double). canvasapi's own warning about HTTP is then not printed."""
    import warnings
    from urllib.parse import urlsplit

    from canvasapi import Canvas

    from roadmap_ci.safeio import plain

    parts = urlsplit(url.strip())
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not loopback):
        raise InvalidInput(f"CANVAS_URL {plain(url)[:100]!r}: give the https:// address of the Canvas instance "
                           "(https://<school>.instructure.com); the token is not sent over plain HTTP")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return Canvas(url.strip().rstrip("/"), token)


def write_brightspace(path: Path, loaded: LoadedCohort, results: list[DeliverableGrades], ids: Ids) -> None:
    header = ["OrgDefinedId", *(f"{assignment_title(r.deliverable)} Points Grade" for r in results), BRIGHTSPACE_EOL]
    rows = [[f"#{lr.lms_id}", *finals, "#"]
            for lr, finals in zip(loaded.learners, _finals(loaded, results), strict=True) if lr.lms_id]
    _write(path, header, rows)


def _last_first(name: str) -> tuple[str, str]:
    """(last, first) of a roster name: ``Last, First`` as written, else the last word is the last name."""
    last, comma, first = name.partition(", ")
    if comma:
        return last.strip(), first.strip()
    first, _, last = name.strip().rpartition(" ")
    return (last, first) if first else (name.strip(), "")


def write_blackboard(path: Path, loaded: LoadedCohort, results: list[DeliverableGrades], ids: Ids) -> None:
    header = [*BLACKBOARD_COLUMNS, *(_titled(assignment_title(r.deliverable), ids.get(r.deliverable.id),
                                             f"[Total Pts: {r.max_points:g} Score] |{{}}") for r in results)]
    rows = []
    for lr, finals in zip(loaded.learners, _finals(loaded, results), strict=True):
        if lr.lms_id:
            last, first = _last_first(lr.name or lr.github)
            rows.append([_cell(last), _cell(first), _cell(lr.lms_id), "", *finals])
    _write(path, header, rows, quoting=csv.QUOTE_ALL)


@dataclass(frozen=True)
class LmsFile:
    lms: str
    filename: str
    write: Callable[[Path, LoadedCohort, list[DeliverableGrades], Ids], None]


# The grade import files ``cohort grade`` writes beside the gradebook: one line each (a new LMS is one writer above
# and one line here).
LMS_FILES: tuple[LmsFile, ...] = (
    LmsFile("Canvas", "canvas.csv", write_canvas),
    LmsFile("Moodle", "moodle.csv", write_moodle),
    LmsFile("Brightspace", "brightspace.csv", write_brightspace),
    LmsFile("Blackboard", "blackboard.csv", write_blackboard),
)


def passback(url: str, token: str, course_id: int, assignments: dict[str, int], loaded: LoadedCohort,
             results: list[DeliverableGrades], now: datetime) -> list[str]:
    """Post every graded learner's final points to Canvas; one line per assignment updated.

    ``assignments``: deliverable id -> Canvas assignment id. Learners are Canvas users by the roster's
    numeric ``lms_id`` (``sis_user_id:<lms_id>`` otherwise, as Canvas's API accepts). Nothing after-due before
    due: where the rubric has ``after_due`` criteria, a learner whose due date (extension included) is still
    to come is not sent (Canvas shows a posted grade to its learner).
    """
    try:
        from canvasapi.exceptions import CanvasException
    except ImportError:  # pragma: no cover - canvasapi is a dev/optional dependency
        raise CannotRun("Canvas passback needs canvasapi: pip install canvasapi") from None
    lines = []
    try:
        course = canvas(url, token).get_course(course_id)
        for r in results:
            aid = assignments.get(r.deliverable.id)
            if aid is None:
                lines.append(f"{r.deliverable.id}: no Canvas assignment id given; not sent")
                continue
            grades: dict[str, dict[str, str]] = {}
            held = 0
            for lr in loaded.learners:
                value = _final(r, lr)
                if value == "" or not lr.lms_id:
                    continue
                seat = r.seat_of(lr.github)
                if r.after_due and seat is not None and now < loaded.deadline(seat)[0]:
                    held += 1
                    continue
                who = lr.lms_id if lr.lms_id.isdigit() else f"sis_user_id:{lr.lms_id}"
                grades[who] = {"posted_grade": f"{value:g}"}  # type: ignore[str-format]
            why = (f"; {held} held back until their due date (the totals include after-due criteria)"
                   if held else "")
            if not grades:
                lines.append(f"{r.deliverable.id}: no grades to send{why}")
                continue
            assignment = course.get_assignment(aid)
            progress = assignment.submissions_bulk_update(grade_data=grades)
            lines.append(f"{r.deliverable.id}: {len(grades)} grades sent to Canvas assignment {aid} "
                         f"(progress {getattr(progress, 'id', '?')}: {getattr(progress, 'workflow_state', '?')})"
                         + why)
    except CanvasException as exc:
        raise CannotRun(f"Canvas refused the grades: {str(exc)[:200]}") from None
    except ValueError as exc:
        raise InvalidInput(f"Canvas: {exc}") from None
    return lines
