"""Core performance: CLI start-up, `score`, and `rescore` over a generated cohort.

    python benchmarks/bench_core.py [--learners 10000] [--src DIR]
    python benchmarks/bench_core.py --compare [NAME=]SRC|git:REV ... [--rounds 15] [--no-rescore]

Prints a table (the numbers recorded in docs/performance.md). Goals from the core issue:
`--help` and `score` start in ≤ 0.3 s with nothing heavy imported; `rescore` over 10,000 evidence
files in ≤ 2 s on a 2-core machine. Times are the best of several runs (these machines are noisy).

``--src`` times the ``roadmap_ci`` package under another source folder (``PYTHONPATH``); ``--compare`` times
two or more of them in one run, alternately (A B, B A, A B, … so that a machine drifting in speed weighs on
each alike), and prints each side's median and best with its ratio to the first side. The inputs (this
checkout's example evidence, rubric and generated cohort) are the same for both sides, and so is the
interpreter: only the package differs. A side is a source folder or ``git:REV`` (that commit's ``src/``, from
``git archive`` into a temporary folder): ``--compare before=git:REV after=src``; ``make bench-compare
BENCH_BASE=REV`` runs that.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "demo-learner"
HEAVY = ("dvc", "mlflow", "great_expectations", "pandas", "github3", "numpy", "sklearn", "torch")


def env_for(src: Path | None) -> dict[str, str] | None:
    """The environment that makes a child import ``roadmap_ci`` from ``src`` (None: the installed one)."""
    if src is None:
        return None
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), *filter(None, [os.environ.get("PYTHONPATH")])])}


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    return run_child(cmd, env)[0]


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall s, CPU s): the CPU time (user + system) is the child's and its children's alone, which a machine
    busy with other work inflates far less than the wall-clock time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_of(cmd: list[str], n: int = 5, env: dict[str, str] | None = None) -> float:
    return min(timed(cmd, env) for _ in range(n))


PROBE = """
import runpy, sys
try:
    runpy.run_module("roadmap_ci", run_name="__main__")
except SystemExit:
    pass
print("\\n" + " ".join(sorted(sys.modules)), file=sys.stderr)
"""


# A command's own CPU time in one process, after the typer + pydantic floor is imported: what roadmap_ci adds
# (its imports, models, the work), without the interpreter and floor that dominate (and blur) a whole run.
OWN_CPU = """
import runpy, sys, time
import typer, pydantic.main, pydantic.fields
sys.argv = ["roadmap-ci", *sys.argv[1:]]
t0 = time.process_time()
try:
    runpy.run_module("roadmap_ci", run_name="__main__")
except SystemExit:
    pass
print("\\n" + repr(time.process_time() - t0), file=sys.stderr)
"""


def own_cpu(args: list[str], env: dict[str, str] | None = None) -> float:
    res = subprocess.run([sys.executable, "-c", OWN_CPU, *args], capture_output=True, text=True, env=env)
    return float(res.stderr.strip().splitlines()[-1])


def modules_loaded(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    """Every module a command has imported when it ends."""
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env)
    return res.stderr.strip().splitlines()[-1].split()


def heavy_of(modules: list[str]) -> list[str]:
    loaded = {m.split(".")[0] for m in modules}
    return sorted(m for m in HEAVY if m in loaded)


def heavy_imports(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    """Which heavy top-level packages a command imports (none is the goal on score and --help)."""
    return heavy_of(modules_loaded(args, env))


def importtime_total(args: list[str], env: dict[str, str] | None = None, only: str | None = None) -> float:
    """The sum of ``-X importtime`` self-times (s); ``only``: of the modules under that package alone."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "roadmap_ci", *args], capture_output=True,
                         text=True, env=env)
    total = 0
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line.split("|")
            try:
                self_us = int(parts[0].split(":")[1])
            except ValueError:
                continue
            name = parts[2].strip()
            if only is None or name == only or name.startswith(only + "."):
                total += self_us
    return total / 1e6


def make_cohort(directory: Path, n: int) -> None:
    base = json.loads((EXAMPLE / "evidence.json").read_text())
    rnd = random.Random(7)
    for i in range(n):
        ev = json.loads(json.dumps(base))
        ev["learner"] = f"learner-{i:05d}"
        ev["repo"] = f"cohort/learner-{i:05d}"
        for k in ev["metrics"]:
            ev["metrics"][k] = round(min(1.0, max(0.0, rnd.gauss(0.8, 0.07))), 4)
        ev["hidden"] = {"f1": round(min(1.0, max(0.0, rnd.gauss(0.75, 0.08))), 4)}
        for case in ev["tests"]["cases"]:
            case["outcome"] = "passed" if rnd.random() < 0.85 else "failed"
        ev["lint"]["total"] = rnd.randint(0, 30)
        (directory / f"learner-{i:05d}.evidence.json").write_text(json.dumps(ev))


