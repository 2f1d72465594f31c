"""`.roadmap-ci.yml`: how a learner repo declares its deliverable, rubric and what is collected.

See docs/repo-config.md. Every section except ``deliverable`` is optional; an absent section means
that collector does not run. Each collector's key is its ``config()`` (:mod:`roadmap_ci.collect.registry`).
Paths are relative to the repo root and may not leave it; errors are one line each,
``.roadmap-ci.yml:line:col: what (allowed: …)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel, Field, ValidationError, create_model

from roadmap_ci.collect.base import RelPaths, Section
from roadmap_ci.collect.registry import COLLECTORS
from roadmap_ci.errors import CannotRun, InvalidInput, InvalidInputs, Place

CONFIG_NAME = ".roadmap-ci.yml"


class _Head(Section):  # the keys before the collectors' own (COLLECTORS' config(), in its order); `files` follows
    deliverable: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="A roadmap deliverable id.")
    rubric: str | None = Field(default=None, description="A bundled rubric id, or a path to a rubric YAML.")


def _config_model() -> type[_Head]:
    keys = {name: key for name, c in COLLECTORS.items() if (key := c.config()) is not None}
    return create_model(  # type: ignore[call-overload,no-any-return]
        "RepoConfig", __base__=_Head, __module__=__name__, **keys,
        files=(RelPaths,
               Field(default=[], description="Extra paths to record (rubric file: refs always are).")),
    )


if TYPE_CHECKING:
    class RepoConfig(_Head):
        """deliverable, rubric, each collector's key (its model lives in its module), files."""

        files: list[str]

        def __getattr__(self, name: str) -> Any: ...
else:
    RepoConfig = _config_model()

# the mapping sections, for "allowed keys" in errors
_SECTIONS: dict[str, type[BaseModel]] = {
    name: model for name, c in COLLECTORS.items() if (key := c.config()) is not None
    for model in get_args(key[0]) if isinstance(model, type) and issubclass(model, BaseModel)
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
