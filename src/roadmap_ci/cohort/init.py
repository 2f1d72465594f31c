"""``roadmap-ci cohort init``: a cohort file for the roadmap's calendar, from its first day.

The roadmap (``roadmap.py``) gives each deliverable its weeks; a cohort that starts on a Monday opens each one on
the Monday of its first week (09:00) and makes it due on the Sunday of its last (23:59), in the mentor's time
zone, with the offset each date has there (summer time included) -- the cohort file takes no date without one.
The cutoff is ``--grace-days`` after that; every rubric is pinned at the version bundled today; the artifacts are
kept long enough for a ``collect`` after the last cutoff; and the course secret -- what makes a course's hidden
labels the course's own (``seeding.py``) -- is made in a file outside the repository if there is none yet.

The file is checked with the cohort file's own model before it is written, and written only whole.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

from roadmap_ci.cohort.model import MAX_RETENTION_DAYS, ORG, SLUG
from roadmap_ci.errors import CannotRun, InvalidInput

OPENS_AT = time(9, 0)
DUE_AT = time(23, 59)
CHOICES = {"specialisation": "one specialisation", "capstone": "one capstone"}  # phases whose deliverables are options
PROVISION_AHEAD_DAYS = 7  # apply makes a deliverable's repos this long before it opens, not all on day one
RETENTION_MARGIN_DAYS = 30  # after the longest deliverable's cutoff: time to collect (and --rerun) at leisure
MAX_GRACE_DAYS = 60
# GitHub's times (pushes, artifacts) are Unix times: a calendar before 1970 could never be met
EARLIEST_START = date(1970, 1, 1)


def start_range() -> tuple[int, date, date]:
    """The roadmap's weeks and the first days a cohort may start on: from :data:`EARLIEST_START` to the last day
    whose whole calendar -- the last cutoff after the longest grace, the evidence kept after it, a day either side
    for the time zone -- is still a date Python can hold."""
    from roadmap_ci.roadmap import PHASES

    weeks = max(p.weeks[1] for p in PHASES)
    latest = date.max - timedelta(weeks=weeks, days=MAX_GRACE_DAYS + MAX_RETENTION_DAYS + 2)
    return weeks, EARLIEST_START, latest


@dataclass(frozen=True)
class Planned:
    id: str
    template: str
    phase: str
    title: str
    weeks: tuple[int, int]
    opens: datetime
    due: datetime
    cutoff: datetime
    version: str


def _shown(value: str, limit: int = 60) -> str:
    """An option's value in a message: quoted, and cut when long (one line, whatever was typed)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def parse_zone(value: str) -> tzinfo:
    """An IANA zone (``Europe/Berlin``), ``UTC``/``Z``, or a fixed offset (``+01:00``)."""
    v = value.strip()
    if v in ("Z", "UTC", "utc"):
        return UTC
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", v)
    if m:
        delta = timedelta(hours=int(m[2]), minutes=int(m[3]))
        if delta >= timedelta(hours=24):
            raise InvalidInput(f"--tz {_shown(value)}: an offset is less than 24 hours")
        return timezone(delta if m[1] == "+" else -delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"--tz {_shown(value)}: not a time zone (an IANA name such as Europe/Berlin, UTC, or an "
                           "offset such as +01:00)") from None


def plan(start: date, zone: tzinfo, ids: list[str] | None, grace_days: int) -> list[Planned]:
    from roadmap_ci.paths import rubrics_dir
    from roadmap_ci.roadmap import DELIVERABLES, deliverable
    from roadmap_ci.score.load import load_rubric

    if ids:
        unknown = [i for i in ids if deliverable(i) is None]
        if unknown:
            raise InvalidInput(f"--deliverables: no deliverable {_shown(unknown[0])} in the roadmap "
                               f"(deliverables: {', '.join(d.id for d in DELIVERABLES)})")
        chosen = [d for d in DELIVERABLES if d.id in ids]  # the roadmap's order
    else:
        chosen = list(DELIVERABLES)
    out = []
    for d in chosen:
        first, last = d.weeks
        opens = datetime.combine(start + timedelta(weeks=first - 1), OPENS_AT, zone)
        due = datetime.combine(start + timedelta(weeks=last, days=-1), DUE_AT, zone)
        cutoff = datetime.combine(due.date() + timedelta(days=grace_days), DUE_AT, zone)
        version = load_rubric(rubrics_dir() / f"{d.id}.yaml").rubric.version
        out.append(Planned(d.id, d.id, d.phase, d.title, d.weeks, opens, due, cutoff, version))
    return out


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="minutes") if t.utcoffset() else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def retention_days(planned: list[Planned]) -> int:
    longest = max((p.cutoff - p.opens for p in planned), default=timedelta(0))
    return min(MAX_RETENTION_DAYS, longest.days + 1 + RETENTION_MARGIN_DAYS)


