"""The whole ``ci-report`` step (:func:`ci_report`): event, pinned rubric, target, artifact, daily limit,
trusted evidence, score, reports on disk, then the publisher. See :mod:`roadmap_ci.ci`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from roadmap_ci.ci.artifact import (
    ARTIFACT_NAME,
    ArtifactError,
    Bundle,
    download_artifact,
    extract_artifact,
    load_bundle,
)
from roadmap_ci.ci.event import Run, read_event
from roadmap_ci.ci.publisher import github_publisher
from roadmap_ci.ci.quota import feedback_used, ledger_statuses, limit_reason, quota_for
from roadmap_ci.ci.reader import Reader
from roadmap_ci.ci.target import Skip, Target, find_target
from roadmap_ci.errors import CannotRun, InvalidInput, RoadmapError
from roadmap_ci.evidence import Evidence
from roadmap_ci.extras import imports
from roadmap_ci.score.embargo import learner_copy

if TYPE_CHECKING:
    import requests

    from roadmap_ci.publish.client import GitHubClient
    from roadmap_ci.publish.retry import Retrying
    from roadmap_ci.score.load import LoadedRubric
    from roadmap_ci.score.scoring import Scorecard


def load_pinned_rubric(rubric: str, version: str) -> LoadedRubric:
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


def feedback_rubric(deliverable: str) -> LoadedRubric:
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
    """Where results go. The default is :class:`roadmap_ci.ci.publisher.ActionsPublisher`; tests record."""

    def publish(self, target: Target, card: Scorecard, evidence: Evidence, out_dir: Path) -> str:
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
class StepResult:
    """What the step did: ``posted`` and why, the learner's scorecard, the target and the files written."""

    posted: str  # "comment" | "status" | "error" | "nothing"
    reason: str = ""
    scorecard: Scorecard | None = None
    target: Target | None = None
    files: list[Path] = field(default_factory=list)


def _read_session(env: Mapping[str, str], api_url: str, dry_run: bool,
                  retry: Retrying) -> tuple[requests.Session, GitHubClient | None]:
    """(session for reads, GitHubClient or None): github3's session, shared by reads and writes."""
    from roadmap_ci.publish.client import GitHubClient
    from roadmap_ci.publish.env import github_token

    token = github_token(env)
    if token:
        client = GitHubClient(token, api_url, login=env.get("ROADMAP_CI_GITHUB_LOGIN") or None, retry=retry)
        return client.session, client
    if not dry_run:
        raise CannotRun("no GitHub token: set GITHUB_TOKEN (the report workflow passes github.token)")
    with imports("github"):
        from github3.session import GitHubSession

    return GitHubSession(), None  # a dry run on a public repository reads without a token


def trusted_evidence(bundle: Bundle, run: Run, loaded: LoadedRubric, labels: Path | None, env: Mapping[str, str],
                     withheld: str | None = None) -> Evidence:
    """The learner's evidence with every privileged field replaced by what this step knows."""
    return _trusted(bundle, run, loaded, labels, env, withheld)[0]


