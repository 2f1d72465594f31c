"""A learner's push -> the PR comment, with the shipped workflows run from their YAML files
(tests/testing/workflow_runner.py), and the report job's install on its own.

    python benchmarks/bench_first_push.py [--template tabular-classification] [--cold]

Part 1, the report job's install (`uv venv` + `uv pip install "roadmap-ci[github] @ git+<this tree>@v0.1.0"`):
distributions, and seconds with a warm uv cache (best of 3) and -- with --cold -- an empty one (downloads).
Goals (issue 13): ≤ 40 distributions, ≤ 5 s warm, ≤ 20 s cold.

Part 2, push -> comment for the template with a warm cache: the evaluate run (its `make setup` and the
roadmap-ci install, collect, upload), the artifact handed over, the report run (install, score and post).
Goal: everything that is not the learner's own `dvc repro` + `pytest` adds ≤ 30 % to them -- the project's
own dependencies (`make setup`) are the learner's too and are shown apart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from testing.fakegithub import FakeGitHub  # noqa: E402
from testing.workflow_runner import first_push, publish_this_tree  # noqa: E402

from roadmap_ci.score.load import load_rubric  # noqa: E402

UV = str(Path(sys.executable).with_name("uv"))
BASE_PY = str(Path(getattr(sys, "_base_executable", sys.executable)))


def report_install(server: Path, tmp: Path, cache: Path | None) -> tuple[float, int]:
    venv = tmp / f"venv-{time.monotonic_ns()}"
    env = {**os.environ, **({"UV_CACHE_DIR": str(cache)} if cache else {})}
    t0 = time.perf_counter()
    subprocess.run([UV, "venv", "--quiet", "--python", BASE_PY, str(venv)], check=True, env=env)
    subprocess.run([UV, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                    f"roadmap-ci[github] @ git+{(server / 'roadmap-ci/roadmap-ci').as_uri()}@v0.1.0"],
                   check=True, env=env)
    seconds = time.perf_counter() - t0
    listed = subprocess.run([UV, "pip", "list", "--python", str(venv / "bin" / "python"), "--format", "json"],
                            check=True, capture_output=True, text=True, env=env).stdout
    return seconds, len(json.loads(listed))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--template", default="tabular-classification")
    ap.add_argument("--cold", action="store_true", help="also time the report install with an empty uv cache")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-push-") as d:
        tmp = Path(d)
        server = tmp / "server"
        publish_this_tree(server, "roadmap-ci/roadmap-ci", "v0.1.0")
        report_install(server, tmp, None)  # prime the cache (and build the wheel once)
        warm = [report_install(server, tmp, None) for _ in range(3)]
        dists = warm[0][1]
        print("report job install: roadmap-ci[github] into a fresh venv")
        print(f"| distributions | {dists} |\n| warm cache (best of 3) | {min(s for s, _ in warm):.1f} s |")
        if args.cold:
            cold, _ = report_install(server, tmp, tmp / "empty-cache")
            print(f"| empty cache (downloads) | {cold:.1f} s |")

        deliverable = args.template
        version = load_rubric(ROOT / "rubrics" / f"{deliverable}.yaml").rubric.version
        vars = {"ROADMAP_CI_RUBRIC": deliverable, "ROADMAP_CI_RUBRIC_VERSION": str(version)}
        secrets = {"ROADMAP_CI_HIDDEN_LABELS": (ROOT / "labels" / f"{deliverable}.csv").read_text().rstrip("\n")}
        with FakeGitHub() as fake:
            first_push(tmp / "prime", fake, template=deliverable, vars=vars, secrets=secrets)  # warm the cache
        with FakeGitHub() as fake:
            push = first_push(tmp / "push", fake, template=deliverable, vars=vars, secrets=secrets)
        if push.report is None or push.report.result != "success":
            sys.exit(f"the push did not reach the comment:\n{push.evaluate.log()}\n"
                     f"{push.report.log() if push.report else ''}")
        ev, rep = push.evaluate, push.report
        with zipfile.ZipFile(push.evaluate.workspace.parent.parent / "artifacts" / "roadmap-ci-evidence.zip") as zf:
            evidence = json.loads(zf.read("evidence.json"))
        # the learner's own work, by hand, in the evaluated checkout and its .venv: every stage, then the tests
        work, venv_bin = ev.workspace, ev.workspace / ".venv" / "bin"
        env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
        t0 = time.perf_counter()
        subprocess.run([str(venv_bin / "dvc"), "repro", "--force", "--quiet"], cwd=work, env=env, check=True)
        repro = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([str(venv_bin / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=work, env=env,
                       check=True, capture_output=True)
        tests = time.perf_counter() - t0
        own = repro + tests
        in_collect = (evidence["pipeline"].get("duration_s") or 0, evidence["tests"].get("duration_s") or 0)

        def s(job, *names: str) -> float:
            return sum(st.seconds for st in job.steps if st.name in names or any(st.name.startswith(n) for n in names))

        setup = s(ev, "Install the learner's project")
        rows = [
            ("install: runner tools (checkout, Python, uv, input check)",
             s(ev, "Check out", "Set up Python", "Set up uv", "Check the roadmap-ci inputs")),
            ("install: roadmap-ci[collect] at the ref, into .venv", s(ev, "Install roadmap-ci[collect]")),
            ("collect (all of it)", s(ev, "Collect evidence")),
            ("artifact (upload + handover)", s(ev, "Upload evidence") + push.seconds["artifact handover"]),
            ("report: Python, uv, roadmap-ci[github]", s(rep, "Set up Python", "Set up uv", "Install roadmap-ci")),
            ("post: score and post (ci-report)", s(rep, "Score and post")),
            ("report: keep the full report (upload)", s(rep, "Keep the full report")),
        ]
        collect = s(ev, "Collect evidence")
        print(f"\npush -> comment, {deliverable}, warm uv cache")
        print("| step | seconds |\n|---|---:|")
        print(f"| (learner) make setup: the project's own dependencies | {setup:.1f} |")
        for name, sec in rows:
            print(f"| {name} | {sec:.1f} |")
        total = sum(sec for _, sec in rows) + setup
        print(f"| **push -> comment** | **{total:.1f}** |")
        print(f"\nthe learner's own work by hand: dvc repro --force {repro:.1f} s + pytest {tests:.1f} s = {own:.1f} s")
        print(f"inside collect, concurrently: pipeline {in_collect[0]:.1f} s, tests {in_collect[1]:.1f} s; "
              f"collect took {collect:.1f} s")
        inside = sum(in_collect)
        ours = total - setup - inside
        print(f"everything but make setup and the learner's own dvc repro + pytest (as collect ran them, "
              f"{inside:.1f} s): {ours:.1f} s = +{100 * ours / inside:.0f} %; with make setup: "
              f"+{100 * (ours + setup) / inside:.0f} %")

if __name__ == "__main__":
    main()
