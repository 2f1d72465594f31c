"""`roadmap-ci ci-report`: the privileged half of the two-stage GitHub Actions evaluation.

Runs in the ``report`` reusable workflow (``workflow_run``), which holds a token that can write comments,
statuses and check runs, so it trusts nothing the learner's job produced:

1. the event (``GITHUB_EVENT_PATH``) says which run finished, for which commit, branch and head repo;
2. the artifact of that run is downloaded as a zip (or given with ``--artifact``) and validated entry by
   entry (no ``..``, no absolute paths, no symlinks, bounded sizes and counts) before anything is
   extracted into the work directory; ``evidence.json`` must be schema-valid;
3. the target is found through the API, never taken from the artifact: for a pull request, the open PR
   whose head is ``head_owner:head_branch`` *and* whose head SHA is still the run's SHA (a moved head --
   a force-push -- means this run is stale: nothing is posted); for a push, the commit itself;
4. the rubric is the mentor's, named by the workflow (a bundled id or a path in a mentor-controlled
   checkout) and pinned by ``version:`` -- a different version refuses to score;
5. ``evidence.hidden`` is recomputed from the learner's predictions and the hidden labels
   (:mod:`roadmap_ci.score.hidden`); whatever the learner's job claimed there is discarded, and so are its
   claims about the commit, repo and deliverable;
6. score, write every report to disk (``--workdir``/out), then publish through
   :mod:`roadmap_ci.publish`: the job summary; for a pull request the one PR comment (found again by its
   marker and edited), a commit status and a check run; for a push a commit status and a check run, no
   comment. Just before posting the PR's head SHA is checked once more.

Every read (pulls, artifacts, runs, statuses) and every write goes through github3.py's session and the
publish module's retry policy (:class:`roadmap_ci.publish.github.Retrying`): ``Retry-After`` /
``x-ratelimit-reset`` on 403/429, backoff on 5xx and timeouts, bounded tries; a permission 403 fails at once.

See ``docs/security.md`` for the threat model.
"""

from __future__ import annotations

import lzma
import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from roadmap_ci.errors import CannotRun, InvalidInput, Place, RoadmapError
from roadmap_ci.evidence import MAX_EVIDENCE_BYTES, Evidence, load_evidence
from roadmap_ci.extras import imports
from roadmap_ci.score.embargo import learner_copy

ARTIFACT_NAME = "roadmap-ci-evidence"
MAX_EVENT_BYTES = 4 * 1024 * 1024
MAX_ZIP_BYTES = 64 * 1024 * 1024  # the artifact as downloaded
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # one file, uncompressed
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # all files, uncompressed
HIDDEN_CONTEXT = "roadmap-ci/hidden-feedback"  # a status marking "hidden-label feedback given" (daily_limit)
READ_TIMEOUT = (4.0, 20.0)
DOWNLOAD_TIMEOUT = (4.0, 60.0)


class ArtifactError(InvalidInput):
    """The learner's artifact is not acceptable; the message says why (one line)."""


# ---------------------------------------------------------------- reads, with the publish module's retries


