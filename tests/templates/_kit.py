"""Helpers shared by the template tests: render, run `roadmap-ci evaluate`, add the hidden-label metrics.

`evaluate` runs the real command (roadmap_ci.evaluate, what `roadmap-ci evaluate` calls: collect → score →
report) on the rendered repo inside `learner_environment()` — this venv first on PATH, so the DVC stages'
`python -m …` find scikit-learn / torch, with offline Hugging Face and quiet progress bars. The hidden-label
metrics are then computed from the learner's predictions with `roadmap_ci.score.hidden` against the rubric's labels,
as the privileged report step does, applied to the evidence and re-scored.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter

from roadmap_ci.evidence import Evidence
from roadmap_ci.paths import bundled_rubric
from roadmap_ci.score.hidden import HiddenResult, hidden_metrics, with_hidden_metrics
from roadmap_ci.score.load import load_rubric
from roadmap_ci.score.scoring import Scorecard, score

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GIT = ["git", "-c", "user.name=learner", "-c", "user.email=learner@example.com"]
QUIET = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
         "GX_ANALYTICS_ENABLED": "false"}


def env() -> dict[str, str]:
    return {**os.environ, **QUIET, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return res


def render(template: str, out: Path, **extra: str) -> Path:
    """Render templates/<template> with --no-input, git init and commit it (as `roadmap-ci new` does)."""
    repo = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=str(out),
                             extra_context=extra or None))
    run(["git", "init", "-q", "-b", "main"], repo)
    commit(repo, "Start from the roadmap-ci template")
    return repo


def commit(repo: Path, message: str) -> None:
    run([*GIT, "add", "-A"], repo)
    run([*GIT, "commit", "-qm", message, "--allow-empty"], repo)


def copy_of(repo: Path, dst_parent: Path) -> Path:
    """A copy with its DVC cache and run cache (so `dvc repro` re-runs only the stages a change touches),
    without the original's .roadmap-ci outputs."""
    dst = dst_parent / repo.name
    shutil.copytree(repo, dst, symlinks=True, ignore=shutil.ignore_patterns(".roadmap-ci"))
    return dst


def set_params(repo: Path, changes: dict[str, Any]) -> None:
    """Edit params.yaml the way a learner would: {"model.type": "lightgbm", "train.epochs": 20, ...}."""
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


def metrics(repo: Path) -> dict[str, Any]:
    """The repo's metrics.json as the pipeline wrote it."""
    return json.loads((repo / "metrics.json").read_text())


def _predictions(repo: Path) -> Path | None:
    predictions = repo / "data" / "predictions" / "predictions.csv"
    return predictions if predictions.is_file() else None


def hidden(repo: Path, deliverable: str) -> HiddenResult:
    """What the privileged report step computes: the predictions against the rubric's hidden labels."""
    return hidden_metrics(load_rubric(bundled_rubric(deliverable)), _predictions(repo))


@dataclass
class Result:
    evidence: Evidence  # with the hidden-label metrics applied
    card: Scorecard  # scored with them
    local_card: Scorecard  # what `roadmap-ci evaluate` shows a learner (no hidden labels)

    def crit(self, cid: str) -> Any:
        return next(c for c in self.card.criteria if c.id == cid)

    @property
    def hidden(self) -> dict[str, float]:
        return self.evidence.hidden or {}

    @property
    def metrics(self) -> dict[str, float]:
        return self.evidence.metrics or {}


@contextmanager
def learner_environment():
    """`env()` in os.environ for the duration: the venv first on PATH (the stages run `python -m …`),
    offline Hugging Face, quiet progress bars; the whole environment is restored afterwards."""
    saved = dict(os.environ)
    os.environ.update(env())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def evaluate(repo: Path, deliverable: str) -> Result:
    """`roadmap-ci evaluate` on the repo, then the privileged step's hidden-label metrics, then score."""
    from roadmap_ci.evaluate import evaluate as run_evaluate

    with learner_environment():
        local = run_evaluate(repo)  # the rubric .roadmap-ci.yml names, as a learner's run finds it
    loaded = load_rubric(bundled_rubric(deliverable))
    assert local.scorecard.rubric.hash == loaded.hash, "evaluate must pick the bundled rubric"
    evidence, _ = with_hidden_metrics(local.evidence, loaded, _predictions(repo))
    return Result(evidence=evidence, card=score(evidence, loaded), local_card=local.scorecard)


@functools.cache
def load_generator(template: str):
    """The template's generate_data.py as a module, loaded once per session (a generator that caches a course's
    drawn process, such as unsupervised's difficulty-matched one, then draws it once, not once per call)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{template.replace('-', '_')}_generate",
                                                  ROOT / "templates" / template / "generate_data.py")
    gen = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(gen)
    return gen


def rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows as dicts (data files, labels, predictions)."""
    import csv

    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def ids_in(path: Path) -> set[str]:
    return {row["id"] for row in rows(path)}
