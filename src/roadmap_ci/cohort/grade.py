"""``roadmap-ci cohort grade``: every collected commit scored with the cohort's pinned rubric and the mentor's labels.

For each deliverable, the cohort folder (:mod:`roadmap_ci.cohort.store`) holds one commit per learner. Each is
validated with the code ``ci-report`` uses (:func:`roadmap_ci.ci.artifact.load_bundle`), its hidden-label
metrics are computed here, on the mentor's machine, from the bundled predictions and the mentor's labels (the
private split included: the gradebook is the mentor's), it is scored with the pinned rubric (and, with
``--rubric NEW``, the tuned one, through :mod:`roadmap_ci.cohort.rescore`'s plan), and the late policy of
``cohort.yaml`` is applied from GitHub's ``created_at`` of the graded run against the learner's due date
(extensions included).

Bad input never stops the gradebook: a foreign or corrupt file, two evidence files for one commit, a roster
learner without a repo, labels whose ids do not match the predictions -- each is one :class:`Problem` naming
the learner and the file, and the learner's row says it in the ``problems`` column.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import roadmap_ci.cohort.rescore  # noqa: F401 (the module, not the function the package exports)
from roadmap_ci.cohort import store
from roadmap_ci.cohort.model import Deliverable, LatePolicy, LoadedCohort, Seat
from roadmap_ci.errors import CannotRun, InvalidInput, RoadmapError
from roadmap_ci.score.scoring import Totals

rs = sys.modules["roadmap_ci.cohort.rescore"]

PARALLEL_FROM = 400  # as rescore: below this, process start-up costs more than it saves
STEPS = ("scan", "parse", "hidden", "score", "late")


@dataclass(frozen=True)
class Problem:
    deliverable: str
    learner: str  # the seat's key (a login or a group), or "-" for a file no learner owns
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.learner}: {self.message}"


@dataclass
class Grade:
    key: str  # the seat's key (login or group)
    sha: str
    folder: str
    created_at: datetime
    raw: Totals  # the rubric's totals before the late policy
    final: Totals  # after the late policy (total, percent and passed adjusted)
    old: Totals | None  # with --rubric: the pinned rubric's, late policy applied
    late_periods: int
    penalty: float
    hidden_error: str | None = None
    ref: str = ""  # the branch the evidence names (learner-written)
    failing: tuple[str, ...] = ()  # up to 3 failing test ids (learner-written)

    @property
    def late(self) -> bool:
        return self.late_periods > 0


@dataclass
class DeliverableGrades:
    deliverable: Deliverable
    rubric_name: str
    max_points: float
    pass_mark: float
    seats: list[Seat]
    grades: dict[str, Grade] = field(default_factory=dict)  # seat key (lower case) -> grade
    missing: dict[str, str] = field(default_factory=dict)  # seat key (lower case) -> why
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STEPS, 0.0))
    files: int = 0
    old_rubric_name: str | None = None
    old_max_points: float | None = None
    labels: dict[str, Path | None] = field(default_factory=dict)  # seat key (lower case) -> the mentor's labels
    spec: Any = None  # the rubric's hidden_labels section
    _by_member: dict[str, Seat] | None = field(default=None, repr=False)

    def seat_of(self, login: str) -> Seat | None:
        if self._by_member is None:
            self._by_member = {m.github.lower(): s for s in self.seats for m in s.members}
        return self._by_member.get(login.lower())

    def as_rescore(self) -> rs.RescoreResult:
        """The grades as rescore's result (flips, statistics, histogram: the same code prints them)."""
        rows = [rs.Row(g.folder, g.key, None, g.sha, g.final, g.old) for g in self.grades.values()]
        rows.sort(key=lambda r: (r.learner, r.path))
        return rs.RescoreResult(rows=rows, max_points=self.max_points, old_max_points=self.old_max_points)


# ---------------------------------------------------------------- the late policy


