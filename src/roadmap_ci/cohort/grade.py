"""``roadmap-ci cohort grade``: every collected commit scored with the cohort's pinned rubric and the mentor's labels.

For each deliverable, the cohort folder (:mod:`roadmap_ci.cohort.store`) holds one commit per learner. Each is
validated with the code ``ci-report`` uses (:func:`roadmap_ci.ci.artifact.load_bundle`), its hidden-label
metrics are computed here, on the mentor's machine, from the bundled predictions and the mentor's labels (the
private split included: the gradebook is the mentor's), it is scored with the pinned rubric (and, with
``--rubric NEW``, the tuned one, through :mod:`roadmap_ci.cohort.rescore`'s plan), and the late policy of
``cohort.yaml`` is applied from GitHub's ``created_at`` of the graded run against the learner's due date
(extensions included).

At cohort scale (150,000 commit folders for a full roadmap) a folder whose files still have the sha256 that
``collect`` recorded when it validated them is read through :mod:`roadmap_ci.cohort.fastpath` (the same
verdicts, without validating the artifact again), and hidden metrics are cached per learner in
``cohort/<deliverable>/_hidden.json`` under the digests of everything they depend on, so a re-grade skips them.
A grade with the pinned rubric also keeps each learner's whole result in ``_scores.json``, under one digest of
the learner's three stored files and labels, in a file keyed by the rubric, the hidden spec and the scoring
code: a re-grade of an unchanged learner lists, reads and hashes, and scores nothing.

Bad input never stops the gradebook: a foreign or corrupt file, two evidence files for one commit, a roster
learner without a repo, labels whose ids do not match the predictions -- each is one :class:`Problem` naming
the learner and the file, and the learner's row says it in the ``problems`` column.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import stat
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import roadmap_ci.cohort.rescore  # noqa: F401 (the module, not the function the package exports)
from roadmap_ci.cohort import fastpath, store
from roadmap_ci.cohort.model import Deliverable, LatePolicy, LoadedCohort, Seat
from roadmap_ci.errors import CannotRun, HiddenError, InvalidInput, RoadmapError
from roadmap_ci.evidence import MAX_EVIDENCE_BYTES
from roadmap_ci.score import files, hidden
from roadmap_ci.score import metrics as score_metrics
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
    after_due: bool = False  # the rubric has after_due criteria (the totals are not for learners before due)
    _by_member: dict[str, Seat] | None = field(default=None, repr=False)

    def _members(self) -> dict[str, Seat]:
        """Member login (lower case) -> its seat, built once."""
        if self._by_member is None:
            self._by_member = {m.github.lower(): s for s in self.seats for m in s.members}
        return self._by_member

    def seat_of(self, login: str) -> Seat | None:
        return self._members().get(login.lower())

    def by_login(self) -> dict[str, tuple[Seat, str, Grade | None]]:
        """Member login (lower case) -> (its seat, the seat's key in lower case, the seat's grade or None), as
        ``seat_of`` and ``grades`` say it now: one pass for the gradebook and LMS files, not a lookup per cell."""
        grades = self.grades
        keys = {login: seat.key.lower() for login, seat in self._members().items()}
        return {login: (seat, keys[login], grades.get(keys[login])) for login, seat in self._members().items()}

    def finals(self) -> dict[str, float]:
        """Member login (lower case) -> the final points of its seat's grade (graded seats only)."""
        return {login: g.final.total for login, (_, _, g) in self.by_login().items() if g is not None}

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
    return _label_finder(seat.deliverable.id, labels, state, rubric)(seat)


def _csv_in(folder: Path) -> bool:
    """Whether a folder holds a .csv file (one listing; an unreadable folder holds none)."""
    try:
        return any(e.name.endswith(".csv") and e.is_file() for e in os.scandir(folder))
    except OSError:
        return False


def _label_finder(d: str, labels: Path | None, state: Path, rubric: Any) -> Any:
    """``labels_for`` for every seat of a deliverable, each folder listed once (not three stats per learner)."""
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.score.hidden import labels_path

    def files_in(folder: Path) -> set[str]:
        try:
            return {e.name for e in os.scandir(folder) if e.is_file()}
        except OSError:
            return set()

    if labels is not None:
        if not labels.is_dir():
            return lambda seat: labels
        top, sub = files_in(labels), files_in(labels / d)

        def given(seat: Seat) -> Path | None:
            name = f"{seat.key}.csv"
            return labels / name if name in top else labels / d / name if name in sub else None

        return given
    kept_dir = state / "labels" / d
    kept = files_in(kept_dir)
    spec = rubric.rubric.hidden_labels
    default = None
    if spec is not None:
        try:
            p = labels_path(spec, rubric.directory)
            default = p if p.is_file() else None
        except HiddenError:
            pass

    def find(seat: Seat) -> Path | None:
        name = f"{seat.key}.csv"
        return kept_dir / name if name in kept else default

    return find


# ---------------------------------------------------------------- scanning the cohort folder

# A job: (seat key, learner folder, labels file, the cached hidden metrics of that learner or None, the cached
# score of that learner or None)
Job = tuple[str, str, str | None, dict[str, Any] | None, list[Any] | None]
Slot = Job | Problem  # scan's findings in folder order: a job for a worker, or a problem found here