def _scalar(value: str) -> str:
    """A YAML scalar for a path the mentor gave: plain when it is plainly a path, else double-quoted (JSON's
    escaping is YAML's), so a '#', ': ' or a line break in it stays part of the value."""
    return value if re.fullmatch(r"[A-Za-z0-9_.~/-][A-Za-z0-9_.~/+ -]*", value) and not value.endswith(" ") \
        else json.dumps(value)


def _note(line: str, comment: str) -> str:
    return f"{line:<44}# {comment}" if len(line) < 44 else f"{line}  # {comment}"


def render(organisation: str, mentors: str, roster: str, secret_file: str | None, planned: list[Planned],
           start: date, zone_name: str, grace_days: int) -> str:
    lines = [
        f"# The cohort file of {organisation}: `roadmap-ci cohort init` wrote it for a cohort starting "
        f"{start.isoformat()}",
        f"# ({zone_name}). Each deliverable opens on the Monday of its first roadmap week and is due on the Sunday",
        f"# of its last; late work is taken for {grace_days} days after. Edit freely, then "
        "`roadmap-ci cohort lint`.",
        "# docs/classroom.md explains every key; `roadmap-ci cohort schema` prints the JSON Schema.",
        "version: 1",
        f"organisation: {organisation}",
        _note(f"roster: {_scalar(roster)}",
              "github, name, email, lms_id, section (`roadmap-ci cohort roster` makes it)"),
        _note(f"mentors: {mentors}", "the organisation's team of mentors: code owners of the grading files"),
    ]
    if secret_file is not None:
        lines.append(_note(f"course_secret_file: {_scalar(secret_file)}",
                           "the course's own data and hidden labels; never commit it"))
    else:
        lines.append("# course_secret_file: ~/.config/roadmap-ci/course.key   # without it, starters use the public "
                     "practice data")
    lines += [
        _note("late_policy: {per: day, penalty: 10, cap: 50, floor: 0}",
              "10 % of the maximum per started day late, at most 50 %"),
        _note(f"artifact_retention_days: {retention_days(planned)}",
              "evidence kept past the longest deliverable's cutoff, for `cohort collect`"),
        _note(f"provision_ahead_days: {PROVISION_AHEAD_DAYS}",
              "`cohort apply` makes a deliverable's repos a week before it opens (run it weekly)"),
        "deliverables:",
    ]
    phase = None
    for p in planned:
        if p.phase != phase:
            phase = p.phase
            note = CHOICES.get(phase)
            options = [q.id for q in planned if q.phase == phase]
            if note and len(options) > 1:
                lines.append(f"  # {phase}: the roadmap has learners do {note} of {', '.join(options)}; keep the "
                             "ones this cohort does")
        lines += [
            _note(f"  - id: {p.id}", f"weeks {p.weeks[0]}-{p.weeks[1]}: {p.title}"),
            f"    template: {p.template}",
            f"    opens: {_iso(p.opens)}",
            f"    due: {_iso(p.due)}",
            f"    cutoff: {_iso(p.cutoff)}",
            f'    rubric: {{id: {p.id}, version: "{p.version}"}}',
        ]
    lines += ["extensions: []   # e.g. {learner: ada-l, deliverable: tabular-classification, "
              "due: 2027-04-04T23:59:00+02:00}"]
    return "\n".join(lines) + "\n"


def recorded_path(given: str, cohort_dir: Path) -> str:
    """How the cohort file names a path given on the command line (relative to the current directory, like every
    path the CLI takes): the cohort model reads it relative to the cohort file's folder with ``~`` expanded, so a
    relative one is made relative to that folder; ``~/…`` and absolute paths are kept as given."""
    if given.startswith("~") or Path(given).is_absolute():
        return given
    try:
        return os.path.relpath(Path(given).resolve(), cohort_dir.resolve())
    except (OSError, ValueError):  # another drive (Windows): no relative path between them
        return str(Path(given).resolve())


def check_kept(path: Path) -> None:
    """A secret already at ``path`` is kept, never replaced: one that is not usable (empty, too short, a folder)
    is refused here, by the reader every cohort command uses, not left for ``cohort lint`` to find."""
    from roadmap_ci.seeding import read_secret

    if not path.exists():
        return
    try:
        read_secret(path)
    except (CannotRun, InvalidInput) as exc:
        raise InvalidInput(f"--secret-file: {exc.message}; init never replaces a course secret: fix or remove it, "
                           "or name another file") from None


