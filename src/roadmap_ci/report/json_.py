"""The JSON report: the scorecard itself, as a learner may see it.

With ``reveal`` it is byte-identical to ``scorecard.json``. Otherwise withheld criteria keep their
points (the total includes them) but lose what would give them away: reason, value, help, children.
"""

from __future__ import annotations

from roadmap_ci.evidence import dump_json
from roadmap_ci.report import WITHHELD
from roadmap_ci.report.view import View


def render(view: View, max_chars: int | None = None) -> str:
    card = view.card
    if not view.reveal:
        shown = {c.id for c in view.shown}
        criteria = [c if c.id in shown else c.model_copy(update={"reason": WITHHELD, "value": None, "help": "",
                                                                 "children": []})
                    for c in card.criteria]
        card = card.model_copy(update={"criteria": criteria})
    return dump_json(card)
