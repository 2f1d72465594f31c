"""How ``cohort roster`` scales: a GitHub Classroom roster export and a Canvas gradebook export of N learners
each, written to a temporary folder, then the console command in a subprocess (as a mentor runs it).

Every tenth Classroom identifier is the learner's name (the rest e-mails or student numbers), every fiftieth
seat unlinked, one Canvas learner in a hundred missing from Classroom: the join's three kinds of key and both
kinds of left-out line. Printed: the wall time and peak memory of the command, its rows and problem lines, and the
time of ``python -m roadmap_ci --help`` as the start-up floor.

    python benchmarks/bench_roster.py --learners 1000 10000 50000
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def exports(folder: Path, n: int) -> list[Path]:
    classroom, canvas = folder / "classroom_roster.csv", folder / "canvas.csv"
    with classroom.open("w", newline="") as fc, canvas.open("w", newline="") as fv:
        c, v = csv.writer(fc), csv.writer(fv)
        c.writerow(["identifier", "github_username", "github_id", "name"])
        v.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 1 (1)", "Current Score"])
        v.writerow(["    Points Possible", "", "", "", "", "10", ""])
        for i in range(n):
            first, last = f"First{i}", f"Last{i}"
            ident = f"{first} {last}" if i % 10 == 0 else f"s{i:07d}" if i % 3 == 0 else f"u{i}@uni.example"
            if i % 100 != 7:  # one in a hundred Canvas learners never joined the classroom
                c.writerow([ident, "" if i % 50 == 1 else f"learner-{i}", str(10_000 + i), ""])
            v.writerow([f"{last}, {first}", str(20_000 + i), f"s{i:07d}", f"u{i}@uni.example", f"S{i % 4}", "7", "70"])
    return [classroom, canvas]


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str], float]:
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, res, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, nargs="+", default=[1000, 10000, 50000])
    a = ap.parse_args()
    floor, _, _ = timed([sys.executable, "-m", "roadmap_ci", "--help"])
    print(f"start-up floor (`roadmap-ci --help`): {floor:.2f} s; load {os.getloadavg()[0]:.1f}")
    print()
    print("| learners | exports (bytes) | wall | peak RSS (children so far) | rows written | problem lines | rc |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.learners:
        with tempfile.TemporaryDirectory() as tmp:
            files = exports(Path(tmp), n)
            out = Path(tmp) / "roster.csv"
            wall, res, peak = timed([sys.executable, "-m", "roadmap_ci", "cohort", "roster", *map(str, files),
                                     "--out", str(out)])
            rows = len(out.read_text().splitlines()) - 1 if out.exists() else 0
            size = sum(f.stat().st_size for f in files)
            print(f"| {n:,} | {size:,} | {wall:.2f} s | {peak:.0f} MB | {rows:,} | "
                  f"{len(res.stderr.splitlines()) - 1:,} | {res.returncode} |")


if __name__ == "__main__":
    main()
