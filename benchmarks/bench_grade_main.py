"""The main process's share of a pool `cohort grade`, on a cohort the grade benchmark kept.

    BENCH_KEEP=DIR python benchmarks/bench_cohort_grade.py --skip-collect --learners 1000 --deliverables 15
    python benchmarks/bench_grade_main.py DIR [--workers 2] [--warm]

Runs ``cohort grade`` (every deliverable, the gradebook and both LMS files written to a temporary folder) in
this process with a pool of ``--workers``, and prints the wall time, the CPU time of this process (the main
process: start-up, scans, finishing each deliverable, the caches, the gradebook) and of its workers, each per
file. Cold by default: grade's caches are removed first (the first grade after collect); ``--warm`` keeps them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort", type=Path, help="a folder bench_cohort_grade.py generated (BENCH_KEEP)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm", action="store_true", help="keep grade's caches (a re-grade)")
    a = ap.parse_args()
    if not a.warm:
        for d in (a.cohort / "cohort").iterdir():
            for name in ("_hidden.json", "_scores.json"):  # cohort.grade.CACHE, SCORES
                with contextlib.suppress(FileNotFoundError):
                    (d / name).unlink()
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    from roadmap_ci.cohort import grade

    with tempfile.TemporaryDirectory(prefix="bench-grade-main-") as out, \
            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        grade.command(a.cohort / "cohort.yaml", [], workers=a.workers, out=Path(out))
    wall, main_cpu = time.perf_counter() - t0, time.process_time() - c0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    pool = ru.ru_utime + ru.ru_stime
    n = sum(1 for d in (a.cohort / "cohort").iterdir() if d.is_dir()
            for e in os.scandir(d) if e.is_dir() and not e.name.startswith("_")) or 1
    print(f"{'warm' if a.warm else 'cold'}, {n:,} learner folders, {a.workers} workers: {wall:.2f} s wall; "
          f"main process {main_cpu:.2f} s CPU ({1e6 * main_cpu / n:.0f} µs per file, start-up included); "
          f"workers {pool:.2f} s ({1e6 * pool / n:.0f} µs per file); in all {1e6 * (main_cpu + pool) / n:.0f} µs "
          f"CPU per file; load {load0:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
