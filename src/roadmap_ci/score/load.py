"""Loading a rubric file: ``extends`` resolved, overrides merged by id, every problem with its place.

``extends`` is relative to the file (absolute paths, NUL characters and cycles rejected, the chain at
most :data:`MAX_EXTENDS` files); a criterion of the same id overrides the base's (a new ``rule`` keeps
only the common keys), ``drop:`` removes inherited ones. The merged data is validated with the models of
:mod:`roadmap_ci.score.model`, and each pydantic error becomes one ``file:line:column: what (allowed: …)``
line pointing at the file -- base or override -- that supplied the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from roadmap_ci.errors import InvalidInput, InvalidInputs, Place, problems_of
from roadmap_ci.score.model import (
    RULES,
    ExistsCriterion,
    FractionCriterion,
    GroupCriterion,
    PassCriterion,
    Rubric,
    ThresholdCriterion,
)

MAX_EXTENDS = 32  # files in one extends chain (this one included)
MAX_NAME = 255  # characters of one path component in extends


@dataclass
class LoadedRubric:
    """A rubric as loaded: the resolved model, the file it came from and the files it extends."""

    rubric: Rubric
    path: Path
    chain: list[Path] = field(default_factory=list)  # this file first, then its bases

    @property
    def hash(self) -> str:
        return self.rubric.content_hash()

    @property
    def directory(self) -> Path:
        return self.path.parent


@dataclass
class _Layer:
    """One criterion (as raw data) plus the files/trees that contributed to it, outermost last."""

    data: dict[str, Any]
    sources: list[tuple[Any, Any]]  # (YamlDoc, loc prefix)


def _id(item: Any) -> str | None:
    """A criterion's id when it is one (text); anything else is left for validation to explain."""
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _merge(base: list[_Layer], doc: Any, raw: dict[str, Any]) -> list[_Layer]:
    by_id = {_id(layer.data): layer for layer in base if _id(layer.data) is not None}
    drop = raw.get("drop") or []
    out = [layer for layer in base if _id(layer.data) not in drop]
    for i, item in enumerate(raw.get("criteria") or []):
        if _id(item) in by_id and _id(item) not in drop:
            layer = by_id[item["id"]]
            merged = dict(layer.data)
            if "rule" in item and item["rule"] != layer.data.get("rule"):
                merged = {k: v for k, v in merged.items() if k in ("id", "title", "points", "visibility", "help")}
            merged.update(item)
            layer.data = merged
            layer.sources.append((doc, ("criteria", i)))
        else:
            out.append(_Layer(dict(item) if isinstance(item, dict) else item, [(doc, ("criteria", i))]))
    return out


def _extends_problem(parent: Any) -> str | None:
    """Why an ``extends:`` value is not a usable relative path (None when it is)."""
    if not isinstance(parent, str) or not parent.strip():
        return "extends must be a file path relative to this rubric"
    if "\x00" in parent:
        return "extends holds a NUL character"
    if parent.startswith(("/", "\\", "~")) or (len(parent) > 1 and parent[1] == ":"):
        return f"extends must be relative to this rubric, not absolute: {parent[:80]!r}"
    if any(len(part) > MAX_NAME for part in parent.replace("\\", "/").split("/")):
        return f"extends names a file or directory longer than {MAX_NAME} characters"
    return None


def _load_chain(path: Path, seen: list[Path]) -> tuple[dict[str, Any], list[_Layer], list[Any]]:
    from roadmap_ci.yamlio import load_yaml

    doc = load_yaml(path, "rubric")
    if not isinstance(doc.data, dict):
        raise InvalidInput("a rubric must be a mapping with version, pass_mark and criteria", doc.place())
    raw = doc.data
    criteria = raw.get("criteria")
    if criteria is not None and not isinstance(criteria, list):
        raise InvalidInput("criteria must be a list", doc.place(("criteria",)))
    drop = raw.get("drop")
    if drop is not None and not (isinstance(drop, list) and all(isinstance(d, str) for d in drop)):
        raise InvalidInput("drop must be a list of criterion ids", doc.place(("drop",)))
    top: dict[str, Any] = {}
    layers: list[_Layer] = []
    docs = [doc]
    parent = raw.get("extends")
    if parent is not None:
        problem = _extends_problem(parent)
        if problem:
            raise InvalidInput(problem, doc.place(("extends",)))
        if len(seen) + 1 >= MAX_EXTENDS:
            raise InvalidInput(f"the extends chain is longer than {MAX_EXTENDS} files", doc.place(("extends",)))
        try:
            base_path = (path.parent / parent).resolve()
            is_file = base_path.is_file()
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise InvalidInput(f"extends names a path that cannot be read ({why})", doc.place(("extends",))) from None
        if base_path in seen or base_path == path.resolve():
            cycle = " -> ".join(p.name for p in [*seen, path.resolve(), base_path])
            raise InvalidInput(f"extends makes a cycle: {cycle}", doc.place(("extends",)))
        if not is_file:
            raise InvalidInput(f"extends a missing file: {parent}", doc.place(("extends",)))
        top, layers, base_docs = _load_chain(base_path, [*seen, path.resolve()])
        docs += base_docs
    for key, value in raw.items():
        if key not in ("criteria", "extends", "drop"):
            top[key] = value
    unknown = [d for d in raw.get("drop") or [] if d not in {_id(layer.data) for layer in layers}]
    if unknown:
        raise InvalidInput(f"drop names criteria that {'the base does' if parent else 'no base'} "
                           f"not define: {', '.join(map(str, unknown))}", doc.place(("drop",)))
    return top, _merge(layers, doc, raw), docs


