"""The files sink: every report format, the scorecard and the evidence, written atomically to one folder.

This runs before anything is posted, so a failed post still leaves the full report (the artifact the
PR comment links to when it had to be shortened).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roadmap_ci.evidence import Evidence
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.scoring import Scorecard


def write_text(path: Path, text: str) -> Path:
    """Atomically (:func:`roadmap_ci.safeio.write_atomic`); a failure is one line naming the path, exit 2."""
    from roadmap_ci.safeio import write_atomic

    return write_atomic(path, text)


def write_reports(card: Scorecard, evidence: Evidence | None, out_dir: Path, *, formats: Iterable[str] | None = None,
                  now: datetime | None = None, reveal: bool = False, rubric: LoadedRubric | None = None,
                  artifact_url: str | None = None) -> dict[str, Path]:
    """Write each of ``formats`` (default: every one in :data:`roadmap_ci.report.FORMATS`, under its file
    name) + ``scorecard.json`` (+ ``evidence.json``); the result maps format / ``scorecard`` / ``evidence``
    to the file."""
    from roadmap_ci.evidence import dump_json
    from roadmap_ci.report import FORMATS, file_name, render

    out: dict[str, Path] = {}
    for fmt in FORMATS if formats is None else formats:
        text = render(fmt, card, evidence, now=now, reveal=reveal, rubric=rubric, artifact_url=artifact_url)
        out[fmt] = write_text(out_dir / file_name(fmt), text)
    out["scorecard"] = write_text(out_dir / "scorecard.json", dump_json(card))
    if evidence is not None:
        out["evidence"] = write_text(out_dir / "evidence.json", dump_json(evidence))
    return out
