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

This module is the contract: the pydantic models of a resolved rubric and their JSON Schema
(``schemas/rubric.schema.json``). Loading a file (``extends``, overrides, errors with their places) is
:mod:`roadmap_ci.score.load`; explaining a rubric to a learner is :mod:`roadmap_ci.score.explain`.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from roadmap_ci.evidence import canonical_json
from roadmap_ci.facts import NAMESPACES, Ref, parse_ref
from roadmap_ci.score.metrics import metrics_problem

RULES = ("pass", "threshold", "fraction", "exists", "all", "any")
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
        problem = metrics_problem(value, info.data.get("task"))
        if problem:
            raise ValueError(problem)
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


def rubric_schema() -> dict[str, Any]:
    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "roadmap-ci rubric"
    return schema