PER_FILE = """
import importlib, sys, time
from pathlib import Path
from roadmap_ci.errors import read_text
from roadmap_ci.evidence import parse_evidence_fast
cohort = importlib.import_module("roadmap_ci.cohort.rescore")
try:
    from roadmap_ci.score.load import load_rubric
    from roadmap_ci.score.scoring import criterion_outcomes, totals
except ImportError:  # the layout before the score/ package (--compare with an older tree)
    from roadmap_ci.rubric import load_rubric
    from roadmap_ci.scoring import evaluate as criterion_outcomes, totals

new, old = load_rubric(Path(sys.argv[2])), load_rubric(Path(sys.argv[3]))
p = cohort.plan(new, old)
files = cohort.expand([Path(sys.argv[1])])[:2000]

def read():
    for f in files: read_text(f)
def validate():
    for f in files: parse_evidence_fast(read_text(f), str(f))
def scored():
    for f in files:
        outs = criterion_outcomes(parse_evidence_fast(read_text(f), str(f)), p.criteria, explain=False)
        totals([outs[i] for i in p.new_picks], new.rubric), totals([outs[i] for i in p.old_picks], old.rubric)
def rows():
    cohort._score_chunk((files, p))
steps = []
for fn in (read, validate, scored, rows):
    times = []
    for _ in range(5):
        t0 = time.process_time(); fn(); times.append(time.process_time() - t0)
    steps.append(min(times) / len(files) * 1e6)
print(" ".join(f"{x:.1f}" for x in steps))
"""


def per_file(cohort: Path, new: Path, old: Path, env: dict[str, str] | None = None) -> list[tuple[str, float]]:
    """Where one evidence file's time goes in one process (µs): each step is cumulative, so differences."""
    res = subprocess.run([sys.executable, "-c", PER_FILE, str(cohort), str(new), str(old)], capture_output=True,
                         text=True, check=True, env=env)
    read, validate, scored, rows = map(float, res.stdout.split())
    return [("read", read), ("validate (pydantic-core)", validate - read),
            ("evaluate both rubrics + totals", scored - validate), ("row for the main process", rows - scored),
            ("total per file", rows)]


def rescore_inputs(tmp: Path, learners: int) -> tuple[Path, Path]:
    """A generated cohort and a mentor's tuning of the example rubric (the cohort folder, the new rubric)."""
    cohort = tmp / "cohort"
    cohort.mkdir()
    make_cohort(cohort, learners)
    new_rubric = tmp / "new.yaml"
    # a mentor's tuning: a higher pass mark and a stricter validation-F1 threshold; the other criteria
    # are unchanged (rescore evaluates those once per learner for both rubrics)
    new_rubric.write_text((EXAMPLE / "rubric.yaml").read_text().replace("pass_mark: 50", "pass_mark: 60")
                          .replace("min: 0.6\n    target: 0.85\n    help: Engineer",
                                   "min: 0.65\n    target: 0.88\n    help: Engineer")
                          .replace("../../rubrics/base.yaml",
                                   os.path.relpath(ROOT / "rubrics" / "base.yaml", new_rubric.parent)))
    return cohort, new_rubric


def rescore_cmd(exe: list[str], cohort: Path, new_rubric: Path, csv: Path) -> list[str]:
    return [*exe, "rescore", str(cohort), "-r", str(new_rubric), "--baseline", str(EXAMPLE / "rubric.yaml"),
            "--csv", str(csv)]


