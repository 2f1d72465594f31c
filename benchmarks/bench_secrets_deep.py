"""Fairness across course secrets: the baseline's score over N secrets, for the deep-learning, retrieval,
agent, graph and recommender templates (benchmarks/bench_secrets.py covers the tabular ones).

    python benchmarks/bench_secrets_deep.py [--secrets N] [--improved] [--learner-tests] [--jsonl F] [TEMPLATE ...]
    python benchmarks/bench_secrets_deep.py --table F [--rescore]

For each template and each of N course secrets (fixed, named ``bench-secret-NNN``, each with its own
learner): render the template with cookiecutter, replace ``data/raw`` with the secret's data
(``generate_data.generate(secret=, learner=)``, the labels kept outside the repo, as `roadmap-ci new
--course-secret-file` does), `git init` + commit, a cold `dvc repro` of the baseline, then score it:

* the **data-dependent points**: every rubric criterion that reads a hidden-label metric (``hidden:``) or a
  pipeline metric (``metric:``), scored by the rubric's own rules from the secret's labels and the
  pipeline's metrics files -- the part of the grade a secret can move (tests, lint, data checks and the
  README do not depend on the data);
* the rubric's private hidden-label metric, in points (× 100).

``--improved`` also runs the README's "How to improve" path (the template's case in
``tests/templates/_contract.py``) on each secret's repo; ``--learner-tests`` runs the rendered repo's own pytest
on it (the learner's tests must pass on every course's data). The practice data (no secret) is the first row of each
template, for reference. Prints a Markdown table for docs/performance.md; the goal (issue: fair to every
learner) is a spread of at most 3 points over the secrets. ``--jsonl F`` appends one line per run (template,
secret, kind, points, private, seconds and the raw hidden-label and pipeline metric values), so a long run can be
tabulated later; ``--table F --rescore`` re-scores those recorded values under the rubric as it is now (a rubric
recalibration needs no re-run).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "templates"))
TEMPLATES = ["image-classifier", "nlp-pipeline", "rag-chatbot", "agent-app", "gnn", "recsys", "capstone-recsys",
             "capstone-rag-docqa"]
GOAL = 3.0  # points: the most the baseline may move across secrets
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def secret(i: int) -> tuple[bytes, str]:
    return f"bench-secret-{i:03d}-for-fairness".encode(), f"learner-{i:03d}"


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
            "GX_ANALYTICS_ENABLED": "false"}


def load(path: Path, name: str):  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def improved_params(template: str) -> dict:
    """The README path as the template tests state it (one source of truth): its case in
    ``tests/templates/_contract.py``."""
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


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)


@dataclass
class Score:
    points: float  # data-dependent points
    of: float  # their maximum
    private: float  # the private hidden metric, × 100
    seconds: float
    hidden: dict[str, float] = field(default_factory=dict)  # the raw values scored (for --rescore)
    metrics: dict[str, float] = field(default_factory=dict)


def data_criteria(template: str) -> list:
    """The rubric's criteria that read a hidden-label or pipeline metric (the rubric as it is now)."""
    from roadmap_ci.score.load import load_rubric

    rubric = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric
    return [c for c in rubric.criteria if c.refs() and all(r.startswith(("hidden:", "metric:")) for r in c.refs())]


def score_values(template: str, hidden: dict[str, float], values: dict[str, float], seconds: float) -> Score:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.scoring import criterion_outcomes

    crits = data_criteria(template)
    outcomes = criterion_outcomes(Evidence(deliverable=template, hidden=hidden, metrics=values), crits, explain=False)
    private = next(r for c in crits for r in c.refs() if r.startswith("hidden:private."))
    return Score(sum(o.points for o in outcomes), sum(c.points for c in crits),
                 100 * hidden[private.removeprefix("hidden:")], seconds, dict(hidden), dict(values))


def score(template: str, repo: Path, labels: Path, seconds: float) -> Score:
    from roadmap_ci.collect.metrics import read_file
    from roadmap_ci.score.hidden import score_predictions
    from roadmap_ci.score.load import load_rubric

    spec = load_rubric(ROOT / "rubrics" / f"{template}.yaml").rubric.hidden_labels
    assert spec is not None
    hidden = score_predictions(spec, labels, repo / "data" / "predictions" / "predictions.csv")
    values: dict[str, float] = {}
    crits = data_criteria(template)
    for name in sorted({r.split(":")[1] for c in crits for r in c.refs() if r.startswith("metric:")}):
        if (repo / name).is_file():
            read_file((repo / name).read_text(encoding="utf-8"), name, values, {})
    return score_values(template, hidden, values, seconds)


def repro(repo: Path) -> float:
    t0 = time.perf_counter()
    res = run(["dvc", "repro"], repo)
    if res.returncode != 0:
        raise RuntimeError(f"dvc repro failed in {repo}:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    return time.perf_counter() - t0


@dataclass
class Row:
    template: str
    practice: Score | None = None
    baseline: list[Score] = field(default_factory=list)
    improved: list[Score] = field(default_factory=list)
    tests_failed: list[str] = field(default_factory=list)


def record(path: Path | None, template: str, i: int, kind: str, s: Score) -> None:
    if path is not None:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"template": template, "secret": i, "kind": kind, **vars(s)}) + "\n")


