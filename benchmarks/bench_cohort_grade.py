"""The deadline at scale: `cohort collect` against the fake GitHub, and `cohort grade` over a full-roadmap cohort.

    python benchmarks/bench_cohort_grade.py [--collect-learners 1000] [--latency 0.05]
                                            [--learners 10000] [--deliverables 15] [--rows 100]
                                            [--skip-collect] [--skip-grade] [--workers N] [--cold]

Goals (the classroom issue): `collect` for 1,000 learners with 50 ms of latency on every API request:
≤ 3 requests per learner cold, ≤ 1 warm, ≤ 30 s cold. `grade` for 10,000 learners × 15 deliverables
(150,000 evidence files, generated here): ≤ 15 s on 2 cores; the per-file cost and each step's share printed.

The generated evidence is the demo learner's (examples/demo-learner: structure, pipeline, metrics, GX suites,
tests, lint), varied per learner, with a predictions copy of ``--rows`` hidden rows scored against the
deliverable's labels, and the demo rubric with a hidden-labels section (public and private splits); each
provenance file carries the stored files' sha256, as collect writes it. ``BENCH_KEEP=DIR`` generates into DIR
once and keeps it (a second run grades again: the hidden-metrics and score caches warm; ``--cold`` removes
grade's caches first, so a kept cohort is graded as the first grade after collect). Each grade prints its wall
time, its CPU time (user + system of the grade process and its workers) and the CPU time per file.
The load on the machine is printed with each number: these machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
EXAMPLE = ROOT / "examples" / "demo-learner"
ORG = "ml-roadmap-2027"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def rubric_text(rows: int) -> str:
    text = (EXAMPLE / "rubric.yaml").read_text(encoding="utf-8")
    text = text.replace("../../rubrics/base.yaml", "base.yaml")  # copied beside it (extends is relative)
    text = text.replace("evidence: hidden:f1", "evidence: hidden:private.f1").replace("total: 100", "total: 105")
    return text.replace("criteria:\n", """hidden_labels:
  source: labels.csv
  target_column: label
  prediction_column: pred
  positive_label: "1"
  metrics: [accuracy, f1]
criteria:
  - id: f1-hidden-public
    points: 5
    rule: threshold
    evidence: hidden:public.f1
    min: 0.5
    target: 0.9
""", 1)


def labels(rows: int) -> tuple[str, list[str]]:
    truth = ["1" if (i * 7) % 3 == 0 else "0" for i in range(rows)]
    lines = ["id,label,split"] + [f"r{i:05d},{t},{'public' if i % 2 else 'private'}" for i, t in enumerate(truth)]
    return "\n".join(lines) + "\n", truth


def cohort_yaml(base: Path, deliverables: list[tuple[str, str]], logins: list[str]) -> Path:
    lines = ["github,name,email,lms_id,section"]
    lines += [f"{lg},Learner {i},{lg}@example.test,{100000 + i},{'AB'[i % 2]}" for i, lg in enumerate(logins)]
    (base / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = "\n".join(f"""  - id: {d}
    template: {t}
    opens: 2027-01-10T09:00:00Z
    due: 2027-06-24T23:59:00Z
    cutoff: 2027-06-30T23:59:00Z
    rubric: {{path: rubric.yaml, version: "2026.11"}}""" for d, t in deliverables)
    (base / "cohort.yaml").write_text(f"""version: 1
