"""``roadmap-ci cohort roster``: the cohort's roster CSV from the exports a mentor already has.

A mentor leaving GitHub Classroom has its roster export (``classroom_roster.csv``: who is who on GitHub) and the
LMS's own export (who is enrolled, their LMS id, e-mail and section). Neither alone is a roster: Classroom has
the GitHub logins but no LMS ids, the LMS has the ids but no logins. This reads any number of them, tells each
file's kind from its header (:data:`FORMATS`, one entry per kind), joins the rows that name the same person
and writes ``github, name, email, lms_id, section`` -- the roster ``cohort.yaml`` points at, read back with
:func:`roadmap_ci.cohort.model.read_roster` before it is written, so what comes out passes ``cohort lint``.

Joining: a row's *keys* are the values another export may name the person by -- Classroom's ``identifier``
(an e-mail, a student number or a name, whatever the mentor typed into Classroom), the LMS's e-mail, user id,
SIS ids, ID number and name (Canvas's ``Last, First`` read as ``First Last``) and the GitHub login. Rows that
share a key (case and spacing aside) are one person. Two rows of one file in one person (two learners with one
name, say) are not guessed between: that person is left out with one line saying which rows, as is anyone with
no GitHub login (an LMS learner Classroom never saw, a Classroom seat nobody linked) or two different logins.
Everyone else is written; the exit code says whether anyone was left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from roadmap_ci.cohort.model import EMAIL, ROSTER_COLUMNS, read_roster
from roadmap_ci.errors import EXIT_INVALID, EXIT_OK, CannotRun, InvalidInput, Place
from roadmap_ci.safeio import csv_rows, plain, write_atomic

MAX_BYTES = 32 << 20  # an export of a whole faculty's course fits many times over
MAX_ROWS = 100_000


@dataclass
class Person:
    """One learner row of one export."""

    kind: str  # the format's name
    place: Place
    github: str = ""
    name: str = ""
    email: str = ""
    lms_id: str = ""
    section: str = ""
    keys: set[str] = field(default_factory=set)
    source: str = ""  # what "one file" means for the join (a file, or a Canvas course read through its API)

    @property
    def shown(self) -> str:
        who = self.name or self.email or self.github or self.lms_id or "(no name)"
        return plain(who)


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def _slug(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


GITHUB_HEADERS = {"github", "githubusername", "githublogin", "githubuser", "githubaccount", "githubhandle"}


def _github_column(header: list[str]) -> int | None:
    """A column holding GitHub logins: Classroom's ``github_username``, or an LMS custom column the mentor added
    (Canvas's custom gradebook columns and Moodle's profile fields are exported with the rest)."""
    return next((i for i, h in enumerate(header) if _slug(h) in GITHUB_HEADERS), None)


Row = dict[str, str]  # header -> cell of one row (stripped)
Reader = Callable[[Row, Place], Person | None]  # None: not a learner (Canvas's points row, its test student)


def _an_email(value: str) -> bool:
    """Whether an identifier that may be an e-mail (Classroom's ``identifier``, Canvas's ``SIS Login ID``) is one,
    by the roster's own rule: one that is not stays an identifier to join by, not the learner's e-mail."""
    return EMAIL.match(value) is not None


def _keys(*values: str) -> set[str]:
    return {_norm(v) for v in values if v.strip()}


def _classroom(row: Row, place: Place) -> Person:
    ident = row.get("identifier", "")
    github = row.get("github_username", "")
    email = ident if _an_email(ident) else ""
    return Person("GitHub Classroom", place, github=github, name=row.get("name", "") or "", email=email,
                  keys=_keys(ident))


def _canvas_name(student: str) -> str:
    last, comma, first = student.partition(", ")
    return f"{first} {last}" if comma and "," not in first and first and last else student


def _canvas(row: Row, place: Place) -> Person | None:
    student = row.get("Student", "")
    uid, sis_user, sis_login = row.get("ID", ""), row.get("SIS User ID", ""), row.get("SIS Login ID", "")
    if not (uid or sis_user or sis_login):  # "Points Possible", "Manual Posting": Canvas's rows, not learners
        return None
    if student == "Student, Test":  # the test student Canvas adds to every course (Student View)
        return None
    name = _canvas_name(student)
    email = sis_login if _an_email(sis_login) else ""
    return Person("Canvas", place, name=name, email=email, lms_id=uid or sis_user, section=row.get("Section", ""),
                  keys=_keys(uid, sis_user, sis_login, row.get("Integration ID", ""), name, student))


def _moodle(row: Row, place: Place) -> Person:
    first, last = row.get("First name", ""), row.get("Last name", "")
    name = " ".join(p for p in (first, last) if p) or row.get("Full name", "")
    email, number = row.get("Email address", ""), row.get("ID number", "")
    section = row.get("Groups", "") or row.get("Group", "")
    return Person("Moodle", place, name=name, email=email, lms_id=number, section=section,
                  keys=_keys(email, number, row.get("Username", ""), name))


def _brightspace(row: Row, place: Place) -> Person:
    # Brightspace's exports write '#' before the ids (so a spreadsheet keeps leading zeros): not part of the id
    org_id, username = row.get("OrgDefinedId", "").removeprefix("#"), row.get("Username", "").removeprefix("#")
    name = " ".join(p for p in (row.get("First Name", ""), row.get("Last Name", "")) if p)
    email = row.get("Email", "")
    return Person("Brightspace", place, name=name, email=email, lms_id=org_id,
                  section=row.get("Sections", "") or row.get("Section", ""),
                  keys=_keys(org_id, username, email, name))


def _blackboard(row: Row, place: Place) -> Person:
    # Grade Center's (and Ultra's gradebook's) download: Blackboard matches an upload by the username alone
    username, student = row.get("Username", ""), row.get("Student ID", "")
    name = " ".join(p for p in (row.get("First Name", ""), row.get("Last Name", "")) if p)
    return Person("Blackboard", place, name=name, lms_id=username, keys=_keys(username, student, name))


def _ours(row: Row, place: Place) -> Person:
    return Person("roster", place, github=row.get("github", ""), name=row.get("name", ""),
                  email=row.get("email", ""), lms_id=row.get("lms_id", ""), section=row.get("section", ""),
                  keys=_keys(row.get("email", ""), row.get("lms_id", "")))


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[set[str]], bool]  # the header's cells (as written)
    read: Reader


# Each export this command reads: its name, how its header is told apart, how a row becomes a Person. The first
# whose ``detect`` accepts a header reads the file; a new export is one function and one line here.
FORMATS: tuple[Format, ...] = (
    Format("roster", lambda h: {c for c in ROSTER_COLUMNS} <= {x.lower() for x in h}, _ours),
    Format("GitHub Classroom", lambda h: {"identifier", "github_username"} <= h, _classroom),
    Format("Canvas", lambda h: {"Student", "ID", "SIS Login ID"} <= h or {"Student", "ID", "SIS User ID"} <= h,
           _canvas),
    Format("Moodle", lambda h: "Email address" in h and ({"First name", "Last name"} <= h or "Full name" in h),
           _moodle),
    Format("Brightspace", lambda h: "OrgDefinedId" in h and ("Username" in h or "End-of-Line Indicator" in h),
           _brightspace),
    Format("Blackboard", lambda h: {"Last Name", "First Name", "Username"} <= h and "OrgDefinedId" not in h,
           _blackboard),
)


def read_export(path: Path) -> tuple[str, list[Person], list[InvalidInput]]:
    """The kind of export, its learners, and its bad rows (one problem each)."""
    name = str(path)
    rows: Iterator[tuple[int, list[str]]] = csv_rows(path, name, "export", max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    line, header = next(rows)
    header = [h.strip() for h in header]
    cells = set(header)
    fmt = next((f for f in FORMATS if f.detect(cells)), None)
    if fmt is None:
        shown = plain(", ".join(header[:6]))[:200]
        raise InvalidInput(f"not an export this reads ({', '.join(f.name for f in FORMATS)}; header: {shown})",
                           Place(name, line))
    if fmt.name == "roster":
        header = [h.lower() for h in header]
    gh = _github_column(header)
    people: list[Person] = []
    problems: list[InvalidInput] = []
    for line, row in rows:
        place = Place(name, line)
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            problems.append(InvalidInput(f"{len(row)} columns, the header has {len(header)}; row left out", place))
            continue
        values = {h: c.strip() for h, c in zip(header, row, strict=False)}
        p = fmt.read(values, place)
        if p is None:
            continue
        if gh is not None and not p.github:
            p.github = row[gh].strip().removeprefix("@")
        if p.github:
            p.keys.add("github:" + p.github.casefold())
        people.append(p)
    return fmt.name, people, problems


# ---------------------------------------------------------------- joining


def _groups(people: list[Person]) -> list[list[Person]]:
    """People sharing a key, in the order their first row came (union-find over the keys)."""
    parent = list(range(len(people)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, p in enumerate(people):
        for k in p.keys:
            j = first.setdefault(k, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    out: dict[int, list[Person]] = {}
    for i, p in enumerate(people):
        out.setdefault(find(i), []).append(p)
    return list(out.values())


# whose name / e-mail / section wins: an earlier roster's, then an LMS's, then GitHub Classroom's
PRIORITY = {"roster": 0, "Canvas": 1, "Moodle": 1, "Brightspace": 1, "Blackboard": 1, "GitHub Classroom": 3}


def _source(rows: list[Person], attr: str) -> Person | None:
    """The row whose ``attr`` the roster takes (the first by :data:`PRIORITY` that has one)."""
    return next((p for p in sorted(rows, key=lambda p: PRIORITY.get(p.kind, 9)) if getattr(p, attr)), None)


def _pick(rows: list[Person], attr: str) -> str:
    p = _source(rows, attr)
    return getattr(p, attr) if p is not None else ""


@dataclass
class Imported:
    rows: list[list[str]]  # the roster's rows, ROSTER_COLUMNS order
    problems: list[InvalidInput]
    notes: list[str]
    sources: dict[str, str]  # file -> the kind it was read as
    repeated: list[str] = field(default_factory=list)  # a note per file given twice (read once)


# exports whose rows carry the id the LMS imports match grades by
LMS_KINDS = ("Canvas", "Moodle", "Brightspace", "Blackboard")


def join(people: list[Person]) -> tuple[list[list[str]], list[InvalidInput], list[str]]:
    """The roster rows, the people left out (one problem each), and notes on people written without an LMS row
    although an LMS export was given (their grades will not find them in the LMS imports).

    Each row is then checked by the roster's own reader (:func:`~roadmap_ci.cohort.model.read_roster`, the code
    ``cohort lint`` runs): a learner it refuses (an e-mail that is not one, a login GitHub would not accept) is
    left out with its line, named at the export row the bad value came from."""
    rows: list[list[str]] = []
    made: list[tuple[int, list[Person], str]] = []  # each row's group (its index among the groups) and who
    problems: list[tuple[int, InvalidInput]] = []
    notes: list[tuple[int, str]] = []
    lms = sorted({p.kind for p in people if p.kind in LMS_KINDS})
    for n, group in enumerate(_groups(people)):
        head = group[0]
        who = plain(_pick(group, "name") or head.shown)
        by_file: dict[str, list[Person]] = {}
        for p in group:
            by_file.setdefault(p.source or p.place.file, []).append(p)
        twice = next((ps for ps in by_file.values() if len(ps) > 1), None)
        if twice is not None:
            where = ", ".join(str(p.place.line) for p in twice)
            names = "; ".join(sorted({p.shown for p in twice}))
            problems.append((n, InvalidInput(
                f"{names}: rows {where} share an identifier (e-mail, id, name or GitHub login) with "
                f"{'each other' if len(group) == len(twice) else 'one person in another export'}; cannot tell them "
                "apart, left out (make the identifiers unique)", twice[0].place)))
            continue
        logins = {p.github for p in group if p.github}
        if len({x.casefold() for x in logins}) > 1:
            problems.append((n, InvalidInput(
                f"{who}: two GitHub logins ({', '.join(sorted(plain(x) for x in logins))}) for one person "
                f"({', '.join(str(p.place) for p in group)}); left out", head.place)))
            continue
        if not logins:
            kinds = {p.kind for p in group}
            if kinds == {"GitHub Classroom"}:
                why = "no GitHub account linked to this identifier in GitHub Classroom"
            elif "GitHub Classroom" in kinds:
                why = "in GitHub Classroom's roster without a linked GitHub account"
            else:
                why = ("no GitHub login: no GitHub Classroom row names this learner (by e-mail, id or name) and the "
                       "export has no GitHub column")
            problems.append((n, InvalidInput(f"{who}: {why}; left out", head.place)))
            continue
        rows.append([logins.pop(), _pick(group, "name"), _pick(group, "email"), _pick(group, "lms_id"),
                     _pick(group, "section")])
        made.append((n, group, who))
        if lms and not any(p.kind in LMS_KINDS for p in group):
            notes.append((n, f"{head.place}: {who}: note: no {' or '.join(lms)} row matches this learner (by e-mail, "
                             f"id or name); written without the LMS's id, so the {' and '.join(lms)} import cannot "
                             "place their grades"))
    refused = _refused(rows)
    for i, message in refused.items():
        n, group, who = made[i]
        column = message.partition(":")[0]
        source = _source(group, column) if column in ROSTER_COLUMNS else None
        problems.append((n, InvalidInput(f"{who}: {plain(message)}; left out", (source or group[0]).place)))
    out = {made[i][0] for i in refused}
    problems.sort(key=lambda x: x[0])  # in the order the people came, whichever check refused them
    return ([r for i, r in enumerate(rows) if i not in refused], [p for _, p in problems],
            [note for n, note in notes if n not in out])


def _refused(rows: list[list[str]]) -> dict[int, str]:
    """The rows the roster's reader refuses: row index -> its message (``email: 'x' is not an e-mail address``).

    The rows are written as :func:`render` writes them and read back with :func:`read_roster`; its places are the
    lines of that text where each row starts, mapped back to the rows (a cell with a line break spans several)."""
    text = render(rows)
    _, errors = read_roster(Path("roster.csv"), text)
    start, line = {}, 2
    for i, row in enumerate(rows):
        start[line] = i
        line += 1 + sum(cell.count("\n") for cell in row)
    out: dict[int, str] = {}
    for e in errors:
        i = start.get(e.place.line) if e.place is not None and e.place.line is not None else None
        if i is None:  # not a row's problem (the header, say): a bug here, reported by the read-back in command()
            continue
        out.setdefault(i, e.message)
    return out


def canvas_people(url: str, token: str, course_id: int) -> list[Person]:
    """A Canvas course's students through its API (canvasapi): the same rows its gradebook export gives, with the
    sections by name. ``GET /courses/:id/sections`` and ``GET /courses/:id/users`` (students, with e-mail and
    enrollments; every page). Canvas's test student has a StudentViewEnrollment, so it is not listed."""
    try:
        import requests
        from canvasapi.exceptions import CanvasException
    except ImportError:  # pragma: no cover - canvasapi is a dev/optional dependency
        raise CannotRun("reading a Canvas course needs canvasapi: pip install canvasapi") from None
    from roadmap_ci.cohort import lms

    source = f"Canvas course {course_id}"
    try:
        course = lms.canvas(url, token).get_course(course_id)
        sections = {s.id: str(getattr(s, "name", "") or "") for s in course.get_sections()}
        users = list(course.get_users(enrollment_type=["student"], include=["email", "enrollments"]))
    except CanvasException as exc:
        raise CannotRun(f"{source}: Canvas refused: {plain(str(exc))[:200]}") from None
    except requests.RequestException as exc:
        raise CannotRun(f"{source}: cannot reach Canvas at {plain(url)}: {type(exc).__name__}") from None
    people = []
    for u in users:
        def text(attr: str, u: object = u) -> str:
            value = getattr(u, attr, None)
            return str(value).strip() if value is not None else ""

        uid, login = text("id"), text("login_id")
        mine = [e for e in (getattr(u, "enrollments", None) or []) if isinstance(e, dict)
                and e.get("type") == "StudentEnrollment" and str(e.get("course_id", course_id)) == str(course_id)]
        section = " / ".join(dict.fromkeys(sections.get(e.get("course_section_id"), "") for e in mine if
                                           sections.get(e.get("course_section_id"))))
        email = text("email") or (login if _an_email(login) else "")
        people.append(Person("Canvas", Place(f"{source} user {uid}"), name=text("name") or text("short_name"),
                             email=email, lms_id=uid, section=section, source=source,
                             keys=_keys(uid, text("sis_user_id"), login, text("integration_id"), email, text("name"),
                                        text("sortable_name"), _canvas_name(text("sortable_name")))))
    return people