def scan(folder: Path, seats: list[Seat], d: str, labels: dict[str, Path | None],
         cached: dict[str, dict[str, Any]], scored: dict[str, list[Any]] | None = None) -> list[Slot]:
    """The learner folders to grade (in a worker) and the foreign entries found, in folder order."""
    keys = {s.key.lower(): s for s in seats}
    slots: list[Slot] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        entries = []
    except OSError as exc:
        raise CannotRun(f"{folder}: not readable ({exc.strerror or exc})") from None
    for e in entries:
        if e.name.startswith("_"):  # collect's and grade's own (status, caches, unfinished downloads)
            continue
        path = os.path.join(folder, e.name)
        low = e.name.lower()
        if not e.is_dir(follow_symlinks=False):
            slots.append(Problem(d, "-", path, "a foreign file in the cohort folder (only learners' folders "
                                               "belong here)"))
            continue
        if low not in keys:
            slots.append(Problem(d, "-", path, f"{e.name!r} is not a learner of this cohort (a foreign folder)"))
            continue
        slots.append((keys[low].key, path, str(labels[low]) if labels.get(low) else None, cached.get(low),
                      scored.get(low) if scored else None))
    return slots


def _why_missing(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "not collected (run `roadmap-ci cohort collect`)"
    reason = str(entry.get("reason") or entry.get("status") or "not collected")
    return reason[:300]


def _latest(commits: list[str], key: str, problems: list[tuple[str, str]]) -> str | None:
    dated = []
    for c in commits:
        try:
            dated.append((store.read_provenance(Path(c) / store.PROVENANCE, os.path.basename(c)).created_at, c))
        except ValueError as exc:
            problems.append((os.path.join(c, store.PROVENANCE), str(exc)))
    if not dated:
        return None
    dated.sort()
    chosen = dated[-1][1]
    for _, c in dated[:-1]:
        problems.append((c, f"a second commit folder for this learner: graded "
                            f"{os.path.basename(chosen)[:12]} (the latest run by GitHub's clock)"))
    return chosen


def _commit_of(path: str, key: str,
               problems: list[tuple[str, str]]) -> tuple[str | None, str | None, int | None]:
    """(the commit folder to grade, None, the folder opened) or (None, why the learner is missing; "" = as collect
    said, None). The caller closes the folder: its files are opened relative to it (``openat``), one path
    lookup of the commit folder for its listing and its three files instead of one per file."""
    commits = []
    with os.scandir(path) as it:
        found = list(it)
    if len(found) > 1:
        found.sort(key=lambda x: x.name)
    for c in found:
        if c.is_dir(follow_symlinks=False) and store.SHA.match(c.name):
            commits.append(c.path)
        else:
            problems.append((c.path, "a foreign file in the learner's folder (only commit folders belong here)"))
    if not commits:
        return None, "", None
    if len(commits) > 1:
        chosen = _latest(commits, key, problems)
        if chosen is None:
            return None, "no readable commit folder", None
        commits = [chosen]
    commit = commits[0]
    fd = os.open(commit, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        extra = sorted(n for n in os.listdir(fd)
                       if n != store.EVIDENCE and n.endswith(".json") and "evidence" in n.lower())
    except BaseException:
        os.close(fd)
        raise
    if extra:
        os.close(fd)
        problems.append((os.path.join(commit, extra[0]), f"two evidence files for one learner and commit "
                                                         f"({store.EVIDENCE} and {extra[0]}): graded neither"))
        return None, "two evidence files for one commit", None
    return commit, None, fd


# ---------------------------------------------------------------- hidden metrics, cached

CACHE = "_hidden.json"  # in the deliverable's cohort folder: per learner, the last hidden metrics computed
CACHE_SCHEMA = "roadmap-ci-hidden-cache/1"


def spec_key(spec: Any) -> str:
    """What hidden metrics depend on besides the two files: the rubric's section and the code that computes."""
    code = b"".join(Path(m.__file__).read_bytes() for m in (hidden, files, score_metrics, fastpath))
    return store.digest(spec.model_dump_json().encode() + b"\0" + code)


def read_cache(folder: Path, key: str) -> dict[str, dict[str, Any]]:
    """The cache's entries made under the same spec (and code); empty when absent, damaged or stale."""
    try:
        data = json.loads((folder / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA or data.get("spec") != key:
        return {}
    learners = data.get("learners")
    return {str(k): v for k, v in learners.items() if isinstance(v, dict)} if isinstance(learners, dict) else {}


def _document(head: dict[str, str], entries: dict[str, Any], *, allow_nan: bool = True) -> str:
    """``json.dumps({**head, "learners": dict(sorted(entries.items()))}, separators=(",", ":"))``, byte for byte,
    where an entry may already be its JSON text (:func:`encoded`: a worker encoded it, beside the pool's other
    work, instead of the main process); ValueError as ``json.dumps`` (a NaN with ``allow_nan=False``)."""
    dumps = _ENCODE[allow_nan]
    key = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str key (ensure_ascii)
    parts = [key(k) + ":" + (v if isinstance(v, str) else dumps(v)) for k, v in sorted(entries.items())]
    return dumps(head)[:-1] + ',"learners":{' + ",".join(parts) + "}}"


# json.dumps(x, separators=(",", ":"), allow_nan=...) without building an encoder per call (the same encoder)
_ENCODE = {nan: json.JSONEncoder(separators=(",", ":"), allow_nan=nan).encode for nan in (True, False)}


def encoded(entry: Any, *, allow_nan: bool = True) -> str | None:
    """A cache entry's JSON text as :func:`_document` writes it; None when it cannot be encoded (a NaN where
    ``allow_nan=False``: the whole file is then not written, as ``json.dumps`` of it would refuse)."""
    try:
        return _ENCODE[allow_nan](entry)
    except ValueError:
        return None


def write_cache(folder: Path, key: str, entries: dict[str, Any]) -> None:
    """Best effort: a cohort folder grade cannot write is graded again next time, not refused. An entry is a
    dict, or its JSON text (:func:`encoded`)."""
    from roadmap_ci.safeio import write_atomic

    if not folder.is_dir():
        return
    with contextlib.suppress(RoadmapError):
        write_atomic(folder / CACHE, _document({"schema": CACHE_SCHEMA, "spec": key}, entries))


# ---------------------------------------------------------------- whole results, cached

SCORES = "_scores.json"  # in the deliverable's cohort folder: per learner, the last result of the pinned rubric
SCORES_SCHEMA = "roadmap-ci-score-cache/1"
_CODE = (  # the code a learner's result depends on: a change to any of it makes every cached result stale
    "evidence.py", "facts.py", "score", "collect", "cohort/grade.py", "cohort/fastpath.py", "cohort/rescore.py",
    "cohort/store.py")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the source of everything that turns the stored files into a result (scoring, collectors'
    fact resolvers, hidden metrics, this module)."""
    import roadmap_ci

    top = Path(roadmap_ci.__file__).parent
    h = __import__("hashlib").sha256(str(getattr(roadmap_ci, "__version__", "")).encode())
    for part in _CODE:
        here = top / part
        for f in sorted(here.rglob("*.py")) if here.is_dir() else [here]:
            h.update(f.relative_to(top).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def plan_key(p: rs.Plan, skey: str) -> str:
    """What every cached result of a deliverable depends on: the rubric(s), the hidden spec and the code."""
    parts = [p.new.rubric.model_dump_json(), p.old.rubric.model_dump_json() if p.old is not None else "-", skey,
             code_digest()]
    return store.digest("\0".join(parts).encode())


def read_scores(folder: Path, key: str) -> dict[str, list[Any]]:
    """The score cache's entries made under the same rubrics and code; empty when absent, damaged or stale."""
    try:
        data = json.loads((folder / SCORES).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != SCORES_SCHEMA or data.get("key") != key:
        return {}
    learners = data.get("learners")
    return {str(k): v for k, v in learners.items() if isinstance(v, list)} if isinstance(learners, dict) else {}


def write_scores(folder: Path, key: str, entries: dict[str, Any]) -> None:
    """Best effort, as the hidden-metrics cache (an entry is a list or its JSON text); not written at all when
    an entry cannot be encoded (None: a NaN)."""
    from roadmap_ci.safeio import write_atomic

    if not folder.is_dir() or any(v is None for v in entries.values()):
        return
    with contextlib.suppress(RoadmapError, ValueError):
        write_atomic(folder / SCORES, _document({"schema": SCORES_SCHEMA, "key": key}, entries, allow_nan=False))


_LABELS: dict[tuple[str, int, int], tuple[Any, str]] = {}  # per process: labels file -> (parsed, sha256)
_CHUNK_LABELS: dict[str, tuple[Any, str]] | None = None  # in a chunk: labels file -> (parsed, sha256), checked once
UNTRUSTED = object()  # the predictions copy differs from what collect stored: validate the artifact again


def _labels(labels_file: str, ranking: bool, spec: Any) -> tuple[Any, str]:
    """The labels file parsed, and its sha256: read again when its mtime or size changed, checked once per
    chunk (a chunk is a few hundred learners of one deliverable, who mostly share one labels file)."""
    seen = _CHUNK_LABELS
    got = seen.get(labels_file) if seen is not None else None
    if got is not None:
        return got
    st = os.stat(labels_file)
    stamp = (labels_file, st.st_mtime_ns, st.st_size)
    got = _LABELS.get(stamp)
    if got is None:
        parsed = (files.read_ranking_labels if ranking else files.read_labels)(Path(labels_file), spec)
        got = _LABELS[stamp] = (parsed, store.digest(Path(labels_file).read_bytes()))
    if seen is not None:
        seen[labels_file] = got
    return got


def _hidden(spec: Any, skey: str, labels_file: str | None, predictions: Path | str | None, display: str | None,
            commit: str, trusted_sha: str | None, cached: dict[str, Any] | None, dir_fd: int | None = None,
            rel: str | None = None) -> tuple[Any, str | None, dict[str, Any] | None] | object:
    """(metrics, error, the cache entry to keep) -- or UNTRUSTED. ``rel``: the predictions' path relative to the
    open commit folder ``dir_fd`` (read through it; ``predictions`` still names the file)."""
    if spec is None:
        return None, None, None
    if labels_file is None:
        return None, "no hidden labels for this learner on the mentor's side", None
    if predictions is None:
        return None, "no predictions copy in the collected artifact", None
    try:
        ranking = spec.task == "ranking"
        labels, labels_sha = _labels(labels_file, ranking, spec)
        data = None  # unread: anything but a regular file of a size allowed is the shared reader's to refuse
        at = rel is not None and dir_fd is not None
        try:
            st = os.lstat(rel, dir_fd=dir_fd) if at else os.lstat(predictions)
            if stat.S_ISREG(st.st_mode) and st.st_size <= files.MAX_PREDICTIONS_BYTES:
                data = (store.read_capped(rel, files.MAX_PREDICTIONS_BYTES, dir_fd=dir_fd) if at
                        else store.read_capped(predictions, files.MAX_PREDICTIONS_BYTES))
        except OSError:
            data = None
        sha = store.digest(data) if data is not None else None
        if trusted_sha is not None and sha != trusted_sha:
            return UNTRUSTED
        entry = {"commit": commit, "predictions": sha, "labels": labels_sha, "display": display}
        if sha is not None and cached is not None and all(cached.get(k) == v for k, v in entry.items()):
            metrics = cached.get("metrics")
            return (dict(metrics) if isinstance(metrics, dict) else None), cached.get("error"), cached
        try:
            if ranking:
                ranked = files.read_ranking_predictions(Path(predictions), spec, labels, display=display)
                metrics = score_metrics.compute_ranking(spec, labels, ranked)
            else:
                cols = chunk = None
                if data is not None:  # the chunk's labels index and file templates (the same verdicts as columns)
                    chunk = fastpath.chunk_hidden(spec, labels, str(predictions).lower().endswith(".tsv"))
                    cols = chunk.columns(data)
                if cols is not None and chunk is not None:
                    metrics = chunk.metrics(cols)
                else:
                    preds = files.read_predictions(Path(predictions), spec, labels, display=display)
                    metrics = fastpath.metrics(spec, labels, preds)
        except HiddenError as exc:
            error = f"hidden labels {Path(labels_file).name}: {exc}"
            return None, error, ({**entry, "metrics": None, "error": error} if sha is not None else None)
        return metrics, None, ({**entry, "metrics": metrics, "error": None} if sha is not None else None)
    except HiddenError as exc:
        return None, f"hidden labels {Path(labels_file).name}: {exc}", None
    except OSError as exc:
        return None, f"hidden labels {Path(labels_file).name}: not readable ({exc.strerror or exc})", None


# ---------------------------------------------------------------- grading one learner (in a worker)

# (key, scan problems [(file, message)], why missing (None: graded or rejected), packed result or None,
#  the hidden cache entry or None, the score cache entry or None). Packed: (key, folder, created_iso, now, prev,
#  hidden_error, ref, failing) or, for a rejected commit, (key, folder, None, file, message).
SeatGrade = tuple
Packed = tuple


def _grade_seat(job: Job, scorer: fastpath.Scorer, clock: list[float], spec: Any, skey: str) -> SeatGrade:
    key, path, labels_file, cached, scored = job
    t0 = time.perf_counter()
    problems: list[tuple[str, str]] = []
    commit, why, fd = _commit_of(path, key, problems)
    clock[0] += time.perf_counter() - t0
    if commit is None or fd is None:
        return key, problems, why, None, None, None
    try:
        packed, entry, score_entry = _grade_one(key, commit, labels_file, cached, scored, scorer, clock, spec, skey,
                                                fd)
    finally:
        os.close(fd)
    return key, problems, None, packed, _for_main(entry, cached), _for_main(score_entry, scored, allow_nan=False)


SAME = ""  # a cache entry equal to the one the job brought (no JSON text: the main process has that entry)


def _for_main(entry: Any, before: Any, *, allow_nan: bool = True) -> str | bool | None:
    """A cache entry as it goes back to the main process: None (none), ``SAME`` (equal to ``before``), its JSON
    text (:func:`encoded`, encoded here in the worker), or False (it cannot be encoded: the file is not written)."""
    if entry is None:
        return None
    if before is not None and entry == before:
        return SAME
    text = encoded(entry, allow_nan=allow_nan)
    return text if text is not None else False


def _inputs_digest(prov: str, evidence: str, predictions: str | None, labels: tuple[str, str] | None) -> str:
    """What a learner's score depends on besides the rubrics and the code: the three stored files and the labels."""
    return store.digest("\0".join([prov, evidence, predictions or "-", *(labels or ("-", "-"))]).encode())


def _read_capped(path: str, cap: int, dir_fd: int | None = None) -> bytes | None:
    try:
        return store.read_capped(path, cap, dir_fd=dir_fd)
    except OSError:
        return None


def _score_hit(scored: list[Any], prov_sha: str, ev_sha: str | None, root: str, labels_file: str | None,
               spec: Any, dir_fd: int | None = None) -> tuple | None:
    """The cached result when every input still has the digest it had (else None: grade it)."""
    if ev_sha is None or not isinstance(scored, list) or len(scored) != 3 or not isinstance(scored[2], list):
        return None
    want, rel, result = scored
    preds_sha = None
    labels_key = None
    if spec is not None:
        if rel is not None:
            parts = str(rel).split("/")
            if ".." in parts or not all(parts) or "\\" in str(rel):
                return None
            path = os.path.join(*parts) if dir_fd is not None else os.path.join(root, *parts)
            try:
                st = os.lstat(path, dir_fd=dir_fd)
            except OSError:
                return None
            if not stat.S_ISREG(st.st_mode) or st.st_size > files.MAX_PREDICTIONS_BYTES:
                return None
            data = _read_capped(path, files.MAX_PREDICTIONS_BYTES, dir_fd)
            if data is None:
                return None
            preds_sha = store.digest(data)
        if labels_file is not None:
            try:
                labels_key = (os.path.basename(labels_file), _labels(labels_file, spec.task == "ranking", spec)[1])
            except (RoadmapError, OSError, ValueError):  # a broken labels file: the full path says what
                return None
    if _inputs_digest(prov_sha, ev_sha, preds_sha, labels_key) != want or len(result) != 6:
        return None
    created, now, prev, error, ref, failing = result
    return (created, tuple(now), tuple(prev) if prev is not None else None, error, ref, tuple(failing))


def _grade_one(key: str, folder: str, labels_file: str | None, cached: dict[str, Any] | None, scored: Any,
               scorer: fastpath.Scorer, clock: list[float], spec: Any, skey: str,
               dir_fd: int | None = None) -> tuple[Packed, dict[str, Any] | None, list[Any] | None]:
    """One commit folder graded; ``dir_fd``: the folder, open (its files are read relative to it)."""
    t0 = time.perf_counter()
    name = os.path.basename(folder)
    prov_file = os.path.join(folder, store.PROVENANCE)
    try:
        at = dir_fd is not None
        raw = store.read_provenance_bytes(store.PROVENANCE if at else prov_file, dir_fd=dir_fd)
        prov_sha = store.digest(raw)
        ev_data = _read_capped(store.EVIDENCE if at else os.path.join(folder, store.EVIDENCE), MAX_EVIDENCE_BYTES,
                               dir_fd)
        ev_sha = store.digest(ev_data) if ev_data is not None else None
        if scored is not None:
            hit = _score_hit(scored, prov_sha, ev_sha, folder, labels_file, spec, dir_fd)
            if hit is not None:  # the same files, labels, rubrics and code as when it was scored
                clock[1] += time.perf_counter() - t0
                return (key, folder, *hit), cached, scored
        prov = store.parse_provenance(raw, name)
    except ValueError as exc:
        return (key, folder, None, prov_file, str(exc)), None, None
    trusted = fastpath.trusted_evidence(folder, prov, ev_data, ev_sha) if ev_data is not None else None
    result: Any = UNTRUSTED
    t1 = t0
    if trusted is not None:
        ev, preds, want, rel = trusted
        t1 = time.perf_counter()
        display = ev.predictions.path[:80] if ev.predictions is not None else None
        result = _hidden(spec, skey, labels_file, preds, display, name, want, cached, dir_fd, rel)
    if result is UNTRUSTED:  # not as collect stored it: the full validation ci-report applies
        from roadmap_ci.ci.artifact import load_bundle

        trusted = None
        root = Path(folder)
        try:
            bundle = load_bundle(root)
        except RoadmapError as exc:
            msg = exc.message if isinstance(exc, InvalidInput) else str(exc)
            return (key, folder, None, str(root / store.EVIDENCE), msg.removeprefix("artifact rejected: ")), None, None
        ev = bundle.evidence
        t1 = time.perf_counter()
        display = ev.predictions.path[:80] if ev.predictions is not None else None
        result = _hidden(spec, skey, labels_file, bundle.predictions, display, name, None, cached)
    metrics, error, entry = result  # type: ignore[misc]
    ev = hidden.apply(ev, hidden.HiddenResult(metrics, error))
    t2 = time.perf_counter()
    now, prev = scorer(ev)
    t3 = time.perf_counter()
    clock[1] += t1 - t0
    clock[2] += t2 - t1
    clock[3] += t3 - t2
    failing = tuple(c.id[:200] for c in (ev.tests.cases if ev.tests else []) if c.outcome in ("failed", "error"))[:3]
    out = (store.iso(prov.created_at), rs._pack_totals(now), rs._pack_totals(prev) if prev is not None else None,
           error, (ev.ref or "")[:200], failing)
    score_entry = None
    if trusted is not None and ev_sha is not None:  # as collect validated it: a function of the digested inputs
        rel = ev.predictions.bundled_as if ev.predictions is not None and trusted[1] is not None else None
        preds_sha = trusted[2] if spec is not None and rel is not None else None
        labels_key = None
        if spec is not None and labels_file is not None:
            with contextlib.suppress(RoadmapError, OSError, ValueError):  # a broken labels file: nothing cached
                labels_key = (os.path.basename(labels_file), _labels(labels_file, spec.task == "ranking", spec)[1])
        if spec is None or labels_file is None or labels_key is not None:
            score_entry = [_inputs_digest(prov_sha, ev_sha, preds_sha, labels_key), rel, list(out)]
    return (key, folder, *out), entry, score_entry


Chunk = tuple[int, list[Job], rs.Plan, Any, str]  # (the deliverable's index, jobs, plan, hidden spec, spec key)


def _grade_chunk(args: Chunk) -> tuple[int, list[SeatGrade], list[float]]:
    i, jobs, p, spec, skey = args
    clock = [0.0, 0.0, 0.0, 0.0]
    scorer = fastpath.Scorer(p)
    global _CHUNK_LABELS
    _CHUNK_LABELS = {}  # each chunk checks its labels files afresh
    try:
        return i, [_grade_seat(j, scorer, clock, spec, skey) for j in jobs], clock
    finally:
        _CHUNK_LABELS = None


# ---------------------------------------------------------------- the whole deliverable


@dataclass
class _Prepared:
    out: DeliverableGrades
    new: Any
    old: Any
    plan: rs.Plan
    slots: list[Slot]
    jobs: list[Job]
    status: dict[str, dict[str, Any]]
    folder: Path
    spec: Any
    skey: str
    cached: dict[str, dict[str, Any]]
    pkey: str | None = None  # the score cache's key (None: no score cache, as with --rubric)
    scored: dict[str, list[Any]] = field(default_factory=dict)
    keep_hidden_cache: bool = True  # False in a tuned rubric's own pass (another spec: the pinned cache stays)


def pinned_rubric(loaded: LoadedCohort, d: Deliverable) -> Any:
    """The deliverable's rubric as cohort.yaml pins it (its ``version:`` must match the pin)."""
    from roadmap_ci.ci.step import load_pinned_rubric

    return load_pinned_rubric(str(loaded.rubric_path(d)), d.rubric.version)


def _prepare(loaded: LoadedCohort, d: Deliverable, folder: Path, state: Path, labels: Path | None,
             new_rubric: Any, alone: bool = False) -> _Prepared:
    """``new_rubric``: a tuned rubric, scored beside the pinned one (``alone``: instead of it)."""
    pinned = pinned_rubric(loaded, d) if new_rubric is None or not alone else None
    new, old = (new_rubric, pinned) if new_rubric is not None else (pinned, None)
    seats = loaded.seats(d.id)
    out = DeliverableGrades(d, new.path.name, new.rubric.max_points, new.rubric.pass_mark, seats,
                            old_rubric_name=old.path.name if old else None,
                            old_max_points=old.rubric.max_points if old else None)
    out.after_due = any(c.visibility == "after_due" for c in new.rubric.criteria)
    t0 = time.perf_counter()
    _no_repo(loaded, d, out)
    find = _label_finder(d.id, labels, state, new)
    label_files = {s.key.lower(): find(s) for s in seats}
    out.labels, out.spec = label_files, new.rubric.hidden_labels
    spec = new.rubric.hidden_labels or (old.rubric.hidden_labels if old else None)
    skey = spec_key(spec) if spec is not None else ""
    here = folder / d.id
    cached = read_cache(here, skey) if spec is not None else {}
    p = rs.plan(new, old)
    pkey = plan_key(p, skey) if new_rubric is None else None  # a tuned rubric's trial keeps the pinned cache
    scored = read_scores(here, pkey) if pkey is not None else {}
    slots = scan(here, seats, d.id, label_files, cached, scored)
    jobs = [s for s in slots if not isinstance(s, Problem)]
    out.timings["scan"] = time.perf_counter() - t0
    status, damaged = store.read_status_checked(here)
    if damaged is not None:
        out.problems.append(Problem(d.id, "-", str(here / store.STATUS), f"{damaged}: why learners are missing is "
                                    f"unknown; run `roadmap-ci cohort collect {d.id}` again"))
    return _Prepared(out, new, old, p, slots, jobs, status, here, spec, skey, cached, pkey, scored,
                     keep_hidden_cache=not alone)


def _finish(loaded: LoadedCohort, pr: _Prepared, outcomes: list[SeatGrade]) -> DeliverableGrades:
    out, d, new, old = pr.out, pr.out.deliverable, pr.new, pr.old
    t1 = time.perf_counter()
    by_job = iter(outcomes)
    found: set[str] = set()
    graded: list[SeatGrade] = []
    for slot in pr.slots:  # what the scan found, in folder order (as one serial pass would say it)
        if isinstance(slot, Problem):
            out.problems.append(slot)
            continue
        o = next(by_job)
        key, scan_problems, why = o[0], o[1], o[2]
        low = key.lower()
        found.add(low)
        out.problems += [Problem(d.id, key, f, m) for f, m in scan_problems]
        if why is not None:
            out.missing[low] = why or _why_missing(pr.status.get(low))
        else:
            graded.append(o)
    out.files = len(graded)
    for s in out.seats:
        low = s.key.lower()
        if low not in found:
            out.missing[low] = _why_missing(pr.status.get(low))
    policy = loaded.late_policy(d)
    new_ids = [c.id for c in new.rubric.criteria]
    old_ids = [c.id for c in old.rubric.criteria] if old is not None else []
    by_key = {s.key: s for s in out.seats}
    entries: dict[str, Any] = {}  # learner -> the entry (unchanged) or its JSON text (new)
    scores: dict[str, Any] = {}
    changed = [False, False]  # an entry new or changed in either cache (else: rewritten only if one went)
    for o in graded:
        r, entry, score = o[3], o[4], o[5]
        key, folder_s = r[0], r[1]
        low = key.lower()
        if entry is not None:
            entries[low] = pr.cached[low] if entry == SAME else entry
            changed[0] = changed[0] or entry != SAME
        if score is not None:  # False: cannot be encoded (write_scores then writes nothing)
            scores[low] = pr.scored[low] if score == SAME else None if score is False else score
            changed[1] = changed[1] or score != SAME
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
            prev = late_policy_applied(policy, prev_raw, old.rubric.pass_mark, created, due)[2]
        if r[5]:
            out.problems.append(Problem(d.id, key, os.path.join(folder_s, store.EVIDENCE), r[5]))
        out.grades[key.lower()] = Grade(key, os.path.basename(folder_s), folder_s, created, raw, final, prev,
                                        periods, penalty, r[5], r[6], r[7])
    if pr.spec is not None and pr.keep_hidden_cache and (changed[0] or entries.keys() != pr.cached.keys()):
        write_cache(pr.folder, pr.skey, entries)
    if pr.pkey is not None and (changed[1] or scores.keys() != pr.scored.keys()):
        write_scores(pr.folder, pr.pkey, scores)
    out.timings["late"] = time.perf_counter() - t1
    return out


CHUNK_MOST = 500  # learners per chunk at most: results come back (and are finished) while later chunks run


def grade_many(loaded: LoadedCohort, ds: list[Deliverable], folder: Path, *, state: Path,
               labels: Path | None = None, new_rubric: Any = None, workers: int | None = None,
               pool: ProcessPoolExecutor | None = None, alone: bool = False) -> list[DeliverableGrades]:
    """Grade several deliverables at once: one pool, every deliverable's chunks queued together.

    The main process's own work overlaps the pool's: each deliverable's chunks are queued as soon as its folder
    is scanned (while the workers grade the ones before), and each deliverable is finished (late policy, caches)
    as soon as its chunks are back (while the workers grade the ones after). The pool starts once the learners
    found reach ``PARALLEL_FROM`` -- the same decision as counting them all first."""
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    prepared: list[_Prepared] = []
    futures: list[list[Any]] = [[] for _ in ds]
    own: ProcessPoolExecutor | None = None
    found = 0
    t0 = time.perf_counter()

    def queue(i: int, pr: _Prepared) -> None:
        assert own is not None
        size = max(50, min(CHUNK_MOST, -(-len(pr.jobs) // (workers * 4))))
        futures[i] = [own.submit(_grade_chunk, (i, pr.jobs[k : k + size], pr.plan, pr.spec, pr.skey))
                      for k in range(0, len(pr.jobs), size)]

    try:
        for i, d in enumerate(ds):
            pr = _prepare(loaded, d, folder, state, labels, new_rubric, alone)
            prepared.append(pr)
            found += len(pr.jobs)
            if own is None and workers > 1 and found >= PARALLEL_FROM:
                own = pool if pool is not None else ProcessPoolExecutor(max_workers=workers)
                t0 = time.perf_counter()
                for j, earlier in enumerate(prepared):
                    queue(j, earlier)
            elif own is not None:
                queue(i, pr)
        if own is None:  # serial: too few learners for a pool to pay
            results = []
            for i, pr in enumerate(prepared):
                _, got, clock = _grade_chunk((i, pr.jobs, pr.plan, pr.spec, pr.skey))
                for step, v in zip(("scan", "parse", "hidden", "score"), clock, strict=True):
                    pr.out.timings[step] += v
                results.append(_finish(loaded, pr, got))
            return results
        results, clocks = [], []
        for pr, fs in zip(prepared, futures, strict=True):
            got: list[SeatGrade] = []
            clock = [0.0, 0.0, 0.0, 0.0]
            for f in fs:
                _, part, c = f.result()
                got += part
                clock = [a + b for a, b in zip(clock, c, strict=True)]
            clocks.append(clock)
            wall = time.perf_counter() - t0  # when the pool's last chunk came back (finishing it is "late")
            results.append(_finish(loaded, pr, got))
    finally:
        if own is not None and pool is None:
            own.shutdown(cancel_futures=True)
    work = sum(sum(c) for c in clocks) or 1.0
    for r, clock in zip(results, clocks, strict=True):  # the pool's wall time, shared as the work was
        for step, v in zip(("scan", "parse", "hidden", "score"), clock, strict=True):
            r.timings[step] += wall * v / work
    return results


def grade_deliverable(loaded: LoadedCohort, d: Deliverable, folder: Path, *, state: Path,
                      labels: Path | None = None, new_rubric: Any = None, workers: int | None = None,
                      pool: ProcessPoolExecutor | None = None) -> DeliverableGrades:
    """Grade one deliverable's cohort folder. ``new_rubric``: a tuned rubric (the pinned one becomes "old")."""
    if new_rubric is not None and hidden_differs(pinned_rubric(loaded, d), new_rubric):
        return grade_trial(loaded, d, folder, state=state, labels=labels, new_rubric=new_rubric, workers=workers)
    return grade_many(loaded, [d], folder, state=state, labels=labels, new_rubric=new_rubric, workers=workers,
                      pool=pool)[0]


def hidden_differs(pinned: Any, tuned: Any) -> bool:
    """Whether a tuned rubric computes its hidden metrics otherwise than the pinned one (another section, or
    other default labels): then each is scored with its own, in two passes (not one shared plan)."""
    from roadmap_ci.score.hidden import labels_path

    a, b = pinned.rubric.hidden_labels, tuned.rubric.hidden_labels
    if a is None or b is None:
        return (a is None) != (b is None)
    if spec_key(a) != spec_key(b):
        return True
    try:
        return labels_path(a, pinned.directory).resolve() != labels_path(b, tuned.directory).resolve()
    except HiddenError:
        return True


def grade_trial(loaded: LoadedCohort, d: Deliverable, folder: Path, *, state: Path, labels: Path | None,
                new_rubric: Any, workers: int | None) -> DeliverableGrades:
    """A tuned rubric with its own hidden part: the pinned grades, then the tuned rubric's alone, paired."""
    before = grade_many(loaded, [d], folder, state=state, labels=labels, workers=workers)[0]
    out = grade_many(loaded, [d], folder, state=state, labels=labels, new_rubric=new_rubric, workers=workers,
                     alone=True)[0]
    out.old_rubric_name, out.old_max_points = before.rubric_name, before.max_points
    for low, g in out.grades.items():
        was = before.grades.get(low)
        g.old = was.final if was is not None else None
    return out


def _no_repo(loaded: LoadedCohort, d: Deliverable, out: DeliverableGrades) -> None:
    """Roster learners no seat covers (a group deliverable whose groups leave them out)."""
    for lr in loaded.ungrouped(d):
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
    import io

    from roadmap_ci.safeio import write_atomic

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header)
    who = [r.by_login() for r in results]
    nobody = (None, None, None)
    for lr in loaded.learners:
        line: list[object] = [_cell(lr.github), _cell(lr.name), _cell(lr.section), _cell(lr.lms_id)]
        notes: list[str] = []
        login = lr.github.lower()
        for r, seats in zip(results, who, strict=True):
            seat, key, g = seats.get(login, nobody)
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
    write_atomic(path, buf.getvalue())


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
            blackboard_columns: dict[str, int] | None = None, timings: bool = False) -> int:
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
    ids = {"Canvas": {k: str(v) for k, v in (canvas_assignments or {}).items()},
           "Blackboard": {k: str(v) for k, v in (blackboard_columns or {}).items()}}
    for option, given in (("--canvas-assignment", canvas_assignments), ("--blackboard-column", blackboard_columns)):
        stray = [k for k in given or {} if k not in known]
        if stray:
            raise InvalidInput(f"{option} {stray[0]}=…: no deliverable {stray[0]!r} in {file} "
                               f"(deliverables: {', '.join(known)})")
    if rubric is not None and len(chosen) != 1:
        raise InvalidInput("--rubric re-grades one deliverable: name it (cohort grade DELIVERABLE --rubric NEW)")
    if rubric is not None and canvas_course is not None:
        raise InvalidInput("--canvas-course with --rubric: a tuned rubric's grades are a trial; pin it in "
                           f"{file} (rubric: and its version) to pass its grades back")
    if labels is not None and not labels.exists():
        raise InvalidInput(f"--labels {labels}: no such file or folder")
    if labels is not None and labels.is_dir() and not any(
            _csv_in(labels / sub) for sub in ("", *(d.id for d in chosen))):
        raise InvalidInput(f"--labels {labels}: a folder with no <learner>.csv (nor <deliverable>/<learner>.csv for "
                           f"{', '.join(d.id for d in chosen)}); give the labels file, or the folder of per-learner "
                           "files")
    new_rubric = load_rubric(rubric) if rubric is not None else None
    if new_rubric is not None:
        pinned = pinned_rubric(loaded, chosen[0])
        if new_rubric.rubric.deliverable != pinned.rubric.deliverable:
            raise InvalidInput(f"{rubric}: a rubric for {new_rubric.rubric.deliverable!r}; {chosen[0].id} is "
                               f"graded with {pinned.rubric.deliverable!r} ({pinned.path.name}): not graded")
    folder = store_dir if store_dir is not None else loaded.base / "cohort"
    sd = state_dir(loaded, state)
    if out is None:  # a trial never replaces the pinned rubric's files
        out = loaded.base / "grades" / (f"trial-{rubric.stem}" if rubric is not None else "")
    con, err = stdout(), stderr()
    now = datetime.now(UTC)
    if new_rubric is not None:
        results = [grade_deliverable(loaded, chosen[0], folder, state=sd, labels=labels, new_rubric=new_rubric,
                                     workers=workers)]
    else:
        results = grade_many(loaded, chosen, folder, state=sd, labels=labels, workers=workers)
    named = set(deliverables)
    for r in results:  # nothing collected: say so where it is not simply a deliverable still to come
        d = r.deliverable
        if not (folder / d.id).is_dir() and (d.id in named or now >= d.due):
            r.problems.insert(0, Problem(d.id, "-", str(folder / d.id), "nothing collected yet: run "
                                         f"`roadmap-ci cohort collect {d.id}` first"))
    if not deliverables and folder.is_dir():  # the whole cohort: a folder no deliverable owns is left alone, named
        with contextlib.suppress(OSError):
            for e in sorted(os.scandir(folder), key=lambda e: e.name):
                if e.name not in known and not e.name.startswith((".", "_")):
                    results[0].problems.append(Problem("-", "-", e.path, "not a deliverable of this cohort "
                                                                         "(left alone)"))
    t0 = time.perf_counter()
    write_gradebook(out / "gradebook.csv", loaded, results, criteria=criteria)
    for f in lms.LMS_FILES:
        f.write(out / f.filename, loaded, results, ids.get(f.lms, {}))
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
            con.print(f"{d.id}: graded before the due date ({store.iso(earliest_due)}): provisional"
                      + ("; the totals include after-due criteria, not for learners' eyes before then"
                         if r.after_due else ""), highlight=False)
        if new_rubric is not None:
            from roadmap_ci.cohort.rescore_view import print_rescore

            print_rescore(r.as_rescore(), rubric.name if rubric else r.rubric_name, has_old=True, show_all=show_all)
        if timings and r.files:
            total = sum(r.timings.values()) or 1.0
            shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in r.timings.items())
            con.print(f"{d.id}: {r.files} files, {1e6 * total / r.files:.0f} µs per file ({shares})", highlight=False)
    if canvas_course is not None:
        url, token = lms.canvas_env("Canvas passback")
        for line in lms.passback(url, token, canvas_course, canvas_assignments or {}, loaded, results, now):
            con.print(escape(line), highlight=False)
    no_id = [lr.github for lr in loaded.learners if not lr.lms_id]
    if no_id:
        err.print(safe(f"note: {len(no_id)} learner(s) without an lms_id in the roster ({', '.join(no_id[:5])}"
                       f"{', …' if len(no_id) > 5 else ''}): the LMS imports cannot place their grades "
                       "(`cohort roster` fills it from the LMS's export)"), markup=False, highlight=False)
    imports = ", ".join(f"{f.lms} {out / f.filename}" for f in lms.LMS_FILES)
    con.print(escape(f"gradebook: {out / 'gradebook.csv'}; LMS imports: {imports} (written in {written:.2f} s)"),
              highlight=False)
    if problems:
        err.print(f"{len(problems)} problem(s); the gradebook's problems column says who is missing and why",
                  markup=False)
        return EXIT_INVALID
    return EXIT_OK


def problems_said(results: list[DeliverableGrades]) -> int:
    """For the views over the grades (progress, similar, report): each problem grade found, one line on stderr
    in grade's words; the exit code (1 when there was one: what is shown leaves those learners out or short)."""
    from roadmap_ci.console import stderr
    from roadmap_ci.errors import EXIT_INVALID, EXIT_OK

    err = stderr()
    problems = [p for r in results for p in r.problems]
    for p in problems:
        err.print(safe(str(p)), markup=False, highlight=False)
    return EXIT_INVALID if problems else EXIT_OK


def grade_all(loaded: LoadedCohort, *, store_dir: Path | None = None, state: Path | None = None,
              labels: Path | None = None, workers: int | None = None,
              deliverables: list[Deliverable] | None = None) -> list[DeliverableGrades]:
    """Every (or the given) deliverable graded with its pinned rubric (progress, similar and report start here)."""
    from roadmap_ci.cohort.commands import state_dir

    folder = store_dir if store_dir is not None else loaded.base / "cohort"
    sd = state_dir(loaded, state)
    return grade_many(loaded, deliverables if deliverables is not None else list(loaded.cohort.deliverables),
                      folder, state=sd, labels=labels, workers=workers)
