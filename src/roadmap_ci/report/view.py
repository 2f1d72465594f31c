"""What a report shows, computed once for every format.

The view decides visibility (hidden / after_due criteria are withheld per ``Scorecard.revealed(now)``
and summarised, so a withheld failure never reads as "all passed"), pairs metrics with the base branch,
picks the failing tests and expectations, and bounds every list a learner controls.
Values stay raw text here: each format escapes with :mod:`roadmap_ci.report.escape`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from roadmap_ci.collect.data import Expectation
from roadmap_ci.collect.pipeline import Stage
from roadmap_ci.collect.tests import TestCase
from roadmap_ci.evidence import Evidence
from roadmap_ci.score.scoring import CriterionResult, Scorecard

MAX_METRICS = 50
MAX_TESTS = 50
MAX_EXPECTATIONS = 50
MAX_LOG_LINES = 30


@dataclass
class Withheld:
    count: int
    points: float
    max: float
    all_met: bool


@dataclass
class MetricRow:
    name: str
    value: float
    base: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.base is None else self.value - self.base


@dataclass
class Threshold:
    """A threshold criterion on a number, for the metric-vs-threshold chart."""

    criterion: str
    label: str
    value: float
    min: float
    target: float
    better: str


@dataclass
class FailedCheck:
    suite: str
    data_file: str
    expectation: Expectation


@dataclass
class View:
    card: Scorecard
    evidence: Evidence | None
    now: datetime
    reveal: bool
    shown: list[CriterionResult]
    withheld: Withheld | None
    metrics: list[MetricRow]
    metrics_more: int
    thresholds: list[Threshold]
    test_counts: dict[str, int]
    failing_tests: list[TestCase]
    failing_tests_more: int
    checks_total: int
    failed_checks: list[FailedCheck]
    failed_checks_more: int
    suite_errors: list[tuple[str, str]]
    failed_stage: Stage | None
    pipeline_status: str | None
    artifact_url: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def visible_all_met(self) -> bool:
        return all(c.status == "pass" for c in self.shown)

    @property
    def all_met(self) -> bool:
        return self.visible_all_met and (self.withheld is None or self.withheld.all_met)


def _base_metrics(evidence: Evidence | None, base: Any) -> dict[str, float] | None:
    if isinstance(base, Evidence):
        return base.metrics
    if isinstance(base, dict):
        return {str(k): float(v) for k, v in base.items()}
    return evidence.base_metrics if evidence is not None else None


def _thresholds(rubric: Any, shown: list[CriterionResult]) -> list[Threshold]:
    if rubric is None:
        return []
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.model import ThresholdCriterion

    r = rubric.rubric if isinstance(rubric, LoadedRubric) else rubric
    by_id = {c.id: c for c in r.criteria if isinstance(c, ThresholdCriterion) and c.relative_to is None}
    out = []
    for c in shown:
        spec = by_id.get(c.id)
        if spec is None or c.value is None or c.status == "missing":
            continue
        label = spec.evidence.split(":", 1)[1] if ":" in spec.evidence else spec.evidence
        out.append(Threshold(c.id, label, c.value, spec.min, spec.target, spec.better))
    return out


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if not url.startswith(("https://", "http://")) or any(ch in url for ch in " \t\r\n<>\"'`()[]|"):
        return None
    return url


def build_view(card: Scorecard, evidence: Evidence | None = None, *, base: Any = None, now: datetime | None = None,
               reveal: bool = False, artifact_url: str | None = None, rubric: Any = None) -> View:
    now = now or datetime.now(UTC)
    shown = list(card.criteria) if reveal else card.revealed(now)
    ids = {c.id for c in shown}
    hidden = [c for c in card.criteria if c.id not in ids]
    withheld = None
    if hidden:
        withheld = Withheld(len(hidden), round(sum(c.points for c in hidden), 2), round(sum(c.max for c in hidden), 2),
                            all(c.status == "pass" for c in hidden))

    metrics: list[MetricRow] = []
    more = 0
    if evidence is not None and evidence.metrics:
        base_values = _base_metrics(evidence, base) or {}
        # metrics the shown criteria read come first, then the rest by name
        wanted = [ref.split(":", 1)[1] for c in shown for ref in c.evidence if ref.startswith("metric:")]
        order = sorted(evidence.metrics, key=lambda k: (k not in wanted, k))
        more = max(0, len(order) - MAX_METRICS)
        metrics = [MetricRow(k, evidence.metrics[k], base_values.get(k)) for k in order[:MAX_METRICS]]

    counts: dict[str, int] = {}
    failing: list[TestCase] = []
    failing_more = 0
    failed_checks: list[FailedCheck] = []
    checks_total = 0
    failed_more = 0
    suite_errors: list[tuple[str, str]] = []
    failed_stage = None
    pipeline_status = None
    if evidence is not None:
        if evidence.tests is not None:
            for tc in evidence.tests.cases:
                counts[tc.outcome] = counts.get(tc.outcome, 0) + 1
            bad = [tc for tc in evidence.tests.cases if tc.outcome in ("failed", "error")]
            failing = bad[:MAX_TESTS]
            failing_more = len(bad) - len(failing)
        for suite in evidence.data or []:
            checks_total += len(suite.expectations)
            if suite.status == "error":
                suite_errors.append((suite.name, suite.message))
            for exp in suite.expectations:
                if not exp.success:
                    if len(failed_checks) < MAX_EXPECTATIONS:
                        failed_checks.append(FailedCheck(suite.name, suite.data_file, exp))
                    else:
                        failed_more += 1
        if evidence.pipeline is not None:
            pipeline_status = evidence.pipeline.status
            for st in evidence.pipeline.stages:
                if st.status in ("failed", "timeout"):
                    failed_stage = st
                    break

    return View(card=card, evidence=evidence, now=now, reveal=reveal, shown=shown, withheld=withheld,
                metrics=metrics, metrics_more=more, thresholds=_thresholds(rubric, shown), test_counts=counts,
                failing_tests=failing, failing_tests_more=failing_more, checks_total=checks_total,
                failed_checks=failed_checks, failed_checks_more=failed_more, suite_errors=suite_errors,
                failed_stage=failed_stage, pipeline_status=pipeline_status, artifact_url=_safe_url(artifact_url))


def log_tail(stage: Stage, lines: int = MAX_LOG_LINES) -> str:
    return "\n".join(stage.log_tail.splitlines()[-lines:])


def fmt_num(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def fmt_pts(x: float) -> str:
    return f"{x:g}"
