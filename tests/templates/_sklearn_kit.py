"""Helpers for the unsupervised and imbalanced-tuning template tests: render, run `roadmap-ci evaluate`, then
add the hidden-label metrics exactly as the privileged report step does (roadmap_ci.hidden) and re-score.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

from roadmap_ci.evidence import Evidence, load_evidence
from roadmap_ci.hidden import apply, hidden_metrics
from roadmap_ci.rubric import load_rubric
from roadmap_ci.scoring import Scorecard, score

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GIT = ["git", "-c", "user.name=learner", "-c", "user.email=learner@example.com"]


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "TQDM_DISABLE": "1",
            "PYTHONHASHSEED": "0", "GX_ANALYTICS_ENABLED": "false"}


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return res


def render(template: str, out: Path) -> Path:
    repo = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=str(out)))
    run(["git", "init", "-q", "-b", "main"], repo)
    commit(repo, "Start from the roadmap-ci template")
    return repo


def commit(repo: Path, message: str) -> None:
    run([*GIT, "add", "-A"], repo)
    run([*GIT, "commit", "-qm", message, "--allow-empty"], repo)


def copy_of(repo: Path, parent: Path) -> Path:
    dst = parent / repo.name
    shutil.copytree(repo, dst, symlinks=True, ignore=shutil.ignore_patterns(".roadmap-ci"))
    return dst


def set_params(repo: Path, changes: dict[str, Any]) -> None:
    """Edit params.yaml as a learner would: {"features.log_transform": True, ...}."""
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


@dataclass
class Result:
    evidence: Evidence  # with the hidden-label metrics applied
    card: Scorecard  # scored with them

    def crit(self, cid: str) -> Any:
        return next(c for c in self.card.criteria if c.id == cid)

    @property
    def hidden(self) -> dict[str, float]:
        return self.evidence.hidden or {}

    @property
    def metrics(self) -> dict[str, float]:
        return self.evidence.metrics or {}


def evaluate(repo: Path, deliverable: str) -> Result:
    """`roadmap-ci evaluate` (runs the pipeline, tests, GX, ruff), then the hidden-label metrics, then score."""
    res = run([str(BIN / "roadmap-ci"), "evaluate", str(repo), "--quiet", "--json"], repo, check=False)
    assert res.returncode in (0, 1), f"evaluate could not run ({res.returncode}):\n{res.stderr[-3000:]}"
    loaded = load_rubric(ROOT / "rubrics" / f"{deliverable}.yaml")
    assert json.loads(res.stdout)["rubric"]["hash"] == loaded.hash, "evaluate must use the bundled rubric"
    evidence = load_evidence(repo / ".roadmap-ci" / "evidence.json")
    predictions = repo / "data" / "predictions" / "predictions.csv"
    evidence = apply(evidence, hidden_metrics(loaded, predictions if predictions.is_file() else None))
    return Result(evidence=evidence, card=score(evidence, loaded))


def load_generator(template: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"{template.replace('-', '_')}_generate",
                                                  ROOT / "templates" / template / "generate_data.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen
