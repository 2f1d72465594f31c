"""nlp-pipeline's pre-trained path as a learner iterates on it: wall and CPU seconds of three `dvc repro`s.

    python benchmarks/bench_nlp_pretrained.py [--template DIR] [--rounds N]

Renders the template (this tree's, or ``--template DIR``: e.g. a previous revision from
``git archive REV templates/nlp-pipeline | tar -x -C /tmp/old`` then ``--template /tmp/old/templates/nlp-pipeline``),
`git init` + commit, then times `dvc repro` of the baseline, after the switch to ``model.kind: pretrained``
(``train.epochs: 10``, ``train.lr: 0.005``), and after a change to the head alone (``train.lr: 0.003``). CPU is the
children's user + system time. The dev venv first on PATH, HF_HUB_OFFLINE=1. Prints a Markdown table and the
validation metrics of the last run (the same model whichever revision computes the embeddings).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_templates import set_params
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
STEPS = [("baseline, cold", {}),
         ("the switch to pretrained", {"model.kind": "pretrained", "train.epochs": 10, "train.lr": 0.005}),
         ("a change to the head alone", {"train.lr": 0.003})]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def one_round(template: Path) -> tuple[list[tuple[float, float]], dict]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(cookiecutter(str(template), no_input=True, output_dir=tmp))
        git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com"]
        for cmd in (git + ["init", "-q"], git + ["add", "."], git + ["commit", "-qm", "template"]):
            subprocess.run(cmd, cwd=repo, check=True, capture_output=True)
        times = []
        for _, changes in STEPS:
            if changes:
                set_params(repo, changes)
            t0, c0 = time.perf_counter(), children_cpu()
            res = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
            if res.returncode != 0:
                sys.exit(f"dvc repro failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
            times.append((time.perf_counter() - t0, children_cpu() - c0))
        metrics = json.loads((repo / "metrics.json").read_text())
    return times, metrics


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--template", type=Path, default=ROOT / "templates" / "nlp-pipeline")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    rounds = [one_round(args.template) for _ in range(args.rounds)]
    print(f"template: {args.template}\n\n| `dvc repro` after | wall / CPU (s), each round |\n|---|---|")
    for i, (name, _) in enumerate(STEPS):
        print(f"| {name} | " + "; ".join(f"{t[i][0]:.1f} / {t[i][1]:.1f}" for t, _ in rounds) + " |")
    m = rounds[-1][1]
    print(f"\nvalidation accuracy {m['accuracy']}, macro F1 {m['macro_f1']} (model.kind pretrained)")


if __name__ == "__main__":
    main()
