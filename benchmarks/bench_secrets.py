"""Fairness across course secrets: does every course get the same task?

    python benchmarks/bench_secrets.py [-n N] [--baseline-only | --improved-secrets K] [--jsonl FILE] [TEMPLATE ...]
    python benchmarks/bench_secrets.py --table FILE [--rescore]

For each template and each of N course secrets (and the practice data, the reference the rubric was
calibrated on): `roadmap-ci new ID --course-secret-file … --labels-out …` (roadmap_ci.new, as a mentor runs
it), then the rendered repo's own pipeline with `dvc repro` (the project venv first on PATH), then the
hidden-label metrics of its predictions against that course's labels (roadmap_ci.score.hidden, as `ci-report`
computes them), for the baseline and for the README's improvement path (its case in
`tests/templates/_contract.py`). Printed per
template and path: the headline hidden metric in points (×100 for a fraction; WAPE is already a
percentage) as practice / min / mean / max over the secrets and the spread
(max − min), and the points the rubric's data-dependent criteria (`hidden:` and `metric:` facts) earn, as
min / mean / max of their maximum. The other criteria (pipeline ran, tests, lint, README, data checks) read
the learner's code, not the data, and are left out rather than assumed.

Goal (docs/performance.md): over 20 secrets the baseline's headline moves by at most 3 points and the
improvement path keeps its band. `--jsonl` appends one line per run, so a long run can be tabulated later.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "templates"))  # the template cases (_contract.py) live there

# template -> (its test module, the dvc repro target (None: all stages), the headline metric)
TEMPLATES = {
    "tabular-regression": ("test_tabular_regression", None, "private.r2"),
    "time-series": ("test_time_series", None, "private.wape"),
    "tabular-classification": ("test_tabular_classification", None, "private.roc_auc"),
    "ml-pipeline": ("test_ml_pipeline", "serve", "private.roc_auc"),
    "unsupervised": ("test_unsupervised", None, "private.pr_auc"),
    "imbalanced-tuning": ("test_imbalanced_tuning", None, "private.pr_auc"),
}
QUIET = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
         "GX_ANALYTICS_ENABLED": "false", "MLFLOW_TRACKING_URI": ""}


def secret(i: int) -> bytes:
    return f"roadmap-ci-benchmark-course-{i:03d}".encode()


def improved(template: str) -> dict:
    """The README's path as the template tests state it: its case in ``_contract.CASES``."""
    from _contract import CASES

    case = CASES.get(template)
    if case is None:
        raise SystemExit(f"{template}: no case in tests/templates/_contract.py")
    if not isinstance(case.improve, dict):
        raise SystemExit(f"{template}: its improvement path edits the repo, not params.yaml: not benchmarked here")
    return dict(case.improve)


