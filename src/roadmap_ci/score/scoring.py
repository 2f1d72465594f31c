"""The scorer: evidence + rubric -> scorecard. Pure, deterministic, no I/O, nothing heavy.

Same inputs give byte-identical JSON (``evidence.dump_json``): floats are rounded, the order of
criteria is the rubric's, and nothing depends on the clock -- whether an ``after_due`` criterion is
shown is decided by the report, from the scorecard's ``due``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from roadmap_ci.evidence import Evidence, evidence_digest
from roadmap_ci.facts import Fact, resolve
from roadmap_ci.score.load import LoadedRubric
from roadmap_ci.score.model import (
    ExistsCriterion,
    FractionCriterion,
    GroupCriterion,
    PassCriterion,
    Rubric,
    ThresholdCriterion,
)

SCORECARD_VERSION = 1
Status = Literal["pass", "partial", "fail", "missing", "pending"]


class CriterionResult(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str
    title: str
    rule: str
    evidence: list[str]
    points: float
    max: float
    fraction: float
    status: Status
    reason: str
    value: float | None = None
    visibility: Literal["visible", "hidden", "after_due"] = "visible"
    help: str = ""
    children: list[CriterionResult] = []


class RubricInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str
    version: str
    hash: str


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    schema_version: Literal[1] = SCORECARD_VERSION
    deliverable: str
    commit: str | None = None
    repo: str | None = None
    learner: str | None = None
    rubric: RubricInfo
    evidence_digest: str
    total: float
    max: float
    percent: float
    pass_mark: float
    passed: bool
    pending_points: float = Field(
        default=0.0,
        description="Points of criteria that only the CI report step can score (hidden-label metrics, computed "
        "from the predictions outside the learner's job). Non-zero on a local run: the total is provisional.",
    )
    due: datetime | None = None
    labels: Literal["course", "practice"] | None = Field(
        default=None,
        description="Where the hidden-label metrics came from: the mentor's course labels (a grade), or the "
        "practice labels shipped with the template (public: feedback, not a grade). None: no hidden labels used.",
    )
    criteria: list[CriterionResult]

    @property
    def on_track(self) -> bool:
        """Passed, or -- on a provisional local run -- at the pass mark's share of the points scored here."""
        if self.passed or not self.pending_points:
            return self.passed
        scored_here = self.max - self.pending_points
        return scored_here > 0 and self.total / scored_here >= self.pass_mark / self.max - 1e-9

    def revealed(self, now: datetime | None) -> list[CriterionResult]:
        """Criteria a learner may see in detail at ``now`` (hidden never; after_due once due)."""
        out = []
        for c in self.criteria:
            if c.visibility == "hidden":
                continue
            if c.visibility == "after_due" and c.status != "pending" and (
                    self.due is None or now is None or now < self.due):  # a pending one holds nothing to hide
                continue
            out.append(c)
        return out


def _r(x: float) -> float:
    return round(x + 0.0, 4)


def _pts(x: float) -> float:
    return round(x + 0.0, 2)


def _status(fraction: float) -> Status:
    if fraction >= 1.0:
        return "pass"
    return "partial" if fraction > 0 else "fail"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _linear(value: float, lo: float, hi: float, higher: bool) -> float:
    """0 at lo, 1 at hi (hi above lo when higher is better, below it otherwise)."""
    if not higher:
        value, lo, hi = -value, -lo, -hi
    if value >= hi:
        return 1.0
    if value <= lo:
        return 0.0
    # halved first: finite thresholds and values near ±1e308 would overflow to inf/inf = nan
    return min(1.0, max(0.0, (value / 2 - lo / 2) / (hi / 2 - lo / 2)))


# A rule reads its facts and returns (fraction, value, missing, reason). ``explain=False`` (cohort
# totals, which discard the text) skips composing the reason; the numbers never depend on it.
RuleResult = tuple[float, float | None, bool, str]


def _missing(fact: Fact, explain: bool) -> RuleResult:
    return 0.0, None, True, f"missing evidence: {fact.detail}" if explain else ""


