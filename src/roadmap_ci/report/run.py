"""`roadmap-ci report`: a scorecard (+ the evidence it scored, + its rubric) read and checked, then rendered.

:func:`load_inputs` is also how ``publish`` reads what it posts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.errors import InvalidInput, Place, read_text

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.scoring import Scorecard

MAX_SCORECARD_BYTES = 8 * 1024 * 1024  # as evidence (roadmap_ci.evidence.MAX_EVIDENCE_BYTES)


def load_scorecard(path: Path) -> Scorecard:
    from pydantic import ValidationError

    from roadmap_ci.evidence import format_validation_error
    from roadmap_ci.score.scoring import Scorecard

    text = read_text(path, "scorecard file", MAX_SCORECARD_BYTES)
    try:
        return Scorecard.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput(f"not a valid scorecard {format_validation_error(exc, str(path))}", Place(str(path))) \
            from None


def load_inputs(scorecard: Path, evidence: Path | None) -> tuple[Scorecard, Evidence | None]:
    from roadmap_ci.evidence import load_evidence

    card = load_scorecard(scorecard)
    ev = load_evidence(evidence) if evidence is not None else None
    if ev is not None and ev.deliverable != card.deliverable:
        raise InvalidInput(f"the evidence is for {ev.deliverable!r} but the scorecard for {card.deliverable!r}")
    return card, ev


def report(scorecard: Path, evidence: Path | None, fmt: str, *, reveal: bool = False, now: datetime | None = None,
           rubric: Path | None = None, max_chars: int | None = None) -> str:
    from roadmap_ci.report import render

    card, ev = load_inputs(scorecard, evidence)
    loaded = None
    if rubric is not None:
        from roadmap_ci.score.load import load_rubric

        loaded = load_rubric(rubric)
    return render(fmt, card, ev, now=now, reveal=reveal, rubric=loaded, max_chars=max_chars)