def set_params(repo: Path, changes: dict) -> None:
    import yaml

    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = params
        for p in parents:
            node = node[p]
        node[key] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def repro(repo: Path, target: str | None) -> float:
    env = {**os.environ, **QUIET, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    t0 = time.perf_counter()
    res = subprocess.run(["dvc", "repro", *([target] if target else [])], cwd=repo, env=env, capture_output=True,
                         text=True)
    if res.returncode != 0:
        raise SystemExit(f"{repo}: dvc repro failed ({res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    return time.perf_counter() - t0


def data_criteria(template: str, metrics: dict[str, float] | None = None) -> list:
    """The rubric's criteria on ``hidden:`` and ``metric:`` facts (with ``metrics``: of a file the repo wrote)."""
    from roadmap_ci.score.load import load_rubric

    criteria = [c for c in load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.criteria
                if c.refs() and all(r.startswith(("hidden:", "metric:")) for r in c.refs())]
    if metrics is None:
        return criteria
    files = {k.split(":")[0] for k in metrics}
    return [c for c in criteria if all(r.startswith("hidden:") or r.split(":")[1] in files for r in c.refs())]


def points(template: str, hidden: dict[str, float], metrics: dict[str, float]) -> tuple[float, float]:
    """(data-dependent points earned, their maximum) under the template's rubric as it is now."""
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.scoring import criterion_outcomes

    criteria = data_criteria(template, metrics)
    outcomes = criterion_outcomes(Evidence(deliverable=template, metrics=metrics, hidden=hidden), criteria,
                                  explain=False)
    return sum(o.points for o in outcomes), float(sum(c.points for c in criteria))


def measure(template: str, repo: Path, labels: Path) -> tuple[dict[str, float], dict[str, float], float, float]:
    """(hidden metrics, the repo's metrics the rubric reads, data-dependent points earned, their maximum)."""
    from roadmap_ci.collect.metrics import flatten
    from roadmap_ci.score.hidden import score_predictions
    from roadmap_ci.score.load import load_rubric

    spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
    hidden = score_predictions(spec, labels, repo / "data" / "predictions" / "predictions.csv")
    metrics: dict[str, float] = {}
    for ref in {r.split(":")[1] for c in data_criteria(template) for r in c.refs() if r.startswith("metric:")}:
        if (repo / ref).is_file():
            flatten(json.loads((repo / ref).read_text()), f"{ref}:", metrics, {})
    return hidden, metrics, *points(template, hidden, metrics)


def run_one(template: str, course: bytes | None, with_improved: bool) -> list[dict]:
    from roadmap_ci.new import new

    _, target, headline = TEMPLATES[template]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-secrets-") as tmp:
        labels = Path(tmp) / "labels.csv" if course else ROOT / "labels" / f"{template}.csv"
        t0 = time.perf_counter()
        repo = new(template, Path(tmp) / "work", no_input=True, secret=course,
                   labels_out=labels if course else None)
        render = time.perf_counter() - t0
        paths = [("baseline", {})] + ([("improved", improved(template))] if with_improved else [])
        for path, params in paths:
            if params:
                set_params(repo, params)
            seconds = repro(repo, target)
            hidden, metrics, points, max_points = measure(template, repo, labels)
            rows.append({"template": template, "secret": course.decode() if course else "practice", "path": path,
                         "headline": headline, "value": hidden[headline], "points": points, "max": max_points,
                         "hidden": hidden, "metrics": metrics,
                         "render_s": round(render, 2), "repro_s": round(seconds, 1)})
    return rows


def as_points(metric: str, value: float) -> float:
    return value if metric.endswith(("wape", "smape")) else 100 * value


def table(rows: list[dict]) -> str:
    out = ["| template | path | headline (points) | practice | min | mean | max | spread | data-dependent "
           "points: min / mean / max (of max) | secrets |", "|---|---|---|---:|---:|---:|---:|---:|---|---:|"]
    keys = dict.fromkeys((r["template"], r["path"]) for r in rows)
    for template, path in keys:
        mine = [r for r in rows if r["template"] == template and r["path"] == path]
        courses = [r for r in mine if r["secret"] != "practice"]
        practice = next((r for r in mine if r["secret"] == "practice"), None)
        if not courses:
            continue
        metric = courses[0]["headline"]
        vals = [as_points(metric, r["value"]) for r in courses]
        pts = [r["points"] for r in courses]
        ref = f"{as_points(metric, practice['value']):.1f}" if practice else "—"
        out.append(f"| {template} | {path} | {metric} | {ref} | {min(vals):.1f} | {statistics.mean(vals):.1f} | "
                   f"{max(vals):.1f} | {max(vals) - min(vals):.1f} | {min(pts):.1f} / {statistics.mean(pts):.1f} / "
                   f"{max(pts):.1f} (of {courses[0]['max']:g}) | {len(courses)} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", default=list(TEMPLATES))
    parser.add_argument("-n", type=int, default=20, help="course secrets per template (default 20)")
    parser.add_argument("--baseline-only", action="store_true", help="skip the README's improvement path")
    parser.add_argument("--improved-secrets", type=int, metavar="K",
                        help="the improvement path on the practice data and the first K secrets only")
    parser.add_argument("--jsonl", type=Path, help="append each run's numbers to this file")
    parser.add_argument("--table", type=Path, help="only print the table of an earlier --jsonl file")
    parser.add_argument("--rescore", action="store_true",
                        help="with --table: the points under the rubric as it is now (rows with their metrics)")
    args = parser.parse_args()
    if args.table:
        rows = [json.loads(line) for line in args.table.read_text().splitlines() if line.strip()]
        if args.rescore:
            for n, r in enumerate(rows, 1):
                if "metrics" not in r:
                    raise SystemExit(f"{args.table}: run {n} has no metrics to rescore (an older --jsonl)")
                r["points"], r["max"] = points(r["template"], r["hidden"], r["metrics"])
        print(table(rows))
        return
    rows: list[dict] = []
    for template in args.templates:
        if template not in TEMPLATES:
            raise SystemExit(f"{template}: not one of {', '.join(TEMPLATES)}")
        for k, course in enumerate([None, *(secret(i) for i in range(args.n))]):
            with_improved = not args.baseline_only and (args.improved_secrets is None or k <= args.improved_secrets)
            new_rows = run_one(template, course, with_improved)
            rows += new_rows
            if args.jsonl:
                with args.jsonl.open("a", encoding="utf-8") as fh:
                    fh.writelines(json.dumps(r) + "\n" for r in new_rows)
            print(" ".join(f"{r['template']} {r['secret']} {r['path']}: {r['headline']}={r['value']:.4f} "
                           f"points {r['points']:g}/{r['max']:g} ({r['repro_s']} s)" for r in new_rows),
                  file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