organisation: {ORG}
roster: roster.csv
mentors: mentors
late_policy: {{per: day, penalty: 10, cap: 50}}
deliverables:
{ds}
""", encoding="utf-8")
    return base / "cohort.yaml"


# ---------------------------------------------------------------- collect


def bench_collect(n: int, latency: float) -> list[tuple[str, str, str]]:
    from testing.cohort_kit import RUBRIC, artifact_zip, predictions_csv, sha_of
    from testing.fakegithub import FakeGitHub

    from roadmap_ci.cohort.collect import Collector
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.github.client import Client, EtagCache

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp, FakeGitHub() as gh:
        base = Path(tmp)
        logins = [f"learner-{i:04d}" for i in range(n)]
        (base / "rubric.yaml").write_text(RUBRIC.replace('version: "t1"', 'version: "2026.11"'), encoding="utf-8")
        f = cohort_yaml(base, [("churn", "tabular-classification")], logins)
        for i, lg in enumerate(logins):
            full = f"{ORG}/churn-{lg}"
            gh.repos[full] = gh.repository(full)
            sha = sha_of(lg)
            gh.add_workflow_run(full, 10_000 + i, head_sha=sha, event="push", head_branch="main",
                                created_at="2027-06-20T10:00:00Z")
            gh.add_artifact(full, 10_000 + i, "roadmap-ci-evidence",
                            artifact_zip(lg, sha, predictions_csv(i % 5, i % 3)), head_sha=sha)
        gh.latency = latency
        loaded = load_cohort(f)
        for phase in ("cold", "warm"):
            gh.reset_log()
            client = Client(gh.url, gh.user_token, cache=EtagCache(base / "state" / "etags.json"))
            t0 = time.perf_counter()
            result = Collector(loaded, client, base / "cohort").collect("churn")
            wall = time.perf_counter() - t0
            client.close()
            api = sum(1 for r in gh.requests if not r.path.startswith("/_blobs/"))
            got = len(result.by_status("collected"))
            goal = "≤ 3/learner, ≤ 30 s" if phase == "cold" else "≤ 1/learner"
            out.append((f"collect {n} learners, {phase} ({latency * 1000:.0f} ms per request, 8 at once)", goal,
                        f"{wall:.1f} s, {api / n:.2f} requests/learner ({api} API, "
                        f"{gh.count('GET', r'/actions/runs$', status=304)} not modified), {got} collected; {load()}"))
    return out


# ---------------------------------------------------------------- grade


def generate(base: Path, n: int, ds: list[tuple[str, str]], rows: int) -> tuple[Path, float]:
    from roadmap_ci.cohort import store

    t0 = time.perf_counter()
    logins = [f"l{i:05d}" for i in range(n)]
    f = cohort_yaml(base, ds, logins)
    (base / "rubric.yaml").write_text(rubric_text(rows), encoding="utf-8")
    shutil.copyfile(ROOT / "rubrics" / "base.yaml", base / "base.yaml")
    text, truth = labels(rows)
    (base / "labels.csv").write_text(text, encoding="utf-8")
    example = json.loads((EXAMPLE / "evidence.json").read_text(encoding="utf-8"))
    example["predictions"] = {"path": "outputs/predictions.csv", "status": "ok", "rows": rows,
                              "columns": ["id", "pred"], "bundled_as": "predictions.csv"}
    example["hidden"] = None
    rnd = random.Random(7)
    for d, _ in ds:
        for i, lg in enumerate(logins):
            sha = f"{(i * 2654435761 + zlib.crc32(d.encode())) & (2**160 - 1):040x}"
            folder = base / "cohort" / d / lg / sha
            folder.mkdir(parents=True)
            ev = dict(example, learner=lg, repo=f"{ORG}/{d}-{lg}", commit=sha, deliverable=d)
            ev["metrics"] = {**example["metrics"], "metrics.json:f1": round(rnd.uniform(0.4, 0.95), 4),
                             "metrics.json:roc_auc": round(rnd.uniform(0.6, 0.97), 4)}
            ev_bytes = json.dumps(ev).encode()
            (folder / "evidence.json").write_bytes(ev_bytes)
            wrong = rnd.random() * 0.4
            preds = ["id,pred"] + [f"r{j:05d},{(('0' if t == '1' else '1') if rnd.random() < wrong else t)}"
                                   for j, t in enumerate(truth)]
            pred_bytes = ("\n".join(preds) + "\n").encode()
            (folder / "predictions.csv").write_bytes(pred_bytes)
            day = 20 + (i % 9)  # a few learners late
            (folder / "provenance.json").write_text(json.dumps({  # as collect writes it: the stored files' digests
                "schema": store.PROVENANCE_SCHEMA, "run_id": i, "created_at": f"2027-06-{day:02d}T10:00:00Z",
                "sha": sha, "repo": f"{ORG}/{d}-{lg}", "artifact_id": None, "artifact_digest": "0" * 64,
                "late": day > 24, "files": {"evidence.json": store.digest(ev_bytes),
                                            "predictions.csv": store.digest(pred_bytes)}}), encoding="utf-8")
    return f, time.perf_counter() - t0


def bench_grade(n: int, n_deliverables: int, rows: int, workers: int | None,
                cold: bool = False) -> list[tuple[str, str, str]]:
    from roadmap_ci.paths import templates_dir
    from roadmap_ci.roadmap import DELIVERABLES

    ds = [(d.id, d.id if (templates_dir() / d.id).is_dir() else "tabular-classification")
          for d in DELIVERABLES[:n_deliverables]]
    keep = os.environ.get("BENCH_KEEP")
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-grade-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        if not (tmp / "cohort.yaml").is_file():
            f, gen = generate(tmp, n, ds, rows)
            print(f"generated {n * len(ds):,} commit folders in {gen:.0f} s", file=sys.stderr)
        f = tmp / "cohort.yaml"
        import resource
        import subprocess

        caches = [p for d, _ in ds for p in (tmp / "cohort" / d / "_hidden.json", tmp / "cohort" / d / "_scores.json")
                  if p.is_file()]  # grade's caches (cohort.grade.CACHE, SCORES)
        if cold:
            for p in caches:
                p.unlink()
        phase = "cold: no grade caches" if cold or not caches else "re-grade: caches warm"

        cmd = [sys.executable, "-m", "roadmap_ci", "cohort", "grade", "-c", str(f), "--timings"]
        if workers:
            cmd += ["--workers", str(workers)]
        before = load()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        if r.returncode not in (0, 1) or "µs per file" not in r.stdout:
            raise SystemExit(f"grade failed: {r.stderr[-2000:]}")
        lines = [ln for ln in r.stdout.splitlines() if "µs per file" in ln]
        per_file = [float(ln.split(" files, ")[1].split(" µs")[0]) for ln in lines]
        share = lines[0].split("(", 1)[1].rstrip(")") if lines else ""
        files = n * len(ds)
        return [(f"cohort grade {n:,} learners × {len(ds)} deliverables ({files:,} files, {rows} hidden rows each; "
                 f"{phase})", "≤ 15 s on 2 cores",
                 f"{wall:.1f} s wall, {cpu:.1f} s CPU ({1e6 * cpu / files:.0f} µs CPU per file; "
                 f"{1e6 * wall / files:.0f} µs wall per file; per deliverable "
                 f"{min(per_file):.0f}–{max(per_file):.0f} µs per file of pool time; first deliverable's steps: "
                 f"{share}); {before} before, {load()} after")]
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--collect-learners", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--learners", type=int, default=10_000)
    ap.add_argument("--deliverables", type=int, default=15)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--skip-collect", action="store_true")
    ap.add_argument("--skip-grade", action="store_true")
    ap.add_argument("--cold", action="store_true", help="remove grade's caches from a kept cohort first")
    a = ap.parse_args()
    rows = []
    if not a.skip_collect:
        rows += bench_collect(a.collect_learners, a.latency)
    if not a.skip_grade:
        rows += bench_grade(a.learners, a.deliverables, a.rows, a.workers, a.cold)
    print("| what | goal | measured |\n|---|---|---|")
    for what, goal, got in rows:
        print(f"| {what} | {goal} | {got} |")


if __name__ == "__main__":
    main()
