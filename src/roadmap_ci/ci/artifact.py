"""The learner's artifact: downloaded as a zip with a size cap, every entry validated before anything is
extracted (no ``..``, no absolute paths, no symlinks, bounded sizes and counts), then ``evidence.json``
schema-checked. :func:`load_bundle` is the one validation ``ci-report``, ``cohort collect`` and ``cohort grade``
share.
"""

from __future__ import annotations

import lzma
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from roadmap_ci.ci.reader import as_reader
from roadmap_ci.errors import CannotRun, InvalidInput, Place, RoadmapError
from roadmap_ci.evidence import MAX_EVIDENCE_BYTES, Evidence, load_evidence

if TYPE_CHECKING:
    import requests

    from roadmap_ci.ci.event import Run
    from roadmap_ci.ci.reader import Reader

ARTIFACT_NAME = "roadmap-ci-evidence"
MAX_ZIP_BYTES = 64 * 1024 * 1024  # the artifact as downloaded
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # one file, uncompressed
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # all files, uncompressed


class ArtifactError(InvalidInput):
    """The learner's artifact is not acceptable; the message says why (one line)."""



# What reading a hostile zip can raise besides BadZipFile: bad compressed streams, truncated data, names and
# headers that do not decode, a password prompt for an entry whose local header says encrypted (RuntimeError).
# Every one is a problem of the artifact, said in one line. Compression methods and flags zipfile cannot read
# are refused by name before any entry is opened (_METHODS, _entry_problem).
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, lzma.LZMAError,
               RuntimeError, ValueError, UnicodeDecodeError, OverflowError)
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
MAX_NAME_CHARS = 255  # one component of an entry's path
MAX_PATH_CHARS = 1024  # an entry's whole path


def _name(name: str) -> str:
    """An entry name for a message: quoted, control characters escaped, bounded."""
    return repr(name if len(name) <= 60 else name[:59] + "…")


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not name or name in ("/", "."):
        return "an entry has an empty name"
    if "\x00" in name or "\\" in name:
        return f"entry {_name(name)} has a backslash or NUL in its name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return f"entry {_name(name)} is an absolute path"
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in name):
        return f"entry {_name(name)} has a control character in its name"
    parts = PurePosixPath(name).parts
    if any(p == ".." for p in parts):
        return f"entry {_name(name)} leaves the artifact ('..')"
    if len(name) > MAX_PATH_CHARS or any(len(p) > MAX_NAME_CHARS for p in parts):
        return f"entry {_name(name)} has a name longer than a file system allows"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"entry {_name(name)} is a symlink"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: a zip written without a file type
        return f"entry {_name(name)} is not a regular file"
    if info.flag_bits & 0x1:
        return f"entry {_name(name)} is encrypted"
    if info.compress_type not in _METHODS:
        return (f"entry {_name(name)} uses compression method {info.compress_type}, which cannot be read here "
                "(stored, deflate, bzip2 or lzma)")
    if info.flag_bits & 0x60:
        return f"entry {_name(name)} holds patched or strongly encrypted data, which cannot be read here"
    return None


def extract_artifact(zip_path: Path, dest: Path, *, max_zip_bytes: int = MAX_ZIP_BYTES,
                     max_entries: int = MAX_ENTRIES, max_entry_bytes: int = MAX_ENTRY_BYTES,
                     max_total_bytes: int = MAX_TOTAL_BYTES) -> Path:
    """Validate every entry, then extract with bounded reads; any problem rejects the whole artifact.

    A missing or unreadable ``zip_path`` is the caller's problem (CannotRun); everything about its
    content -- names in any encoding, corrupt or unsupported streams, lying sizes -- is an ArtifactError.
    """
    try:
        size = zip_path.stat().st_size
    except (OSError, ValueError) as exc:
        why = "not found" if isinstance(exc, FileNotFoundError) else f"cannot read it ({exc})"
        raise CannotRun(f"the artifact zip: {why}", Place(str(zip_path))) from None
    if size > max_zip_bytes:
        raise ArtifactError(f"the artifact is {size:,} bytes, more than the {max_zip_bytes:,} allowed")
    try:
        zf = zipfile.ZipFile(zip_path)
    except UnicodeDecodeError:
        raise ArtifactError("artifact rejected: an entry name is marked UTF-8 but is not") from None
    except _ZIP_ERRORS as exc:
        raise ArtifactError(f"the artifact is not a readable zip ({_short(exc)})") from None
    with zf:
        _extract(zf, dest, max_entries, max_entry_bytes, max_total_bytes)
    return dest


def _short(exc: BaseException) -> str:
    from roadmap_ci.safeio import plain

    text = plain(str(exc)) or type(exc).__name__
    return text if len(text) <= 100 else text[:99] + "…"


