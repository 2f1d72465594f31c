""".roadmap-ci.yml: the model, and errors as file:line:col: what (allowed: …)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roadmap_ci.collect.config import CONFIG_NAME, load_config
from roadmap_ci.errors import CannotRun, InvalidInput, InvalidInputs


def _load(tmp_path: Path, text: str):
    (tmp_path / CONFIG_NAME).write_text(text)
    return load_config(tmp_path)


def test_full_config(tmp_path: Path) -> None:
    cfg = _load(tmp_path, """\
deliverable: image-classifier
rubric: image-classifier
pipeline: {timeout: 60}
metrics: [metrics.json]
data: {suites: gx/*.json}
tests: {paths: [tests], timeout: 30, args: ["-m", "not slow"]}
lint: {paths: [src, tests]}
notebooks: {paths: [notebooks/eda.ipynb], cell_timeout: 5}
predictions: {path: data/predictions.csv, id_column: id}
files: [reports/figure.png]
""")
    assert cfg.pipeline is not None and cfg.pipeline.timeout == 60
    assert cfg.data is not None and cfg.data.suites == ["gx/*.json"]
    assert cfg.tests is not None and cfg.tests.args == ["-m", "not slow"] and not cfg.tests.after_pipeline
    assert cfg.notebooks is not None and cfg.notebooks.after_pipeline
    assert cfg.predictions is not None and cfg.predictions.id_column == "id"


def test_only_deliverable_is_required(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "deliverable: demo\n")
    assert (cfg.pipeline, cfg.tests, cfg.data, cfg.lint, cfg.notebooks, cfg.predictions) == (None,) * 6


def test_missing_file_is_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(CannotRun, match=r"no \.roadmap-ci\.yml"):
        load_config(tmp_path)


def test_unknown_key_names_place_and_allowed(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        _load(tmp_path, "deliverable: demo\ntests:\n  path: [tests]\n")
    text = str(exc.value)
    assert text.startswith(f"{tmp_path / CONFIG_NAME}:3:3: unknown key 'path' (allowed: paths, timeout, args")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r":2:1: unknown key 'pipline' \(allowed: deliverable, rubric, pipeline"):
        _load(tmp_path, "deliverable: demo\npipline: {}\n")


@pytest.mark.parametrize("bad, why", [
    ("../outside.csv", "leaves the repository"),
    ("/etc/passwd", "relative to the repository root"),
    ("data/*.csv", "is a glob"),
])
def test_paths_must_stay_inside(tmp_path: Path, bad: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as exc:
        _load(tmp_path, f"deliverable: demo\npredictions:\n  path: '{bad}'\n")
    assert f"{CONFIG_NAME}:3:9: predictions.path:" in str(exc.value)


def test_several_problems_each_on_a_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputs) as exc:
        _load(tmp_path, "deliverable: Not An Id\npipeline: {timeout: -1}\n")
    lines = str(exc.value).splitlines()
    assert len(lines) == 2
    assert ":1:14: deliverable:" in lines[0]
    assert ":2:21: pipeline.timeout:" in lines[1] and "greater than 0" in lines[1]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\.roadmap-ci\.yml:3:1: invalid YAML"):
        _load(tmp_path, "deliverable: demo\ntests: [\n")