def late_policy_applied(policy: LatePolicy, raw: Totals, pass_mark: float, created: datetime,
                        due: datetime) -> tuple[int, float, Totals]:
    """(periods late, points deducted, totals after the policy). On time: (0, 0, raw)."""
    if created <= due:
        return 0, 0.0, raw
    period = 86400.0 if policy.per == "day" else 3600.0
    periods = max(1, math.ceil((created - due).total_seconds() / period))
    deduct = min(policy.penalty * periods, policy.cap) / 100.0 * raw.max
    floor = policy.floor / 100.0 * raw.max
    final = round(max(raw.total - deduct, min(raw.total, floor)), 4)
    percent = round(100 * final / raw.max, 2) if raw.max else 0.0
    return periods, round(raw.total - final, 4), raw._replace(total=final, percent=percent,
                                                               passed=final >= pass_mark - 1e-9)


# ---------------------------------------------------------------- labels


def labels_for(loaded: LoadedCohort, seat: Seat, labels: Path | None, state: Path, rubric: Any) -> Path | None:
    """The mentor's labels for a seat: ``--labels`` (a file for everyone, or a folder of ``<learner>.csv``),
    else the ones ``cohort apply`` kept (``<state>/labels/<deliverable>/<learner>.csv``), else the rubric's."""
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.score.hidden import labels_path

    if labels is not None:
        if labels.is_dir():
            for p in (labels / f"{seat.key}.csv", labels / seat.deliverable.id / f"{seat.key}.csv"):
                if p.is_file():
                    return p
            return None
        return labels
    kept = state / "labels" / seat.deliverable.id / f"{seat.key}.csv"
    if kept.is_file():
        return kept
    spec = rubric.rubric.hidden_labels
    if spec is None:
        return None
    try:
        p = labels_path(spec, rubric.directory)
    except HiddenError:
        return None
    return p if p.is_file() else None


# ---------------------------------------------------------------- scanning the cohort folder


Job = tuple[str, str, str | None]  # seat key, commit folder, labels file


def scan(folder: Path, seats: list[Seat], problems: list[Problem], missing: dict[str, str], d: str,
         labels: dict[str, Path | None]) -> list[Job]:
    """The commit folders to grade; every foreign entry, duplicate and absence recorded."""
    keys = {s.key.lower(): s for s in seats}
    status = store.read_status(folder)
    jobs: list[Job] = []
    found: set[str] = set()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        entries = []
    except OSError as exc:
        raise CannotRun(f"{folder}: not readable ({exc.strerror or exc})") from None
    for e in entries:
        if e.name.startswith("_"):  # collect's own (status, unfinished downloads): never a login
            continue
        path = os.path.join(folder, e.name)
        low = e.name.lower()
        if not e.is_dir(follow_symlinks=False):
            problems.append(Problem(d, "-", path, "a foreign file in the cohort folder (only learners' folders "
                                                  "belong here)"))
            continue
        if low not in keys:
            problems.append(Problem(d, "-", path, f"{e.name!r} is not a learner of this cohort (a foreign folder)"))
            continue
        found.add(low)
        key = keys[low].key
        commits = []
        for c in sorted(os.scandir(path), key=lambda x: x.name):
            if c.is_dir(follow_symlinks=False) and store.SHA.match(c.name):
                commits.append(c.path)
            else:
                problems.append(Problem(d, key, c.path, "a foreign file in the learner's folder (only commit "
                                                        "folders belong here)"))
        if not commits:
            missing[low] = _why_missing(status.get(low))
            continue
        if len(commits) > 1:
            chosen = _latest(commits, key, d, problems)
            if chosen is None:
                missing[low] = "no readable commit folder"
                continue
            commits = [chosen]
        commit = commits[0]
        extra = _other_evidence(commit)
        if extra:
            problems.append(Problem(d, key, os.path.join(commit, extra[0]),
                                    f"two evidence files for one learner and commit ({store.EVIDENCE} and "
                                    f"{extra[0]}): graded neither"))
            missing[low] = "two evidence files for one commit"
            continue
        jobs.append((key, commit, str(labels[low]) if labels.get(low) else None))
    for low in keys:
        if low not in found:
            missing[low] = _why_missing(status.get(low))
    return jobs