def _threshold(c: ThresholdCriterion, ev: Evidence, base: dict[str, float] | None, explain: bool) -> RuleResult:
    ref = c.parsed_refs[0]
    fact = resolve(ev, ref, "number")
    if fact.kind != "number":
        return _missing(fact, explain)
    value = float(fact.value)  # type: ignore[arg-type]
    higher = c.better == "higher"
    label = fact.label
    if c.relative_to == "base":
        base_values = base if base is not None else ev.base_metrics
        base_fact = resolve(ev, ref, "number", base=base_values) if base_values is not None else None
        if base_fact is None or base_fact.kind != "number":
            if c.if_no_base == "award":
                return 1.0, value, False, f"{label} {_fmt(value)}; no base-branch value to compare with, so full credit"
            return 0.0, value, False, f"{label} {_fmt(value)}; no base-branch value to compare with"
        base_value = float(base_fact.value)  # type: ignore[arg-type]
        delta = value - base_value
        frac = _linear(delta, c.min, c.target, higher)
        if not explain:
            return frac, value, False, ""
        return frac, value, False, (f"{label} {_fmt(value)} vs {_fmt(base_value)} on the base branch ({delta:+.4g})"
                                    f" — {c.target:+g} or better earns full credit, {c.min:+g} or worse none")
    frac = _linear(value, c.min, c.target, higher)
    if not explain:
        return frac, value, False, ""
    word = "or more" if higher else "or less"
    bad = "or less" if higher else "or more"
    reason = f"{label} {_fmt(value)} — {_fmt(c.target)} {word} earns full credit, {_fmt(c.min)} {bad} none"
    if fact.detail:
        reason += f" ({fact.detail})"
    return frac, value, False, reason


def _fraction(c: FractionCriterion, ev: Evidence, base: dict[str, float] | None, explain: bool) -> RuleResult:
    fact = resolve(ev, c.parsed_refs[0], "fraction")
    if fact.kind == "missing" or fact.fraction is None:
        return _missing(fact, explain)
    f = fact.fraction
    frac = _linear(f, c.min, c.target, True)
    if not explain:
        return frac, f, False, ""
    goal = f"; {c.target:.0%} earns full credit" if frac < 1 else ""
    return frac, f, False, f"{fact.detail}{goal}"


def _pass(c: PassCriterion, ev: Evidence, base: dict[str, float] | None, explain: bool) -> RuleResult:
    fact = resolve(ev, c.parsed_refs[0], "bool")
    if fact.kind == "missing":
        return _missing(fact, explain)
    ok = 1.0 if fact.value else 0.0
    return ok, ok, False, fact.detail


def _exists(c: ExistsCriterion, ev: Evidence, base: dict[str, float] | None, explain: bool) -> RuleResult:
    facts = [resolve(ev, ref, "bool") for ref in c.parsed_refs]
    absent = [f for f in facts if not (f.kind == "bool" and f.value)]
    frac = (len(facts) - len(absent)) / len(facts)
    if not explain:
        return frac, frac, False, ""
    if not absent:
        reason = facts[0].detail if len(facts) == 1 else "present: " + ", ".join(f.label for f in facts)
    else:
        reason = "; ".join(f.detail for f in absent[:5]) + (f" (and {len(absent) - 5} more)" if len(absent) > 5 else "")
        if len(facts) > 1:
            reason = f"{len(facts) - len(absent)} of {len(facts)} present — {reason}"
    return frac, frac, False, reason


_RULES = {ThresholdCriterion: _threshold, FractionCriterion: _fraction, PassCriterion: _pass, ExistsCriterion: _exists}

PENDING = "pending: scored by the CI report step from your predictions against hidden labels you never see"


def _pending(c, ev: Evidence) -> bool:
    """Only hidden-label facts, and they were not computed (a learner's local run): not a failure."""
    return c.hidden_only and ev.hidden is None and not any(e.collector == "hidden" for e in ev.errors)


class Outcome(NamedTuple):
    """One criterion, evaluated: the scorer's working form (a CriterionResult is built from it)."""

    criterion: Any
    fraction: float  # in [0, 1], unrounded
    points: float  # the criterion's points times the fraction, rounded
    status: Status
    reason: str  # empty when evaluated with explain=False
    value: float | None
    children: tuple[Outcome, ...] = ()

    def result(self) -> CriterionResult:
        c = self.criterion
        value = self.value
        return CriterionResult(
            id=c.id, title=c.title or c.id, rule=c.rule, evidence=c.refs(), points=self.points,
            max=_pts(c.points), fraction=_r(self.fraction), status=self.status, reason=self.reason,
            value=None if value is None or not math.isfinite(value) else _r(value),
            visibility=c.visibility, help=c.help, children=[ch.result() for ch in self.children],
        )


