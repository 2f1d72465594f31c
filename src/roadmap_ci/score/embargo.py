"""Nothing after-due before due: the copy of a scorecard and its evidence that a learner may read.

A rubric's ``after_due`` criteria (typically the private split of the hidden labels) count in the grade
but must not be learnable before ``due`` -- not in the PR comment, the statuses, the check run, the job
summary, nor any file of the report artifact, which a learner can download. Withholding their rows is not
enough: their points are in the total, and a digest of the full evidence can be brute-forced back to a
private metric. So before the due date the privileged step publishes a *learner copy*:

- each unrevealed ``after_due`` criterion is ``pending`` with 0 points, no value, no reason but when it is
  scored, and no children;
- the total, percent, pass/fail and ``pending_points`` are recomputed from what is left (the total is
  provisional, and the status line says so);
- the evidence loses every hidden-label metric such a criterion reads and every ``private.*`` metric, and
  the scorecard's ``evidence_digest`` is the digest of that copy.

The mentor's full view is computed on the mentor's side (``score`` / ``rescore`` with the labels). After
the due date the copy is the scorecard itself. Pure: no I/O, no clock (``now`` is given).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from roadmap_ci.evidence import Evidence, evidence_digest
from roadmap_ci.score.scoring import CriterionResult, Scorecard


def unrevealed(card: Scorecard, now: datetime) -> list[CriterionResult]:
    """The ``after_due`` criteria a learner may not see at ``now`` (all of them when no due date is set)."""
    return [c for c in card.criteria if c.visibility == "after_due" and (card.due is None or now < card.due)]


def _hidden_refs(criteria: Iterable[CriterionResult]) -> set[str]:
    out: set[str] = set()
    for c in criteria:
        out.update(ref[len("hidden:"):] for ref in c.evidence if ref.startswith("hidden:"))
        out |= _hidden_refs(c.children)
    return out


def when(card: Scorecard) -> str:
    if card.due is None:
        return "scored after the due date"
    return f"scored after the due date ({card.due.strftime('%Y-%m-%d %H:%M %Z').strip()})"


def learner_copy(card: Scorecard, evidence: Evidence | None, rubric: Any = None,
                 now: datetime | None = None) -> tuple[Scorecard, Evidence | None]:
    """``(card, evidence)`` as a learner may read them at ``now`` (the inputs themselves when nothing is due)."""
    from datetime import UTC

    now = now or datetime.now(UTC)
    later = unrevealed(card, now)
    if not later:
        return card, evidence
    ids = {c.id for c in later}
    note = when(card)
    criteria = [c if c.id not in ids else c.model_copy(update={
        "points": 0.0, "fraction": 0.0, "status": "pending", "reason": note, "value": None, "children": []})
        for c in card.criteria]
    total = round(sum(c.points for c in criteria) + 0.0, 2)
    pending = round(sum(c.max for c in criteria if c.status == "pending") + 0.0, 2)
    ev = evidence
    if evidence is not None and evidence.hidden is not None:
        drop = _hidden_refs(later)
        kept = {k: v for k, v in evidence.hidden.items() if k not in drop and not k.startswith("private.")}
        ev = evidence.model_copy(update={"hidden": kept})
        ev._source_digest = None  # the copy's own digest, not the full evidence's
    update = {"criteria": criteria, "total": total, "pending_points": pending,
              "percent": round(100 * total / card.max, 4) if card.max else 0.0,
              "passed": total >= card.pass_mark - 1e-9}
    if ev is not None:
        update["evidence_digest"] = evidence_digest(ev)
    return card.model_copy(update=update), ev
