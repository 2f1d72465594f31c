"""Every file of a kept grade-benchmark cohort through grade's fast paths and through the shared code, compared.

    BENCH_KEEP=DIR python benchmarks/bench_cohort_grade.py --skip-collect --learners 1000 --deliverables 15
    python benchmarks/check_grade_equal.py DIR [--deliverables K]

Per commit folder: the hidden metrics of the chunk path (:class:`roadmap_ci.cohort.fastpath.ChunkHidden`, one per
deliverable, as a worker's chunk uses it) against :func:`roadmap_ci.score.hidden.score_predictions` (the shared
reader and ``metrics.compute``), equal floats or the same error. Prints the count checked and every difference;
exit 1 when there is one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cohort", type=Path, help="a folder bench_cohort_grade.py generated (BENCH_KEEP)")
    ap.add_argument("--deliverables", type=int, default=None)
    a = ap.parse_args()
    from roadmap_ci.cohort import fastpath, store
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.score import files, hidden
    from roadmap_ci.score.load import load_rubric

    loaded = load_cohort(a.cohort / "cohort.yaml")
    checked = differ = matched = 0
    for d in list(loaded.cohort.deliverables)[: a.deliverables]:
        rubric = load_rubric(loaded.rubric_path(d))
        spec = rubric.rubric.hidden_labels
        labels_file = hidden.labels_path(spec, rubric.directory)
        labels = files.read_labels(labels_file, spec)
        chunk = fastpath.ChunkHidden(spec, labels)
        here = a.cohort / "cohort" / d.id
        matched -= chunk.matched
        for learner in sorted(os.listdir(here)):
            if learner.startswith("_"):
                continue
            for commit in sorted(os.listdir(here / learner)):
                preds = here / learner / commit / "predictions.csv"
                try:
                    want: object = hidden.score_predictions(spec, labels_file, preds)
                except HiddenError as exc:
                    want = f"error: {exc}"
                cols = chunk.columns(store.read_capped(preds, files.MAX_PREDICTIONS_BYTES))
                try:
                    got: object = chunk.metrics(cols) if cols is not None else "left to the shared reader"
                except HiddenError as exc:
                    got = f"error: {exc}"
                checked += 1
                if got != want and not (cols is None and isinstance(want, str)):
                    differ += 1
                    print(f"{preds}: chunk path {got!r}, shared {want!r}")
        matched += chunk.matched
    print(f"hidden metrics: {checked} files checked ({matched} read through a template), {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
