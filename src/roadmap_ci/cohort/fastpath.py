"""Grade's fast paths: the verdicts of the shared validation, at cohort scale.

``cohort grade`` reads 150,000 commit folders for a full roadmap; the shared code that ``ci-report`` and
``collect`` validate with (:func:`roadmap_ci.ci.artifact.load_bundle`, :func:`roadmap_ci.files.read_predictions`)
streams and re-checks everything, file by file. Each function here handles the common, well-formed case and
returns ``None`` for anything else -- then the caller runs the shared code, which gives the verdict and
explains the error in its own words. So a fast path never accepts what the shared code refuses, nor says
anything the shared code would not.

- :func:`trusted_evidence`: an ``evidence.json`` whose bytes still have the sha256 that ``collect`` recorded
  in the provenance when it validated the artifact with ci-report's code is parsed (with the schema, in Rust)
  without the artifact checks again; a changed file, or a folder collected before the digests, is not.
- :func:`predictions`: a predictions CSV with no quotes and no carriage returns splits exactly as
  :mod:`csv` splits it; the rows are then checked as ``read_predictions`` checks them, and any row it
  would refuse sends the whole file to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from roadmap_ci.cohort import store


def trusted_evidence(root: Path, prov: store.Provenance) -> tuple[Any, Path | None, str | None] | None:
    """(evidence, predictions copy, the copy's recorded sha256) when ``evidence.json`` is as collect stored it."""
    from roadmap_ci.errors import RoadmapError
    from roadmap_ci.evidence import MAX_EVIDENCE_BYTES, parse_evidence_fast
    from roadmap_ci.safeio import decode_text

    want = prov.files.get(store.EVIDENCE)
    if not want:
        return None
    path = root / store.EVIDENCE
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_EVIDENCE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_EVIDENCE_BYTES or store.digest(data) != want:
        return None
    try:
        ev = parse_evidence_fast(decode_text(data, store.EVIDENCE, "evidence file"), store.EVIDENCE)
    except RoadmapError:
        return None
    if ev.predictions is None or not ev.predictions.bundled_as:
        return ev, None, None
    bundled = ev.predictions.bundled_as
    rel = PurePosixPath(bundled)
    if rel.is_absolute() or ".." in rel.parts or "\\" in bundled or rel.as_posix() not in prov.files:
        return None
    return ev, root / rel, prov.files[rel.as_posix()]


def _finite(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


_MEMO: dict[bool, dict[str, Any]] = {}  # per process: (regression?) -> raw prediction text -> its Prediction


def predictions(data: bytes, spec: Any, labels: Mapping[str, Any], *, tsv: bool = False) -> dict[str, Any] | None:
    """``files.read_predictions``'s result for a well-formed file, else None (then ask it)."""
    from roadmap_ci.safeio import CSV_MAX_FIELDS
    from roadmap_ci.score import files
    from roadmap_ci.score import metrics as score_metrics

    if spec.task == "ranking" or not data or len(data) > files.MAX_PREDICTIONS_BYTES:
        return None
    if b"\x00" in data or b'"' in data or b"\r" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.removeprefix("\ufeff").split("\n")
    # a line longer than one cell may be (in characters) could break a cap: the shared reader decides
    if max(map(len, lines)) > files.MAX_FIELD_CHARS:
        return None
    delimiter = "\t" if tsv else ","
    rows = [ln.split(delimiter) for ln in lines if ln]
    if not rows or len(rows) > files.MAX_PREDICTION_ROWS + 1:
        return None
    header = [h.strip() for h in rows[0]]
    width = len(header)
    if width > CSV_MAX_FIELDS or len(set(header)) != width:
        return None
    needs_score = any(m in score_metrics.SCORE_METRICS for m in spec.metrics)
    if needs_score and not spec.score_column:
        return None
    wanted = [spec.id_column, spec.prediction_column] + ([spec.score_column] if needs_score else [])
    if any(col not in header for col in wanted):
        return None
    ci, pi = header.index(spec.id_column), header.index(spec.prediction_column)
    si = header.index(spec.score_column) if needs_score else -1
    regression = spec.task == "regression"
    memo = _MEMO.setdefault(regression, {})
    if len(memo) > 100_000:
        memo.clear()
    out: dict[str, Any] = {}
    for row in rows[1:]:
        if len(row) != width:
            return None
        key, raw = row[ci].strip(), row[pi].strip()
        if not key or not raw or key in out or key not in labels:
            return None
        if needs_score:
            score = _finite(row[si].strip())
            if score is None or (regression and _finite(raw) is None):
                return None
            out[key] = score_metrics.Prediction(score_metrics.canonical_label(raw), score)
            continue
        p = memo.get(raw)
        if p is None:
            if regression and _finite(raw) is None:
                return None
            p = memo[raw] = score_metrics.Prediction(score_metrics.canonical_label(raw), None)
        out[key] = p
    if len(out) != len(labels):  # every id is a label's and none twice: equal counts, every label predicted
        return None
    return out