def single(args: argparse.Namespace) -> None:
    env = env_for(args.src)
    exe = [sys.executable, "-m", "roadmap_ci"]
    score_args = ["score", "-e", str(EXAMPLE / "evidence.json"), "-r", str(EXAMPLE / "rubric.yaml"), "--json"]
    rows = []
    # Start-up times vary by a third from run to run on a shared VM: best of 15.
    rows.append(("python -c pass (interpreter floor)", best_of([sys.executable, "-c", "pass"], 15), "", ""))
    floor = best_of([sys.executable, "-c", "import typer, pydantic.main, pydantic.fields"], 15)
    rows.append(("import typer + pydantic (any Typer + pydantic CLI pays this)", floor, "", ""))
    for label, a in (("roadmap-ci --help", ["--help"]), ("roadmap-ci score (example)", score_args)):
        t = best_of([*exe, *a], 15, env)
        rows.append((f"{label} ({t / floor:.2f}× the typer+pydantic floor)", t, f"{importtime_total(a, env):.3f} s",
                     ", ".join(heavy_imports(a, env)) or "none"))
    with tempfile.TemporaryDirectory() as tmp:
        cohort, new_rubric = rescore_inputs(Path(tmp), args.learners)
        cmd = rescore_cmd(exe, cohort, new_rubric, Path(tmp) / "gradebook.csv")
        t = best_of(cmd, 3, env)
        rows.append((f"roadmap-ci rescore, {args.learners} learners, old+new rubric, CSV", t, "", ""))
        t1 = best_of([*cmd, "--workers", "1"], 3, env)
        rows.append((f"  same, --workers 1 (ratio {t1 / t:.2f}× the default)", t1, "", ""))
        steps = per_file(cohort, new_rubric, EXAMPLE / "rubric.yaml", env)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'what':<62} {'wall s':>8}  {'import self-time':>16}  heavy modules imported")
    for label, t, imp, heavy in rows:
        print(f"{label:<62} {t:>8.3f}  {imp:>16}  {heavy}")
    print("\nrescore, one evidence file in one process (CPU time, best of 5 passes over 2,000 files)")
    for label, us in steps:
        print(f"  {label:<40} {us:>8.1f} µs")


def alternately(measure, sides: int, n: int) -> list[list[float]]:
    """``measure(side)`` n times per side, each round in another order (A B, B A, … for two; A B C, B C A, …
    for three), so that a machine drifting in speed weighs on every side alike: each side's samples."""
    out: list[list[float]] = [[] for _ in range(sides)]
    for i in range(n):
        for side in [*range(i % sides, sides), *range(i % sides)]:
            out[side].append(measure(side))
    return out


def side_arg(text: str) -> tuple[str, str]:
    """``NAME=WHERE`` or ``WHERE`` (its own name): a source folder (a tree's ``src/``) or ``git:REV``."""
    name, sep, where = text.partition("=")
    if not sep:
        name, where = text, text
    if where.startswith("git:"):
        rev = where[4:]
        ok = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT,
                            capture_output=True).returncode == 0
        if not ok:
            raise argparse.ArgumentTypeError(f"{where}: no such commit in {ROOT}")
    elif not (Path(where) / "roadmap_ci" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"{where}: no roadmap_ci package in this folder (name a tree's src/)")
    return name, where


def source_of(where: str, tmp: Path) -> Path:
    """The source folder of a side: ``git:REV`` is that commit's ``src/``, written under ``tmp``."""
    if not where.startswith("git:"):
        return Path(where).resolve()
    out = tmp / f"tree-{len(list(tmp.iterdir()))}"
    out.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", where[4:], "src"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out / "src"


