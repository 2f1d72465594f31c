"""embargo.learner_copy: what a learner may read of a scorecard and its evidence before the due date."""

from __future__ import annotations

from datetime import UTC, datetime

from roadmap_ci.evidence import Evidence, evidence_digest
from roadmap_ci.score.embargo import learner_copy, unrevealed
from roadmap_ci.score.model import Rubric
from roadmap_ci.score.scoring import score

RUBRIC = {
    "version": "1", "deliverable": "d", "pass_mark": 10, "due": "2026-12-20T23:59:00Z",
    "criteria": [
        {"id": "pub", "points": 10, "rule": "threshold", "evidence": "hidden:public.f1", "min": 0, "target": 1},
        {"id": "priv", "points": 20, "rule": "threshold", "evidence": "hidden:private.f1", "min": 0, "target": 1,
         "visibility": "after_due"},
        {"id": "group", "points": 5, "rule": "all", "visibility": "after_due", "criteria": [
            {"id": "auc", "rule": "threshold", "evidence": "hidden:public.roc_auc", "min": 0.5,
             "target": 1}]},
        {"id": "secret", "points": 5, "rule": "threshold", "evidence": "hidden:public.recall", "min": 0,
         "target": 1, "visibility": "hidden"},
    ],
}
EV = Evidence(deliverable="d", hidden={"public.f1": 0.5, "private.f1": 0.8, "public.roc_auc": 0.9,
                                       "public.recall": 1.0, "private.recall": 0.7})
BEFORE, AFTER = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 21, tzinfo=UTC)


def test_before_due_the_after_due_criteria_hold_nothing_and_the_total_leaves_them_out():
    card = score(EV, Rubric.model_validate(RUBRIC))
    assert [c.id for c in unrevealed(card, BEFORE)] == ["priv", "group"]
    copy, ev = learner_copy(card, EV, now=BEFORE)
    by_id = {c.id: c for c in copy.criteria}
    for cid in ("priv", "group"):
        c = by_id[cid]
        assert (c.status, c.points, c.value, c.children) == ("pending", 0.0, None, [])
        assert c.reason == "scored after the due date (2026-12-20 23:59 UTC)"
    assert copy.total == by_id["pub"].points + by_id["secret"].points == 10.0
    assert copy.pending_points == 25.0 and copy.passed and copy.percent == 25.0
    # every private metric, and the public one only an after-due criterion reads, is gone
    assert ev.hidden == {"public.f1": 0.5, "public.recall": 1.0}
    assert copy.evidence_digest == evidence_digest(ev) != card.evidence_digest
    assert card.total == 5 + 16 + 4 + 5 and by_id["secret"].points == 5  # the input is left as it was


def test_after_due_the_copy_is_the_scorecard_itself():
    card = score(EV, Rubric.model_validate(RUBRIC))
    copy, ev = learner_copy(card, EV, now=AFTER)
    assert copy is card and ev is EV


def test_without_a_due_date_after_due_criteria_are_never_shown():
    rubric = {**RUBRIC, "due": None}
    card = score(EV, Rubric.model_validate(rubric))
    copy, _ = learner_copy(card, EV, now=AFTER)
    assert {c.id for c in copy.criteria if c.status == "pending"} == {"priv", "group"}
    assert all(c.reason == "scored after the due date" for c in copy.criteria if c.status == "pending")
