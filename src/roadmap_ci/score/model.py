"""The rubric contract: what a mentor scores and how, as YAML.

```yaml
# yaml-language-server: $schema=../schemas/rubric.schema.json
version: "2026.1"
deliverable: tabular-classification
extends: base.yaml            # optional: inherit criteria, override by id, `drop:` some
pass_mark: 60                 # points needed to pass
total: 100                    # optional: the points must add up to this
due: 2026-12-20T23:59:00Z     # optional: after_due criteria are revealed after this
criteria:
  - id: f1
    title: F1 on the hidden test set
    points: 30
    rule: threshold           # pass | threshold | fraction | exists | all | any
    evidence: hidden:f1       # see roadmap_ci.facts for every reference
    min: 0.70                 # none at or below ...
    target: 0.85              # ... full credit at or above; linear in between
    visibility: after_due     # visible | hidden | after_due
```

Loading resolves ``extends`` (relative to the file, cycles rejected), merges overrides by id,
validates with pydantic and reports every problem as ``file:line:column: what (allowed: …)``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from roadmap_ci.errors import InvalidInput, InvalidInputs, Place, problems_of
from roadmap_ci.evidence import canonical_json
from roadmap_ci.facts import NAMESPACES, Ref, parse_ref

RULES = ("pass", "threshold", "fraction", "exists", "all", "any")
MAX_EXTENDS = 32  # files in one extends chain (this one included)
MAX_NAME = 255  # characters of one path component in extends
MAX_POINTS = 1e15  # a rubric's points in all: far past any real rubric, far below where sums and means overflow
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class _Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    id: str = Field(pattern=ID_PATTERN, description="Unique within the rubric; overrides match on it.")
    title: str = Field(default="", description="What the learner reads.")
    points: float = Field(default=0, ge=0, description="Points for full credit.")
    visibility: Literal["visible", "hidden", "after_due"] = Field(
        default="visible",
        description="Always scored. hidden: never shown in detail to learners; after_due: shown after `due`.",
    )
    help: str = Field(default="", description="How to improve, shown with a criterion that is not full.")

    def refs(self) -> list[str]:
        ev = getattr(self, "evidence", None)
        if ev is None:
            return []
        return [ev] if isinstance(ev, str) else list(ev)

    # Derived once per criterion (pydantic keeps cached properties out of fields, dumps and equality):
    # the scorer reads them for every learner of a cohort.
    @functools.cached_property
    def parsed_refs(self) -> tuple[Ref, ...]:
        return tuple(parse_ref(r) for r in self.refs())

    @functools.cached_property
    def hidden_only(self) -> bool:
        """Reads hidden-label facts only (scored by the CI report step, pending on a local run)."""
        return bool(self.parsed_refs) and all(r.namespace == "hidden" for r in self.parsed_refs)

    @field_validator("evidence", check_fields=False)
    @classmethod
    def _check_refs(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        rule = info.data.get("rule", "?")
        for text in [value] if isinstance(value, str) else value:
            ref = parse_ref(text)
            if rule not in NAMESPACES[ref.namespace].rules:
                allowed = sorted(n for n, s in NAMESPACES.items() if rule in s.rules)
                raise ValueError(f"rule '{rule}' cannot read '{ref.namespace}' "
                                 f"(allowed for {rule}: {', '.join(allowed)})")
        return value


class PassCriterion(_Criterion):
    """Full credit when a boolean fact holds, none otherwise."""

    rule: Literal["pass"]
    evidence: str


class ThresholdCriterion(_Criterion):
    """Linear partial credit between `min` (none) and `target` (full)."""

    rule: Literal["threshold"]
    evidence: str
    min: float = Field(description="At or beyond this (on the bad side), no credit.")
    target: float = Field(description="At or beyond this (on the good side), full credit.")
    better: Literal["higher", "lower"] = "higher"
    relative_to: Literal["base"] | None = Field(
        default=None,
        description="'base': min and target are differences from the base branch's value "
        "(e.g. min: -0.01, target: 0 = no worse than the base by more than 0.01).",
    )
    if_no_base: Literal["award", "zero"] = Field(
        default="award", description="With relative_to: base and no base-branch value."
    )

    @model_validator(mode="after")
    def _check(self) -> ThresholdCriterion:
        if self.better == "higher" and not self.target > self.min:
            raise ValueError(f"with better: higher, target ({self.target:g}) must be above min ({self.min:g})")
        if self.better == "lower" and not self.target < self.min:
            raise ValueError(f"with better: lower, target ({self.target:g}) must be below min ({self.min:g})")
        if self.relative_to == "base" and not self.evidence.startswith("metric:"):
            raise ValueError("relative_to: base works with metric: evidence only")
        return self


class FractionCriterion(_Criterion):
    """Credit for the fraction of checks that pass (tests, expectations, notebooks)."""

    rule: Literal["fraction"]
    evidence: str
    min: float = Field(default=0.0, ge=0, le=1, description="At or below this fraction, no credit.")
    target: float = Field(default=1.0, ge=0, le=1, description="At or above this fraction, full credit.")

    @model_validator(mode="after")
    def _check(self) -> FractionCriterion:
        if not self.target > self.min:
            raise ValueError(f"target ({self.target:g}) must be above min ({self.min:g})")
        return self


class ExistsCriterion(_Criterion):
    """Credit for the share of the named files, directories or README sections that exist."""

    rule: Literal["exists"]
    evidence: str | list[str]

    @field_validator("evidence", mode="before")
    @classmethod
    def _non_empty(cls, v: object) -> object:
        if isinstance(v, list) and not v:
            raise ValueError("name at least one file: or readme: reference")
        return v


class GroupCriterion(_Criterion):
    """all: credit of the weakest child; any: credit of the strongest. Children carry no points."""

    rule: Literal["all", "any"]
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _children(self) -> GroupCriterion:
        for child in self.criteria:
            if child.points:
                raise ValueError(f"child '{child.id}' has points; inside an {self.rule} group only the group "
                                 "carries points")
        return self


Criterion = Annotated[
    Union[PassCriterion, ThresholdCriterion, FractionCriterion, ExistsCriterion, GroupCriterion],  # noqa: UP007
    Field(discriminator="rule"),
]


class HiddenLabels(BaseModel):
    """Where the hidden test labels live and which metrics to compute from the learner's predictions.

    The labels never enter the learner's job: they are read only by the privileged report step
    (or a mentor's local run) and turned into ``hidden:public.<metric>`` (shown on every PR) and
    ``hidden:private.<metric>`` (counted in the grade, typically ``visibility: after_due``).
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    source: str = Field(description="A CSV of labels: a path relative to this rubric, or 'env:VAR' naming an "
                        "environment variable that holds a path (a secret in CI).")
    id_column: str = Field(default="id", description="The key shared by labels and predictions.")
    target_column: str = Field(description="The true label in the labels file.")
    prediction_column: str = Field(description="The learner's prediction column in the predictions file.")
    score_column: str | None = Field(default=None, description="A probability/score column (for roc_auc, pr_auc); "
                                     "for ranking, higher ranks first (else the file's order per id).")
    task: Literal["classification", "regression", "anomaly", "ranking"] = Field(
        default="classification", description="ranking: the labels hold one row per relevant item "
        "(target_column) of each id (a user, a query); the predictions one row per recommended item.")
    positive_label: str | None = Field(default=None, description="For binary precision/recall/F1 (as text).")
    metrics: list[str] = Field(min_length=1, description="e.g. f1, accuracy, roc_auc, rmse, mae, r2, smape, wape; "
                               "ranking: ndcg_at_k, recall_at_k, precision_at_k, map_at_k, hit_rate_at_k.")
    k: int = Field(default=10, ge=1, description="Ranking: how many of each id's top predictions count.")
    split_column: str | None = Field(default="split", description="Column with 'public'/'private' per row; "
                                     "without it every row is private.")
    daily_limit: int | None = Field(default=None, ge=1, description="Hidden-label feedback per learner per day.")

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str], info: ValidationInfo) -> list[str]:
        from roadmap_ci.hidden import METRICS, RANKING_METRICS  # hidden imports this module

        unknown = [m for m in value if m not in METRICS]
        if unknown:
            raise ValueError(f"unknown metric(s) {', '.join(unknown)} (allowed: {', '.join(METRICS)})")
        ranking = info.data.get("task") == "ranking"
        wrong = [m for m in value if (m in RANKING_METRICS) != ranking]
        if wrong:
            allowed = RANKING_METRICS if ranking else tuple(m for m in METRICS if m not in RANKING_METRICS)
            verb = "does" if len(wrong) == 1 else "do"
            raise ValueError(f"{', '.join(wrong)} {verb} not apply to task {info.data.get('task')!r} "
                             f"(allowed: {', '.join(allowed)})")
        return value