def compare(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-trees-") as tmp:
        _compare(args, [name for name, _w in args.compare], [source_of(w, Path(tmp)) for _n, w in args.compare])


def _compare(args: argparse.Namespace, names: list[str], srcs: list[Path]) -> None:
    k = len(srcs)
    for src in srcs:
        compileall.compile_dir(src, quiet=1)  # as `make bytecode` does: no side pays for compiling
    envs = [env_for(src) for src in srcs]
    exe = [sys.executable, "-m", "roadmap_ci"]
    score_args = ["score", "-e", str(EXAMPLE / "evidence.json"), "-r", str(EXAMPLE / "rubric.yaml"), "--json"]
    n = args.rounds
    load = [os.getloadavg()]
    rows: list[tuple[str, list[list[float]], str]] = []  # label, each side's samples, unit

    def wall_and_cpu(label: str, cmd_of, rounds: int) -> None:
        """Two rows, wall and CPU time, of ``run_child(*cmd_of(side))``."""
        runs: list[list[tuple[float, float]]] = [[] for _ in range(k)]
        alternately(lambda s: runs[s].append(run_child(*cmd_of(s))) or 0.0, k, rounds)
        rows.append((f"{label}, wall", [[w for w, _c in side] for side in runs], "s"))
        rows.append((f"{label}, CPU", [[c for _w, c in side] for side in runs], "s"))

    floor_cmd = [sys.executable, "-c", "import typer, pydantic.main, pydantic.fields"]
    wall_and_cpu("import typer + pydantic (the floor: the same code each side)", lambda _s: (floor_cmd, None), n)
    notes = []
    for label, a in (("roadmap-ci --help", ["--help"]), ("roadmap-ci score (example)", score_args)):
        wall_and_cpu(label, lambda s, a=a: ([*exe, *a], envs[s]), n)
        rows.append((f"{label}, its own CPU in one process (after typer + pydantic)",
                     alternately(lambda s, a=a: own_cpu(a, envs[s]), k, n), "s"))
        rows.append((f"{label}, -X importtime self-time of roadmap_ci's modules",
                     alternately(lambda s, a=a: importtime_total(a, envs[s], "roadmap_ci"), k, n), "s"))
        loaded = dict(zip(names, (modules_loaded(a, env) for env in envs), strict=True))
        heavy = "; ".join(f"{name} {', '.join(heavy_of(mods)) or 'none'}" for name, mods in loaded.items())
        own = "; ".join(f"{name} {sum(x.startswith('roadmap_ci') for x in mods)}" for name, mods in loaded.items())
        notes.append(f"{label}: heavy modules imported: {heavy}; roadmap_ci modules imported: {own}")
    if not args.no_rescore:
        with tempfile.TemporaryDirectory() as tmp:
            cohort, new_rubric = rescore_inputs(Path(tmp), args.learners)
            csvs = [Path(tmp) / f"gradebook-{s}.csv" for s in range(k)]
            cmds = [rescore_cmd(exe, cohort, new_rubric, csvs[s]) for s in range(k)]
            m = args.rescore_rounds
            wall_and_cpu(f"roadmap-ci rescore, {args.learners} learners, old+new rubric, CSV",
                         lambda s: (cmds[s], envs[s]), m)
            wall_and_cpu("same, --workers 1", lambda s: ([*cmds[s], "--workers", "1"], envs[s]), m)
            same = len({c.read_bytes() for c in csvs}) == 1
            notes.append(f"rescore gradebooks (CSV) of all sides byte-identical: {'yes' if same else 'NO'}")
            steps: list[list[list[tuple[str, float]]]] = [[] for _ in range(k)]
            alternately(lambda s: steps[s].append(per_file(cohort, new_rubric, EXAMPLE / "rubric.yaml", envs[s]))
                        or 0.0, k, m)
            for j, (label, _us) in enumerate(steps[0][0]):
                rows.append((f"rescore per file (CPU, in one process): {label}",
                             [[r[j][1] for r in steps[s]] for s in range(k)], "µs"))
    load.append(os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1, 5, 15 min) "
          f"{' '.join(f'{x:.2f}' for x in load[0])} at the start, {' '.join(f'{x:.2f}' for x in load[1])} at the end")
    for name, src in zip(names, srcs, strict=True):
        print(f"{name}: {src}")
    print(f"start-up rows: {n} runs a side, alternately; rescore rows: {args.rescore_rounds} a side\n")
    ratios = [f"{names[s]}/{names[0]}" for s in range(1, k)]
    head = [f"{x} median" for x in names] + [f"{r} (median)" for r in ratios] + \
        [f"{x} best" for x in names] + [f"{r} (best)" for r in ratios]
    print("| what | unit | " + " | ".join(head) + " |")
    print("|---|---|" + "---|" * len(head))
    for label, samples, unit in rows:
        scale = 1.0 if unit == "µs" else 1000.0
        cells = []
        for stat in (statistics.median, min):
            vals = [stat(x) for x in samples]
            cells += [f"{v * scale:.1f}" for v in vals] + [f"{v / vals[0]:.3f}" if vals[0] > 0 else "—"
                                                             for v in vals[1:]]
        print(f"| {label.strip()} | {'ms' if unit == 's' else unit} | " + " | ".join(cells) + " |")
    print()
    for line in notes:
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=10_000)
    ap.add_argument("--src", type=Path, help="time the roadmap_ci package in this folder (default: the installed one)")
    ap.add_argument("--compare", nargs="+", type=side_arg, metavar="[NAME=]SRC|git:REV",
                    help="time two or more source trees alternately in one run; ratios are to the first")
    ap.add_argument("--rounds", type=int, default=15, help="--compare: start-up runs a side")
    ap.add_argument("--rescore-rounds", type=int, default=3, help="--compare: rescore runs a side")
    ap.add_argument("--no-rescore", action="store_true", help="--compare: the start-up rows only")
    args = ap.parse_args()
    if args.compare:
        if len(args.compare) < 2:
            ap.error("--compare takes two source folders or more")
        compare(args)
    else:
        single(args)


if __name__ == "__main__":
    main()