def _group(c: GroupCriterion, ev: Evidence, base: dict[str, float] | None, explain: bool) -> Outcome:
    children = tuple(_outcome(ch, ev, base, explain) for ch in c.criteria)
    fracs = [_r(ch.fraction) for ch in children]
    frac = min(fracs) if c.rule == "all" else max(fracs)
    reason = ""
    if explain and c.rule == "all":
        weak = [ch for ch, f in zip(children, fracs, strict=True) if f < 1]
        unmet = "; ".join(f"{ch.criterion.title or ch.criterion.id} ({ch.reason})" for ch in weak)
        reason = f"not met: {unmet}" if weak else "all met"
    elif explain:
        best = children[fracs.index(frac)]
        reason = f"best: {best.criterion.title or best.criterion.id} ({best.reason})"
    value: float | None = frac
    if all(ch.status == "pending" for ch in children):
        status, reason, value = "pending", PENDING, None
    else:
        status = _status(frac) if not all(ch.status == "missing" for ch in children) else "missing"
    return Outcome(c, frac, _pts(c.points * frac), status, reason, value, children)


def _outcome(c, ev: Evidence, base: dict[str, float] | None, explain: bool = True) -> Outcome:
    rule = _RULES.get(type(c))
    if rule is None:
        return _group(c, ev, base, explain)
    if c.hidden_only and _pending(c, ev):
        return Outcome(c, 0.0, 0.0, "pending", PENDING, None)
    frac, value, missing, reason = rule(c, ev, base, explain)
    if not 0.0 <= frac <= 1.0:  # cannot happen with finite evidence; keep the total bounded regardless
        frac = min(1.0, max(0.0, frac)) if math.isfinite(frac) else 0.0
    status: Status = "missing" if missing else _status(frac)
    return Outcome(c, frac, _pts(c.points * frac), status, reason, value)


def criterion_outcomes(evidence: Evidence, criteria: Sequence[Any], base: Evidence | None = None, *,
             explain: bool = True) -> list[Outcome]:
    """Each criterion (a rubric's ``criteria``, in its order) evaluated against ``evidence``.

    ``explain=False`` leaves every ``reason`` empty, for cohort totals that discard the text:
    points and statuses are the same either way.
    """
    base_metrics = base.metrics if base is not None else None
    return [_outcome(c, evidence, base_metrics, explain) for c in criteria]


class Totals(NamedTuple):
    """What a cohort view needs of one scorecard, without building it (``cohort.rescore``)."""

    total: float
    max: float
    percent: float
    passed: bool
    pending: float
    points: dict[str, float]


def totals(outcomes: list[Outcome], rubric: Rubric) -> Totals:
    total = _pts(sum([o.points for o in outcomes]))
    max_points = _pts(rubric.max_points)
    pending = _pts(sum([_pts(o.criterion.points) for o in outcomes if o.status == "pending"]))
    return Totals(total, max_points, _r(100 * (total / max_points)) if max_points else 0.0,
                  total >= rubric.pass_mark - 1e-9, pending, {o.criterion.id: o.points for o in outcomes})


def score(evidence: Evidence, rubric: Rubric | LoadedRubric, base: Evidence | None = None,
          rubric_name: str | None = None, digest: str | None = None) -> Scorecard:
    """Score evidence against a rubric. ``base`` is the base branch's evidence, for relative criteria.

    ``digest`` is the evidence's digest when the caller already has it (scoring one evidence twice).
    """
    if isinstance(rubric, LoadedRubric):
        name = rubric_name or rubric.path.stem
        r = rubric.rubric
    else:
        name = rubric_name or (rubric.deliverable or "rubric")
        r = rubric
    outcomes = criterion_outcomes(evidence, r.criteria, base)
    t = totals(outcomes, r)
    return Scorecard(
        deliverable=evidence.deliverable, commit=evidence.commit, repo=evidence.repo, learner=evidence.learner,
        rubric=RubricInfo(name=name, version=r.version, hash=r.content_hash()),
        evidence_digest=digest or evidence_digest(evidence), total=t.total, max=t.max, percent=t.percent,
        pass_mark=r.pass_mark, passed=t.passed, pending_points=t.pending, due=r.due,
        criteria=[o.result() for o in outcomes],
    )
