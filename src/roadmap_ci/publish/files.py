"""The files sink: every report format, the scorecard and the evidence, written atomically to one folder.

This runs before anything is posted, so a failed post still leaves the full report (the artifact the
PR comment links to when it had to be shortened).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any


def write_text(path: Path, text: str) -> Path:
    """Atomically (:func:`roadmap_ci.safeio.write_atomic`); a failure is one line naming the path, exit 2."""
    from roadmap_ci.safeio import write_atomic

    return write_atomic(path, text)


def write_reports(card: Any, evidence: Any, out_dir: Path, *, formats: Iterable[str] = ("md", "html", "junit", "json"),
                  now: datetime | None = None, reveal: bool = False, rubric: Any = None,
                  artifact_url: str | None = None) -> dict[str, Path]:
    """Write ``report.md``/``.html``/``.junit.xml``/``report.json`` + ``scorecard.json`` (+ ``evidence.json``)."""
    from roadmap_ci.evidence import dump_json
    from roadmap_ci.reports import file_name, render

    out: dict[str, Path] = {}
    for fmt in formats:
        text = render(fmt, card, evidence, now=now, reveal=reveal, rubric=rubric, artifact_url=artifact_url)
        out[fmt] = write_text(out_dir / file_name(fmt), text)
    out["scorecard"] = write_text(out_dir / "scorecard.json", dump_json(card))
    if evidence is not None:
        out["evidence"] = write_text(out_dir / "evidence.json", dump_json(evidence))
    return out
