"""``cohort.yaml`` and its roster CSV: the mentor's description of a cohort, checked before anything is written.

.. code-block:: yaml

    version: 1
    organisation: ml-roadmap-2027
    roster: roster.csv                    # github, name, email, lms_id, section
    mentors: mentors                      # the organisation team that owns grading files (CODEOWNERS, reviews)
    course_secret_file: ~/.config/roadmap-ci/course-2027.key   # a file; never the secret itself
    rubrics:                              # optional: the hidden labels go to this private repo, not a secret
      repository: ml-roadmap-2027/grading
      token_file: ~/.config/roadmap-ci/grading-read.token    # a read-only token for it; never the token itself
    deliverables:
      - id: churn
        template: tabular-classification
        repo: "{deliverable}-{github}"    # the default
        opens: 2027-01-10T09:00:00+01:00  # time zones explicit
        due: 2027-01-24T23:59:00+01:00
        cutoff: 2027-01-31T23:59:00+01:00
        rubric: {id: tabular-classification, version: "2026.12"}   # or {path: …, version: …}
    extensions:
      - {learner: ada, deliverable: churn, due: 2027-01-27T23:59:00+01:00}
    late_policy: {per: day, penalty: 10, cap: 50, floor: 0}   # % of the maximum; a deliverable may set its own

Every problem is reported at once, each as ``file:line:column: what is wrong`` (the roster's as
``roster.csv:line``). Loading imports nothing heavy.
"""

from __future__ import annotations

import csv
import io
import os
import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from roadmap_ci.errors import CannotRun, InvalidInput, InvalidInputs, Place, RoadmapError, problems_of, read_text
from roadmap_ci.yamlio import YamlDoc, load_yaml

SCHEMA_VERSION = 1
ROSTER_COLUMNS = ("github", "name", "email", "lms_id", "section")
DEFAULT_REPO = "{deliverable}-{github}"
DEFAULT_GROUP_REPO = "{deliverable}-{group}"
REPO_FIELDS = {"deliverable", "github", "group", "section"}
# GitHub logins: 1-39 letters, digits and single hyphens, not at either end
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
SLUG = r"^[a-z0-9][a-z0-9._-]{0,99}$"
REPO_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
ORG = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
FULL_REPO = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}$"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricPin(_Strict):
    """A bundled rubric by id, or a file in the mentor's rubrics repo; its version pinned."""

    id: str | None = Field(None, pattern=SLUG, description="A bundled rubric (rubrics/<id>.yaml).")
    path: str | None = Field(None, description="A rubric file, relative to cohort.yaml.")
    version: str = Field(min_length=1, description="The rubric's `version:`; apply refuses another.")

    @model_validator(mode="after")
    def _one_source(self) -> RubricPin:
        if (self.id is None) == (self.path is None):
            raise ValueError("rubric: give exactly one of 'id' (a bundled rubric) or 'path' (a file)")
        return self


class LatePolicy(_Strict):
    """What a late submission (after due, before the cutoff) loses, in percent of the maximum points."""

    per: Literal["day", "hour"] = Field("day", description="The penalty is charged per started day or hour late.")
    penalty: float = Field(0.0, ge=0, le=100, description="Percent of the maximum points lost per period late.")
    cap: float = Field(100.0, ge=0, le=100, description="At most this percent of the maximum is deducted.")
    floor: float = Field(0.0, ge=0, le=100, description="A late grade never drops below this percent of the "
                                                        "maximum (nor rises above the unpenalised grade).")