class Rubric(BaseModel):
    """A resolved rubric (after `extends`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    version: str = Field(description="The mentor's version of this rubric, printed on every scorecard.")
    deliverable: str | None = Field(default=None, description="The roadmap deliverable id it scores.")
    title: str = ""
    extends: str | None = Field(default=None, description="A base rubric, relative to this file.")
    drop: list[str] = Field(default=[], description="Ids of inherited criteria to remove.")
    pass_mark: float = Field(ge=0, description="Points needed to pass.")
    total: float | None = Field(default=None, gt=0, description="If set, the points must add up to it.")
    due: datetime | None = Field(default=None, description="When after_due criteria are revealed.")
    mentor_tests: str | None = Field(
        default=None, description="A directory of mentor tests (relative to this file) run beside the learner's."
    )
    hidden_labels: HiddenLabels | None = Field(default=None, description="Hidden test labels (Kaggle-style).")
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Rubric:
        seen: set[str] = set()

        def walk(items: list[Any]) -> None:
            for c in items:
                if c.id in seen:
                    raise ValueError(f"criterion id '{c.id}' is used twice")
                seen.add(c.id)
                if isinstance(c, GroupCriterion):
                    walk(c.criteria)

        walk(self.criteria)
        got = self.max_points
        if not math.isfinite(got):
            raise ValueError(f"criteria points add up to more than a number can hold (at most {MAX_POINTS:g})")
        if got > MAX_POINTS:
            raise ValueError(f"criteria points add up to {got:g}, more than the {MAX_POINTS:g} allowed")
        if self.total is not None and abs(got - self.total) > 1e-9:
            raise ValueError(f"criteria points add up to {got:g}, but total is {self.total:g}")
        if self.pass_mark > got:
            raise ValueError(f"pass_mark {self.pass_mark:g} is more than the {got:g} points available")
        return self

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.criteria)

    def content_hash(self) -> str:
        """sha256 of the resolved rubric's canonical JSON (computed once; rubrics are not mutated)."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            import hashlib

            body = self.model_dump(mode="json", exclude={"extends", "drop"})
            cached = "sha256:" + hashlib.sha256(canonical_json(body).encode()).hexdigest()
            self.__dict__["_hash"] = cached
        return cached