class Reader:
    """The GET requests ci-report makes itself, through a requests-style session (github3's, by default).

    Failures are turned into github3 exceptions and handed to the publish module's :class:`Retrying`, so
    reads and writes share one policy: rate limits wait (``Retry-After``, ``x-ratelimit-reset``), 5xx and
    timeouts back off, a permission 403 or a 404 fails at once with one line.
    """

    def __init__(self, session: Any, retry: Any = None) -> None:
        from roadmap_ci.publish.github import Retrying

        self.session = session
        self.retry = retry if retry is not None else Retrying()

    def _get(self, url: str, **kwargs: Any) -> Any:
        with imports("github"):
            import github3.exceptions as gx
            import requests

        try:
            resp = self.session.get(url, **kwargs)
        except requests.RequestException as exc:
            raise gx.ConnectionError(exc) from None
        if resp.status_code >= 400:
            raise gx.error_for(resp)
        return resp

    def json(self, what: str, url: str, params: Mapping[str, Any] | None = None) -> Any:
        def once() -> Any:
            resp = self._get(url, params=dict(params or {}), timeout=READ_TIMEOUT)
            try:
                return resp.json()
            except ValueError:
                raise CannotRun(f"cannot {what}: GitHub answered something that is not JSON") from None

        return self.retry.call(what, once)

    def pages(self, what: str, url: str, params: Mapping[str, Any] | None = None,
              max_pages: int = 100) -> Any:
        """Each page of a listing (a JSON list), following ``Link: rel="next"``; bounded by ``max_pages``."""
        query: Mapping[str, Any] | None = dict(params or {})
        for _ in range(max_pages):
            def once(url: str = url, query: Mapping[str, Any] | None = query) -> tuple[Any, str | None]:
                resp = self._get(url, params=dict(query or {}), timeout=READ_TIMEOUT)
                try:
                    data = resp.json()
                except ValueError:
                    raise CannotRun(f"cannot {what}: GitHub answered something that is not JSON") from None
                nxt = ((getattr(resp, "links", None) or {}).get("next") or {}).get("url")
                return data, nxt if isinstance(nxt, str) else None

            data, nxt = self.retry.call(what, once)
            yield data
            if not nxt:
                return
            if not nxt.startswith(url.split("/repos/", 1)[0] + "/"):  # the token goes only to the API
                raise CannotRun(f"cannot {what}: GitHub's next-page link leaves the API")
            url, query = nxt, None
        raise CannotRun(f"cannot {what}: more than {max_pages} pages")

    def download(self, what: str, url: str, dest: Path, max_bytes: int) -> Path:
        """Stream ``url`` into ``dest``; more than ``max_bytes`` raises ArtifactError (not retried)."""
        with imports("github"):
            import github3.exceptions as gx
            import requests

        def once() -> Path:
            dest.parent.mkdir(parents=True, exist_ok=True)
            got = 0
            with self._get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as r, open(dest, "wb") as out:
                try:
                    for chunk in r.iter_content(1 << 16):
                        got += len(chunk)
                        if got > max_bytes:
                            raise ArtifactError(f"the artifact is more than the {max_bytes:,} bytes allowed")
                        out.write(chunk)
                except requests.RequestException as exc:  # a stream cut mid-way: another try starts over
                    raise gx.ConnectionError(exc) from None
            return dest

        return self.retry.call(what, once)


def _reader(session: Any) -> Reader:
    return session if isinstance(session, Reader) else Reader(session)


# ---------------------------------------------------------------- the event


@dataclass(frozen=True)
class Run:
    """What the ``workflow_run`` event says about the evaluate run that finished."""

    repo: str  # owner/name of the repository the workflows run in (the base repo of a PR)
    run_id: int
    event: str  # the evaluate run's trigger: pull_request | push
    head_sha: str
    head_branch: str
    head_repo: str  # owner/name the commit came from (a fork for a fork PR)
    head_owner: str
    conclusion: str | None
    default_branch: str = "main"  # the base repository's (where the feedback ledger commit lives)


def _get(data: Any, *path: str, kind: type | tuple[type, ...] = str) -> Any:
    node = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise InvalidInput(f"the workflow_run event lacks {'.'.join(path)}")
        node = node[key]
    if not isinstance(node, kind) or isinstance(node, bool):
        raise InvalidInput(f"the workflow_run event has a malformed {'.'.join(path)}")
    return node


