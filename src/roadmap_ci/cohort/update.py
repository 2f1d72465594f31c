"""``cohort update DELIVERABLE``: a pull request in every learner repo with the template's changes since its start.

The same three-way update as ``cruft update``: the difference between the template as it was rendered for
that learner (the repo's own first commit: the starter, untouched by the learner) and the template rendered
for them today is applied to the learner's current default branch with ``git apply --3way``. Learners' edits
are kept; a hunk that meets a learner's change on the same lines is a conflict: that learner is listed with
the files, and nothing is pushed for them. Clean updates go on a branch ``roadmap-ci/update-<id>`` (``<id>``:
the new render's tree) with a pull request. Idempotent: a learner whose starter already equals today's
render, or who already has the branch, gets nothing new.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from roadmap_ci.cohort.apply import Engine
from roadmap_ci.cohort.model import Seat
from roadmap_ci.cohort.starter import _run, auth_env, is_starter, render_starter
from roadmap_ci.errors import InvalidInput, RoadmapError


@dataclass
class UpdateResult:
    opened: list[tuple[str, str]] = field(default_factory=list)  # (seat, PR url)
    current: list[str] = field(default_factory=list)  # nothing to update, or already proposed
    conflicts: list[tuple[str, list[str]]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def update(eng: Engine, deliverable: str, *, templates_root: Path | None = None) -> UpdateResult:
    out = UpdateResult()
    templates_root = templates_root or eng.templates_root
    for seat in eng.seats(deliverable):  # none while provision_ahead_days holds it back: apply renders today's
        try:
            _update_seat(eng, seat, out, templates_root)
        except RoadmapError as exc:
            out.failures.append((seat.label, str(exc)))
    return out


def _update_seat(eng: Engine, seat: Seat, out: UpdateResult, templates_root: Path | None) -> None:
    full = f"{eng.c.org}/{seat.repo}"
    proposed = {k[1]: st for k, st in eng.journal.state.items() if k[0] == full and k[1].startswith("update:")}
    repo = eng.client.get_or_none(f"/repos/{full}", what=f"read {full}")
    if repo is None:
        raise RoadmapError(f"{full} does not exist: run `roadmap-ci cohort apply` first")
    base_branch = repo.get("default_branch") or "main"
    env = auth_env(eng.client.token)
    work = Path(tempfile.mkdtemp(prefix="roadmap-ci-update-"))
    try:
        clone = work / "repo"
        _run(["git", "clone", "-q", repo["clone_url"], str(clone)], work, env)
        known = eng.journal.get(full, "starter").result.get("sha")
        # a journal from before 2026-12-07 may hold an adopted repo's branch head as its starter: checked
        starter = known if known and _is_starter_commit(clone, known) else _first_starter(full, clone)
        fresh = render_starter(eng.c, seat, work / "render", secret=eng.secret, root=templates_root)
        _run(["git", "fetch", "-q", str(fresh.path), "HEAD:refs/roadmap-ci/render"], clone)
        tree = _run(["git", "rev-parse", "refs/roadmap-ci/render^{tree}"], clone).strip()
        if _run(["git", "rev-parse", f"{starter}^{{tree}}"], clone).strip() == tree:
            out.current.append(f"{seat.label}: the starter is today's template")
            return
        branch = f"roadmap-ci/update-{tree[:12]}"
        if proposed.get(f"update:{tree[:12]}") is not None and proposed[f"update:{tree[:12]}"].done:
            out.current.append(f"{seat.label}: this update was proposed before")
            return
        if _run(["git", "ls-remote", "--heads", "origin", branch], clone, env).strip():
            out.current.append(f"{seat.label}: {branch} is already proposed")
            return
        diff = _run(["git", "diff", "--binary", starter, "refs/roadmap-ci/render"], clone)
        _run(["git", "checkout", "-q", "-b", branch, f"origin/{base_branch}"], clone)
        patch = work / "update.patch"
        patch.write_text(diff, encoding="utf-8")
        import subprocess

        res = subprocess.run(["git", "apply", "--3way", "--index", str(patch)], cwd=clone, capture_output=True,
                             text=True)
        if res.returncode != 0:
            unmerged = _run(["git", "diff", "--name-only", "--diff-filter=U"], clone).split()
            rejected = sorted(set(unmerged) | {line.split("patch failed: ", 1)[1].rsplit(":", 1)[0]
                                               for line in res.stderr.splitlines() if "patch failed: " in line})
            out.conflicts.append((seat.label, rejected or [res.stderr.strip().splitlines()[-1]]))
            return
        if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=clone).returncode == 0:
            out.current.append(f"{seat.label}: already has the template's changes")
            return
        from roadmap_ci.cohort.starter import AUTHOR

        name, email = AUTHOR
        ident = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
                 "GIT_COMMITTER_EMAIL": email}
        _run(["git", "commit", "-q", "--no-verify", "-m",
              f"Update from the roadmap-ci template {seat.deliverable.template}"], clone, ident)
        eng.journal.begin(full, f"update:{tree[:12]}", tree)
        eng.client.pacer.before_write(False)
        _run(["git", "push", "-q", "origin", f"HEAD:refs/heads/{branch}"], clone, env)
        eng.client.counters.writes += 1
        eng.on_write(f"push {full} {branch}")
        body = ("The course template changed since this repository started. This pull request brings those "
                "changes; your own work is kept (a three-way merge from your starter commit). Review and merge "
                "it when you are ready.")
        _, pr = eng._write("POST", f"/repos/{full}/pulls", {"title": "Template update", "head": branch,
                                                           "base": base_branch, "body": body},
                           what=f"open the template-update pull request in {full}", content=True,
                           verify=lambda: _find_pull(eng, full, branch))
        url = (pr or {}).get("html_url", "")
        eng.journal.done(full, f"update:{tree[:12]}", tree, {"branch": branch, "pull": (pr or {}).get("number")})
        out.opened.append((seat.label, url))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _author_and_subject(clone: Path, sha: str) -> tuple[str, str]:
    email, _, subject = _run(["git", "log", "-1", "--format=%ae%x00%s", sha], clone).strip().partition("\0")
    return email, subject


def _is_starter_commit(clone: Path, sha: str) -> bool:
    """``sha`` is in the clone, has no parents, and is a commit ``render_starter`` made."""
    import subprocess

    parents = subprocess.run(["git", "rev-list", "--parents", "-n", "1", sha], cwd=clone, capture_output=True,
                             text=True)
    return (parents.returncode == 0 and len(parents.stdout.split()) == 1
            and is_starter(*_author_and_subject(clone, sha)))


def _first_starter(full: str, clone: Path) -> str:
    """The repo's first commit when it is a roadmap-ci starter (a repo apply adopted: the journal has no starter).

    A repo made elsewhere -- by GitHub Classroom from its own starter, or by hand -- has no base for a three-way
    merge of the template's changes: diffing the template against another starter would propose replacing the
    learner's whole project, so it is refused with its first commit named.
    """
    roots = _run(["git", "rev-list", "--max-parents=0", "HEAD"], clone).split()
    for sha in reversed(roots):
        if is_starter(*_author_and_subject(clone, sha)):
            return sha
    email, subject = _author_and_subject(clone, roots[-1])
    raise InvalidInput(f"{full} did not start from a roadmap-ci starter: its first commit {roots[-1][:12]} "
                       f"({subject[:60]!r} by {email[:60]!r}) was made elsewhere, e.g. by GitHub Classroom, so "
                       "there is no starter to merge the template's changes from; nothing pushed")


def _find_pull(eng: Engine, full: str, branch: str) -> dict | None:
    owner = full.split("/")[0]
    for pr in eng.client.pages(f"/repos/{full}/pulls", {"head": f"{owner}:{branch}", "state": "all"},
                               what=f"list {full}'s pull requests"):
        return pr
    return None