def _allowed(err: dict[str, Any], model: type[BaseModel] | None) -> str:
    if err["type"] == "extra_forbidden" and model is not None:
        return f" (allowed: {', '.join(model.model_fields)})"
    return ""


_RULE_MODELS: dict[str, type[BaseModel]] = {
    "pass": PassCriterion, "threshold": ThresholdCriterion, "fraction": FractionCriterion,
    "exists": ExistsCriterion, "all": GroupCriterion, "any": GroupCriterion,
}


def _message(err: dict[str, Any], model: type[BaseModel] | None) -> str:
    t = err["type"]
    loc = err["loc"]
    name = next((str(x) for x in reversed(loc) if isinstance(x, str) and x not in _RULE_MODELS), "")
    if t == "extra_forbidden":
        return f"unknown key '{loc[-1]}'{_allowed(err, model)}"
    if t == "union_tag_invalid":
        return f"unknown rule '{err['input'].get('rule') if isinstance(err['input'], dict) else err['input']}' " \
               f"(allowed: {', '.join(RULES)})"
    if t == "union_tag_not_found":
        return f"criterion has no 'rule' (allowed: {', '.join(RULES)})"
    if t == "missing":
        return f"missing required key '{loc[-1]}'"
    if t == "too_short" and name == "criteria":
        return "criteria: must list at least one criterion"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if t == "string_pattern_mismatch":
        msg = "ids use lower-case letters, digits, '-', '_' and '.'"
    return f"{name}: {msg}" if name and t not in ("value_error", "assertion_error") else msg


def _model_for(loc: tuple[Any, ...], data: dict[str, Any]) -> type[BaseModel] | None:
    """Which model a loc points into (for the 'allowed:' list of unknown keys)."""
    model: type[BaseModel] | None = Rubric
    node: Any = data
    i = 0
    parts = list(loc[:-1])
    while i < len(parts):
        key = parts[i]
        if key == "criteria" and isinstance(node, dict):
            node = node.get("criteria")
            i += 1
            if i < len(parts) and isinstance(parts[i], int) and isinstance(node, list) and parts[i] < len(node):
                node = node[parts[i]]
                i += 1
                if i < len(parts) and parts[i] in _RULE_MODELS:
                    i += 1
                rule = node.get("rule") if isinstance(node, dict) else None
                model = _RULE_MODELS.get(rule) if isinstance(rule, str) else None
            continue
        i += 1
    return model


def _place_for(loc: tuple[Any, ...], top_doc: Any, layers: list[_Layer], at_key: bool = False) -> Place:
    """Map a validation loc on the merged data to the file and position that supplied it."""
    clean = tuple(x for x in loc if x not in _RULE_MODELS)
    if len(clean) >= 2 and clean[0] == "criteria" and isinstance(clean[1], int) and clean[1] < len(layers):
        layer = layers[clean[1]]
        rest = clean[2:]
        for doc, prefix in reversed(layer.sources):
            node = doc.data
            for k in prefix:
                node = node[k]
            if not rest or (isinstance(node, dict) and rest[0] in node):
                return doc.place(prefix + rest, at_key)
        doc, prefix = layer.sources[-1]
        return doc.place(prefix)
    return top_doc.place(clean, at_key)


def load_rubric(path: Path | str) -> LoadedRubric:
    """Load, resolve and validate a rubric; raise InvalidInputs listing every problem with its place."""
    path = Path(path)
    top, layers, docs = _load_chain(path, [])  # a missing or unreadable file: CannotRun from the reader
    data = dict(top)
    if layers or any(isinstance(d.data, dict) and "criteria" in d.data for d in docs):
        data["criteria"] = [layer.data for layer in layers]
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            model = _model_for(loc, data)
            if err["type"] == "union_tag_invalid":
                loc = (*loc, "rule")
            place = _place_for(loc, docs[0], layers, at_key=err["type"] == "extra_forbidden")
            errors.append(InvalidInput(_message(err, model), place))
        raise InvalidInputs(errors) from None
    return LoadedRubric(rubric=rubric, path=path, chain=[d.path for d in docs])


def lint_rubric(path: Path | str, *, could_not_run_is_a_problem: bool = True) -> list[InvalidInput]:
    """Every problem in one rubric file (an empty list when it is clean); a file that cannot be read is one
    problem too, or, with ``could_not_run_is_a_problem=False``, raises its CannotRun."""
    return problems_of(lambda: load_rubric(path), could_not_run_is_a_problem=could_not_run_is_a_problem)