def read_event(path: Path) -> Run:
    from roadmap_ci.safeio import parse_json, read_text

    try:
        size = path.stat().st_size
    except (OSError, ValueError):
        raise CannotRun("GITHUB_EVENT_PATH does not name a readable file", None) from None
    if size > MAX_EVENT_BYTES:
        raise InvalidInput(f"the event payload is {size:,} bytes (more than {MAX_EVENT_BYTES:,})")
    data = parse_json(read_text(path, "event payload", MAX_EVENT_BYTES), str(path), "event payload JSON")
    if not isinstance(data, dict) or not isinstance(data.get("workflow_run"), dict):
        raise InvalidInput("ci-report runs on the workflow_run event (this payload has no workflow_run)")
    wr = data["workflow_run"]
    sha = _get(wr, "head_sha")
    if len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
        raise InvalidInput("the workflow_run event has a malformed head_sha")
    conclusion = wr.get("conclusion")
    return Run(
        repo=_get(data, "repository", "full_name"),
        run_id=_get(wr, "id", kind=int),
        event=_get(wr, "event"),
        head_sha=sha,
        head_branch=_get(wr, "head_branch"),
        head_repo=_get(wr, "head_repository", "full_name"),
        head_owner=_get(wr, "head_repository", "owner", "login"),
        conclusion=conclusion if isinstance(conclusion, str) else None,
        default_branch=_optional(data, "repository", "default_branch") or "main",
    )


def _optional(data: Any, *path: str) -> str | None:
    node = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) and node else None


# ---------------------------------------------------------------- the artifact


# What reading a hostile zip can raise besides BadZipFile: bad compressed streams, an unsupported compression
# method (zipfile raises NotImplementedError for it, RuntimeError for an encrypted entry), truncated data,
# names and headers that do not decode. Every one is a problem of the artifact, said in one line.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, lzma.LZMAError,
               NotImplementedError, RuntimeError, ValueError, UnicodeDecodeError, OverflowError)
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


def download_artifact(session: Any, api_url: str, repo: str, run: Run, name: str, dest_zip: Path,
                      max_bytes: int = MAX_ZIP_BYTES) -> Path:
    """Fetch the named artifact of ``run`` as a zip, streaming, with a size cap (no extraction here).

    ``session``: a :class:`Reader`, or a requests-style session to wrap in one.
    """
    reader = _reader(session)
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


# ---------------------------------------------------------------- the target (found through the API)


@dataclass(frozen=True)
class Target:
    kind: str  # "pull_request" | "push"
    repo: str  # where to post
    sha: str
    number: int | None = None
    title: str = ""


@dataclass
class Skip:
    reason: str


