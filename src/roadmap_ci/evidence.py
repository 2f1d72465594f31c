"""The evidence contract: facts about one learner repo at one commit, never judgements.

Collectors fill it in: each one's module (:mod:`roadmap_ci.collect.registry`) declares the sections it fills
and their models, and :data:`Evidence` is built from them. The scorer reads it; nothing in it says how many
points anything is worth. Every section is optional: ``None`` means "that collector did not run", which the
scorer reports as missing evidence (0 points, with a reason), never as a crash.

Numbers are finite floats: NaN and infinities are not valid JSON and are recorded as problems
(``metric_problems``) by the collectors instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, create_model

from roadmap_ci.collect.base import CollectorError, EvidenceModel
from roadmap_ci.errors import InvalidInput, Place
from roadmap_ci.safeio import parse_json, read_text, write_atomic

SCHEMA_VERSION = 1
MAX_EVIDENCE_BYTES = 8 * 1024 * 1024  # score, rescore and ci-report refuse larger evidence alike


# What every evidence file starts with; each collector's sections follow, in registry order, then hidden and errors.
class _Head(EvidenceModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    deliverable: str
    commit: str | None = None
    repo: str | None = Field(default=None, description="owner/name, or a local name.")
    ref: str | None = None
    learner: str | None = None
    tools: dict[str, str] = Field(default_factory=dict)

    # sha256 of the bytes this evidence was read from (see evidence_digest)
    _source_digest: str | None = PrivateAttr(default=None)


def _evidence_model() -> type[_Head]:
    from roadmap_ci.collect.registry import COLLECTORS

    sections: dict[str, Any] = {}
    for collector in COLLECTORS.values():
        sections.update(collector.EVIDENCE)
    return create_model(  # type: ignore[call-overload,no-any-return]
        "Evidence", __base__=_Head, __module__=__name__, **sections,
        hidden=(dict[str, float] | None, Field(
            default=None,
            description="Hidden-label metrics. Filled only by the privileged report step from the predictions; "
            "whatever a learner's job writes here is replaced.",
        )),
        errors=(list[CollectorError], Field(default_factory=list)),
    )


if TYPE_CHECKING:
    class Evidence(_Head):
        """The header, each collector's sections (their models live in its module), ``hidden`` and ``errors``."""

        hidden: dict[str, float] | None
        errors: list[CollectorError]

        def __getattr__(self, name: str) -> Any: ...
else:
    Evidence = _evidence_model()


def canonical_json(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(model: BaseModel) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(model.model_dump(mode="json")).encode()).hexdigest()


def evidence_digest(evidence: Evidence) -> str:
    """The digest a scorecard records: sha256 of the evidence file's bytes.

    Evidence read from a file keeps the digest of exactly those bytes (so `sha256sum evidence.json`
    matches the scorecard); evidence built in memory is digested as `dump_json` would write it,
    which is what `collect` writes, so both routes agree.
    """
    if evidence._source_digest is None:
        evidence._source_digest = "sha256:" + hashlib.sha256(dump_json(evidence).encode()).hexdigest()
    return evidence._source_digest


def _from_text(text: str, ev: Evidence, sha256: str | None = None) -> Evidence:
    ev._source_digest = "sha256:" + (sha256 if sha256 is not None else hashlib.sha256(text.encode()).hexdigest())
    return ev


def format_validation_error(exc: ValidationError, path: str, limit: int = 1) -> str:
    """The first problem of a pydantic error as 'at a.b[2]: message'."""
    parts = []
    for err in exc.errors()[:limit]:
        loc = ""
        for item in err["loc"]:
            loc += f"[{item}]" if isinstance(item, int) else (f".{item}" if loc else str(item))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        parts.append(f"at {loc or '(top level)'}: {msg}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_evidence(text: str, path: str = "<evidence>") -> Evidence:
    """The one validation of evidence: ``score``, ``rescore`` and ``ci-report`` accept exactly what it accepts.

    JSON nested deeper than :data:`roadmap_ci.safeio.JSON_MAX_DEPTH`, lone surrogate escapes, NaN and
    numbers beyond the float range are refused here, so nothing downstream (``--json``, reports, CSV)
    meets text it cannot write.
    """
    raw = parse_json(text, path, "JSON")
    if not isinstance(raw, dict):
        raise InvalidInput("evidence must be a JSON object", Place(path, 1, 1))
    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InvalidInput(
            f"evidence schema_version {version!r} is not supported (this roadmap-ci reads {SCHEMA_VERSION}); "
            "collect it again with this version",
            Place(path),
        )
    try:
        return _from_text(text, Evidence.model_validate(raw))
    except ValidationError as exc:
        raise InvalidInput(f"not valid evidence {format_validation_error(exc, path)}", Place(path)) from None


def read_evidence_text(path: Path, display: str | None = None) -> str:
    """The evidence file's text, size-capped (:data:`MAX_EVIDENCE_BYTES`), strict UTF-8."""
    from roadmap_ci.safeio import decode_text, read_bytes

    if display is None:
        return read_text(path, "evidence file", MAX_EVIDENCE_BYTES)
    try:
        data = read_bytes(path, "evidence file", MAX_EVIDENCE_BYTES)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, Place(display)) from None
    return decode_text(data, display, "evidence file")


def load_evidence(path: Path, display: str | None = None, fast: bool = False) -> Evidence:
    """Read and validate an evidence file; ``display`` names it in errors, ``fast``: cohort scale."""
    text = read_evidence_text(path, display)
    name = display or str(path)
    return parse_evidence_fast(text, name) if fast else parse_evidence(text, name)


def parse_evidence_fast(text: str, path: str, *, sha256: str | None = None) -> Evidence:
    """Exactly parse_evidence's verdict, validating in Rust first (cohort scale); the slow path explains errors.

    The Rust path parses with the same parser and limits; what it cannot see -- a ``schema_version``
    left out, which the model would default -- sends the text to the slow path, which refuses it.
    ``sha256``: the hex digest of ``text.encode()`` when the caller has it (not computed again).
    """
    try:
        ev = Evidence.model_validate_json(text)
    except (ValidationError, TypeError, UnicodeEncodeError):
        return parse_evidence(text, path)
    if "schema_version" not in ev.model_fields_set:
        return parse_evidence(text, path)
    return _from_text(text, ev, sha256)


def dump_json(model: BaseModel) -> str:
    """Deterministic JSON for a contract model (same model -> same bytes)."""
    return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(model: BaseModel, path: Path) -> None:
    write_atomic(path, dump_json(model))
