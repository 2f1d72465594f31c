"""`.roadmap-ci.yml`: how a learner repo declares its deliverable, rubric and what is collected.

See docs/repo-config.md. Every section except ``deliverable`` is optional; an absent section means
that collector does not run. Paths are relative to the repo root and may not leave it; errors are
one line each, ``.roadmap-ci.yml:line:col: what (allowed: …)``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from roadmap_ci.errors import CannotRun, InvalidInput, InvalidInputs, Place

CONFIG_NAME = ".roadmap-ci.yml"


def check_rel_path(value: str, glob: bool = False) -> str:
    """A path relative to the repo root that does not leave it (``..``, absolute paths refused)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty path")
    text = value.strip().replace("\\", "/")
    p = PurePosixPath(text)
    if p.is_absolute() or re.match(r"^[A-Za-z]:", text) or text.startswith("~"):
        raise ValueError(f"'{value}' must be relative to the repository root")
    if ".." in p.parts:
        raise ValueError(f"'{value}' leaves the repository ('..' is not allowed)")
    if not glob and any(ch in text for ch in "*?["):
        raise ValueError(f"'{value}' is a glob; name a path")
    return text


def _paths(values: list[str], glob: bool = False) -> list[str]:
    return [check_rel_path(v, glob) for v in values]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PipelineConfig(_Section):
    timeout: float = Field(default=900, gt=0, description="Seconds for the whole `dvc repro`.")
    tail_lines: int = Field(default=40, ge=1, le=1000, description="Lines of output kept per stage.")


class DataConfig(_Section):
    suites: list[str] = Field(default=["gx/*.json"], description="Globs of GX 1.x suite JSON files.")

    @field_validator("suites", mode="before")
    @classmethod
    def _one(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("suites")
    @classmethod
    def _safe(cls, v: list[str]) -> list[str]:
        return _paths(v, glob=True)


class TestsConfig(_Section):
    paths: list[str] = Field(default=["tests"], description="What pytest collects.")
    timeout: float = Field(default=300, gt=0)
    args: list[str] = Field(default=[], description="Extra pytest arguments, e.g. ['-m', 'not slow'].")
    after_pipeline: bool = Field(
        default=False, description="Run after the pipeline (tests that read its outputs); else concurrently."
    )

    @field_validator("paths")
    @classmethod
    def _safe(cls, v: list[str]) -> list[str]:
        return _paths(v, glob=False)


class LintConfig(_Section):
    paths: list[str] = Field(default=["."], description="What ruff checks (the repo's ruff config applies).")
    timeout: float = Field(default=120, gt=0)

    @field_validator("paths")
    @classmethod
    def _safe(cls, v: list[str]) -> list[str]:
        return _paths(v)


class NotebooksConfig(_Section):
    paths: list[str] = Field(min_length=1, description="Notebooks to execute, in order.")
    cell_timeout: float = Field(default=120, gt=0, description="Seconds per cell.")
    timeout: float = Field(default=900, gt=0, description="Seconds per notebook, kernel start included.")
    after_pipeline: bool = Field(default=True, description="Wait for the pipeline (notebooks read its outputs).")

    @field_validator("paths")
    @classmethod
    def _safe(cls, v: list[str]) -> list[str]:
        return _paths(v)


class PredictionsConfig(_Section):
    path: str = Field(description="The predictions file (CSV or Parquet) the pipeline writes.")
    id_column: str | None = Field(default=None, description="A column every row must have (hidden labels join on it).")

    @field_validator("path")
    @classmethod
    def _safe(cls, v: str) -> str:
        return check_rel_path(v)


class RepoConfig(_Section):
    deliverable: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="A roadmap deliverable id.")
    rubric: str | None = Field(default=None, description="A bundled rubric id, or a path to a rubric YAML.")
    pipeline: PipelineConfig | None = None
    metrics: list[str] | None = Field(
        default=None, description="Metrics files; default: the ones dvc.yaml declares (with a pipeline section)."
    )
    data: DataConfig | None = None
    tests: TestsConfig | None = None
    lint: LintConfig | None = None
    notebooks: NotebooksConfig | None = None
    predictions: PredictionsConfig | None = None
    files: list[str] = Field(default=[], description="Extra paths to record (rubric file: refs always are).")

    @field_validator("metrics", "files")
    @classmethod
    def _safe(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _paths(v)


_SECTIONS: dict[str, type[BaseModel]] = {
    "pipeline": PipelineConfig, "data": DataConfig, "tests": TestsConfig, "lint": LintConfig,
    "notebooks": NotebooksConfig, "predictions": PredictionsConfig,
}


def _message(err: dict[str, Any]) -> str:
    loc = err["loc"]
    t = err["type"]
    if t == "extra_forbidden":
        model = _SECTIONS.get(str(loc[0])) if len(loc) > 1 else RepoConfig
        allowed = f" (allowed: {', '.join(model.model_fields)})" if model is not None else ""
        return f"unknown key '{loc[-1]}'{allowed}"
    if t == "missing":
        return f"missing required key '{loc[-1]}'"
    name = ".".join(str(x) for x in loc if isinstance(x, str))
    msg = str(err["msg"]).removeprefix("Value error, ")
    if t == "string_pattern_mismatch":
        msg = "use lower-case letters, digits, '-', '_' and '.'"
    if t == "model_type" and len(loc) == 1:
        msg = f"must be a mapping (allowed keys: {', '.join(_SECTIONS[str(loc[0])].model_fields)})" \
            if str(loc[0]) in _SECTIONS else msg
    return f"{name}: {msg}" if name else msg


def load_config(repo: Path) -> RepoConfig:
    """Read ``<repo>/.roadmap-ci.yml``; raise CannotRun when absent, InvalidInput(s) when wrong."""
    from roadmap_ci.yamlio import load_yaml

    path = repo / CONFIG_NAME
    if not path.is_file():
        raise CannotRun(f"no {CONFIG_NAME} in {repo} (it declares the deliverable and what to collect; "
                        "see docs/repo-config.md)")
    doc = load_yaml(path, CONFIG_NAME)
    if not isinstance(doc.data, dict):
        raise InvalidInput(f"{CONFIG_NAME} must be a mapping with at least 'deliverable:'", Place(str(path), 1, 1))
    try:
        return RepoConfig.model_validate(doc.data)
    except ValidationError as exc:
        errors = [InvalidInput(_message(e), doc.place(tuple(e["loc"]), at_key=e["type"] == "extra_forbidden"))
                  for e in exc.errors()]
        raise (errors[0] if len(errors) == 1 else InvalidInputs(errors)) from None
