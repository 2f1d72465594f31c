"""A learner's starter repo: the template rendered for them, with CODEOWNERS, pushed once with real git.

:func:`render_starter` is the one place a starter is rendered, so what goes into a learner's first commit (and
what goes to the mentor's side instead: the hidden labels) is decided here. The token reaches git through
``GIT_CONFIG_*`` environment variables (``http.extraHeader``), never a URL, the command line or a file.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from roadmap_ci.cohort.model import LoadedCohort, Seat
from roadmap_ci.errors import CannotRun, InvalidInput

# grading files a learner must not change without a mentor's review (CODEOWNERS + the ruleset's PR rule)
OWNED_PATHS = ("/.github/", "/.roadmap-ci.yml", "/gx/")  # the workflows, what is collected, the data checks
AUTHOR = ("roadmap-ci", "roadmap-ci@localhost")


@dataclass
class Starter:
    path: Path  # the rendered repo, one commit on main
    labels: bytes | None  # the hidden labels for the mentor's side (never in the repo)
    commit: str


def codeowners(org: str, team: str) -> str:
    lines = ["# Grading files: changes need a review by the course's mentors (the default branch's ruleset).",
             *(f"{p} @{org}/{team}" for p in OWNED_PATHS)]
    return "\n".join(lines) + "\n"


def render_starter(c: LoadedCohort, seat: Seat, workdir: Path, *, secret: bytes | None = None,
                   root: Path | None = None) -> Starter:
    """Render ``seat``'s starter into ``workdir`` and commit it; the labels come back separately.

    ``root``: the templates folder (default: the bundled one). The same seat and secret always render the same
    files, which ``cohort update`` relies on (the starter commit is the base of its three-way merge).
    """
    from roadmap_ci.new import new
    from roadmap_ci.paths import templates_dir

    template = seat.deliverable.template
    known = json.loads(((root or templates_dir()) / template / "cookiecutter.json").read_text(encoding="utf-8"))
    wanted = {"project_name": seat.repo, "project_slug": seat.repo, "github_owner": c.org,
              "author_name": ", ".join(m.name or m.github for m in seat.members)}
    extra = {k: v for k, v in wanted.items() if k in known}
    workdir.mkdir(parents=True, exist_ok=True)
    if secret is None:  # practice data: the same for everyone, its labels public (feedback, not a grade)
        path = new(template, workdir, no_input=True, extra=extra, git=False, root=root)
        labels = _practice_labels(template)
    else:  # the course's data for this seat: rows and ids from HMAC(secret, deliverable, learner) (seeding.py)
        with tempfile.TemporaryDirectory(prefix="roadmap-ci-labels-") as tmp:
            out = Path(tmp) / "labels.csv"
            try:
                path = new(template, workdir, no_input=True, extra=extra, git=False, root=root, secret=secret,
                           labels_out=out, learner=seat.key)
            except InvalidInput as exc:
                if "has no hidden labels" not in exc.message:
                    raise
                path, out = new(template, workdir, no_input=True, extra=extra, git=False, root=root), None
            labels = out.read_bytes() if out is not None and out.is_file() else None
    owners = path / ".github" / "CODEOWNERS"
    owners.parent.mkdir(parents=True, exist_ok=True)
    owners.write_text(codeowners(c.org, c.cohort.mentors), encoding="utf-8")
    commit = _commit(path, starter_subject(seat.deliverable.id, template))
    return Starter(path, labels, commit)


def _practice_labels(template: str) -> bytes | None:
    from roadmap_ci.paths import labels_dir

    f = labels_dir() / f"{template}.csv"
    return f.read_bytes() if f.is_file() else None


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    try:
        res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CannotRun(f"`{' '.join(cmd[:3])}` failed: {exc}") from None
    if res.returncode != 0:
        tail = (res.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise CannotRun(f"`{' '.join(cmd[:3])}` failed: {tail}")
    return res.stdout


def starter_subject(deliverable: str, template: str) -> str:
    """The subject of a starter commit: how ``cohort update`` knows a repo's first commit is ours."""
    return f"Start {deliverable} from the roadmap-ci template {template}"


def is_starter(author_email: str, subject: str) -> bool:
    """Whether a commit (its author's e-mail and subject) is a starter ``render_starter`` made."""
    return (author_email == AUTHOR[1] and subject.startswith("Start ")
            and " from the roadmap-ci template " in subject)


def _commit(repo: Path, message: str) -> str:
    name, email = AUTHOR
    ident = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
             "GIT_COMMITTER_EMAIL": email}
    if not (repo / ".git").exists():
        _run(["git", "init", "-q", "-b", "main"], repo)
    _run(["git", "add", "-A"], repo)
    _run(["git", "commit", "-q", "--no-verify", "-m", message], repo, ident)
    return _run(["git", "rev-parse", "HEAD"], repo).strip()


def auth_env(token: str) -> dict[str, str]:
    """git configuration through the environment: the token in an extra header, nowhere else."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
            "GIT_CONFIG_KEY_1": "credential.helper", "GIT_CONFIG_VALUE_1": ""}


def push(repo: Path, clone_url: str, token: str, branch: str = "main") -> None:
    if "@" in clone_url.split("//", 1)[-1].split("/", 1)[0]:
        raise CannotRun("refusing to push to a URL that carries credentials")
    _run(["git", "push", "-q", clone_url, f"HEAD:refs/heads/{branch}"], repo, auth_env(token))
