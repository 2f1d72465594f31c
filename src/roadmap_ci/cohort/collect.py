"""``roadmap-ci cohort collect``: at the deadline, every learner's graded commit and its evidence, from GitHub.

The graded commit of a seat is the head of the last **push** to the default branch whose evaluate workflow run
GitHub *created* before the seat's due date (extensions included) -- GitHub's clock, never the commit's own
date, which the learner writes. A run created after due and before the cutoff is graded late; nothing after
the cutoff counts. The run's ``roadmap-ci-evidence`` artifact is downloaded as ``ci-report`` downloads it
(:func:`roadmap_ci.ci.artifact.download_artifact`: list, zip, a 302 to storage that never sees the token) and
validated by the same code (:func:`~roadmap_ci.ci.artifact.extract_artifact`,
:func:`~roadmap_ci.ci.artifact.load_bundle`),
then stored in the cohort folder (:mod:`roadmap_ci.cohort.store`) with its provenance.

Requests per seat: one conditional listing of the repo's push runs (newest first; a 304 when nothing changed),
and for a run not stored yet the artifact listing and its download: ≤ 3 cold, 1 warm. Reads run at most
``concurrency`` (≤ 8) at a time through the shared client (ETags, ``Retry-After``, rate-limit resets);
``--rerun`` writes one at a time, paced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from roadmap_ci.cohort import store
from roadmap_ci.cohort.model import LoadedCohort, Seat
from roadmap_ci.errors import CannotRun, InvalidInput, RoadmapError

MAX_CONCURRENCY = 8
WORKFLOW = ".github/workflows/roadmap-ci.yml"  # the learner repo's caller of the evaluate workflow


@dataclass
class SeatResult:
    seat: Seat
    status: str  # store.COLLECTED / NO_REPO / NO_RUN / AFTER_CUTOFF / EXPIRED / REJECTED / FAILED
    reason: str = ""
    run: dict[str, Any] | None = None
    late: bool = False
    downloaded: bool = False  # False: already stored (incremental)
    rerun: bool = False  # a re-run was requested: the next collect looks at the run's artifacts again

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "reason": self.reason, "late": self.late, "rerun": self.rerun}
        if self.run is not None:
            out.update(run_id=self.run.get("id"), sha=self.run.get("head_sha"), created_at=self.run.get("created_at"))
        return out


@dataclass
class CollectResult:
    results: list[SeatResult] = field(default_factory=list)
    reruns: list[str] = field(default_factory=list)

    def by_status(self, status: str) -> list[SeatResult]:
        return [r for r in self.results if r.status == status]


def pick_run(runs: list[dict[str, Any]], branch: str, workflow: str, cutoff: datetime) -> tuple[dict | None, bool]:
    """(the newest push run of ``workflow`` on ``branch`` created by ``cutoff``, whether any was created after)."""
    best: tuple[datetime, dict] | None = None
    after = False
    for r in runs:
        if r.get("event") != "push" or r.get("head_branch") != branch:
            continue
        if workflow and r.get("path") and str(r["path"]).split("@")[0] != workflow:
            continue
        created = store.parse_time(r.get("created_at"))
        if created is None:
            continue
        if created > cutoff:
            after = True
            continue
        if best is None or (created, int(r.get("id", 0))) > (best[0], int(best[1].get("id", 0))):
            best = (created, r)
    return (best[1] if best else None), after


class Collector:
    def __init__(self, loaded: LoadedCohort, client: Any, folder: Path, *, branch: str = "main",
                 workflow: str = WORKFLOW, artifact: str | None = None, concurrency: int = MAX_CONCURRENCY) -> None:
        from roadmap_ci.ci.artifact import ARTIFACT_NAME
        from roadmap_ci.ci.reader import Reader

        self.loaded = loaded
        self.client = client
        self.folder = folder
        self.branch = branch
        self.workflow = workflow
        self.artifact = artifact or ARTIFACT_NAME
        self.concurrency = max(1, min(MAX_CONCURRENCY, concurrency))
        self.reader = Reader(client.session, client.retrying)
        self.downloads = 0

    def collect(self, deliverable: str, *, rerun: bool = False) -> CollectResult:
        seats = self.loaded.seats(deliverable)
        self.previous = store.read_status(self.folder / deliverable)
        out = CollectResult()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            out.results = list(pool.map(self._seat, seats))
        if rerun:
            for r in out.by_status(store.EXPIRED):
                if not r.rerun:
                    out.reruns.append(self._rerun(r))
        self.client.cache.save()
        had = sum(1 for e in self.previous.values() if e.get("status") == store.COLLECTED)
        with_repo = [r for r in out.results if r.status != store.NO_REPO]
        if had and with_repo and all(r.status == store.NO_RUN for r in with_repo):
            # not one run of the workflow on that branch, where the last collect found graded commits: a mistyped
            # --branch or --workflow, not a cohort that stopped pushing; the status file keeps what it said
            raise InvalidInput(f"no learner of {deliverable} has a run of {self.workflow} on a push to "
                               f"{self.branch!r}, where the last collect found {had} graded commit(s): check --branch "
                               "and --workflow; nothing changed")
        store.write_status(self.folder / deliverable, {r.seat.key.lower(): r.to_json() for r in out.results})
        return out

    # ------------------------------------------------------------ one seat

    def _seat(self, seat: Seat) -> SeatResult:
        from roadmap_ci.github.client import NotFound
        from roadmap_ci.publish.retry import GitHubError

        full = f"{self.loaded.org}/{seat.repo}"
        due, cutoff = self.loaded.deadline(seat)
        try:
            run, after = self._find_run(full, cutoff)
        except NotFound:
            return SeatResult(seat, store.NO_REPO, f"no repo {full} on GitHub (run `roadmap-ci cohort apply`)")
        except (GitHubError, RoadmapError) as exc:
            return SeatResult(seat, store.FAILED, f"could not list {full}'s runs: {str(exc)[:200]}")
        if run is None:
            if after:
                return SeatResult(seat, store.AFTER_CUTOFF, f"every evaluation of {self.branch} was created after "
                                                            f"the cutoff ({store.iso(cutoff)})")
            return SeatResult(seat, store.NO_RUN, f"no evaluation of a push to {self.branch}")
        created = store.parse_time(run["created_at"])
        late = created is not None and created > due
        if run.get("status") not in (None, "completed"):
            return SeatResult(seat, store.FAILED, f"the evaluation of {run['head_sha'][:12]} is still "
                                                  f"{run.get('status')}: collect again once it finishes", run, late)
        if self._stored(seat, run):
            return SeatResult(seat, store.COLLECTED, "already collected", run, late, downloaded=False)
        prev = self.previous.get(seat.key.lower()) or {}
        if prev.get("run_id") == run.get("id") and prev.get("status") in (store.REJECTED, store.EXPIRED) \
                and not prev.get("rerun"):  # the same artifact as last time: its verdict stands
            return SeatResult(seat, str(prev["status"]), str(prev.get("reason", "")), run, late)
        try:
            self._download(seat, full, run, late)
        except RoadmapError as exc:
            return self._artifact_problem(seat, full, run, late, exc)
        except GitHubError as exc:
            return SeatResult(seat, store.FAILED, f"could not download the artifact: {str(exc)[:200]}", run, late)
        return SeatResult(seat, store.COLLECTED, "late" if late else "", run, late, downloaded=True)

    def _find_run(self, full: str, cutoff: datetime) -> tuple[dict | None, bool]:
        """The repo's push runs on the branch come newest first (GitHub's order): read pages until one counts."""
        after_any = False
        page: list[dict[str, Any]] = []
        runs = self.client.pages(f"/repos/{full}/actions/runs", {"event": "push", "branch": self.branch},
                                 what=f"list {full}'s workflow runs", key="workflow_runs")
        for item in runs:
            page.append(item)
            if len(page) < 100:
                continue
            run, after = pick_run(page, self.branch, self.workflow, cutoff)
            after_any, page = after_any or after, []
            if run is not None:
                return run, after_any
        run, after = pick_run(page, self.branch, self.workflow, cutoff)
        return run, after_any or after

    def _stored(self, seat: Seat, run: dict[str, Any]) -> bool:
        folder = self.folder / seat.deliverable.id / seat.key / str(run.get("head_sha"))
        try:
            prov = store.read_provenance(folder / store.PROVENANCE, folder.name)
        except ValueError:
            return False
        return prov.run_id == run.get("id") and (folder / store.EVIDENCE).is_file()

    def _download(self, seat: Seat, full: str, run: dict[str, Any], late: bool) -> None:
        from roadmap_ci.ci.artifact import download_artifact, extract_artifact, load_bundle
        from roadmap_ci.ci.event import Run

        sha = str(run.get("head_sha") or "")
        if not store.SHA.match(sha):
            raise InvalidInput(f"the run's head_sha {sha[:40]!r} is not a commit id")
        r = Run(repo=full, run_id=int(run["id"]), event="push", head_sha=sha, head_branch=self.branch,
                head_repo=full, head_owner=self.loaded.org, conclusion=run.get("conclusion"))
        base = self.folder / seat.deliverable.id
        tmp_root = base / "_tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=tmp_root, prefix=f"{seat.key}-") as tmp:
            self.downloads += 1
            zpath = download_artifact(self.reader, self.client.api_url, full, r, self.artifact, Path(tmp) / "a.zip")
            digest = hashlib.sha256(zpath.read_bytes()).hexdigest()
            unpacked = extract_artifact(zpath, Path(tmp) / "artifact")
            bundle = load_bundle(unpacked)  # the same validation ci-report applies
            commit = Path(tmp) / sha
            commit.mkdir()
            shutil.copyfile(unpacked / store.EVIDENCE, commit / store.EVIDENCE)
            files = {store.EVIDENCE: store.digest((commit / store.EVIDENCE).read_bytes())}
            if bundle.predictions is not None and bundle.predictions.is_file():
                rel = bundle.predictions.relative_to(unpacked)
                (commit / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(bundle.predictions, commit / rel)
                files[rel.as_posix()] = store.digest((commit / rel).read_bytes())
            created = store.parse_time(run.get("created_at"))
            assert created is not None
            prov = store.Provenance(int(run["id"]), created, sha, full, None, digest, late, files)
            import json

            (commit / store.PROVENANCE).write_text(json.dumps(prov.to_json(), indent=1), encoding="utf-8")
            learner = base / seat.key
            learner.mkdir(parents=True, exist_ok=True)
            final = learner / sha
            if final.exists():
                shutil.rmtree(final)
            os.replace(commit, final)
            for old in learner.iterdir():  # a superseded graded commit (an extension, a re-collect)
                if old.name != sha and store.SHA.match(old.name):
                    shutil.rmtree(old)

    def _artifact_problem(self, seat: Seat, full: str, run: dict[str, Any], late: bool,
                          exc: RoadmapError) -> SeatResult:
        msg = exc.message if isinstance(exc, InvalidInput) else str(exc)
        if "uploaded no artifact named" in msg:
            try:  # one more read, only for a seat without an artifact: expired, or never uploaded?
                listing = self.client.get(f"/repos/{full}/actions/runs/{run['id']}/artifacts",
                                          {"name": self.artifact}, what=f"list the artifacts of run {run['id']}")
            except Exception:  # noqa: BLE001 - the first answer already says what matters
                listing = {}
            arts = (listing or {}).get("artifacts", []) if isinstance(listing, dict) else []
            if any(a.get("expired") for a in arts if isinstance(a, dict)):
                return SeatResult(seat, store.EXPIRED, f"the artifact of run {run['id']} expired (retention): "
                                                       "`cohort collect --rerun` evaluates the commit again", run, late)
            return SeatResult(seat, store.NO_RUN, f"run {run['id']} uploaded no {self.artifact} artifact", run, late)
        return SeatResult(seat, store.REJECTED, msg[:300], run, late)

    def _rerun(self, r: SeatResult) -> str:
        from roadmap_ci.publish.retry import GitHubError

        assert r.run is not None
        full = f"{self.loaded.org}/{r.seat.repo}"
        try:
            self.client.write("POST", f"/repos/{full}/actions/runs/{r.run['id']}/rerun", None,
                              what=f"re-run the evaluation of {full} at {str(r.run.get('head_sha'))[:12]}")
        except (GitHubError, RoadmapError) as exc:
            return f"{r.seat.label}: could not re-run run {r.run['id']}: {str(exc)[:200]}"
        r.reason += "; re-run requested"
        r.rerun = True
        return f"{r.seat.label}: re-run of run {r.run['id']} requested; collect again once it finishes"


# ---------------------------------------------------------------- the command


STALE_TMP_S = 15 * 60  # a download folder untouched this long belongs to a collect that was killed


def _sweep(tmp_root: Path) -> None:
    """Remove what a killed collect left in the download folder (each download is written aside, then renamed
    into place, so nothing there is ever graded); a fresh entry may be another collect's and stays."""
    import time

    try:
        entries = list(os.scandir(tmp_root))
    except OSError:
        return
    for e in entries:
        try:
            if time.time() - e.stat(follow_symlinks=False).st_mtime > STALE_TMP_S:
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path, ignore_errors=True)
                else:
                    os.unlink(e.path)
        except OSError:
            continue