def _extract(zf: zipfile.ZipFile, dest: Path, max_entries: int, max_entry_bytes: int, max_total_bytes: int) -> None:
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise ArtifactError(f"the artifact has {len(infos)} entries, more than the {max_entries} allowed")
    seen: set[str] = set()
    declared = 0
    for info in infos:
        problem = _entry_problem(info)
        if problem:
            raise ArtifactError(f"artifact rejected: {problem}")
        norm = str(PurePosixPath(info.filename))
        if norm in seen:
            raise ArtifactError(f"artifact rejected: entry {_name(info.filename)} appears twice")
        seen.add(norm)
        if info.file_size > max_entry_bytes:
            raise ArtifactError(f"artifact rejected: {_name(info.filename)} is {info.file_size:,} bytes "
                                f"(more than {max_entry_bytes:,})")
        declared += info.file_size
    if declared > max_total_bytes:
        raise ArtifactError(f"artifact rejected: {declared:,} bytes uncompressed (more than {max_total_bytes:,})")
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    total = 0
    for info in infos:
        target = (root / info.filename).resolve()
        if root not in target.parents and target != root:  # belt and braces after the checks above
            raise ArtifactError(f"artifact rejected: entry {_name(info.filename)} leaves the artifact")
        written = 0
        try:
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as out:
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    total += len(chunk)
                    if written > max_entry_bytes or total > max_total_bytes:  # a lying header (zip bomb)
                        raise ArtifactError(f"artifact rejected: {_name(info.filename)} inflates past its "
                                            "limit")
                    out.write(chunk)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise ArtifactError(f"artifact rejected: {_name(info.filename)} clashes with another entry "
                                "(a file and a directory, or twice)") from None
        except _ZIP_ERRORS as exc:
            raise ArtifactError(f"artifact rejected: {_name(info.filename)} is corrupt ({_short(exc)})") from None


@dataclass
class Bundle:
    evidence: Evidence
    predictions: Path | None
    root: Path


def load_bundle(root: Path) -> Bundle:
    """evidence.json (schema-checked) and the bundled predictions copy, both inside ``root``."""
    path = root / "evidence.json"
    if not path.is_file() or path.is_symlink():
        raise ArtifactError("artifact rejected: no evidence.json at its top level")
    if path.stat().st_size > MAX_EVIDENCE_BYTES:
        raise ArtifactError(f"artifact rejected: evidence.json is larger than {MAX_EVIDENCE_BYTES:,} bytes")
    try:
        ev = load_evidence(path, display="evidence.json")  # the validation `score` and `rescore` use
    except RoadmapError as exc:
        raise ArtifactError(f"artifact rejected: {exc}") from None
    preds = None
    if ev.predictions is not None and ev.predictions.bundled_as:
        rel = PurePosixPath(ev.predictions.bundled_as)
        if rel.is_absolute() or ".." in rel.parts or "\\" in ev.predictions.bundled_as:
            raise ArtifactError(f"artifact rejected: predictions.bundled_as {ev.predictions.bundled_as!r} "
                                "is not a path inside the artifact")
        candidate = root / rel
        preds = candidate if candidate.resolve().is_relative_to(root.resolve()) else None
    return Bundle(ev, preds, root)


def download_artifact(session: Reader | requests.Session, api_url: str, repo: str, run: Run, name: str, dest_zip: Path,
                      max_bytes: int = MAX_ZIP_BYTES) -> Path:
    """Fetch the named artifact of ``run`` as a zip, streaming, with a size cap (no extraction here).

    ``session``: a :class:`Reader`, or a requests-style session to wrap in one.
    """
    reader = as_reader(session)
    listing = reader.json(f"list the artifacts of workflow run {run.run_id}",
                          f"{api_url}/repos/{repo}/actions/runs/{run.run_id}/artifacts",
                          {"name": name, "per_page": 10})
    arts = listing.get("artifacts", []) if isinstance(listing, dict) else []
    found = [a for a in arts if isinstance(a, dict) and a.get("name") == name and not a.get("expired")]
    if not found:
        raise ArtifactError(f"the evaluate run {run.run_id} uploaded no artifact named {name!r}")
    art = found[0]
    wr = art.get("workflow_run") or {}
    if wr.get("head_sha") not in (None, run.head_sha):
        raise ArtifactError("the artifact belongs to a different commit than the run")
    if int(art.get("size_in_bytes") or 0) > max_bytes:
        raise ArtifactError(f"the artifact is {art['size_in_bytes']:,} bytes, more than the {max_bytes:,} allowed")
    url = art.get("archive_download_url")
    if not isinstance(url, str) or not url.startswith(api_url + "/"):  # the token goes only to the API
        raise ArtifactError("the artifact's download URL is not on the GitHub API")
    # GitHub answers with a redirect to blob storage; requests drops the token when the host changes
    return reader.download(f"download the artifact of workflow run {run.run_id}", url, dest_zip, max_bytes)