# ---------------------------------------------------------------- loading


@dataclass
class LoadedRubric:
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


def lint_rubric(path: Path | str) -> list[InvalidInput]:
    """Every problem in one rubric file (an empty list when it is clean)."""
    return problems_of(lambda: load_rubric(path))


def rubric_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "roadmap-ci rubric"
    return schema


# ---------------------------------------------------------------- explaining


def describe(c: Any) -> str:
    """How a criterion is scored, in words a learner reads."""
    if isinstance(c, GroupCriterion):
        inner = "; ".join(f"{ch.title or ch.id}: {describe(ch)}" for ch in c.criteria)
        return ("all of: " if c.rule == "all" else "the best of: ") + inner
    if isinstance(c, ThresholdCriterion):
        what = c.evidence.split(":", 1)[-1] if c.evidence.startswith(("metric:", "hidden:")) else c.evidence
        if c.relative_to == "base":
            return (f"{what} compared with the base branch: full credit at {c.target:+g} or better, "
                    f"none at {c.min:+g} or worse")
        cmp_good, cmp_bad = ("≥", "≤") if c.better == "higher" else ("≤", "≥")
        return f"{what}: full credit {cmp_good} {c.target:g}, none {cmp_bad} {c.min:g}, linear in between"
    if isinstance(c, FractionCriterion):
        lo = f", none at {c.min:.0%} or less" if c.min > 0 else ""
        return f"share of {c.evidence} passing: full credit at {c.target:.0%}{lo}, proportional in between"
    if isinstance(c, ExistsCriterion):
        refs = [c.evidence] if isinstance(c.evidence, str) else c.evidence
        return "present: " + ", ".join(r.split(":", 1)[1] for r in refs)
    if isinstance(c, PassCriterion):
        return f"{c.evidence} passes (all or nothing)"
    return c.rule


_SHOWN = {"visible": "always", "hidden": "never", "after_due": "after the due date"}


def explain_rows(loaded: LoadedRubric) -> list[tuple[str, str, str, str]]:
    """(criterion, how it is scored, points, when it is shown) for each top-level criterion."""
    rows = []
    for c in loaded.rubric.criteria:
        how = "details hidden from learners" if c.visibility == "hidden" else describe(c)
        rows.append((c.title or c.id, how, f"{c.points:g}", _SHOWN[c.visibility]))
    return rows


def explain_markdown(loaded: LoadedRubric) -> str:
    """The explain table as Markdown, for a template README's "How it is scored" section."""
    r = loaded.rubric

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| criterion | how it is scored | points | shown |", "|---|---|---:|---|"]
    lines += [f"| {cell(a)} | {cell(b)} | {c} | {d} |" for a, b, c, d in explain_rows(loaded)]
    lines.append("")
    lines.append(f"Pass mark: **{r.pass_mark:g}** of {r.max_points:g} points (rubric `{loaded.path.stem}` "
                 f"v{r.version}).")
    return "\n".join(lines) + "\n"