def command(file: Path, deliverable: str, *, store_dir: Path | None = None, state: Path | None = None,
            branch: str = "main", workflow: str = WORKFLOW, concurrency: int = MAX_CONCURRENCY,
            rerun: bool = False) -> int:
    from roadmap_ci.cohort.commands import make_client, no_repos_yet, state_dir
    from roadmap_ci.cohort.grade import safe
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.console import stderr, stdout
    from roadmap_ci.errors import EXIT_INVALID, EXIT_OK

    loaded = load_cohort(file)
    if deliverable not in {d.id for d in loaded.cohort.deliverables}:
        raise InvalidInput(f"no deliverable {deliverable!r} in {file} "
                           f"(deliverables: {', '.join(d.id for d in loaded.cohort.deliverables)})")
    sd = state_dir(loaded, state)
    from roadmap_ci.cohort.journal import Journal

    if (line := no_repos_yet(loaded, deliverable, None, Journal(sd / "journal.jsonl", read_only=True))) is not None:
        raise InvalidInput(f"{line}: nothing to collect")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInput(f"--concurrency: between 1 and {MAX_CONCURRENCY} (GitHub allows 100 at once; "
                           "stay far below)")
    client = make_client(sd, None)
    folder = store_dir if store_dir is not None else loaded.base / "cohort"
    _sweep(folder / deliverable / "_tmp")
    try:
        collector = Collector(loaded, client, folder, branch=branch, workflow=workflow, concurrency=concurrency)
        result = collector.collect(deliverable, rerun=rerun)
    except OSError as exc:
        raise CannotRun(f"cannot write the cohort folder {folder}: {exc.strerror or exc}") from None
    finally:
        client.close()
    con, err = stdout(), stderr()
    got = result.by_status(store.COLLECTED)
    new = sum(1 for r in got if r.downloaded)
    late = sum(1 for r in got if r.late)
    for r in result.results:
        if r.status != store.COLLECTED:
            err.print(safe(f"{r.seat.label}: {r.status}: {r.reason}"), markup=False, highlight=False)
    for line in result.reruns:
        con.print(safe(line), markup=False, highlight=False)
    c = client.counters
    con.print(f"{deliverable}: {len(got)} of {len(result.results)} collected ({new} downloaded now, "
              f"{len(got) - new} already stored, {late} late); {len(result.results) - len(got)} without a graded "
              f"commit; GitHub: {c.reads} run listings ({c.not_modified} not modified), {collector.downloads} "
              f"artifact downloads, {c.writes} writes",
              markup=False, highlight=False)
    import shlex

    where = ["-c", str(file), *(["--store", str(store_dir)] if store_dir is not None else [])]
    con.print(safe(f"stored in {folder / deliverable}; next: roadmap-ci cohort grade "
                   f"{shlex.join([deliverable, *where])}"), markup=False, highlight=False)
    return EXIT_OK if len(got) == len(result.results) else EXIT_INVALID