def make_secret(path: Path) -> bool:
    """A new course secret in ``path`` (mode 0600, its folder 0700) unless one is there; whether it was made."""
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    except OSError as exc:
        raise CannotRun(f"{path}: cannot write the course secret ({exc.strerror or exc})") from None
    return True


def command(out: Path, *, organisation: str, start: str, tz: str, deliverables: list[str] | None, mentors: str,
            roster: str, secret_file: str | None, grace_days: int, force: bool) -> int:
    import sys

    import yaml

    from roadmap_ci.cohort.model import Cohort
    from roadmap_ci.safeio import plain, write_atomic

    # fullmatch: a pattern's '$' also matches before a final line break, which would break the file's YAML
    if not re.fullmatch(ORG, organisation):
        raise InvalidInput(f"--organisation {_shown(organisation)}: not a GitHub organisation name")
    if not re.fullmatch(SLUG, mentors):
        raise InvalidInput(f"--mentors {_shown(mentors)}: a team slug (lower-case letters, digits, '.', '_', '-')")
    try:
        day = date.fromisoformat(start)
    except ValueError:
        raise InvalidInput(f"--start {_shown(start)}: give the cohort's first day as YYYY-MM-DD") from None
    weeks, earliest, latest = start_range()
    if not earliest <= day <= latest:
        raise InvalidInput(f"--start {_shown(start)}: the roadmap runs {weeks} weeks from the start; give a day from "
                           f"{earliest.isoformat()} to {latest.isoformat()}")
    if deliverables is not None and not deliverables:
        raise InvalidInput("--deliverables: name at least one deliverable (or leave it out for all of the roadmap's)")
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise InvalidInput(f"--grace-days {grace_days}: between 0 and {MAX_GRACE_DAYS}")
    from roadmap_ci.safeio import check_writable

    check_writable(out)  # before a secret is made; --force would not help
    if out.exists() and not force:
        raise InvalidInput(f"{out}: exists; --force replaces it")
    tz = tz.strip()  # as parse_zone reads it: the name in the file's comment is that one, on one line
    zone = parse_zone(tz)
    # --secret-file is where the user says, from the current directory; the cohort file names it from its folder
    secret = Path(secret_file).expanduser() if secret_file is not None else None
    if secret is not None:
        check_kept(secret)
    recorded = recorded_path(secret_file, out.parent) if secret_file is not None else None
    planned = plan(day, zone, deliverables, grace_days)
    text = render(organisation, mentors, roster, recorded, planned, day, tz, grace_days)
    try:  # the model every cohort command loads it with: nothing that one refuses is written
        Cohort.model_validate(yaml.safe_load(text))
    except Exception as exc:  # noqa: BLE001 - a bug here, reported as one line
        raise CannotRun(f"{out}: the cohort file built does not validate ({str(exc).splitlines()[0]}); "
                        "not written") from None
    base = out.parent
    made = make_secret(secret) if secret is not None else False
    write_atomic(out, text)
    first, last = planned[0], planned[-1]
    print(f"{out}: {len(planned)} deliverables, {first.id} opens {_iso(first.opens)}, {last.id} is due "
          f"{_iso(last.due)} (cutoff {_iso(last.cutoff)})")
    if secret is not None:
        what = ("a new course secret: keep it safe and out of every repository (it remakes every hidden label)"
                if made else "a course secret is already there: kept")
        print(plain(f"{secret}: {what}"))
        from roadmap_ci.cohort.model import committable_in

        root = committable_in(secret)
        if root is not None:
            print(plain(f"warning: {secret} is inside the git repository {root} and not ignored: a commit would "
                        "publish the course secret; move it out or add it to .gitignore (`cohort lint` refuses it)"),
                  file=sys.stderr)
    if day.weekday() != 0:
        print(f"note: {day.isoformat()} is a {day.strftime('%A')}; weeks run from it, so dues fall on "
              f"{(day - timedelta(days=1)).strftime('%A')}s", file=sys.stderr)
    choices = sorted({p.phase for p in planned if p.phase in CHOICES and
                      sum(q.phase == p.phase for q in planned) > 1})
    for ph in choices:
        ids = ", ".join(p.id for p in planned if p.phase == ph)
        print(f"note: {ph}: every learner gets a repo for each of {ids}; the roadmap has them do "
              f"{CHOICES[ph]} -- keep the ones this cohort does (--deliverables)", file=sys.stderr)
    # commands to paste: each path shell-quoted (a space or a quote in it stays one argument)
    q, c = shlex.quote(str(base / roster)), shlex.quote(str(out))
    print(plain(f"next: roadmap-ci cohort roster classroom_roster.csv canvas.csv --out {q}; "
                f"roadmap-ci cohort lint -c {c}; roadmap-ci cohort plan -c {c}"))
    return 0