class Deliverable(_Strict):
    id: str = Field(pattern=SLUG, description="The deliverable's id in this cohort (used in repo names).")
    template: str = Field(pattern=SLUG, description="The template id (`roadmap-ci new --list`).")
    repo: str | None = Field(None, description="Repo name pattern: {deliverable}, {github}, {group}, {section}. "
                                               "Default {deliverable}-{github} ({deliverable}-{group} with groups).")
    opens: AwareDatetime = Field(description="When learners may start (ISO 8601 with a time zone).")
    due: AwareDatetime = Field(description="The deadline (ISO 8601 with a time zone).")
    cutoff: AwareDatetime | None = Field(None, description="Last accepted push, late (default: due).")
    rubric: RubricPin
    groups: dict[str, list[str]] | None = Field(
        None, description="Group name -> members' GitHub logins; one repo per group instead of per learner.")
    close_at_cutoff: bool = Field(False, description="`cohort close` drops learners to read at the cutoff.")
    late_policy: LatePolicy | None = Field(None, description="This deliverable's late policy (default: the cohort's).")

    @field_validator("repo")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(v) if f is not None}
        except ValueError as exc:
            raise ValueError(f"repo pattern: {exc}") from None
        unknown = names - REPO_FIELDS
        if unknown:
            raise ValueError(f"repo pattern: unknown field {{{sorted(unknown)[0]}}} "
                             f"(allowed: {', '.join('{' + f + '}' for f in sorted(REPO_FIELDS))})")
        return v

    @field_validator("groups")
    @classmethod
    def _group_names(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        for name, members in (v or {}).items():
            if not re.match(SLUG, name):
                raise ValueError(f"group {name!r}: names use lower-case letters, digits, '.', '_' and '-'")
            if not members:
                raise ValueError(f"group {name!r} has no members")
        return v

    @field_validator("due")
    @classmethod
    def _due_after_opens(cls, v: datetime, info: ValidationInfo) -> datetime:
        opens = info.data.get("opens")
        if opens is not None and v < opens:
            raise ValueError(f"due ({v.isoformat()}) is before opens ({opens.isoformat()})")
        return v

    @field_validator("cutoff")
    @classmethod
    def _cutoff_after_due(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        due = info.data.get("due")
        if v is not None and due is not None and v < due:
            raise ValueError(f"cutoff ({v.isoformat()}) is before due ({due.isoformat()})")
        return v

    @property
    def repo_pattern(self) -> str:
        return self.repo or (DEFAULT_GROUP_REPO if self.groups else DEFAULT_REPO)

    @property
    def last_push(self) -> datetime:
        return self.cutoff or self.due


class Extension(_Strict):
    learner: str = Field(description="The learner's GitHub login.")
    deliverable: str = Field(description="The deliverable id.")
    due: AwareDatetime
    cutoff: AwareDatetime | None = None


class Rubrics(_Strict):
    """The mentors' private rubrics repository: where ``cohort apply`` keeps each seat's hidden labels."""

    repository: str = Field(pattern=FULL_REPO, description="The private repository (owner/name) the labels are "
                                                            "written to, as labels/<deliverable>/<seat>.csv.")
    token_file: str = Field(description="A file holding a read-only token for that repository (the report job "
                                        "checks it out with it). Never the token inline.")

    @field_validator("repository")
    @classmethod
    def _not_dots(cls, v: str) -> str:
        if v.split("/", 1)[1] in (".", ".."):
            raise ValueError(f"rubrics: repository: {v!r} is not owner/name (a GitHub account, then a repository)")
        return v

    @model_validator(mode="before")
    @classmethod
    def _no_inline_token(cls, data: Any) -> Any:
        if isinstance(data, dict) and "token" in data:
            raise ValueError("rubrics: never write the token into cohort.yaml; put it in a file outside the "
                             "repository and name that file with token_file")
        return data


MAX_RETENTION_DAYS = 400  # GitHub's maximum artifact retention (private repos; public ones: 90)


class Cohort(_Strict):
    """The cohort file (``cohort.yaml``)."""

    version: int = Field(SCHEMA_VERSION, description="The cohort file format version (1).")
    organisation: str = Field(pattern=ORG, description="The GitHub organisation that owns the repos.")
    roster: str = Field(description="The roster CSV (github, name, email, lms_id, section), relative to this file.")
    mentors: str = Field(pattern=SLUG, description="The organisation team of mentors (CODEOWNERS, reviews).")
    course_secret_file: str | None = Field(
        None, description="A file holding the course secret (hidden data per learner). Never the secret inline.")
    rubrics: Rubrics | None = Field(
        None, description="A private rubrics repository for the hidden labels (any size) instead of the "
                          "environment secret ROADMAP_CI_HIDDEN_LABELS (48 KB at most).")
    deliverables: list[Deliverable] = Field(min_length=1)
    extensions: list[Extension] = Field(default_factory=list)

    @field_validator("extensions", mode="before")
    @classmethod
    def _no_extensions(cls, v: Any) -> Any:
        return [] if v is None else v  # `extensions:` with nothing under it (the mentor removed the last one)

    late_policy: LatePolicy = Field(default_factory=LatePolicy,
                                    description="Penalty for work after due and before the cutoff (default: none).")
    artifact_retention_days: int | None = Field(
        None, ge=1, le=MAX_RETENTION_DAYS, strict=True,
        description="How long GitHub keeps each evaluate run's evidence artifact, in days (1-400; GitHub allows "
                    "up to 90 for a public repo, 400 for a private one, and caps it at the organisation's "
                    "setting). Unset: the evaluate workflow's 7. Keep it past the last cutoff so that "
                    "`cohort collect` finds every artifact.")

    provision_ahead_days: int | None = Field(
        None, ge=0, le=MAX_RETENTION_DAYS, strict=True,
        description="`cohort apply` makes a deliverable's repos only from this many days before it opens (run it "
                    "again, e.g. weekly, and it provisions the next); unset: every deliverable at once.")

    @field_validator("version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(f"unsupported cohort file version {v} (this roadmap-ci reads version {SCHEMA_VERSION})")
        return v

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secret(cls, data: Any) -> Any:
        if isinstance(data, dict) and "course_secret" in data:
            raise ValueError("course_secret: never write the secret into cohort.yaml; put it in a file outside "
                             "the repository and name that file with course_secret_file")
        return data


@dataclass(frozen=True)
class Learner:
    github: str
    name: str
    email: str
    lms_id: str
    section: str
    line: int


@dataclass(frozen=True)
class Seat:
    """One repo: a deliverable for one learner, or for one group."""

    deliverable: Deliverable
    key: str  # the learner's login or the group's name (the seed's learner id)
    repo: str
    members: tuple[Learner, ...]

    @property
    def label(self) -> str:
        return f"{self.deliverable.id}/{self.key}"


@dataclass
class LoadedCohort:
    cohort: Cohort
    path: Path
    doc: YamlDoc
    learners: list[Learner]

    @property
    def base(self) -> Path:
        return self.path.parent

    @property
    def org(self) -> str:
        return self.cohort.organisation

    def by_login(self) -> dict[str, Learner]:
        return {lr.github.lower(): lr for lr in self.learners}

    def seats(self, deliverable: str | None = None) -> list[Seat]:
        out = []
        logins = self.by_login()
        for d in self.cohort.deliverables:
            if deliverable is not None and d.id != deliverable:
                continue
            if d.groups:
                for g, members in sorted(d.groups.items()):
                    people = tuple(logins[m.lower()] for m in members)
                    out.append(Seat(d, g, _repo_name(d, group=g, section=people[0].section), people))
            else:
                for lr in self.learners:
                    out.append(Seat(d, lr.github, _repo_name(d, github=lr.github, section=lr.section), (lr,)))
        return out

    def ungrouped(self, d: Deliverable) -> list[Learner]:
        """Roster learners a group deliverable's groups leave out: no seat, so no repo (none without groups)."""
        grouped = {m.lower() for ms in (d.groups or {}).values() for m in ms}
        return [lr for lr in self.learners if lr.github.lower() not in grouped] if d.groups else []

    def ungrouped_notes(self) -> list[str]:
        """One note per group deliverable that leaves roster learners out of every group (lint and plan)."""
        out = []
        for d in self.cohort.deliverables:
            left = [lr.github for lr in self.ungrouped(d)]
            if left:
                out.append(f"note: {d.id}: {len(left)} learner(s) in no group ({', '.join(left[:5])}"
                           f"{', …' if len(left) > 5 else ''}): no repo for them; add them to a group under "
                           f"groups: if they take part")
        return out

    def provision_from(self, d: Deliverable) -> datetime | None:
        """When ``cohort apply`` starts making this deliverable's repos (None: at once)."""
        ahead = self.cohort.provision_ahead_days
        return None if ahead is None else d.opens - timedelta(days=ahead)

    def waiting(self, now: datetime, journal: Any = None) -> list[Deliverable]:
        """The deliverables whose repos ``cohort apply`` does not make yet at ``now`` -- less those whose repos
        the ``journal`` says were made already (``opens`` moved later, or ``provision_ahead_days`` set after)."""
        org = self.cohort.organisation
        return [d for d in self.cohort.deliverables if (f := self.provision_from(d)) is not None and now < f
                and not (journal is not None and any(journal.get(f"{org}/{seat.repo}", "repo").done
                                                     for seat in self.seats(d.id)))]

    def deadline(self, seat: Seat) -> tuple[datetime, datetime]:
        """(due, last accepted push) for a seat, extensions applied."""
        d = seat.deliverable
        due, cutoff = d.due, d.last_push
        if not self.cohort.extensions:  # the usual case (grade asks for every learner of every deliverable)
            return due, cutoff
        keys = {m.github.lower() for m in seat.members}
        for e in self.cohort.extensions:
            if e.deliverable == d.id and e.learner.lower() in keys:
                due = max(due, e.due)
                cutoff = max(cutoff, e.cutoff or e.due, due)
        return due, cutoff

    def late_policy(self, d: Deliverable) -> LatePolicy:
        return d.late_policy or self.cohort.late_policy

    def roster_path(self) -> Path:
        return self.base / Path(self.cohort.roster).expanduser()

    def secret_path(self) -> Path | None:
        f = self.cohort.course_secret_file
        return None if f is None else (self.base / Path(f).expanduser())

    def rubrics_token_path(self) -> Path | None:
        r = self.cohort.rubrics
        return None if r is None else (self.base / Path(r.token_file).expanduser())

    def rubrics_token(self) -> str:
        """The read-only token for the rubrics repository, from its file (one line on a problem)."""
        path = self.rubrics_token_path()
        if path is None:
            raise CannotRun("no rubrics repository in the cohort file")
        return read_token(path)

    def rubric_path(self, d: Deliverable) -> Path:
        """The pinned rubric's file; a bundled id that names none is a one-line error (paths.bundled_rubric)."""
        from roadmap_ci.paths import bundled_rubric

        if d.rubric.id is not None:
            return bundled_rubric(d.rubric.id)
        return self.base / str(d.rubric.path)


MAX_TOKEN_BYTES = 4096  # GitHub's tokens are well under 300 characters


def read_token(path: Path) -> str:
    """A token kept in a file: one line, no spaces (InvalidInput naming the file otherwise)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TOKEN_BYTES + 1)  # a file named by mistake is not read whole
        if len(data) > MAX_TOKEN_BYTES:
            raise InvalidInput(f"{path}: a token file holds one token, at most {MAX_TOKEN_BYTES} bytes")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such token file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the token file: {getattr(exc, 'strerror', None) or exc}") from None
    token = text.strip()
    if not token:
        raise InvalidInput(f"{path}: the token file is empty")
    if any(ch.isspace() for ch in token) or not token.isprintable():
        raise InvalidInput(f"{path}: the token file holds more than one token (one line, no spaces)")
    return token


def _repo_name(d: Deliverable, **fields: str) -> str:
    values = {"deliverable": d.id, "github": "", "group": "", "section": "", **fields}
    return d.repo_pattern.format(**values)


# ---------------------------------------------------------------- loading


def _message(err: dict[str, Any]) -> str:
    t, loc = err["type"], err["loc"]
    name = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
    if t == "extra_forbidden":
        return f"unknown key '{loc[-1]}'"
    if t == "missing":
        return f"missing required key '{loc[-1]}'"
    if t == "timezone_aware":
        return f"{name}: give the time zone explicitly (e.g. 2027-01-24T23:59:00+01:00 or …Z)"
    if t == "string_pattern_mismatch":
        if name == "organisation":
            return "organisation: not a valid GitHub organisation name"
        if name == "repository":
            return f"rubrics: repository: {err.get('input')!r} is not owner/name (a GitHub account, then a repository)"
        return f"{name}: use lower-case letters, digits, '.', '_' and '-'"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{name}: {msg}" if name and t not in ("value_error", "assertion_error") else msg


def read_roster(path: Path, text: str | None = None) -> tuple[list[Learner], list[InvalidInput]]:
    """The roster's learners and every bad row (named by line); ``text``: the roster's content when the caller
    has it (``cohort roster`` checks what it is about to write), else read from ``path``."""
    text = read_text(path, "roster CSV") if text is None else text
    errors: list[InvalidInput] = []
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        return [], [InvalidInput(f"not a CSV roster: {exc}", Place(str(path), 1))]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            sep = "semicolon" if ";" in header[0] else "tab"
            return [], [InvalidInput(f"roster is {sep}-separated: save it as comma-separated CSV (columns: "
                                     f"{', '.join(ROSTER_COLUMNS)})", Place(str(path), 1))]
        found = ", ".join(repr(h[:40]) for h in header[:8]) + (", …" if len(header) > 8 else "")
        return [], [InvalidInput(f"roster header lacks {', '.join(missing)} (it has {found}; a roster's columns: "
                                 f"{', '.join(ROSTER_COLUMNS)})", Place(str(path), 1))]
    idx = {c: header.index(c) for c in ROSTER_COLUMNS}
    seen: dict[str, int] = {}
    seen_ids: dict[tuple[str, str], int] = {}  # (lms_id | email, value) -> line: two learners, one LMS user
    learners = []
    try:
        last = reader.line_num
        for row in reader:
            line, last = last + 1, reader.line_num  # where the row starts (a quoted cell may span lines)
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                errors.append(InvalidInput(f"{len(row)} columns, the header has {len(header)}", Place(str(path), line)))
                continue
            cells = {c: row[i].strip() for c, i in idx.items()}
            login = cells["github"]
            if not LOGIN.match(login):
                errors.append(InvalidInput(f"github: {login!r} is not a valid GitHub login", Place(str(path), line)))
                continue
            if login.lower() in seen:
                errors.append(InvalidInput(f"github: {login!r} is listed twice (first on line {seen[login.lower()]})",
                                           Place(str(path), line)))
                continue
            odd = next(((c, ch) for c, v in cells.items() for ch in v if ch < " " or "\x7f" <= ch <= "\x9f"), None)
            if odd is not None:  # an escape sequence or a line break: a terminal or an LMS import would act on it
                errors.append(InvalidInput(f"{odd[0]}: holds the control character U+{ord(odd[1]):04X}",
                                           Place(str(path), line)))
                continue
            if cells["email"] and not EMAIL.match(cells["email"]):
                errors.append(InvalidInput(f"email: {cells['email']!r} is not an e-mail address",
                                           Place(str(path), line)))
            twice = False
            for col, value in (("lms_id", cells["lms_id"]), ("email", cells["email"].lower())):
                if value and (col, value) in seen_ids:  # the LMS imports would put two grades on one user
                    errors.append(InvalidInput(f"{col}: {cells[col]!r} is {login}'s and also the learner's on line "
                                               f"{seen_ids[(col, value)]}", Place(str(path), line)))
                    twice = True
                elif value:
                    seen_ids[(col, value)] = line
            if twice:
                continue
            seen[login.lower()] = line
            learners.append(Learner(login, cells["name"], cells["email"], cells["lms_id"], cells["section"], line))
    except csv.Error as exc:
        errors.append(InvalidInput(f"not valid CSV: {exc}", Place(str(path), reader.line_num)))
    if not learners and not errors:
        errors.append(InvalidInput("the roster lists no learners", Place(str(path), 1)))
    return learners, errors


def load_cohort(path: Path | str, *, check_rubrics: bool = True) -> LoadedCohort:
    """Load and check a cohort file and its roster; raise InvalidInputs with every problem and its place."""
    path = Path(path)
    doc = load_yaml(path, "cohort file")
    if not isinstance(doc.data, dict):
        raise InvalidInput("a cohort file is a mapping (organisation, roster, mentors, deliverables)", doc.place())
    errors: list[InvalidInput] = []
    cohort: Cohort | None = None
    try:
        cohort = Cohort.model_validate(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            secret = err["type"] == "value_error" and "course_secret:" in str(err["msg"])
            if secret:
                loc = ("course_secret",)
            token = err["type"] == "value_error" and "rubrics: never write the token" in str(err["msg"])
            if token:
                loc = ("rubrics", "token")
            at_key = secret or token or err["type"] == "extra_forbidden"
            errors.append(InvalidInput(_message(err), doc.place(loc, at_key=at_key)))
    roster = doc.data.get("roster")
    learners: list[Learner] = []
    if isinstance(roster, str):  # the roster is checked even when the cohort file has problems
        roster_path = path.parent / Path(roster).expanduser()  # as LoadedCohort.roster_path, before one exists
        try:
            learners, bad_rows = read_roster(roster_path)
            errors += bad_rows
        except CannotRun as exc:
            errors.append(InvalidInput(f"roster: {exc.message} ({roster_path})", doc.place(("roster",))))
        except InvalidInput as exc:
            errors.append(exc)
    if cohort is None:
        raise InvalidInputs(errors)
    loaded = LoadedCohort(cohort, path, doc, learners)
    if not errors:
        errors += _cross_checks(loaded, check_rubrics)
    else:
        errors += [e for e in _cross_checks(loaded, check_rubrics) if "not in the roster" not in e.message]
    if errors:
        raise InvalidInputs(errors)
    return loaded


def _cross_checks(c: LoadedCohort, check_rubrics: bool) -> list[InvalidInput]:
    from roadmap_ci.new import available

    errors: list[InvalidInput] = []
    doc, cohort = c.doc, c.cohort
    templates = set(available())
    logins = c.by_login()
    ids: set[str] = set()
    repos: dict[str, str] = {}
    for i, d in enumerate(cohort.deliverables):
        at = ("deliverables", i)
        if d.id in ids:
            errors.append(InvalidInput(f"deliverable {d.id!r} is listed twice", doc.place((*at, "id"))))
        ids.add(d.id)
        if d.template not in templates:
            have = ", ".join(sorted(templates))
            errors.append(InvalidInput(f"template: no template {d.template!r} (templates: {have})",
                                       doc.place((*at, "template"))))
        in_group: dict[str, str] = {}
        for g, members in (d.groups or {}).items():
            for m in members:
                if m.lower() not in logins:
                    errors.append(InvalidInput(f"group {g!r}: {m!r} is not in the roster",
                                               doc.place((*at, "groups", g))))
                elif m.lower() in in_group:
                    errors.append(InvalidInput(f"group {g!r}: {m!r} is already in group {in_group[m.lower()]!r}",
                                               doc.place((*at, "groups", g))))
                in_group[m.lower()] = g
        if d.groups and "{github}" in d.repo_pattern:
            errors.append(InvalidInput("repo: a group deliverable's pattern uses {group}, not {github}",
                                       doc.place((*at, "repo"))))
        members_known = all(m.lower() in logins for ms in (d.groups or {}).values() for m in ms)
        for seat in c.seats(d.id) if members_known else []:
            if not REPO_NAME.match(seat.repo) or seat.repo in (".", ".."):
                errors.append(InvalidInput(f"repo: {seat.repo!r} ({seat.label}) is not a valid repository name",
                                           doc.place((*at, "repo"))))
                break
            if seat.repo.lower() in repos:
                errors.append(InvalidInput(f"repo: {seat.label} and {repos[seat.repo.lower()]} would share the repo "
                                           f"{seat.repo!r}", doc.place((*at, "repo"))))
                break
            repos[seat.repo.lower()] = seat.label
        if check_rubrics:
            errors += _check_rubric(c, d, at)
    granted: dict[tuple[str, str], int] = {}
    for j, e in enumerate(cohort.extensions):
        at = ("extensions", j)
        key = (e.learner.lower(), e.deliverable)
        if key in granted:  # two for one learner and deliverable: which was meant? (the later would win silently)
            errors.append(InvalidInput(f"a second extension for {e.learner} on {e.deliverable} (the first is "
                                       f"extensions[{granted[key]}]): keep one", doc.place((*at, "learner"))))
        granted.setdefault(key, j)
        if e.learner.lower() not in logins:
            errors.append(InvalidInput(f"learner {e.learner!r} is not in the roster", doc.place((*at, "learner"))))
        match = [d for d in cohort.deliverables if d.id == e.deliverable]
        if not match:
            errors.append(InvalidInput(f"no deliverable {e.deliverable!r} in this cohort",
                                       doc.place((*at, "deliverable"))))
        elif e.due < match[0].due:
            errors.append(InvalidInput(f"an extension's due ({e.due.isoformat()}) is before the deliverable's "
                                       f"({match[0].due.isoformat()})", doc.place((*at, "due"))))
        if e.cutoff is not None and e.cutoff < e.due:
            errors.append(InvalidInput("cutoff is before due", doc.place((*at, "cutoff"))))
    secret = c.secret_path()
    if secret is not None:
        from roadmap_ci.seeding import read_secret

        try:
            read_secret(secret)
        except (CannotRun, InvalidInput) as exc:
            errors.append(InvalidInput(f"course_secret_file: {exc.message}", doc.place(("course_secret_file",))))
        else:
            errors += _committable(secret, "course_secret_file", "the course secret",
                                   doc.place(("course_secret_file",)))
    token = c.rubrics_token_path()
    if token is not None:
        try:
            read_token(token)
        except InvalidInput as exc:
            errors.append(InvalidInput(f"rubrics: token_file: {exc.message}",
                                       doc.place(("rubrics", "token_file"))))
        else:
            errors += _committable(token, "rubrics: token_file", "the token", doc.place(("rubrics", "token_file")))
    return errors


def committable_in(path: Path) -> Path | None:
    """The git work tree ``path`` lies in when git would commit it (tracked, or not ignored); else None.

    A mentor keeps ``cohort.yaml`` in a repository; a secret file beside it that ``git add -A`` would take is one
    push away from every learner's hidden labels. No git, or a folder git cannot read: None (nothing to say)."""
    import subprocess

    p = path.resolve()
    root = next((d for d in p.parents if (d / ".git").exists()), None)
    if root is None:
        return None
    try:  # 0: ignored (and untracked); 1: git would take it; anything else: git could not tell
        res = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", str(p)], capture_output=True,
                             timeout=20, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return root if res.returncode == 1 else None


def _committable(path: Path, key: str, what: str, place: Place) -> list[InvalidInput]:
    root = committable_in(path)
    if root is None:
        return []
    return [InvalidInput(f"{key}: {path} is inside the git repository {root} and not ignored: a commit would "
                         f"publish {what}; move it out (e.g. ~/.config/roadmap-ci/) or add it to .gitignore", place)]


def _check_rubric(c: LoadedCohort, d: Deliverable, at: tuple[Any, ...]) -> list[InvalidInput]:
    from roadmap_ci.score.load import load_rubric

    place = c.doc.place((*at, "rubric", "id" if d.rubric.id is not None else "path"))
    try:
        path = c.rubric_path(d)
    except RoadmapError:
        return [InvalidInput(f"rubric: no bundled rubric {d.rubric.id!r}", place)]
    if not path.is_file():
        return [InvalidInput(f"rubric: rubric file not found: {path}", place)]
    try:
        loaded = load_rubric(path)
    except InvalidInputs as exc:
        return [InvalidInput(f"rubric {path}: {len(exc.errors)} problem(s), first: {exc.errors[0]}", place)]
    except (InvalidInput, CannotRun) as exc:
        return [InvalidInput(f"rubric {path}: {exc}", place)]
    if loaded.rubric.version != d.rubric.version:
        return [InvalidInput(f"rubric: pinned version {d.rubric.version!r}, but {path.name} is version "
                             f"{loaded.rubric.version!r}", c.doc.place((*at, "rubric", "version")))]
    return []


def lint_cohort(path: Path | str) -> list[InvalidInput]:
    """Every problem in one cohort file and its roster (an empty list when both are clean).

    A cohort file that cannot be read at all raises CannotRun (exit 2, as in every other cohort command); an
    unreadable roster is a problem of the cohort file, at its ``roster:`` key.
    """
    return problems_of(lambda: load_cohort(path), could_not_run_is_a_problem=False)


def cohort_schema() -> dict[str, Any]:
    schema = Cohort.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "roadmap-ci cohort"
    return schema
