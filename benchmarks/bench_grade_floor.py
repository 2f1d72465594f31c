"""The floor of a cold `cohort grade`: the per-file work no faster bookkeeping can remove, timed alone.

    BENCH_KEEP=DIR python benchmarks/bench_cohort_grade.py --skip-collect --learners 1000 --deliverables 15
    python benchmarks/bench_grade_floor.py DIR [--deliverables K] [--rounds R]

``bench_grade_steps.py`` times grade as it runs. This times, on the same commit folders, only the calls that a
cold grade makes per file whatever its bookkeeping, each in a tight loop over every file (CPU time of this
thread, best of R rounds, nothing else in between, the garbage collector off while a loop runs):

- ``read``: the three stored files read (``os.open``/``os.read``, the page cache warm) -- what any store that
  keeps one file per commit pays;
- ``sha256``: their digests -- how grade knows a file is the one collect validated;
- ``validate``: the evidence parsed with the schema in Rust (``evidence.parse_evidence_fast``) -- the shared
  validation the trust boundary keeps per file, and the ``Evidence`` model the fact resolvers read;
- ``hidden``: the predictions checked and scored against the labels (``fastpath.ChunkHidden``, the chunk path
  grade uses: header template, checks, counts) and ``hidden.apply``;
- ``score``: the plan compiled once (``fastpath.Scorer``), called on the evidence with its hidden metrics.

The table gives each call's µs per file and what 150,000 files of it cost on 2 cores with perfect parallelism
(no pool, no main process, no folder listing, no provenance, no late policy, no gradebook). When the sum of the
rows alone exceeds the goal, no change to the rest of grade reaches it on this machine; the ``without`` lines say
what is left when a step is dropped (a store that holds pre-validated evidence would drop ``validate``, not the
model the resolvers need). A 10-million-step pure-Python add loop is timed first as the machine's reference.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path

FILES = 150_000
CORES = 2


def loop_reference() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def best(fn, rounds: int) -> float:
    out = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()  # the loops keep every model alive; grade drops each one after its file
        try:
            t = time.thread_time()
            fn()
            out.append(time.thread_time() - t)
        finally:
            gc.enable()
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort", type=Path, help="a folder bench_cohort_grade.py generated (BENCH_KEEP)")
    ap.add_argument("--deliverables", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    ref = loop_reference()
    import sys

    import roadmap_ci.cohort.rescore  # noqa: F401 (the module)
    from roadmap_ci import evidence as _evidence
    from roadmap_ci.cohort import fastpath, store
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.score import files, hidden
    from roadmap_ci.score.load import load_rubric

    rs = sys.modules["roadmap_ci.cohort.rescore"]
    loaded = load_cohort(a.cohort / "cohort.yaml")
    work = []  # (chunk, scorer, [(folder, evidence bytes, predictions bytes)])
    for d in list(loaded.cohort.deliverables)[: a.deliverables]:
        rubric = load_rubric(loaded.rubric_path(d))
        spec = rubric.rubric.hidden_labels
        labels = files.read_labels(hidden.labels_path(spec, rubric.directory), spec)
        here = a.cohort / "cohort" / d.id
        folders = [str(here / lr / c) for lr in sorted(os.listdir(here)) if not lr.startswith("_")
                   for c in sorted(os.listdir(here / lr))]
        items = [(f, Path(f, store.EVIDENCE).read_bytes(), Path(f, "predictions.csv").read_bytes()) for f in folders]
        work.append((fastpath.ChunkHidden(spec, labels), fastpath.Scorer(rs.plan(rubric, None)), items))
    n = sum(len(items) for _, _, items in work)
    names = (store.PROVENANCE, store.EVIDENCE, "predictions.csv")

    def read() -> None:
        for _, _, items in work:
            for folder, _, _ in items:
                for name in names:
                    fd = os.open(os.path.join(folder, name), os.O_RDONLY)
                    try:
                        os.read(fd, 65536)
                    finally:
                        os.close(fd)

    raws = [[(Path(f, store.PROVENANCE).read_bytes(), ev, pr) for f, ev, pr in items] for _, _, items in work]

    def sha() -> None:
        for group in raws:
            for three in group:
                for data in three:
                    store.digest(data)

    shas = [[store.digest(ev) for _, ev, _ in items] for _, _, items in work]

    def parse(ev: bytes, sha256: str) -> object:
        return _evidence.parse_evidence_fast(ev.decode("utf-8"), store.EVIDENCE, sha256=sha256)

    def validate() -> None:  # each model dropped after its file, as grade drops it
        for (_, _, items), group_shas in zip(work, shas, strict=True):
            for (_, ev, _), s in zip(items, group_shas, strict=True):
                parse(ev, s)

    evs = [[parse(ev, s) for (_, ev, _), s in zip(items, group_shas, strict=True)]
           for (_, _, items), group_shas in zip(work, shas, strict=True)]

    def applied(chunk: object, pr: bytes, ev: object) -> object:
        cols = chunk.columns(pr)
        m = chunk.metrics(cols) if cols is not None else None
        return hidden.apply(ev, hidden.HiddenResult(m, None if m is not None else "unread"))

    def hidden_step() -> None:
        for (chunk, _, items), group in zip(work, evs, strict=True):
            for (_, _, pr), ev in zip(items, group, strict=True):
                applied(chunk, pr, ev)

    for _ in range(2):  # past the chunk's template threshold, as a worker's later files are
        hidden_step()
    scored = [[applied(chunk, pr, ev) for (_, _, pr), ev in zip(items, group, strict=True)]
              for (chunk, _, items), group in zip(work, evs, strict=True)]

    def score() -> None:
        for (_, scorer, _), group in zip(work, scored, strict=True):
            for ev in group:
                scorer(ev)

    steps = {"read": read, "sha256": sha, "validate": validate, "hidden": hidden_step, "score": score}
    per = {k: 1e6 * best(fn, a.rounds) / n for k, fn in steps.items()}
    total = sum(per.values())
    goal = 15.0 * CORES * 1e6 / FILES
    print(f"{n} files of {len(work)} deliverable(s), best of {a.rounds}; machine reference: the 10M-step add loop "
          f"{ref:.2f} s; load {os.getloadavg()[0]:.1f}")
    print()
    print(f"| step | µs CPU per file | {FILES:,} files on {CORES} cores |")
    print("|---|---|---|")
    for k, v in per.items():
        print(f"| {k} | {v:.0f} | {v * FILES / CORES / 1e6:.1f} s |")
    print(f"| **floor, all five** | **{total:.0f}** | **{total * FILES / CORES / 1e6:.1f} s** |")
    for k in ("read", "validate"):
        rest = total - per[k] - (per["sha256"] if k == "read" else 0)
        what = "read and sha256" if k == "read" else k
        print(f"| without {what} | {rest:.0f} | {rest * FILES / CORES / 1e6:.1f} s |")
    print(f"| goal: 15 s | {goal:.0f} | 15.0 s |")


if __name__ == "__main__":
    main()
