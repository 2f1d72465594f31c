"""Mentor operations over a whole cohort's stored evidence: re-score with a new rubric, gradebooks.

Re-scoring runs no learner code: it reads ``evidence.json`` files (the claims CI stored) and
applies the pure scorer, so a mentor can tune a rubric and see who flips before publishing it.
"""

from __future__ import annotations

import csv
import os
import statistics
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from roadmap_ci.errors import CannotRun, Place, RoadmapError
from roadmap_ci.evidence import Evidence
from roadmap_ci.rubric import LoadedRubric
from roadmap_ci.scoring import Totals, evaluate, totals

PARALLEL_FROM = 400  # below this, process start-up costs more than it saves


@dataclass
class Row:
    path: str
    learner: str
    repo: str | None
    commit: str | None
    new: Totals
    old: Totals | None = None

    @property
    def flipped(self) -> bool:
        return self.old is not None and self.old.passed != self.new.passed

    @property
    def delta(self) -> float | None:
        return None if self.old is None else round(self.new.total - self.old.total, 4)


@dataclass
class Stats:
    count: int
    mean: float
    quartiles: tuple[float, float, float]
    pass_rate: float
    minimum: float
    maximum: float


@dataclass
class RescoreResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[RoadmapError] = field(default_factory=list)
    max_points: float = 0.0
    old_max_points: float | None = None

    def stats(self, old: bool = False) -> Stats | None:
        cards = [r.old if old else r.new for r in self.rows]
        totals = [c.total for c in cards if c is not None]
        if not totals:
            return None
        q = tuple(statistics.quantiles(totals, n=4, method="inclusive")) if len(totals) > 1 else (totals[0],) * 3
        passed = sum(1 for c in cards if c is not None and c.passed)
        return Stats(len(totals), statistics.fmean(totals), q, passed / len(totals), min(totals), max(totals))  # type: ignore[arg-type]

    @property
    def flips(self) -> list[Row]:
        return [r for r in self.rows if r.flipped]


def expand(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; directories expand to every evidence.json / *.evidence.json beneath them."""
    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = sorted(os.path.join(d, f) for d, _, names in os.walk(p) for f in names
                           if f == "evidence.json" or f.endswith(".evidence.json"))
            if not found:
                raise CannotRun("no evidence.json or *.evidence.json files in this directory", Place(str(p)))
            out.extend(map(Path, found))
        else:
            out.append(p)
    return out


def _learner_name(path: Path, ev: Evidence) -> str:
    if ev.learner:
        return ev.learner
    if ev.repo:
        return ev.repo
    if path.name == "evidence.json":
        parent = path.parent.name
        return path.parent.parent.name if parent == ".roadmap-ci" else parent
    return path.name.removesuffix(".json").removesuffix(".evidence")


def _score_one(path: Path, new: LoadedRubric, old: LoadedRubric | None) -> Row | RoadmapError:
    from roadmap_ci.errors import read_text
    from roadmap_ci.evidence import parse_evidence_fast

    try:
        ev = parse_evidence_fast(read_text(path, "evidence file"), str(path))
        memo: dict = {}  # criteria the two rubrics share (share_criteria) are evaluated once
        now = totals(evaluate(ev, new.rubric, memo=memo), new.rubric)
        prev = totals(evaluate(ev, old.rubric, memo=memo), old.rubric) if old is not None else None
        return Row(str(path), _learner_name(path, ev), ev.repo, ev.commit, now, prev)
    except RoadmapError as exc:
        return exc


def share_criteria(new: LoadedRubric, old: LoadedRubric) -> LoadedRubric:
    """``old`` with each criterion that ``new`` defines identically replaced by ``new``'s own object.

    Nothing about ``old`` changes but identity, so evaluating one evidence against both with one memo
    (``scoring.evaluate(memo=…)``) evaluates a shared criterion once — a mentor tuning a rubric usually
    changes a few criteria of many.
    """
    by_text = {c.model_dump_json(): c for c in new.rubric.criteria}
    criteria = [by_text.get(c.model_dump_json(), c) for c in old.rubric.criteria]
    return LoadedRubric(old.rubric.model_copy(update={"criteria": criteria}), old.path, old.chain)


def _score_chunk(args: tuple[list[Path], LoadedRubric, LoadedRubric | None]) -> list[Row | RoadmapError]:
    paths, new, old = args
    return [_score_one(p, new, old) for p in paths]


def _chunks(items: list[Path], n: int) -> Iterator[list[Path]]:
    size = max(1, (len(items) + n - 1) // n)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rescore(new: LoadedRubric, files: list[Path], old: LoadedRubric | None = None,
            workers: int | None = None) -> RescoreResult:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if old is not None:
        old = share_criteria(new, old)
    if workers > 1 and len(files) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_score_chunk, [(c, new, old) for c in _chunks(files, workers * 4)]))
        results = [r for part in parts for r in part]
    else:
        results = [_score_one(p, new, old) for p in files]
    out = RescoreResult(max_points=new.rubric.max_points,
                        old_max_points=old.rubric.max_points if old is not None else None)
    for r in results:
        (out.errors if isinstance(r, RoadmapError) else out.rows).append(r)  # type: ignore[arg-type]
    out.rows.sort(key=lambda r: (r.learner, r.path))
    return out


def write_gradebook(result: RescoreResult, path: Path) -> None:
    """A CSV a spreadsheet opens: one row per learner, one column per criterion."""
    ids: list[str] = []
    for row in result.rows:
        for cid in row.new.points:
            if cid not in ids:
                ids.append(cid)
    has_old = any(r.old is not None for r in result.rows)
    header = ["learner", "repo", "commit", "evidence", "total", "max", "percent", "passed"]
    if has_old:
        header += ["old_total", "old_passed", "delta"]
    header += ids
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in result.rows:
            c = r.new
            line: list[object] = [_cell(r.learner), _cell(r.repo or ""), _cell(r.commit or ""), r.path, c.total,
                                  c.max, c.percent, "yes" if c.passed else "no"]
            if has_old:
                line += [r.old.total if r.old else "", ("yes" if r.old.passed else "no") if r.old else "",
                         r.delta if r.delta is not None else ""]
            line += [c.points.get(i, "") for i in ids]
            w.writerow(line)


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in learner-controlled cells (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def histogram(totals: list[float], max_points: float, bins: int = 10) -> list[tuple[str, int]]:
    counts = [0] * bins
    for t in totals:
        i = min(bins - 1, int(bins * t / max_points)) if max_points else 0
        counts[max(0, i)] += 1
    width = max_points / bins if max_points else 0
    return [(f"{i * width:>5.0f}–{(i + 1) * width:<5.0f}", n) for i, n in enumerate(counts)]
