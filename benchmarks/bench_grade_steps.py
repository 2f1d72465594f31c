"""CPU per file of each step of a serial, cold `cohort grade`, on a cohort the grade benchmark kept.

    BENCH_KEEP=DIR python benchmarks/bench_cohort_grade.py --skip-collect --learners 1000 --deliverables 15
    python benchmarks/bench_grade_steps.py DIR [--deliverables K]

Grades the first K deliverables (all by default) in this process with one worker, each step timed in CPU time
of this thread (``time.thread_time``), not wall time, so the shares hold on a shared machine; grade's caches
are neither read nor written, so every run is the first grade after collect.
Under ``valgrind --tool=callgrind`` the difference between K = 2 and K = 1 over the files of one deliverable
is the instruction count per file (a number the machine's load does not change).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort", type=Path, help="a folder bench_cohort_grade.py generated (BENCH_KEEP)")
    ap.add_argument("--deliverables", type=int, default=None)
    a = ap.parse_args()
    c0 = time.process_time()
    time.perf_counter = time.thread_time  # grade's step clocks: CPU time of this thread
    from roadmap_ci.cohort import grade
    from roadmap_ci.cohort.commands import state_dir
    from roadmap_ci.cohort.model import load_cohort

    loaded = load_cohort(a.cohort / "cohort.yaml")
    ds = list(loaded.cohort.deliverables)[: a.deliverables]
    grade.read_cache = lambda *_a, **_k: {}  # cold: as the first grade after collect, whatever the folder holds
    grade.read_scores = lambda *_a, **_k: {}
    grade.write_cache = lambda *_a, **_k: None  # and nothing written: the next run is cold too
    grade.write_scores = lambda *_a, **_k: None
    c1 = time.process_time()
    res = grade.grade_many(loaded, ds, loaded.base / "cohort", state=state_dir(loaded, None), workers=1)
    c2 = time.process_time()
    n = sum(r.files for r in res) or 1
    steps = {k: sum(r.timings[k] for r in res) for k in grade.STEPS}
    rest = (c2 - c1) - sum(steps.values())
    print(f"{n} files; start-up {1e3 * (c1 - c0):.0f} ms; grade {1e6 * (c2 - c1) / n:.0f} µs CPU per file: "
          + ", ".join(f"{k} {1e6 * v / n:.0f}" for k, v in steps.items()) + f", rest {1e6 * rest / n:.0f}; "
          f"total of the totals {sum(g.final.total for r in res for g in r.grades.values()):.2f}")


if __name__ == "__main__":
    main()
