"""Templates: render time and baseline pipeline time per template.

    python benchmarks/bench_templates.py [TEMPLATE ...]

For each template: render it with cookiecutter (as a learner would), `git init` + commit, then time a
cold `dvc repro` of the baseline (the project venv first on PATH), and for the templates in ``PATHS`` a
second `dvc repro` after the README's params change (DVC re-runs only the stages it touches). Prints a
Markdown table for docs/performance.md. Pipelines using torch cap themselves at 2 threads (params.yaml: threads).
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
             "recsys", "gnn", "agent-app", "capstone-recsys", "capstone-rag-docqa"]


# template -> params.yaml changes of a README improvement path worth timing on its own
PATHS: dict[str, dict[str, object]] = {
    "capstone-rag-docqa": {"ingest.tables": "rows", "chunk.drop_superseded": True, "chunk.dedupe": True,
                           "chunk.title_prefix": True, "retrieve.mode": "hybrid", "retrieve.rerank": "overlap",
                           "answer.min_score": 0.5, "finetune.enabled": True, "embed.adapter": True},
}


def set_params(repo: Path, changes: dict[str, object]) -> None:
    import yaml

    params = yaml.safe_load((repo / "params.yaml").read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = params
        for part in parents:
            node = node[part]
        node[key] = value
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def bench(template: str) -> tuple[float, float, str, float | None]:
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
        status = "ok" if res.returncode == 0 else f"failed ({res.returncode})"
        improved = None
        if template in PATHS and res.returncode == 0:
            set_params(repo, PATHS[template])
            t0 = time.perf_counter()
            res = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
            improved = time.perf_counter() - t0
            status += "" if res.returncode == 0 else f"; README path failed ({res.returncode})"
        return render, pipeline, status, improved


def main() -> None:
    names = sys.argv[1:] or TEMPLATES
    print("| template | render (s) | baseline pipeline, cold `dvc repro` (s) | README path, `dvc repro` after (s) "
          "| status |")
    print("|---|---:|---:|---:|---|")
    for name in names:
        render, pipeline, status, improved = bench(name)
        after = f"{improved:.1f}" if improved is not None else "—"
        print(f"| {name} | {render:.2f} | {pipeline:.1f} | {after} | {status} |", flush=True)


if __name__ == "__main__":
    main()