def _why_missing(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "not collected (run `roadmap-ci cohort collect`)"
    reason = str(entry.get("reason") or entry.get("status") or "not collected")
    return reason[:300]


def _other_evidence(commit: str) -> list[str]:
    return sorted(n for n in os.listdir(commit)
                  if n != store.EVIDENCE and n.endswith(".json") and "evidence" in n.lower())


def _latest(commits: list[str], key: str, d: str, problems: list[Problem]) -> str | None:
    dated = []
    for c in commits:
        try:
            dated.append((store.read_provenance(Path(c) / store.PROVENANCE, os.path.basename(c)).created_at, c))
        except ValueError as exc:
            problems.append(Problem(d, key, os.path.join(c, store.PROVENANCE), str(exc)))
    if not dated:
        return None
    dated.sort()
    chosen = dated[-1][1]
    for _, c in dated[:-1]:
        problems.append(Problem(d, key, c, f"a second commit folder for this learner: graded "
                                           f"{os.path.basename(chosen)[:12]} (the latest run by GitHub's clock)"))
    return chosen


# ---------------------------------------------------------------- grading one commit (in a worker)

_LABELS: dict[str, Any] = {}  # per process: labels file -> parsed labels (one file serves many learners)


def _hidden(spec: Any, labels_file: str | None, predictions: Path | None,
            display: str | None) -> tuple[Any, str | None]:
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.score import files, metrics

    if spec is None:
        return None, None
    if labels_file is None:
        return None, "no hidden labels for this learner on the mentor's side"
    if predictions is None:
        return None, "no predictions copy in the collected artifact"
    try:
        ranking = spec.task == "ranking"
        stamp = (labels_file, os.stat(labels_file).st_mtime_ns)
        labels = _LABELS.get(str(stamp))
        if labels is None:
            labels = (files.read_ranking_labels if ranking else files.read_labels)(Path(labels_file), spec)
            _LABELS[str(stamp)] = labels
        if ranking:
            preds = files.read_ranking_predictions(predictions, spec, labels, display=display)
            return metrics.compute_ranking(spec, labels, preds), None
        preds = files.read_predictions(predictions, spec, labels, display=display)
        return metrics.compute(spec, labels, preds), None
    except HiddenError as exc:
        return None, f"hidden labels {Path(labels_file).name}: {exc}"
    except OSError as exc:
        return None, f"hidden labels {Path(labels_file).name}: not readable ({exc.strerror or exc})"


Packed = tuple  # (key, folder, created_iso, now, prev, hidden_error) or (key, folder, None, file, message)


def _grade_one(job: Job, p: rs.Plan, clock: list[float]) -> Packed:
    from roadmap_ci.ci.artifact import load_bundle
    from roadmap_ci.score import hidden

    key, folder, labels_file = job
    t0 = time.perf_counter()
    root = Path(folder)
    try:
        prov = store.read_provenance(root / store.PROVENANCE, root.name)
    except ValueError as exc:
        return (key, folder, None, str(root / store.PROVENANCE), str(exc))
    try:
        bundle = load_bundle(root)
    except RoadmapError as exc:
        msg = exc.message if isinstance(exc, InvalidInput) else str(exc)
        return (key, folder, None, str(root / store.EVIDENCE), msg.removeprefix("artifact rejected: "))
    t1 = time.perf_counter()
    ev = bundle.evidence
    display = ev.predictions.path[:80] if ev.predictions is not None else None
    metrics, error = _hidden(p.new.rubric.hidden_labels or (p.old.rubric.hidden_labels if p.old else None),
                             labels_file, bundle.predictions, display)
    ev = hidden.apply(ev, hidden.HiddenResult(metrics, error))
    t2 = time.perf_counter()
    now, prev = rs.score_with(ev, p)
    t3 = time.perf_counter()
    clock[0] += t1 - t0
    clock[1] += t2 - t1
    clock[2] += t3 - t2
    failing = tuple(c.id[:200] for c in (ev.tests.cases if ev.tests else []) if c.outcome in ("failed", "error"))[:3]
    return (key, folder, store.iso(prov.created_at), rs._pack_totals(now),
            rs._pack_totals(prev) if prev is not None else None, error, (ev.ref or "")[:200], failing)


def _grade_chunk(args: tuple[list[Job], rs.Plan]) -> tuple[list[Packed], list[float]]:
    jobs, p = args
    clock = [0.0, 0.0, 0.0]
    return [_grade_one(j, p, clock) for j in jobs], clock


def _chunks(items: list[Job], n: int) -> Iterator[list[Job]]:
    size = max(1, (len(items) + n - 1) // n)
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------- the whole deliverable


def grade_deliverable(loaded: LoadedCohort, d: Deliverable, folder: Path, *, state: Path,
                      labels: Path | None = None, new_rubric: Any = None, workers: int | None = None,
                      pool: ProcessPoolExecutor | None = None) -> DeliverableGrades:
    """Grade one deliverable's cohort folder. ``new_rubric``: a tuned rubric (the pinned one becomes "old")."""
    from roadmap_ci.ci.step import load_pinned_rubric

    pinned = load_pinned_rubric(str(loaded.rubric_path(d)), d.rubric.version)
    new, old = (new_rubric, pinned) if new_rubric is not None else (pinned, None)
    seats = loaded.seats(d.id)
    out = DeliverableGrades(d, new.path.name, new.rubric.max_points, new.rubric.pass_mark, seats,
                            old_rubric_name=old.path.name if old else None,
                            old_max_points=old.rubric.max_points if old else None)
    t0 = time.perf_counter()
    _no_repo(loaded, d, out)
    label_files = {s.key.lower(): labels_for(loaded, s, labels, state, new) for s in seats}
    out.labels, out.spec = label_files, new.rubric.hidden_labels
    jobs = scan(folder / d.id, seats, out.problems, out.missing, d.id, label_files)
    out.files = len(jobs)
    out.timings["scan"] = time.perf_counter() - t0
    p = rs.plan(new, old)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    parts: list[tuple[list[Packed], list[float]]]
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        args = [(c, p) for c in _chunks(jobs, workers * 4)]
        if pool is not None:
            parts = list(pool.map(_grade_chunk, args))
        else:
            with ProcessPoolExecutor(max_workers=workers) as own:
                parts = list(own.map(_grade_chunk, args))
        wall = time.perf_counter() - t0 - out.timings["scan"]
        work = sum(sum(c) for _, c in parts) or 1.0
        shares = [sum(c[i] for _, c in parts) / work for i in range(3)]  # of the workers' time ...
        for step, share in zip(("parse", "hidden", "score"), shares, strict=True):
            out.timings[step] = wall * share  # ... spread over the wall time the pool took
    else:
        parts = [_grade_chunk((jobs, p))]
        for step, v in zip(("parse", "hidden", "score"), parts[0][1], strict=True):
            out.timings[step] = v
    t1 = time.perf_counter()
    policy = loaded.late_policy(d)
    new_ids = [c.id for c in new.rubric.criteria]
    old_ids = [c.id for c in old.rubric.criteria] if old is not None else []
    by_key = {s.key: s for s in seats}
    for part, _ in parts:
        for r in part:
            key, folder_s = r[0], r[1]
            if r[2] is None:
                out.problems.append(Problem(d.id, key, r[3], r[4]))
                out.missing[key.lower()] = f"rejected: {r[4]}"[:300]
                continue
            created = store.parse_time(r[2])
            assert created is not None
            due, cutoff = loaded.deadline(by_key[key])
            if created > cutoff:
                out.problems.append(Problem(d.id, key, folder_s, f"the graded run was created at {r[2]}, after the "
                                                                 f"cutoff {store.iso(cutoff)}: not graded"))
                out.missing[key.lower()] = "after the cutoff"
                continue
            raw = rs._unpack_totals(r[3], new_ids)
            periods, penalty, final = late_policy_applied(policy, raw, new.rubric.pass_mark, created, due)
            prev = None
            if r[4] is not None:
                prev_raw = rs._unpack_totals(r[4], old_ids)
                prev = late_policy_applied(policy, prev_raw, old.rubric.pass_mark, created, due)[2]  # type: ignore[union-attr]
            if r[5]:
                out.problems.append(Problem(d.id, key, os.path.join(folder_s, store.EVIDENCE), r[5]))
            out.grades[key.lower()] = Grade(key, os.path.basename(folder_s), folder_s, created, raw, final, prev,
                                            periods, penalty, r[5], r[6], r[7])
    out.timings["late"] = time.perf_counter() - t1
    return out


def _no_repo(loaded: LoadedCohort, d: Deliverable, out: DeliverableGrades) -> None:
    """Roster learners no seat covers (a group deliverable whose groups leave them out)."""
    covered = {m.github.lower() for s in out.seats for m in s.members}
    for lr in loaded.learners:
        if lr.github.lower() not in covered:
            out.problems.append(Problem(d.id, lr.github, str(loaded.path), "no repo for this learner (in no group "
                                                                           f"of {d.id})"))


# ---------------------------------------------------------------- the gradebook


def write_gradebook(path: Path, loaded: LoadedCohort, results: list[DeliverableGrades], *,
                    criteria: bool = False) -> None:
    """One row per roster learner, a column per deliverable (``--criteria``: and per criterion), problems last."""
    import csv

    from roadmap_ci.cohort.rescore import _cell

    header = ["github", "name", "section", "lms_id"]
    ids: dict[str, list[str]] = {}
    for r in results:
        header.append(r.deliverable.id)
        if criteria:
            ids[r.deliverable.id] = list(dict.fromkeys(c for g in r.grades.values() for c in g.raw.points))
            header += [f"{r.deliverable.id}.{x}" for x in ("raw", "late_penalty", "late_periods", "passed", "commit")]
            header += [f"{r.deliverable.id}.{c}" for c in ids[r.deliverable.id]]
    header.append("problems")
    said: dict[tuple[str, str], list[str]] = {}
    for r in results:
        for pr in r.problems:
            said.setdefault((r.deliverable.id, pr.learner.lower()), []).append(pr.message)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for lr in loaded.learners:
            line: list[object] = [_cell(lr.github), _cell(lr.name), _cell(lr.section), _cell(lr.lms_id)]
            notes: list[str] = []
            for r in results:
                seat = r.seat_of(lr.github)
                key = seat.key.lower() if seat else None
                g = r.grades.get(key) if key else None
                line.append(g.final.total if g else "")
                if criteria:
                    if g:
                        line += [g.raw.total, g.penalty, g.late_periods, "yes" if g.final.passed else "no", g.sha]
                        line += [g.raw.points.get(c, "") for c in ids[r.deliverable.id]]
                    else:
                        line += [""] * (5 + len(ids[r.deliverable.id]))
                if seat is None:
                    notes.append(f"{r.deliverable.id}: no repo")
                elif g is None:
                    notes.append(f"{r.deliverable.id}: missing ({r.missing.get(key or '', 'not collected')})")
                if g is not None:
                    notes += [f"{r.deliverable.id}: {m}" for m in said.get((r.deliverable.id, key or ""), [])]
                if g is not None and g.late:
                    notes.append(f"{r.deliverable.id}: late by {g.late_periods} {_per(loaded, r.deliverable)}(s), "
                                 f"-{g.penalty:g} points")
            line.append(_cell("; ".join(notes)))
            w.writerow(line)
    os.replace(tmp, path)


def _per(loaded: LoadedCohort, d: Deliverable) -> str:
    return loaded.late_policy(d).per


# ---------------------------------------------------------------- the command


def safe(text: str) -> str:
    """Learner-controlled text for a terminal: control characters shown as escapes, never sent raw."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
                   for ch in text)


def command(file: Path, deliverables: list[str], *, store_dir: Path | None = None, state: Path | None = None,
            labels: Path | None = None, out: Path | None = None, criteria: bool = False,
            rubric: Path | None = None, show_all: bool = False, workers: int | None = None,
            canvas_course: int | None = None, canvas_assignments: dict[str, int] | None = None,
            timings: bool = False) -> int:
    """``roadmap-ci cohort grade``: print what was graded, write the gradebook and LMS files; the exit code."""
    from datetime import UTC

    from rich.markup import escape

    from roadmap_ci.cohort import lms
    from roadmap_ci.cohort.commands import state_dir
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.console import stderr, stdout
    from roadmap_ci.errors import EXIT_INVALID, EXIT_OK
    from roadmap_ci.score.load import load_rubric

    loaded = load_cohort(file)
    known = {d.id: d for d in loaded.cohort.deliverables}
    unknown = [x for x in deliverables if x not in known]
    if unknown:
        raise InvalidInput(f"no deliverable {unknown[0]!r} in {file} (deliverables: {', '.join(known)})")
    chosen = [known[x] for x in deliverables] or list(known.values())
    if rubric is not None and len(chosen) != 1:
        raise InvalidInput("--rubric re-grades one deliverable: name it (cohort grade DELIVERABLE --rubric NEW)")
    new_rubric = load_rubric(rubric) if rubric is not None else None
    folder = store_dir if store_dir is not None else loaded.base / "cohort"
    sd = state_dir(loaded, state)
    out = out if out is not None else loaded.base / "grades"
    con, err = stdout(), stderr()
    results = []
    now = datetime.now(UTC)
    pool = None
    try:
        for d in chosen:
            if pool is None and (workers or os.cpu_count() or 1) > 1 and len(loaded.learners) >= PARALLEL_FROM:
                pool = ProcessPoolExecutor(max_workers=workers or min(os.cpu_count() or 1, 8))
            results.append(grade_deliverable(loaded, d, folder, state=sd, labels=labels, new_rubric=new_rubric,
                                             workers=workers, pool=pool))
    finally:
        if pool is not None:
            pool.shutdown()
    t0 = time.perf_counter()
    write_gradebook(out / "gradebook.csv", loaded, results, criteria=criteria)
    lms.write_canvas(out / "canvas.csv", loaded, results)
    lms.write_moodle(out / "moodle.csv", loaded, results)
    written = time.perf_counter() - t0
    problems = [p for r in results for p in r.problems]
    for p in problems:
        err.print(safe(str(p)), markup=False, highlight=False)
    for r in results:
        d = r.deliverable
        seats = len(r.seats)
        graded = len(r.grades)
        late = sum(1 for g in r.grades.values() if g.late)
        passed = sum(1 for g in r.grades.values() if g.final.passed)
        con.print(escape(f"{d.id}: {graded} of {seats} graded with {r.rubric_name} ({late} late, {passed} pass), "
                         f"{len(r.missing)} missing"), highlight=False)
        earliest_due = min((loaded.deadline(s)[0] for s in r.seats), default=d.due)
        if now < earliest_due:
            con.print(f"{d.id}: graded before the due date ({store.iso(earliest_due)}): provisional", highlight=False)
        if new_rubric is not None:
            from roadmap_ci.cohort.rescore_view import print_rescore

            print_rescore(r.as_rescore(), rubric.name if rubric else r.rubric_name, has_old=True, show_all=show_all)
        if timings and r.files:
            total = sum(r.timings.values()) or 1.0
            shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in r.timings.items())
            con.print(f"{d.id}: {r.files} files, {1e6 * total / r.files:.0f} µs per file ({shares})", highlight=False)
    if canvas_course is not None:
        url, token = os.environ.get("CANVAS_URL", ""), os.environ.get("CANVAS_TOKEN", "")
        if not url or not token:
            raise CannotRun("Canvas passback: set CANVAS_URL (https://<school>.instructure.com) and CANVAS_TOKEN")
        for line in lms.passback(url, token, canvas_course, canvas_assignments or {}, loaded, results):
            con.print(escape(line), highlight=False)
    con.print(escape(f"gradebook: {out / 'gradebook.csv'}; Canvas import: {out / 'canvas.csv'}; Moodle import: "
                     f"{out / 'moodle.csv'} (written in {written:.2f} s)"), highlight=False)
    if problems:
        err.print(f"{len(problems)} problem(s); the gradebook's problems column says who is missing and why",
                  markup=False)
        return EXIT_INVALID
    return EXIT_OK


def grade_all(loaded: LoadedCohort, *, store_dir: Path | None = None, state: Path | None = None,
              labels: Path | None = None, workers: int | None = None,
              deliverables: list[Deliverable] | None = None) -> list[DeliverableGrades]:
    """Every (or the given) deliverable graded with its pinned rubric (progress, similar and report start here)."""
    from roadmap_ci.cohort.commands import state_dir

    folder = store_dir if store_dir is not None else loaded.base / "cohort"
    sd = state_dir(loaded, state)
    return [grade_deliverable(loaded, d, folder, state=sd, labels=labels, workers=workers)
            for d in (deliverables if deliverables is not None else loaded.cohort.deliverables)]