def _identity(path: Path) -> tuple[tuple[int, int] | None, str | None]:
    """What makes two paths one file: its device and inode (a second name, a symlink, ``./x`` and ``x``), and the
    digest of its bytes (a second download of one export). None where it cannot be told (a missing file, a pipe:
    read_export says what is wrong, and a pipe is read only once)."""
    import hashlib

    try:
        st = path.stat()
    except (OSError, ValueError):
        return None, None
    node = (st.st_dev, st.st_ino)
    if not path.is_file() or st.st_size > MAX_BYTES:
        return node, None
    try:
        with path.open("rb") as fh:
            return node, hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return node, None


def once(files: list[Path]) -> tuple[list[Path], list[str]]:
    """The files, each read once: a file given twice (the same path, another name for it, or the same bytes
    under another name) is read at its first place and named in a note -- joined with itself, every row would
    share its identifiers with its own copy and no one could be told apart."""
    kept: list[Path] = []
    notes: list[str] = []
    seen: dict[object, Path] = {}
    for f in files:
        node, digest = _identity(f)
        first = seen.get(node) if node is not None else None
        same = "the same file as"
        if first is None and digest is not None:
            first, same = seen.get(digest), "the same content as"
        if first is not None:
            what = "given more than once" if str(f) == str(first) else f"{same} {plain(str(first))}"
            notes.append(f"{plain(str(f))}: note: {what}; read once")
            continue
        for k in (node, digest):
            if k is not None:
                seen.setdefault(k, f)
        kept.append(f)
    return kept, notes


