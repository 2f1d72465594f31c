"""Every file of a kept grade-benchmark cohort through grade's fast paths and through the shared code, compared.

    BENCH_KEEP=DIR python benchmarks/bench_cohort_grade.py --skip-collect --learners 1000 --deliverables 15
    python benchmarks/check_grade_equal.py DIR [--deliverables K]

Per commit folder: the hidden metrics of the chunk path (:class:`roadmap_ci.cohort.fastpath.ChunkHidden`, one per
deliverable, as a worker's chunk uses it) against :func:`roadmap_ci.score.hidden.score_predictions` (the shared
reader and ``metrics.compute``), equal floats or the same error; then the evidence, with those metrics applied,
through the plan compiled once per deliverable (:class:`roadmap_ci.cohort.fastpath.Scorer`) against the model
scorer (``scoring.criterion_outcomes``, explained): per criterion the same fraction, points and pending, and the
totals of ``rescore.score_with``. Prints the counts checked and every difference; exit 1 when there is one.
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
    import roadmap_ci.cohort.rescore  # noqa: F401 (the module, not the function the package exports)
    from roadmap_ci.cohort import fastpath, store
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.errors import HiddenError
    from roadmap_ci.evidence import parse_evidence
    from roadmap_ci.score import files, hidden, scoring
    from roadmap_ci.score.load import load_rubric

    loaded = load_cohort(a.cohort / "cohort.yaml")
    rs = sys.modules["roadmap_ci.cohort.rescore"]
    checked = differ = matched = scored = 0
    for d in list(loaded.cohort.deliverables)[: a.deliverables]:
        rubric = load_rubric(loaded.rubric_path(d))
        spec = rubric.rubric.hidden_labels
        labels_file = hidden.labels_path(spec, rubric.directory)
        labels = files.read_labels(labels_file, spec)
        chunk = fastpath.ChunkHidden(spec, labels)
        plan = rs.plan(rubric, None)
        scorer = fastpath.Scorer(plan)
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
                folder = here / learner / commit
                ev = parse_evidence((folder / "evidence.json").read_text(encoding="utf-8"), "evidence.json")
                ev = hidden.apply(ev, hidden.HiddenResult(None, want) if isinstance(want, str)
                                  else hidden.HiddenResult(want, None))
                points, pending, fracs = scorer.criteria(ev)
                model = [(o.points, o.status == "pending", o.fraction)
                         for o in scoring.criterion_outcomes(ev, plan.criteria, explain=True)]
                scored += 1
                if list(zip(points, pending, fracs, strict=True)) != model or scorer(ev) != rs.score_with(ev, plan):
                    differ += 1
                    print(f"{folder}: compiled plan {list(zip(points, pending, fracs, strict=True))}, model {model}")
        matched += chunk.matched
    print(f"hidden metrics: {checked} files checked ({matched} read through a template); compiled plan: {scored} "
          f"evidence files checked; {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
