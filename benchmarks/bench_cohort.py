"""The classroom at scale: `cohort apply` for N learners × 1 deliverable against the fake GitHub.

    python benchmarks/bench_cohort.py [--sizes 50,100,200] [--latency 0.05]

Each request to the fake waits ``--latency`` seconds (a round trip to api.github.com), its rate limits are off
and the write pause is 0 (GitHub's own ≥ 1 s pause is what the ETA prints; here we measure our overhead).
Prints, per cohort size: wall time of a first apply and of a re-apply, requests per learner × deliverable
(REST reads, REST writes, git smart-HTTP requests) and how many reads were 304s. The numbers are in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from testing.fakegithub import FakeGitHub  # noqa: E402

from roadmap_ci.cohort.apply import Engine  # noqa: E402
from roadmap_ci.cohort.model import load_cohort  # noqa: E402
from roadmap_ci.github.client import Client, EtagCache, eta_seconds  # noqa: E402
from roadmap_ci.publish.retry import Retrying  # noqa: E402

ORG = "bench-org"


def write_cohort(d: Path, n: int) -> tuple[Path, list[str]]:
    logins = [f"learner-{i:04d}" for i in range(n)]
    (d / "roster.csv").write_text("github,name,email,lms_id,section\n" + "".join(
        f"{g},L {g},{g}@example.edu,{i},A\n" for i, g in enumerate(logins)))
    (d / "cohort.yaml").write_text(f"""\
version: 1
organisation: {ORG}
roster: roster.csv
mentors: mentors
deliverables:
  - id: churn
    template: tabular-classification
    opens: 2027-01-11T09:00:00+01:00
    due: 2027-01-24T23:59:00+01:00
    rubric: {{id: tabular-classification, version: "2026.11"}}
""")
    return d / "cohort.yaml", logins


def one_apply(fk: FakeGitHub, cohort: Path) -> tuple[float, Engine]:
    state = cohort.parent / ".roadmap-ci"
    client = Client(fk.url, fk.user_token, pause_s=0.0, retrying=Retrying(), cache=EtagCache(state / "etags.json"))
    eng = Engine(load_cohort(cohort), client, state)
    t0 = time.perf_counter()
    try:
        eng.preflight()
        plans = eng.plan()
        eng.check_learners(plans)
        result = eng.apply(plans)
    finally:
        eng.close()
    assert not result.failures, result.failures[:3]
    return time.perf_counter() - t0, eng


def _per_repo(path: str) -> bool:
    return path.startswith("/repos/") or path == f"/orgs/{ORG}/repos"


def counts(fk: FakeGitHub) -> tuple[int, int, int, int]:
    """Per-repo requests (the once-per-run checks of the token, organisation, team and users left out)."""
    git = [r for r in fk.requests if ".git/" in r.path]
    rest = [r for r in fk.requests if _per_repo(r.path)]
    reads = [r for r in rest if r.method == "GET"]
    writes = [r for r in rest if r.method != "GET"]
    return len(reads), len(writes), len(git), sum(1 for r in reads if r.status == 304)


def bench(n: int, latency: float) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-cohort-"))
    try:
        cohort, logins = write_cohort(work, n)
        with FakeGitHub() as fk:
            fk.add_org(ORG)
            fk.add_users(*logins)
            fk.latency = latency
            first_s, _ = one_apply(fk, cohort)
            r1, w1, g1, _ = counts(fk)
            once = sum(1 for r in fk.requests if not _per_repo(r.path) and ".git/" not in r.path)
            fk.reset_log()
            again_s, _ = one_apply(fk, cohort)
            r2, w2, g2, nm2 = counts(fk)
        return {"n": n, "first_s": first_s, "again_s": again_s, "reads": r1 / n, "writes": w1 / n, "git": g1 / n,
                "reads2": r2 / n, "writes2": w2 / n, "not_modified2": nm2 / n,
                "github_eta_s": eta_seconds(int(w1 + g1 / 2), 2 * n), "once": once}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,100,200")
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    print(f"fake GitHub latency {args.latency * 1000:.0f} ms per request, rate limits off, write pause 0\n")
    print("| learners | first apply | per learner | re-apply | requests per learner × deliverable, first apply "
          "(REST reads / REST writes / git HTTP) | re-apply (reads, of them 304 / writes) | once per run "
          "(token, org, team, users) | at GitHub's pace |")
    print("|---:|---:|---:|---:|---|---|---:|---:|")
    for n in (int(x) for x in args.sizes.split(",")):
        r = bench(n, args.latency)
        print(f"| {n} | {r['first_s']:.1f} s | {r['first_s'] / n:.2f} s | {r['again_s']:.1f} s | "
              f"{r['reads']:.2f} / {r['writes']:.2f} / {r['git']:.2f} | "
              f"{r['reads2']:.2f}, {r['not_modified2']:.2f} / {r['writes2']:.2f} | {r['once']} | "
              f"≥ {r['github_eta_s'] / 60:.0f} min |", flush=True)


if __name__ == "__main__":
    main()
