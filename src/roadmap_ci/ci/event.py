"""The ``workflow_run`` event (``GITHUB_EVENT_PATH``): which evaluate run finished, for which commit and head."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roadmap_ci.errors import CannotRun, InvalidInput

MAX_EVENT_BYTES = 4 * 1024 * 1024


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

