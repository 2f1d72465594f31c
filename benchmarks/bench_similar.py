"""How ``cohort similar``'s pair search scales, and what it finds: cohorts of 1,000 to 10,000 learners on one hidden
set, in memory (the files' reading is grade's fast path, measured in bench_cohort_grade).

Each cohort is drawn as real work looks: a few hard rows most learners get wrong, many easy ones, each learner's
skill scaling their error rate; then ``--copies`` planted pairs, each a learner's file with ``--changed`` of its
rows changed. Printed per size: the time of ``pairs_among`` (every pair counted), the process's peak memory so
far, how many of the planted pairs are listed, and how many honest pairs are (chance: ALPHA, 0.05, a deliverable).

    python benchmarks/bench_similar.py --learners 1000 3000 10000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from roadmap_ci.cohort.similar import Submission, pairs_among  # noqa: E402


def draw(size: int, rows: int, hard: int, copies: int, changed: float, seed: int) -> tuple[list[Submission], set]:
    rnd = random.Random(seed)
    truth = {f"r{j:05d}": str(rnd.randrange(2)) for j in range(rows)}
    ids = list(truth)
    rates = [0.7 if j < hard else 0.05 for j in range(rows)]
    all_ids = frozenset(ids)

    def make(key: str, preds: dict[str, str]) -> Submission:
        digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in sorted(preds.items())).encode()).hexdigest()
        wrong = frozenset(i for i in ids if preds[i] != truth[i])
        return Submission(key, Path(key), digest, preds, all_ids, truth, all_ids, wrong)

    subs = []
    for i in range(size):
        skill = rnd.uniform(0.6, 1.4)
        subs.append(make(f"l{i:05d}", {r: (("0" if t == "1" else "1") if rnd.random() < rate * skill else t)
                                        for (r, t), rate in zip(truth.items(), rates, strict=True)}))
    planted = set()
    copied: dict[str, list[str]] = {}
    for c in range(copies):
        src = subs[rnd.randrange(size)]
        preds = {r: (("0" if v == "1" else "1") if rnd.random() < changed else v) for r, v in src.preds.items()}
        copy = make(f"z{c:03d}", preds)
        subs.append(copy)
        for other in [src.key, *copied.get(src.key, [])]:  # two copies of one file are a pair too
            planted.add(tuple(sorted((other, copy.key))))
        copied.setdefault(src.key, []).append(copy.key)
    return subs, planted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--hard", type=int, default=20, help="rows 70 %% of learners get wrong (the rest: 5 %%)")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--changed", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"rows {args.rows} ({args.hard} hard), {args.copies} planted copies with {args.changed:.0%} changed")
    print("| learners | pairs | draw s | pairs_among s | process peak MB | planted listed | honest pairs listed |")
    print("|---|---|---|---|---|---|---|")
    for size in args.learners:
        t0 = time.perf_counter()
        subs, planted = draw(size, args.rows, args.hard, args.copies, args.changed, args.seed)
        t1 = time.perf_counter()
        pairs = pairs_among(subs)
        t2 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        listed = {(p.a, p.b) for p in pairs}
        n = len(subs)
        print(f"| {size:,} | {n * (n - 1) // 2:,} | {t1 - t0:.1f} | {t2 - t1:.1f} | {peak / 2**20:.0f} | "
              f"{len(listed & planted)} of {len(planted)} | {len(listed - planted)} |", flush=True)


if __name__ == "__main__":
    main()