def find_target(session: Any, api_url: str, run: Run) -> Target | Skip:
    """The PR (by head owner + branch, SHA checked) or the pushed commit; Skip when nothing should be posted."""
    if run.event == "push":
        if run.head_repo != run.repo:
            return Skip(f"a push run from {run.head_repo}, not {run.repo}")
        return Target("push", run.repo, run.head_sha)
    if run.event not in ("pull_request", "pull_request_target"):
        return Skip(f"the evaluate run was triggered by {run.event!r}; nothing to report")
    data = _reader(session).json(f"list the open pull requests of {run.repo}", f"{api_url}/repos/{run.repo}/pulls",
                                 {"head": f"{run.head_owner}:{run.head_branch}", "state": "open", "per_page": 30})
    pulls = [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []
    ours = [p for p in pulls
            if (p.get("head") or {}).get("ref") == run.head_branch
            and ((p.get("head") or {}).get("repo") or {}).get("full_name") == run.head_repo]
    if not ours:
        return Skip(f"no open pull request from {run.head_owner}:{run.head_branch}")
    current = [p for p in ours if p["head"].get("sha") == run.head_sha]
    if not current:
        return Skip(f"stale run: the pull request's head moved past {run.head_sha[:12]} (force-push or new "
                    "commits); the newer run reports")
    pr = current[0]
    return Target("pull_request", run.repo, run.head_sha, int(pr["number"]), str(pr.get("title") or ""))


# ---------------------------------------------------------------- daily limit on hidden-label feedback
#
# The counter is a ledger nobody can rewind: commit statuses (which cannot be edited or deleted) with the
# context ``roadmap-ci/hidden-feedback/<YYYY-MM-DD>/<login>``, all posted on ONE commit of the base
# repository -- ``ROADMAP_CI_LEDGER_SHA`` (set by the mentor; `cohort apply` pins the starter commit), else the
# oldest commit of the default branch. Nothing about the commit being scored, its PR or its workflow runs
# enters the count, so re-runs, close/reopen, new PRs, force-pushes and deleted runs all count, and other
# learners' marks never do. A mark is posted *before* the feedback is shown and counted by its position
# among today's marks, so two runs racing cannot both take the last one.


@dataclass(frozen=True)
class Quota:
    sha: str  # the ledger commit
    context: str
    day: str
    limit: int
    creator: str | None = None  # only marks posted by this login count (None: any)


def ledger_context(login: str, day: str) -> str:
    return f"{HIDDEN_CONTEXT}/{day}/{login.lower()}"


def feedback_used(statuses: list[dict[str, Any]], context: str, day: str, *, creator: str | None = None,
                  upto_id: int | None = None) -> int:
    """How many marks of ``context`` were posted on ``day`` (YYYY-MM-DD, UTC) -- up to ``upto_id`` if given."""
    n = 0
    for st in statuses:
        if st.get("context") != context or not str(st.get("created_at", "")).startswith(day):
            continue
        if creator is not None and str(((st.get("creator") or {}).get("login")) or "").lower() != creator.lower():
            continue
        sid = st.get("id")
        if upto_id is not None and (not isinstance(sid, int) or sid > upto_id):
            continue
        n += 1
    return n


def ledger_sha(reader: Reader, api_url: str, run: Run, env: Mapping[str, str]) -> str:
    """The commit the feedback ledger lives on: pinned by the mentor, else the default branch's oldest.

    The fallback is as strong as the default branch's protection: a learner who may rewrite that history
    (or merge an unrelated one with older commits) could move it. Pin it (docs/security.md).
    """
    import re

    pinned = env.get("ROADMAP_CI_LEDGER_SHA", "").strip().lower()
    if pinned:
        if not re.fullmatch(r"[0-9a-f]{40}", pinned):
            raise CannotRun(f"ROADMAP_CI_LEDGER_SHA {pinned[:50]!r} is not a full commit SHA "
                            "(set vars.ROADMAP_CI_LEDGER_SHA to the starter commit, or leave it unset)")
        return pinned
    url = f"{api_url}/repos/{run.repo}/commits"
    what = f"find the oldest commit of {run.repo}@{run.default_branch}"
    first = reader.retry.call(what, lambda: reader._get(url, params={"sha": run.default_branch, "per_page": 1},
                                                        timeout=READ_TIMEOUT))
    last = ((getattr(first, "links", None) or {}).get("last") or {}).get("url")
    resp = first
    if isinstance(last, str):
        if not last.startswith(api_url + "/"):  # the token goes only to the API
            raise CannotRun(f"cannot {what}: GitHub's last-page link leaves the API")
        resp = reader.retry.call(what, lambda: reader._get(last, timeout=READ_TIMEOUT))
    try:
        page = resp.json()
    except ValueError:
        page = None
    sha = page[-1].get("sha") if isinstance(page, list) and page and isinstance(page[-1], dict) else None
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise CannotRun(f"cannot {what}: set vars.ROADMAP_CI_LEDGER_SHA to the repository's starter commit")
    return sha


def ledger_statuses(reader: Reader, api_url: str, repo: str, quota: Quota) -> list[dict[str, Any]]:
    """Every status on the ledger commit posted today (newest first: stop at the first older one)."""
    out: list[dict[str, Any]] = []
    for page in reader.pages(f"read the feedback ledger ({quota.sha[:12]})",
                             f"{api_url}/repos/{repo}/commits/{quota.sha}/statuses", {"per_page": 100}):
        items = [s for s in page if isinstance(s, dict)] if isinstance(page, list) else []
        out += items
        if not items or any(str(s.get("created_at", ""))[:10] < quota.day for s in items):
            break
    return out


def _quota(reader: Reader, api_url: str, run: Run, env: Mapping[str, str], now: datetime, limit: int,
           creator: str | None) -> Quota:
    day = now.strftime("%Y-%m-%d")
    return Quota(ledger_sha(reader, api_url, run, env), ledger_context(run.head_owner, day), day, limit, creator)


def limit_reason(limit: int) -> str:
    return (f"the daily limit of {limit} hidden-label scores is used up for today; "
            "the next is available after 00:00 UTC")


# ---------------------------------------------------------------- the rubric, pinned


def load_pinned_rubric(rubric: str, version: str):  # type: ignore[no-untyped-def]
    """A bundled rubric id or a path in a mentor-controlled checkout, whose ``version:`` must match."""
    from roadmap_ci.score.load import load_rubric

    if not version:
        raise CannotRun(f"no rubric version is pinned for {rubric!r}: set the caller's rubric-version "
                        "(vars.ROADMAP_CI_RUBRIC_VERSION) to the rubric's version:")
    from roadmap_ci.paths import is_rubric_path, rubric_path

    hint = "set the report workflow's input rubric (vars.ROADMAP_CI_RUBRIC) to"
    try:
        path = rubric_path(rubric)
    except RoadmapError as exc:  # an id that is not bundled: the one-line reason names the ids, plus the input
        raise type(exc)(f"{exc.message}: {hint} a bundled rubric id or a path inside rubrics-repository") from None
    if is_rubric_path(rubric) and not path.is_file():
        raise CannotRun(f"rubric file {rubric} not found: {hint} a path inside rubrics-repository, "
                        "or a bundled rubric id")
    loaded = load_rubric(path)
    if loaded.rubric.version != version:
        raise CannotRun(f"rubric {rubric!r} is version {loaded.rubric.version!r}, but the workflow pins "
                        f"{version!r}: update rubric-version in the caller workflow (or the roadmap-ci ref)")
    return loaded


def feedback_rubric(deliverable: str):  # type: ignore[no-untyped-def]
    """No rubric configured by the mentor: the bundled rubric of the deliverable the evidence names.

    Feedback only -- the learner chose the deliverable -- and the scorecard says which rubric it used.
    """
    from roadmap_ci.paths import bundled_rubric
    from roadmap_ci.score.load import load_rubric

    try:
        path = bundled_rubric(deliverable)
    except CannotRun:
        raise InvalidInput(f"no bundled rubric for deliverable {deliverable!r}") from None
    return load_rubric(path)


# ---------------------------------------------------------------- the whole step


class Publisher(Protocol):
    """Where results go. The default posts through :mod:`roadmap_ci.publish.github`; tests record."""

    def publish(self, target: Target, card: Any, evidence: Evidence, out_dir: Path) -> str:
        """Post the result; return what was posted ("comment" for a PR, "status" for a push)."""
        ...

    def error(self, target: Target, message: str) -> str:
        """Tell the learner the commit could not be scored (a failing status; never the artifact's text)."""
        ...

    def mark_feedback(self, target: Target, ledger_sha: str, context: str) -> int | None:
        """Record one hidden-label feedback for daily_limit: a status ``context`` on the ledger commit
        ``ledger_sha`` (in ``target.repo``); return the new status's id."""
        ...


@dataclass
class Outcome:
    posted: str  # "comment" | "status" | "error" | "nothing"
    reason: str = ""
    scorecard: Any = None
    target: Target | None = None
    files: list[Path] = field(default_factory=list)


def _read_session(env: Mapping[str, str], api_url: str, dry_run: bool, retry: Any) -> tuple[Any, Any]:
    """(session for reads, GitHubClient or None): github3's session, shared by reads and writes."""
    from roadmap_ci.publish.github import GitHubClient

    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
    if token:
        client = GitHubClient(token, api_url, login=env.get("ROADMAP_CI_GITHUB_LOGIN") or None, retry=retry)
        return client.session, client
    if not dry_run:
        raise CannotRun("no GitHub token: set GITHUB_TOKEN (the report workflow passes github.token)")
    with imports("github"):
        from github3.session import GitHubSession

    return GitHubSession(), None  # a dry run on a public repository reads without a token


def trusted_evidence(bundle: Bundle, run: Run, loaded: Any, labels: Path | None, env: Mapping[str, str],
                     withheld: str | None = None) -> Evidence:
    """The learner's evidence with every privileged field replaced by what this step knows."""
    return _trusted(bundle, run, loaded, labels, env, withheld)[0]


def _trusted(bundle: Bundle, run: Run, loaded: Any, labels: Path | None, env: Mapping[str, str],
             withheld: str | None = None) -> tuple[Evidence, str | None]:
    """(trusted evidence, where its hidden-label metrics came from: "course" | "practice" | None)."""
    from roadmap_ci.score.hidden import with_hidden_metrics

    ev = bundle.evidence
    display = ev.predictions.path[:80] if ev.predictions is not None else None  # learner text: bounded
    ev, result = with_hidden_metrics(ev, loaded, bundle.predictions, labels_file=labels, env=env, display=display,
                                     withheld=withheld)
    source = result.labels
    return ev.model_copy(update={"commit": run.head_sha, "repo": run.head_repo, "ref": run.head_branch,
                                 "learner": run.head_owner,
                                 "deliverable": loaded.rubric.deliverable or ev.deliverable}), source


def ci_report(*, rubric: str, rubric_version: str, labels: Path | None = None, artifact: Path | None = None,
              artifact_name: str = ARTIFACT_NAME, workdir: Path | None = None, dry_run: bool = False,
              env: Mapping[str, str] | None = None, now: datetime | None = None, session: Any = None,
              publisher: Publisher | None = None, retry: Any = None) -> Outcome:
    """The privileged step, from ``GITHUB_EVENT_PATH`` and the environment (see the module docstring).

    ``session``: a requests-style session for the reads (default: github3's, authenticated with
    ``GITHUB_TOKEN``); ``publisher``: where results go (default: :func:`github_publisher`); ``retry``: the
    :class:`roadmap_ci.publish.github.Retrying` policy shared by reads and writes (tests inject a clock).
    """
    from roadmap_ci.publish.github import Retrying

    env = os.environ if env is None else env
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise CannotRun("GITHUB_EVENT_PATH is not set: ci-report runs inside the report workflow")
    run = read_event(Path(event_path))
    api_url = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    base = Path(workdir or Path(env.get("RUNNER_TEMP") or ".") / "roadmap-ci-report")
    retry = retry if retry is not None else Retrying()
    client = None
    if session is None:
        session, client = _read_session(env, api_url, dry_run or publisher is not None, retry)
    reader = Reader(session, retry)
    now = now or datetime.now(UTC)
    labels = _unpacked_labels(labels, base) if labels is not None else None
    # the mentor's rubric first, before anything learner-controlled is read
    loaded = load_pinned_rubric(rubric, rubric_version) if rubric else None

    target = find_target(reader, api_url, run)
    if isinstance(target, Skip):
        return Outcome("nothing", target.reason)
    if publisher is None and not dry_run:
        publisher = github_publisher(env, api_url, client=client, retry=retry, now=now,
                                     deliverable=loaded.rubric.deliverable if loaded is not None else None)

    try:
        zip_path = artifact or download_artifact(reader, api_url, run.repo, run, artifact_name, base / "artifact.zip")
        shutil.rmtree(base / "bundle", ignore_errors=True)  # our own work directory: start clean
        bundle = load_bundle(extract_artifact(zip_path, base / "bundle"))
    except ArtifactError as exc:
        if dry_run or publisher is None:
            raise
        publisher.error(target, exc.message)
        return Outcome("error", exc.message, target=target)
    if loaded is None:  # no rubric configured: feedback with the bundled rubric of the claimed deliverable
        try:
            loaded = feedback_rubric(bundle.evidence.deliverable)
        except InvalidInput as exc:
            if dry_run or publisher is None:
                raise
            publisher.error(target, exc.message)
            return Outcome("error", exc.message, target=target)

    spec = loaded.rubric.hidden_labels
    quota = None
    withheld = None
    if spec is not None and spec.daily_limit is not None and not dry_run:
        quota = _quota(reader, api_url, run, env, now, spec.daily_limit, getattr(publisher, "login", None))
        used = feedback_used(ledger_statuses(reader, api_url, run.repo, quota), quota.context, quota.day,
                             creator=quota.creator)
        if used >= quota.limit:
            withheld = limit_reason(quota.limit)
    ev, source = _trusted(bundle, run, loaded, labels, env, withheld=withheld)

    from roadmap_ci.score.scoring import score

    card = score(ev, loaded).model_copy(update={"labels": source})
    if dry_run or publisher is None:
        card, ev = learner_copy(card, ev, loaded, now)
        return Outcome("nothing", "dry run", card, target, _write_reports(card, ev, base / "out", loaded, now, env))
    if target.kind == "pull_request":  # scoring took a while: a push since then makes this run stale
        again = find_target(reader, api_url, run)
        if isinstance(again, Skip) or again.number != target.number:
            reason = again.reason if isinstance(again, Skip) else "the pull request changed while scoring"
            return Outcome("nothing", reason, None, target)  # nothing written, nothing counted
    if quota is not None and withheld is None and ev.hidden:
        mark = publisher.mark_feedback(target, quota.sha, quota.context)
        statuses = ledger_statuses(reader, api_url, run.repo, quota)
        position = feedback_used(statuses, quota.context, quota.day, creator=quota.creator, upto_id=mark)
        if mark is not None and position > quota.limit:  # another run took the last one first
            ev, source = _trusted(bundle, run, loaded, labels, env, withheld=limit_reason(quota.limit))
            card = score(ev, loaded).model_copy(update={"labels": source})
    card, ev = learner_copy(card, ev, loaded, now)  # nothing after-due before due, in any file or post
    files = _write_reports(card, ev, base / "out", loaded, now, env)  # on disk before anything is posted
    if hasattr(publisher, "rubric"):
        publisher.rubric = loaded
    posted = publisher.publish(target, card, ev, base / "out")
    return Outcome(posted, "; ".join(getattr(publisher, "done", [])), card, target, files)


def _unpacked_labels(labels: Path, base: Path) -> Path:
    """The mentor's labels file as CSV: a secret too large for GitHub travels packed (cohort apply)."""
    from roadmap_ci.github.secrets import PACKED, unpack_labels

    try:
        with labels.open("rb") as fh:
            head = fh.read(len(PACKED) + 8)
    except OSError as exc:
        raise CannotRun(f"{labels}: cannot read the hidden labels: {exc.strerror or exc}") from None
    if not head.lstrip().startswith(PACKED):
        return labels
    out = base / "hidden-labels.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = unpack_labels(labels.read_bytes())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return out


def _write_reports(card: Any, ev: Evidence, out_dir: Path, loaded: Any, now: datetime,
                   env: Mapping[str, str]) -> list[Path]:
    """evidence.json, scorecard.json and every report format (md, html, junit, json), written atomically."""
    from roadmap_ci.publish.files import write_reports
    from roadmap_ci.publish.run import run_url

    written = write_reports(card, ev, out_dir, now=now, rubric=loaded, artifact_url=run_url(env))
    first = [written.pop("evidence"), written.pop("scorecard")]
    return first + list(written.values())


def github_publisher(env: Mapping[str, str], api_url: str, *, client: Any = None, retry: Any = None,
                     now: datetime | None = None, deliverable: str | None = None) -> Publisher:
    """The default publisher: :class:`roadmap_ci.publish.github.ActionsPublisher`, sharing ``client`` (its
    github3 session and retry policy) with the reads. Hidden-label feedback marks use ``HIDDEN_CONTEXT``;
    a rejected artifact gets an ``error`` status under the rubric's context (``roadmap-ci/<deliverable>``)."""
    from roadmap_ci.publish.github import ActionsPublisher, client_from_env

    if client is None:
        kwargs = {"retry": retry} if retry is not None else {}
        client = client_from_env({**env, "GITHUB_API_URL": api_url}, **kwargs)
    error_context = f"roadmap-ci/{deliverable}" if deliverable else "roadmap-ci/evaluate"
    return ActionsPublisher(client, env=env, error_context=error_context, feedback_context=HIDDEN_CONTEXT,
                            now=now)  # type: ignore[return-value]
