"""The cohort folder ``collect`` writes and ``grade``, ``progress``, ``similar`` and ``report`` read.

.. code-block:: text

    cohort/<deliverable>/<learner>/<sha>/evidence.json      the learner's evidence, as validated by ci-report's code
                                        /<predictions copy>  the file evidence.predictions.bundled_as names
                                        /provenance.json     run id, GitHub's created_at, artifact digest, late,
                                                             the sha256 of each file collect stored
    cohort/<deliverable>/_collect.json                        per learner: what collect found (status, reason)
    cohort/<deliverable>/_hidden.json                         grade's cache of hidden metrics (see cohort.grade)
    cohort/<deliverable>/_scores.json                         grade's cache of whole results (see cohort.grade)

The ``files`` digests let ``grade`` trust what collect validated: a file whose bytes still have the digest
collect recorded is the file ci-report's code accepted, so grade parses it without validating the artifact
again; a file that changed (or a folder from before the digests) goes through the full validation.

A learner folder holds one commit folder: the graded commit (collect replaces a superseded one). Learner
logins never start with ``_``, so the ``_collect.json`` status file cannot clash with a learner.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PROVENANCE = "provenance.json"
EVIDENCE = "evidence.json"
STATUS = "_collect.json"
SHA = re.compile(r"^[0-9a-f]{40}$")
PROVENANCE_SCHEMA = "roadmap-ci-provenance/1"
PROVENANCE_MAX = 64 * 1024

# what collect says about a learner it stored nothing for (the gradebook's problems column repeats it)
NO_REPO = "no-repo"
NO_RUN = "no-run"
AFTER_CUTOFF = "after-cutoff"
EXPIRED = "expired"
REJECTED = "rejected"
FAILED = "failed"
COLLECTED = "collected"


@dataclass(frozen=True)
class Provenance:
    run_id: int
    created_at: datetime  # GitHub's clock: when the evaluate run was created
    sha: str
    repo: str
    artifact_id: int | None
    artifact_digest: str  # sha256 of the artifact zip as downloaded
    late: bool
    files: dict[str, str] = field(default_factory=dict)  # stored file (relative) -> sha256, as collect wrote it

    def to_json(self) -> dict[str, Any]:
        out = {"schema": PROVENANCE_SCHEMA, "run_id": self.run_id, "created_at": iso(self.created_at),
               "sha": self.sha, "repo": self.repo, "artifact_id": self.artifact_id,
               "artifact_digest": self.artifact_digest, "late": self.late}
        if self.files:
            out["files"] = dict(sorted(self.files.items()))
        return out


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def read_provenance(path: Path | str, sha: str) -> Provenance:
    """The provenance file of a commit folder; ValueError with one line saying what is wrong."""
    return parse_provenance(read_provenance_bytes(path), sha)


READ_FIRST = 64 * 1024  # the first read's buffer: evidence, predictions and provenance files are mostly smaller


def read_capped(path: Path | str, cap: int, *, dir_fd: int | None = None) -> bytes:
    """At most ``cap + 1`` bytes of a file (one more than allowed shows it is too large); OSError as open's.

    Plain ``os.open``/``os.read``: a buffered ``open()`` costs twice the system calls (fstat, ioctl), which
    counts at 450,000 small files per full-roadmap grade. The reads ask for ``READ_FIRST`` bytes, then twice
    what was read so far, never past ``cap + 1``: ``os.read(fd, n)`` allocates ``n`` bytes before it reads, and
    a buffer of the cap itself (32 MiB for predictions) costs a ``mmap``/``munmap`` pair per call -- about
    30 µs per small file, four times the read. ``dir_fd``: ``path`` is relative to that open folder (``openat``)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0), dir_fd=dir_fd)
    try:
        data = os.read(fd, min(cap + 1, READ_FIRST))
        if not data:
            return data
        parts = [data]
        got = len(data)
        while got <= cap:  # a short read before the end is allowed: read until EOF (or one byte past the cap)
            more = os.read(fd, min(cap + 1 - got, max(READ_FIRST, got)))
            if not more:
                break
            parts.append(more)
            got += len(more)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)


def read_provenance_bytes(path: Path | str, *, dir_fd: int | None = None) -> bytes:
    """The provenance file's bytes (``grade`` digests them for its score cache); ValueError as read_provenance."""
    try:
        return read_capped(path, PROVENANCE_MAX, dir_fd=dir_fd)
    except FileNotFoundError:
        raise ValueError("no provenance.json (not written by `cohort collect`)") from None
    except OSError as exc:
        raise ValueError(f"provenance.json is not readable ({exc.strerror or exc})") from None


def parse_provenance(raw: bytes, sha: str) -> Provenance:
    """Provenance from a provenance file's bytes; ValueError as read_provenance."""
    if len(raw) > PROVENANCE_MAX:
        raise ValueError("provenance.json is larger than 64 KiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("provenance.json is not valid JSON") from None
    if not isinstance(data, dict) or data.get("schema") != PROVENANCE_SCHEMA:
        raise ValueError(f"provenance.json is not a {PROVENANCE_SCHEMA} file")
    created = parse_time(data.get("created_at"))
    run_id = data.get("run_id")
    if created is None:
        raise ValueError("provenance.json: created_at is not an ISO 8601 time with a time zone")
    if not isinstance(run_id, int) or isinstance(run_id, bool):
        raise ValueError("provenance.json: run_id is not an integer")
    if data.get("sha") != sha:
        raise ValueError(f"provenance.json names commit {str(data.get('sha'))[:40]!r}, not its folder's {sha}")
    art = data.get("artifact_id")
    files = data.get("files")
    files = ({str(k): v for k, v in files.items() if isinstance(v, str) and len(v) == 64}
             if isinstance(files, dict) else {})
    return Provenance(run_id, created, sha, str(data.get("repo") or ""), art if isinstance(art, int) else None,
                      str(data.get("artifact_digest") or ""), bool(data.get("late")), files)


def read_status(folder: Path) -> dict[str, dict[str, Any]]:
    """``_collect.json``: login (lower case) -> {"status", "reason", ...}; empty when absent or damaged."""
    return read_status_checked(folder)[0]


def read_status_checked(folder: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    """:func:`read_status`, and why the file is there but unreadable (None when absent or sound): one read."""
    try:
        data = json.loads((folder / STATUS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return {}, f"not readable as the JSON collect writes ({type(exc).__name__})"
    learners = data.get("learners") if isinstance(data, dict) else None
    if not isinstance(learners, dict):
        return {}, "not what collect writes (no learners mapping)"
    return {str(k).lower(): v for k, v in learners.items() if isinstance(v, dict)}, None


def write_status(folder: Path, learners: dict[str, dict[str, Any]]) -> None:
    from roadmap_ci.safeio import write_atomic

    write_atomic(folder / STATUS, json.dumps({"learners": learners}, indent=1, sort_keys=True))
