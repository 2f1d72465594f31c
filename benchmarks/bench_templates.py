"""Templates: render time and baseline pipeline time per template.

    python benchmarks/bench_templates.py [TEMPLATE ...]

For each template: render it with cookiecutter (as a learner would), `git init` + commit, then time a
cold `dvc repro` of the baseline (the project venv first on PATH). Prints a Markdown table for
docs/performance.md. Pipelines using torch cap themselves at 2 threads (params.yaml: threads).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ["image-classifier", "nlp-pipeline", "rag-chatbot", "unsupervised", "imbalanced-tuning",
             "tabular-classification", "tabular-regression", "ml-pipeline", "math-foundations", "time-series",
             "recsys", "gnn", "agent-app", "capstone-recsys"]


def bench(template: str) -> tuple[float, float, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        repo = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=tmp))
        render = time.perf_counter() - t0
        git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com"]
        for cmd in (git + ["init", "-q"], git + ["add", "."], git + ["commit", "-qm", "template"]):
            subprocess.run(cmd, cwd=repo, check=True, capture_output=True)
        t0 = time.perf_counter()
        res = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
        pipeline = time.perf_counter() - t0
        return render, pipeline, "ok" if res.returncode == 0 else f"failed ({res.returncode})"


def main() -> None:
    names = sys.argv[1:] or TEMPLATES
    print("| template | render (s) | baseline pipeline, cold `dvc repro` (s) | status |")
    print("|---|---:|---:|---|")
    for name in names:
        render, pipeline, status = bench(name)
        print(f"| {name} | {render:.2f} | {pipeline:.1f} | {status} |", flush=True)


if __name__ == "__main__":
    main()
