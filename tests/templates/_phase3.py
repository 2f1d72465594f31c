"""Helpers shared by the phase-3 (PyTorch) template tests: render, run the pipeline, check data, hidden labels.

Kept here until `roadmap-ci evaluate` (collect → score) lands; then the tests call it instead of the
GX and hidden-label helpers below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return res


def render(template: str, out: Path, **extra: str) -> Path:
    """Render templates/<template>, git init and commit it (as `roadmap-ci new` does)."""
    repo = Path(cookiecutter(str(ROOT), directory=f"templates/{template}", no_input=True, output_dir=str(out),
                             extra_context=extra or None))
    run(["git", "init", "-q"], repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "."], repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "template"], repo)
    return repo


def repro(repo: Path) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "dvc"), "repro"], repo)


def set_params(repo: Path, **changes: object) -> None:
    """Edit params.yaml the way a learner would: `section.key=value`."""
    import yaml

    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        section, _, key = dotted.partition("__")
        if key:
            params[section][key] = value
        else:
            params[section] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def metrics(repo: Path) -> dict:
    return json.loads((repo / "metrics.json").read_text())


def validate_suites(repo: Path) -> dict[str, list[str]]:
    """Run every gx/*.json suite against the file its meta names; {suite: [failed expectation types]}."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations as gx
    import pandas as pd

    ctx = gx.get_context(mode="ephemeral")
    failed: dict[str, list[str]] = {}
    for path in sorted((repo / "gx").glob("*.json")):
        raw = json.loads(path.read_text())
        suite = ctx.suites.add(gx.ExpectationSuite(**{k: raw[k] for k in ("name", "id", "expectations", "meta")}))
        frame = pd.read_csv(repo / raw["meta"]["data_file"])
        batch = (ctx.data_sources.add_pandas(raw["name"]).add_dataframe_asset("frame")
                 .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame}))
        result = batch.validate(suite, result_format="SUMMARY")
        failed[raw["name"]] = [f"{r.expectation_config.type}({r.expectation_config.kwargs.get('column', '')})"
                               for r in result.results if not r.success]
    return failed


def hidden_scores(repo: Path, template: str) -> dict[str, float]:
    """What the privileged report step computes (roadmap_ci.hidden): public.* and private.* metrics of the
    learner's predictions against the rubric's hidden labels."""
    from roadmap_ci.hidden import hidden_metrics
    from roadmap_ci.rubric import load_rubric

    result = hidden_metrics(load_rubric(ROOT / "rubrics" / f"{template}.yaml"),
                            repo / "data" / "predictions" / "predictions.csv")
    assert result.error is None, result.error
    return result.metrics
