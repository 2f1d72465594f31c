"""ml-pipeline's difficulty-matched course draws: the target, and what matching costs per course.

    python benchmarks/bench_ml_pipeline_draws.py [-n N] [--target-draws K] [--learner LOGIN]

In-process, the generator only (`templates/ml-pipeline/generate_data.py`, no pipeline run). Prints:

1. `LEARNER_TARGET`'s origin: the generator's reference baseline (`reference`: the template's logistic
   regression with the leaky `refund_issued`, threshold 0.5) on K draws of the *practice* lateness model at a
   course's sizes -- mean and standard deviation of ROC-AUC and F1 on the public and private parts;
2. for each of N course secrets (`roadmap-ci-benchmark-course-000` …, the ones bench_secrets.py uses): how
   many lateness models were drawn before one matched (`difficulty`), how many draws of the learner's orders
   before one matched (`reference`), the kept draw's reference scores, and the seconds `generate` took.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def load_generator():
    spec = importlib.util.spec_from_file_location("ml_pipeline_generate", ROOT / "templates" / "ml-pipeline" /
                                                  "generate_data.py")
    gen = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(gen)
    return gen


def target_table(gen, k: int) -> str:
    rng = np.random.default_rng(2026)
    ids = [np.arange(gen.N_TRAIN_MONTH)] * 6 + [np.arange(gen.N_TEST_SECRET)]
    scores = []
    for _ in range(k):
        train, test = gen._draw(rng, gen.PRACTICE, ids)
        scores.append(gen.reference(train, test, gen._split(rng.random(gen.N_TEST_SECRET) < gen.PUBLIC_FRACTION)))
    out = [f"reference baseline, {k} draws of the practice model ({gen.N_TEST_SECRET} test orders):",
           "| metric | mean | sd | min | max | LEARNER_TARGET |", "|---|---:|---:|---:|---:|---:|"]
    for metric in sorted(scores[0]):
        vals = [s[metric] for s in scores]
        out.append(f"| {metric} | {statistics.mean(vals):.4f} | {statistics.pstdev(vals):.4f} | {min(vals):.4f} | "
                   f"{max(vals):.4f} | {gen.LEARNER_TARGET[metric.split('.')[1]]} |")
    return "\n".join(out)


def course_table(gen, n: int, learner: str | None) -> str:
    calls = {"difficulty": 0, "reference": []}
    difficulty, reference = gen.difficulty, gen.reference

    def counted_difficulty(p):
        calls["difficulty"] += 1
        return difficulty(p)

    def recorded_reference(*args):
        out = reference(*args)
        calls["reference"].append(out)
        return out

    gen.difficulty, gen.reference = counted_difficulty, recorded_reference
    gen._practice_process()  # cached once per process: not counted against the first course
    out = ["| secret | models drawn | learner draws | public ROC-AUC / F1 | private ROC-AUC / F1 | generate (s) |",
           "|---|---:|---:|---|---|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            calls["difficulty"], calls["reference"] = 0, []
            t0 = time.perf_counter()
            gen.generate(Path(tmp) / "raw", Path(tmp) / "labels.csv",
                         secret=f"roadmap-ci-benchmark-course-{i:03d}".encode(), learner=learner)
            seconds = time.perf_counter() - t0
            learner_draws = [r for r in calls["reference"] if "public.roc_auc" in r]
            kept = min(learner_draws, key=lambda r: gen._off(
                r, {f"{part}.{m}": v for part in ("public", "private") for m, v in gen.LEARNER_TARGET.items()},
                gen.AUC_TOLERANCE, gen.F1_TOLERANCE))
            out.append(f"| course-{i:03d} | {calls['difficulty']} | {len(learner_draws)} | "
                       f"{kept['public.roc_auc']:.3f} / {kept['public.f1']:.3f} | "
                       f"{kept['private.roc_auc']:.3f} / {kept['private.f1']:.3f} | {seconds:.2f} |")
    gen.difficulty, gen.reference = difficulty, reference
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="course secrets (default 20)")
    parser.add_argument("--target-draws", type=int, default=100, help="practice-model draws for the target")
    parser.add_argument("--learner", help="the learner key (default: none, as bench_secrets.py renders)")
    args = parser.parse_args()
    gen = load_generator()
    print(target_table(gen, args.target_draws))
    print()
    print(course_table(gen, args.n, args.learner))


if __name__ == "__main__":
    main()
