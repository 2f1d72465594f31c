"""A rubric in words: how each criterion is scored and when it is shown (``roadmap-ci rubric explain``,
and the "How it is scored" table of every template README)."""

from __future__ import annotations

from typing import Any

from roadmap_ci.score.load import LoadedRubric
from roadmap_ci.score.model import ExistsCriterion, FractionCriterion, GroupCriterion, PassCriterion, ThresholdCriterion


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