def build(files: list[Path], extra: list[tuple[str, list[Person]]] | None = None) -> Imported:
    """``extra``: (source, people) read elsewhere (a Canvas course through its API), joined like a file's rows.
    A file given twice is read once (:func:`once`)."""
    people: list[Person] = []
    problems: list[InvalidInput] = []
    sources: dict[str, str] = {}
    files, twice = once(files)
    for f in files:
        try:
            kind, got, bad = read_export(f)
        except InvalidInput as exc:
            problems.append(exc)
            continue
        sources[str(f)] = kind
        people += got
        problems += bad
    for source, got in extra or []:
        sources[source] = "Canvas API"
        people += got
    rows, more, notes = join(people)
    return Imported(rows, problems + more, notes, sources, twice)


def render(rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ROSTER_COLUMNS)
    w.writerows(rows)
    return buf.getvalue()


def command(files: list[Path], out: Path, force: bool, canvas_course: int | None = None) -> int:
    """Write the roster; one line per problem on stderr; exit 1 when anyone was left out or a file was refused
    (or nothing could be written), 2 when a Canvas course could not be read."""
    import sys

    if not files and canvas_course is None:
        raise InvalidInput("cohort roster: give the exports to read (classroom_roster.csv, the LMS's CSV) "
                           "or --canvas-course")
    from roadmap_ci.safeio import check_writable

    check_writable(out)  # before the exports are read; --force would not help
    if out.exists() and not force:
        raise InvalidInput(f"{out}: exists; --force replaces it (the exports are read again from scratch)")
    for f in files:
        if f.resolve() == out.resolve():
            raise InvalidInput(f"{out}: is also an input; write the roster elsewhere")
    extra = []
    if canvas_course is not None:
        from roadmap_ci.cohort import lms

        url, token = lms.canvas_env("--canvas-course")
        extra.append((f"Canvas course {canvas_course}", canvas_people(url, token, canvas_course)))
    result = build(files, extra)
    for note in result.repeated:
        print(note, file=sys.stderr)
    for p in result.problems:
        print(str(p), file=sys.stderr)
    for note in result.notes:
        print(note, file=sys.stderr)
    if not result.rows:
        print(f"{out}: not written: every learner is left out (above)", file=sys.stderr)
        return EXIT_INVALID
    text = render(result.rows)
    _, errors = read_roster(out, text)  # join() left out each learner it refuses: this is the whole file's check
    if errors:  # a join this module got wrong: nothing half-right is written
        raise CannotRun(f"{out}: the roster built does not read back ({errors[0].message}); not written")
    write_atomic(out, text)
    with_lms = sum(1 for r in result.rows if r[3])
    read = ", ".join(f"{plain(f)} ({k})" for f, k in result.sources.items())
    n = len(result.rows)
    print(f"{out}: {n} learner{'' if n == 1 else 's'} ({with_lms} with an LMS id); from {read}")
    if result.problems:
        print(f"{len(result.problems)} problem(s) above: those learners are not in {out}; fix the exports and run "
              "it again with --force", file=sys.stderr)
    return EXIT_INVALID if result.problems else EXIT_OK
