"""Report formats: one module per format, each exposing ``render(view) -> str``.

Adding a format touches one file plus one line in ``FORMATS`` (the pre-commit ``languages/`` pattern).
Everything a format shows comes from one :class:`~roadmap_ci.report.view.View`, which decides what a
learner may see (``Scorecard.revealed``) and bounds every learner-controlled list; the formats only
present it. Nothing heavy is imported here: jinja2 loads inside ``markdown.render``.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from roadmap_ci.errors import InvalidInput

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.scoring import Scorecard

# format -> (module, default file name)
FORMATS: dict[str, tuple[str, str]] = {
    "md": ("roadmap_ci.report.markdown", "report.md"),
    "html": ("roadmap_ci.report.html", "report.html"),
    "junit": ("roadmap_ci.report.junit", "report.junit.xml"),
    "json": ("roadmap_ci.report.json_", "report.json"),  # scorecard.json stays the full scorecard
}

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
WITHHELD = "withheld until the due date or by the mentor"  # what every format and the terminal say of hidden details


def file_name(fmt: str) -> str:
    return _spec(fmt)[1]


def _spec(fmt: str) -> tuple[str, str]:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise InvalidInput(f"unknown report format {fmt!r} (allowed: {', '.join(FORMATS)})") from None


def render(fmt: str, scorecard: Scorecard, evidence: Evidence | None = None, *, base: Any = None,
           now: datetime | None = None, reveal: bool = False, max_chars: int | None = None,
           artifact_url: str | None = None, rubric: Any = None) -> str:
    """Render ``scorecard`` (and what ``evidence`` adds) in ``fmt``: md, html, junit or json.

    ``base``: the base branch's Evidence (or a metrics dict); default ``evidence.base_metrics``.
    ``now``: decides which ``after_due`` criteria are shown (default: the current time).
    ``reveal``: show hidden criteria too (mentors). ``max_chars``: the most characters the result
    may have (Markdown drops detail sections first, then shortens, and links ``artifact_url``).
    ``rubric``: the Rubric/LoadedRubric, optional; gives charts the thresholds.
    """
    from roadmap_ci.report.view import build_view

    module = importlib.import_module(_spec(fmt)[0])
    view = build_view(scorecard, evidence, base=base, now=now, reveal=reveal, artifact_url=artifact_url,
                      rubric=rubric)
    out: str = module.render(view, max_chars=max_chars)
    return out