def bench(template: str, secrets: range, improved: bool, learner_tests: bool, practice: bool,  # noqa: ANN001
          log, jsonl: Path | None = None) -> Row:
    from cookiecutter.main import cookiecutter

    gen = load(ROOT / "templates" / template / "generate_data.py", f"gen_{template.replace('-', '_')}")
    changes = improved_params(template) if improved else None
    row = Row(template)
    for i in ([-1] if practice else []) + list(secrets):  # -1: the practice data shipped in the template
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=tmp))
            labels = Path(tmp) / "labels.csv"
            if i < 0:
                shutil.copyfile(ROOT / "labels" / f"{template}.csv", labels)
            else:
                key, login = secret(i)
                shutil.rmtree(repo / "data" / "raw")
                gen.generate(repo / "data" / "raw", labels, secret=key, learner=login)
            for cmd in (GIT + ["init", "-q"], GIT + ["add", "-A"], GIT + ["commit", "-qm", "start"]):
                subprocess.run(cmd, cwd=repo, check=True, capture_output=True)
            base = score(template, repo, labels, repro(repo))
            name = "practice" if i < 0 else f"secret {i}"
            log(f"{template} {name}: baseline {base.points:.1f}/{base.of:g} points, private {base.private:.1f}, "
                f"{base.seconds:.0f} s")
            record(jsonl, template, i, "baseline", base)
            if i < 0:
                row.practice = base
            else:
                row.baseline.append(base)
            if learner_tests and i >= 0:
                res = run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], repo)
                if res.returncode != 0:
                    row.tests_failed.append(f"{name}: {res.stdout.strip().splitlines()[-1:]}")
                log(f"{template} {name}: learner tests {'pass' if res.returncode == 0 else 'FAIL'}")
            if changes is not None:
                set_params(repo, changes)
                better = score(template, repo, labels, repro(repo))
                log(f"{template} {name}: improved {better.points:.1f}/{better.of:g} points, "
                    f"private {better.private:.1f}, {better.seconds:.0f} s")
                record(jsonl, template, i, "improved", better)
                if i >= 0:
                    row.improved.append(better)
    return row


def from_jsonl(path: Path, rescore: bool) -> list[Row]:
    """The rows of an earlier ``--jsonl`` run (the last record of each template/secret/kind wins); with ``rescore``
    every run is scored again from its recorded values under the rubric as it is now."""
    runs: dict[tuple[str, int, str], Score] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        s = Score(d["points"], d["of"], d["private"], d["seconds"], d.get("hidden", {}), d.get("metrics", {}))
        if rescore:
            if not s.hidden:
                raise SystemExit(f"{path}:{n}: no recorded values to rescore")
            s = score_values(d["template"], s.hidden, s.metrics, s.seconds)
        runs[(d["template"], d["secret"], d["kind"])] = s
    rows: dict[str, Row] = {}
    for (template, i, kind), s in sorted(runs.items()):
        row = rows.setdefault(template, Row(template))
        if i < 0:
            if kind == "baseline":
                row.practice = s
        else:
            (row.baseline if kind == "baseline" else row.improved).append(s)
    return list(rows.values())


def spread(scores: list[Score], attr: str) -> str:
    xs = [getattr(s, attr) for s in scores]
    if not xs:
        return "—"
    return f"{min(xs):.1f} / {statistics.mean(xs):.1f} / {max(xs):.1f} ({max(xs) - min(xs):.1f})"


def table(rows: list[Row]) -> str:
    out = ["| template | secrets | practice: points / private | baseline points min / mean / max (spread) | "
           "baseline private metric × 100, min / mean / max (spread) | improved points min / mean / max | "
           "within goal |",
           "|---|---:|---|---|---|---|---|"]
    for r in rows:
        p = f"{r.practice.points:.1f}/{r.practice.of:g} / {r.practice.private:.1f}" if r.practice else "—"
        pts = [s.points for s in r.baseline]
        ok = "yes" if pts and max(pts) - min(pts) <= GOAL and not r.tests_failed else "NO"
        if r.tests_failed:
            ok += "; learner tests fail: " + ", ".join(r.tests_failed)
        out.append(f"| {r.template} | {len(r.baseline)} | {p} | "
                   f"{spread(r.baseline, 'points')} | {spread(r.baseline, 'private')} | "
                   f"{spread(r.improved, 'points') if r.improved else '—'} | {ok} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("templates", nargs="*", default=TEMPLATES)
    ap.add_argument("--secrets", type=int, default=20, help="how many course secrets (default 20)")
    ap.add_argument("--improved", action="store_true", help="also run the README's improvement path")
    ap.add_argument("--learner-tests", action="store_true", help="also run the rendered repo's pytest")
    ap.add_argument("--first", type=int, default=0, help="the first secret's number (to extend a run)")
    ap.add_argument("--no-practice", action="store_true", help="skip the practice-data row")
    ap.add_argument("--json", type=Path, help="also write every score here")
    ap.add_argument("--jsonl", type=Path, help="append each run's numbers and raw metric values to this file")
    ap.add_argument("--table", type=Path, help="only print the table of an earlier --jsonl file")
    ap.add_argument("--rescore", action="store_true", help="with --table: score the recorded values again")
    args = ap.parse_args()
    if args.table:
        if not args.table.is_file():
            raise SystemExit(f"{args.table}: no such file")
        print(table(from_jsonl(args.table, args.rescore)))
        return
    if args.rescore:
        raise SystemExit("--rescore needs --table FILE")

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    secrets = range(args.first, args.first + args.secrets)
    rows = [bench(t, secrets, args.improved, args.learner_tests, not args.no_practice, log, args.jsonl)
            for t in args.templates]
    if args.json:
        args.json.write_text(json.dumps([{"template": r.template, "practice": vars(r.practice) if r.practice else None,
                                          "baseline": [vars(s) for s in r.baseline],
                                          "improved": [vars(s) for s in r.improved],
                                          "tests_failed": r.tests_failed} for r in rows], indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