def _trusted(bundle: Bundle, run: Run, loaded: LoadedRubric, labels: Path | None, env: Mapping[str, str],
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


LABELS_PATH_HINT = "vars.ROADMAP_CI_HIDDEN_LABELS_PATH, a path inside the rubrics repository"


def labels_in_checkout(root: Path, rel: str) -> Path:
    """The hidden labels file ``rel`` inside the mentor's rubrics checkout ``root``; InvalidInput (one line naming
    the variable) when ``rel`` is absolute, climbs out with ``..``, or names no file there."""
    from pathlib import PurePosixPath, PureWindowsPath

    shown = rel[:200]
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() or rel.startswith("~"):
        raise InvalidInput(f"the hidden labels path {shown!r} is absolute ({LABELS_PATH_HINT})")
    if ".." in PurePosixPath(rel.replace("\\", "/")).parts:
        raise InvalidInput(f"the hidden labels path {shown!r} leaves the rubrics repository with '..' "
                           f"({LABELS_PATH_HINT})")
    if not root.is_dir():
        raise InvalidInput(f"a hidden labels path {shown!r} is set, but no rubrics repository is checked out "
                           "(vars.ROADMAP_CI_RUBRICS_REPOSITORY)")
    path = root / rel
    try:
        inside = path.resolve().is_relative_to(root.resolve())  # a link in the checkout that points out of it
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise InvalidInput(f"the hidden labels path {shown!r} leads out of the rubrics repository ({LABELS_PATH_HINT})")
    if not path.is_file():
        raise InvalidInput(f"the hidden labels file {shown!r} is not in the rubrics repository at the checked-out "
                           "commit (vars.ROADMAP_CI_HIDDEN_LABELS_PATH, vars.ROADMAP_CI_RUBRICS_REF)")
    return path


def ci_report(*, rubric: str, rubric_version: str, labels: Path | None = None, artifact: Path | None = None,
              artifact_name: str = ARTIFACT_NAME, workdir: Path | None = None, dry_run: bool = False,
              env: Mapping[str, str] | None = None, now: datetime | None = None,
              session: requests.Session | None = None, publisher: Publisher | None = None,
              retry: Retrying | None = None, labels_path: str | None = None,
              labels_root: Path | None = None) -> StepResult:
    """The privileged step, from ``GITHUB_EVENT_PATH`` and the environment (see the module docstring).

    ``labels_path``: the hidden labels as a file inside the mentor's rubrics checkout ``labels_root`` (default
    ``$GITHUB_WORKSPACE/roadmap-ci-rubrics``), instead of ``labels``. A path that is absolute, climbs out with
    ``..`` or names no file is the mentor's misconfiguration: an ``error`` status on the commit, one line.

    ``session``: a requests-style session for the reads (default: github3's, authenticated with
    ``GITHUB_TOKEN``); ``publisher``: where results go (default: :func:`github_publisher`); ``retry``: the
    :class:`roadmap_ci.publish.retry.Retrying` policy shared by reads and writes (tests inject a clock).
    """
    from roadmap_ci.publish.retry import Retrying

    env = os.environ if env is None else env
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise CannotRun("GITHUB_EVENT_PATH is not set: ci-report runs inside the report workflow")
    run = read_event(Path(event_path))
    from roadmap_ci.publish.env import api_url_from_env

    api_url = api_url_from_env(env)
    base = Path(workdir or Path(env.get("RUNNER_TEMP") or ".") / "roadmap-ci-report")
    retry = retry if retry is not None else Retrying()
    client = None
    if session is None:
        session, client = _read_session(env, api_url, dry_run or publisher is not None, retry)
    reader = Reader(session, retry)
    now = now or datetime.now(UTC)
    labels_problem = None
    if labels_path:
        if labels is not None:
            raise InvalidInput("give the hidden labels with --labels or --labels-path, not both")
        root = labels_root or Path(env.get("GITHUB_WORKSPACE") or ".") / "roadmap-ci-rubrics"
        try:
            labels = labels_in_checkout(root, labels_path)
        except InvalidInput as exc:
            labels_problem = exc
    labels = _unpacked_labels(labels, base) if labels is not None else None
    # the mentor's rubric first, before anything learner-controlled is read
    loaded = load_pinned_rubric(rubric, rubric_version) if rubric else None

    target = find_target(reader, api_url, run)
    if isinstance(target, Skip):
        return StepResult("nothing", target.reason)
    if publisher is None and not dry_run:
        publisher = github_publisher(env, api_url, client=client, retry=retry, now=now,
                                     deliverable=loaded.rubric.deliverable if loaded is not None else None)
    if labels_problem is not None:  # the mentor's settings are wrong: say so on the commit, score nothing
        if dry_run or publisher is None:
            raise labels_problem
        publisher.error(target, labels_problem.message)
        return StepResult("error", labels_problem.message, target=target)

    try:
        zip_path = artifact or download_artifact(reader, api_url, run.repo, run, artifact_name, base / "artifact.zip")
        shutil.rmtree(base / "bundle", ignore_errors=True)  # our own work directory: start clean
        bundle = load_bundle(extract_artifact(zip_path, base / "bundle"))
    except ArtifactError as exc:
        if dry_run or publisher is None:
            raise
        publisher.error(target, exc.message)
        return StepResult("error", exc.message, target=target)
    if loaded is None:  # no rubric configured: feedback with the bundled rubric of the claimed deliverable
        try:
            loaded = feedback_rubric(bundle.evidence.deliverable)
        except InvalidInput as exc:
            if dry_run or publisher is None:
                raise
            publisher.error(target, exc.message)
            return StepResult("error", exc.message, target=target)

    spec = loaded.rubric.hidden_labels
    quota = None
    withheld = None
    if spec is not None and spec.daily_limit is not None and not dry_run:
        quota = quota_for(reader, api_url, run, env, now, spec.daily_limit, getattr(publisher, "login", None))
        used = feedback_used(ledger_statuses(reader, api_url, run.repo, quota), quota.context, quota.day,
                             creator=quota.creator)
        if used >= quota.limit:
            withheld = limit_reason(quota.limit)
    ev, source = _trusted(bundle, run, loaded, labels, env, withheld=withheld)

    from roadmap_ci.score.scoring import score

    card = score(ev, loaded).model_copy(update={"labels": source})
    if dry_run or publisher is None:
        card, ev = learner_copy(card, ev, loaded, now)
        return StepResult("nothing", "dry run", card, target, _write_reports(card, ev, base / "out", loaded, now, env))
    if target.kind == "pull_request":  # scoring took a while: a push since then makes this run stale
        again = find_target(reader, api_url, run)
        if isinstance(again, Skip) or again.number != target.number:
            reason = again.reason if isinstance(again, Skip) else "the pull request changed while scoring"
            return StepResult("nothing", reason, None, target)  # nothing written, nothing counted
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
    return StepResult(posted, "; ".join(getattr(publisher, "done", [])), card, target, files)


def _unpacked_labels(labels: Path, base: Path) -> Path:
    """The mentor's labels file as CSV: a secret too large for GitHub travels packed (cohort apply)."""
    from roadmap_ci.github.secrets import MARKER_MAX, is_packed, unpack_labels

    try:
        with labels.open("rb") as fh:
            head = fh.read(MARKER_MAX + 8)
    except OSError as exc:
        raise CannotRun(f"{labels}: cannot read the hidden labels: {exc.strerror or exc}") from None
    if not is_packed(head):
        return labels
    out = base / "hidden-labels.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = unpack_labels(labels.read_bytes())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return out


def _write_reports(card: Scorecard, ev: Evidence, out_dir: Path, loaded: LoadedRubric, now: datetime,
                   env: Mapping[str, str]) -> list[Path]:
    """evidence.json, scorecard.json and every report format (md, html, junit, json), written atomically."""
    from roadmap_ci.publish.env import run_url
    from roadmap_ci.publish.files import write_reports

    written = write_reports(card, ev, out_dir, now=now, rubric=loaded, artifact_url=run_url(env))
    first = [written.pop("evidence"), written.pop("scorecard")]
    return first + list(written.values())
