"""``cohort plan`` / ``cohort apply``: make GitHub match ``cohort.yaml``, idempotently, like infrastructure as code.

For every seat (a learner, or a group, × a deliverable) in the organisation:

1. ``repo`` — a private repo (``POST /orgs/{org}/repos``);
2. ``starter`` — its first commit, the template rendered for that learner, pushed once with real git over HTTPS;
   CODEOWNERS in it; the hidden labels kept on the mentor's side (``<state>/labels/``), never in the repo;
3. ``access:<login>`` — the learner invited with ``push`` (never admin); an organisation member is added directly;
4. ``ruleset`` — the default branch: no deletion, no force-push, changes through pull requests, and a code
   owners' (the mentors') review for ``.github/`` and the grading files;
5. ``var:ROADMAP_CI_RUBRIC`` / ``var:ROADMAP_CI_RUBRIC_VERSION`` — the pinned rubric for the report workflow;
   ``var:ROADMAP_CI_REPORT_ENVIRONMENT`` (the environment holding the labels) and ``var:ROADMAP_CI_LEDGER_SHA``
   (the starter commit: where the report's daily-limit ledger lives); with ``artifact_retention_days`` in
   cohort.yaml, ``var:ROADMAP_CI_ARTIFACT_RETENTION_DAYS`` (the evidence artifact's retention, which the
   learner's ``roadmap-ci.yml`` passes to ``evaluate.yml``);
6. ``environment`` + ``env-policy`` + ``secret`` — the hidden labels as the secret ``ROADMAP_CI_HIDDEN_LABELS`` of
   the environment ``roadmap-ci-report``, deployable only from the default branch, sealed client-side;
7. or, with ``rubrics:`` in cohort.yaml (labels of any size): ``labels`` — the seat's labels as
   ``labels/<deliverable>/<seat>.csv`` in the mentors' private rubrics repository (contents API: one commit,
   none when the file already holds the same git blob); ``var:ROADMAP_CI_RUBRICS_REPOSITORY``,
   ``var:ROADMAP_CI_RUBRICS_REF`` (the commit that wrote those labels) and ``var:ROADMAP_CI_HIDDEN_LABELS_PATH``;
   ``secret:ROADMAP_CI_RUBRICS_TOKEN`` (the read-only token from ``token_file``) in the same environment; and a
   ``ROADMAP_CI_HIDDEN_LABELS`` secret an earlier apply wrote is deleted (``secret`` = removed), so the labels
   live in one place.

State is the journal (:mod:`roadmap_ci.cohort.journal`): a step ``done`` with the same digest is not written
again, so a second ``apply`` writes nothing; it reads each repo once and, while an invitation is open, its
invitations once — both conditional (ETag), 304s when nothing changed. A step begun and not finished (a
killed run, a lost answer) is checked on GitHub before it is written again. A repo that exists without a
journal (another machine, a lost state directory) is adopted: each step is checked before it is written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.journal import Journal
from roadmap_ci.cohort.model import LoadedCohort, Seat
from roadmap_ci.errors import CannotRun, InvalidInput, InvalidInputs, Place, RoadmapError

ENVIRONMENT = "roadmap-ci-report"
LABELS_SECRET = "ROADMAP_CI_HIDDEN_LABELS"
RUBRICS_TOKEN_SECRET = "ROADMAP_CI_RUBRICS_TOKEN"
REMOVED = "removed"  # the digest of the ``secret`` step once the labels moved to the rubrics repository
RULESET_NAME = "roadmap-ci: protect the default branch"
SECRET_LIMIT = 48 * 1024
STATE_DIR = ".roadmap-ci"

STEP_WORDS = {"repo": "create repo", "starter": "push starter", "access": "invite", "ruleset": "protect branch",
              "var": "set variable", "environment": "environment", "env-policy": "branch policy",
              "secret": "set secret", "labels": "write labels", "check": "check the starter"}
CONTENT_STEPS = {"repo", "access", "labels"}  # content-creating writes (GitHub's 80/min, 500/h): a commit is one


def blob_sha(data: bytes) -> str:
    """The git blob id of ``data`` (what the contents API answers as a file's ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def labels_repo_path(seat: Seat) -> str:
    """Where a seat's hidden labels live in the rubrics repository."""
    return f"labels/{seat.deliverable.id}/{seat.key}.csv"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Action:
    step: str
    what: str

    @property
    def kind(self) -> str:
        return self.step.split(":", 1)[0]


def _unchecked_starter(result: dict[str, Any]) -> bool:
    """A starter step journalled before 2026-12-07 from a branch found on GitHub: its head, recorded unchecked."""
    return bool(result.get("verified")) and "starter" not in result and "root" not in result


def _is_starter(commit: dict[str, Any]) -> bool:
    """A commit as GitHub's REST API gives it (branches, commits) is a starter ``render_starter`` made."""
    from roadmap_ci.cohort.starter import is_starter

    inner = commit.get("commit") or {}
    return not commit.get("parents") and is_starter(str((inner.get("author") or {}).get("email") or ""),
                                                    str(inner.get("message") or "").split("\n", 1)[0])


@dataclass
class SeatPlan:
    seat: Seat
    full: str
    repo: dict[str, Any] | None = None  # GitHub's repo object, when it exists
    adopt: bool = False  # exists, but the journal does not know it: check each step before writing
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class ApplyResult:
    plans: list[SeatPlan]
    failures: list[tuple[str, str]] = field(default_factory=list)  # (seat label, one line)
    done: int = 0
    exit_code: int = 0  # 1 when a seat's input was wrong (a learner not on GitHub), 2 when GitHub failed


def ruleset_body(team_id: int | None) -> dict[str, Any]:
    bypass = [{"actor_id": 1, "actor_type": "OrganizationAdmin", "bypass_mode": "always"}]
    return {"name": RULESET_NAME, "target": "branch", "enforcement": "active",
            "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
            "bypass_actors": bypass,
            "rules": [{"type": "deletion"}, {"type": "non_fast_forward"},
                      {"type": "pull_request", "parameters": {
                          "required_approving_review_count": 0, "require_code_owner_review": True,
                          "dismiss_stale_reviews_on_push": True, "require_last_push_approval": False,
                          "required_review_thread_resolution": False}}]}


ENV_BODY = {"deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}}


class Engine:
    """Plan and apply one cohort with one client and one journal."""

    def __init__(self, loaded: LoadedCohort, client: Any, state_dir: Path, *,
                 on_write: Callable[[str], None] | None = None) -> None:
        self.c = loaded
        self.client = client
        self.state_dir = state_dir
        self.journal = Journal(state_dir / "journal.jsonl")
        self.on_write = on_write or (lambda what: None)
        self.team_id: int | None = None
        self._ruleset_ids: dict[str, int] = {}
        self._labels_known: dict[str, bool] = {}
        self.templates_root: Path | None = None  # the templates folder (default: the bundled one)
        self.now: datetime | None = None  # the clock for `provision_ahead_days` (default: the real one)
        self.secret: bytes | None = None
        secret_file = loaded.secret_path()
        if secret_file is not None:
            from roadmap_ci.seeding import read_secret

            self.secret = read_secret(secret_file)
        # the rubrics repository that holds the labels instead of a secret, and the report job's token for it
        self.rubrics = loaded.cohort.rubrics.repository if loaded.cohort.rubrics is not None else None
        self.rubrics_token = loaded.rubrics_token() if self.rubrics is not None else None
        self._rubrics_repo: dict[str, Any] | None = None

    def close(self) -> None:
        self.journal.close()
        self.client.cache.save()

    # ------------------------------------------------------------ checks before any write

    def preflight(self) -> None:
        """The token can administer the organisation, and the mentors' team exists (one line each otherwise)."""
        from roadmap_ci.github.client import NotFound

        org = self.c.org
        cfile = str(self.c.path)
        problems: list[InvalidInput] = []
        try:
            resp, me = self.client._get("/user", None, what="read the token's user")
            scopes = resp.headers.get("X-OAuth-Scopes") if resp is not None else None
            if scopes is not None:
                have = {s.strip() for s in scopes.split(",") if s.strip()}
                missing = [s for s in ("repo", "admin:org") if s not in have]
                if missing:
                    problems.append(InvalidInput(f"the token lacks the scope(s) {', '.join(missing)} (it has: "
                                                 f"{', '.join(sorted(have)) or 'none'})"))
            login = (me or {}).get("login", "?")
        except (NotFound, RoadmapError):
            login = None  # an installation token cannot read /user; the membership check below still runs
        if self.client.get_or_none(f"/orgs/{org}", what=f"read the organisation {org}") is None:
            raise InvalidInput(f"organisation: {org!r} does not exist or the token cannot see it",
                               self.c.doc.place(("organisation",)))
        if login is not None:
            m = self.client.get_or_none(f"/user/memberships/orgs/{org}", what="read the token's membership")
            if m is None or m.get("role") != "admin" or m.get("state") != "active":
                role = "not a member" if m is None else f"role {m.get('role')}, {m.get('state')}"
                problems.append(InvalidInput(f"organisation: the token's user {login} cannot administer {org} "
                                             f"({role}); cohort apply needs an organisation owner's token",
                                             self.c.doc.place(("organisation",))))
        team = self.client.get_or_none(f"/orgs/{org}/teams/{self.c.cohort.mentors}", what="read the mentors' team")
        if team is None:
            problems.append(InvalidInput(f"mentors: no team {self.c.cohort.mentors!r} in {org}",
                                         self.c.doc.place(("mentors",))))
        else:
            self.team_id = team.get("id")
        if self.rubrics is not None:
            problems += self._check_rubrics_repo()
        if problems:
            raise InvalidInputs([InvalidInput(p.message, p.place or Place(cfile)) for p in problems])

    def _check_rubrics_repo(self) -> list[InvalidInput]:
        """The rubrics repository exists, is private, the mentor's token can write to it and token_file's read it."""
        from roadmap_ci.github.client import Client

        name = str(self.rubrics)
        at = self.c.doc.place(("rubrics", "repository"))
        repo = self.client.get_or_none(f"/repos/{name}", what=f"read the rubrics repository {name}")
        if repo is None:
            return [InvalidInput(f"rubrics: repository {name!r} does not exist or the token cannot see it", at)]
        problems = []
        if not repo.get("private", False):
            problems.append(InvalidInput(f"rubrics: {name} is public: anyone could read the hidden labels "
                                         "(make it private)", at))
        perms = repo.get("permissions")  # absent for some tokens (an App's): the first write says then
        if isinstance(perms, dict) and not perms.get("push", False):
            problems.append(InvalidInput(f"rubrics: the token cannot write to {name} (apply writes the hidden "
                                         "labels there)", at))
        reader = Client(self.client.api_url, str(self.rubrics_token), retrying=self.client.retrying,
                        timeout=self.client.timeout)
        try:
            seen = reader.get_or_none(f"/repos/{name}", what=f"read {name} with the token in token_file")
        except RoadmapError as exc:
            seen, why = None, str(exc)
        else:
            why = "GitHub answered 404"
        finally:
            reader.close()
        if seen is None:
            problems.append(InvalidInput(f"rubrics: token_file: that token cannot read {name} ({why}); the "
                                         "report job checks the labels out with it",
                                         self.c.doc.place(("rubrics", "token_file"))))
        self._rubrics_repo = repo
        return problems

    def _rubrics_branch(self) -> str:
        if self._rubrics_repo is None:
            self._rubrics_repo = self.client.get(f"/repos/{self.rubrics}", what=f"read {self.rubrics}")
        return str(self._rubrics_repo.get("default_branch") or "main")

    # ------------------------------------------------------------ plan

    def steps(self, seat: Seat, *, adopt: bool = False) -> list[tuple[str, str | None]]:
        d = seat.deliverable
        out: list[tuple[str, str | None]] = [("repo", "private"), ("starter", None)]
        out += [(f"access:{m.github}", "push") for m in seat.members]
        out.append(("ruleset", _digest(ruleset_body(self.team_id))))
        out.append(("var:ROADMAP_CI_RUBRIC", _digest(d.rubric.id or d.rubric.path)))
        out.append(("var:ROADMAP_CI_RUBRIC_VERSION", _digest(d.rubric.version)))
        retention = self.c.cohort.artifact_retention_days
        if retention is not None:  # read by the learner's roadmap-ci.yml, passed to evaluate.yml
            out.append(("var:ROADMAP_CI_ARTIFACT_RETENTION_DAYS", _digest(str(retention))))
        # the report job runs in the environment that holds the labels; its daily-limit ledger is the starter commit
        out.append(("var:ROADMAP_CI_REPORT_ENVIRONMENT", _digest(ENVIRONMENT)))
        out.append(("var:ROADMAP_CI_LEDGER_SHA", None))
        out += [("environment", _digest(ENV_BODY)), ("env-policy", "main")]
        if not self._has_labels(d.id):
            return out
        full = f"{self.c.org}/{seat.repo}"
        secret = self.journal.get(full, "secret")
        if self.rubrics is None:  # the labels as an environment secret (48 KB at most)
            out.append(("secret", "again" if secret.digest == REMOVED else None))
            return out
        kept = self._labels_path(seat)
        out.append(("labels", blob_sha(kept.read_bytes()) if kept.is_file() else None))
        commit = self.journal.get(full, "labels").result.get("commit")
        out.append(("var:ROADMAP_CI_RUBRICS_REPOSITORY", _digest(self.rubrics)))
        out.append(("var:ROADMAP_CI_RUBRICS_REF", _digest(commit) if commit else None))
        out.append(("var:ROADMAP_CI_HIDDEN_LABELS_PATH", _digest(labels_repo_path(seat))))
        out.append((f"secret:{RUBRICS_TOKEN_SECRET}", _digest(hashlib.sha256(str(self.rubrics_token).encode())
                                                              .hexdigest())))
        if adopt or secret.pending or (secret.done and secret.digest != REMOVED):
            out.append(("secret", REMOVED))  # one an earlier apply wrote (or may have): deleted
        return out

    def _has_labels(self, deliverable: str) -> bool:
        """Whether the deliverable's pinned rubric scores hidden labels (then they go into the secret)."""
        if deliverable not in self._labels_known:
            from roadmap_ci.score.load import load_rubric

            d = next(x for x in self.c.cohort.deliverables if x.id == deliverable)
            self._labels_known[deliverable] = load_rubric(self.c.rubric_path(d)).rubric.hidden_labels is not None
        return self._labels_known[deliverable]

    def waiting(self) -> list[Any]:
        """Deliverables whose repos are not made yet (``provision_ahead_days``): plan and apply leave them out."""
        return self.c.waiting(self.now or datetime.now(UTC), self.journal)

    def seats(self, deliverable: str | None = None) -> list[Seat]:
        """The cohort's seats whose repos exist or are due now: those of waiting deliverables left out."""
        later = {d.id for d in self.waiting()}
        return [seat for seat in self.c.seats(deliverable) if seat.deliverable.id not in later]

    def plan(self, deliverable: str | None = None) -> list[SeatPlan]:
        return [self.plan_seat(seat) for seat in self.seats(deliverable)]

    def preflight_read_only(self) -> None:
        """For reading commands: the organisation exists and the token sees it."""
        if self.client.get_or_none(f"/orgs/{self.c.org}", what=f"read the organisation {self.c.org}") is None:
            raise InvalidInput(f"organisation: {self.c.org!r} does not exist or the token cannot see it",
                               self.c.doc.place(("organisation",)))

    def plan_seat(self, seat: Seat, *, check_invitations: bool = True) -> SeatPlan:
        full = f"{self.c.org}/{seat.repo}"
        sp = SeatPlan(seat, full)
        try:
            sp.repo = self.client.get_or_none(f"/repos/{full}", what=f"read {full}")
        except RoadmapError as exc:
            sp.error = str(exc)
            return sp
        known = self.journal.get(full, "repo").done
        if sp.repo is None and known:
            sp.notes.append("the repo was deleted on GitHub: it is made again")
        sp.adopt = sp.repo is not None and not known
        forget = sp.repo is None and known
        for step, digest in self.steps(seat, adopt=sp.adopt):
            st = self.journal.get(full, step)
            if forget or not st.done or (digest is not None and st.digest != digest):
                if step == "repo" and sp.repo is not None:
                    continue
                kind, _, arg = step.partition(":")
                what = f"{STEP_WORDS[kind]} {arg}".strip()
                if step == "secret" and digest == REMOVED:
                    what = f"remove secret {LABELS_SECRET}"
                elif step == "labels":
                    what = f"write labels to {self.rubrics}"
                sp.actions.append(Action(step, what))
        started = self.journal.get(full, "starter")
        if not forget and started.done and _unchecked_starter(started.result):
            sp.actions.append(Action("check:starter", "check the starter commit (and the ledger pinned to it)"))
        if not forget and check_invitations:
            self._check_invitations(sp)
        return sp

    def _check_invitations(self, sp: SeatPlan) -> None:
        """One conditional read while an invitation is open: accepted, still open, or expired."""
        open_invites = {m.github.lower(): m.github for m in sp.seat.members
                        if (st := self.journal.get(sp.full, f"access:{m.github}")).done
                        and st.result.get("kind") == "invited" and not st.result.get("accepted")}
        if not open_invites or sp.repo is None:
            return
        try:
            invites = list(self.client.pages(f"/repos/{sp.full}/invitations", what=f"list {sp.full}'s invitations"))
        except RoadmapError as exc:
            sp.notes.append(f"invitations not read: {exc}")
            return
        listed = {(i.get("invitee") or {}).get("login", "").lower(): i for i in invites}
        for low, login in open_invites.items():
            inv = listed.get(low)
            if inv is None:
                sp.notes.append(f"{login} accepted the invitation")
            elif inv.get("expired"):
                sp.notes.append(f"{login}'s invitation expired: `roadmap-ci cohort reinvite`")
            else:
                sp.notes.append(f"{login}'s invitation is pending")

    # ------------------------------------------------------------ apply

    def apply(self, plans: list[SeatPlan]) -> ApplyResult:
        out = ApplyResult(plans)
        for sp in plans:
            if sp.error:
                out.failures.append((sp.seat.label, sp.error))
                out.exit_code = max(out.exit_code, 1)
                continue
            if not sp.actions:
                continue
            try:
                self.apply_seat(sp)
                out.done += 1
            except RoadmapError as exc:
                out.failures.append((sp.seat.label, str(exc)))
                out.exit_code = max(out.exit_code, exc.exit_code)
            finally:
                self.client.cache.save()
        return out

    def _write(self, method: str, path: str, payload: Any = None, *, what: str, content: bool = False,
               verify: Callable[[], Any] | None = None) -> tuple[int, Any]:
        res = self.client.write(method, path, payload, what=what, content=content, verify=verify)
        self.on_write(what)
        return res

    def _step(self, sp: SeatPlan, step: str, digest: str | None, do: Callable[[], dict[str, Any]],
              verify: Callable[[], dict[str, Any] | None] | None = None, *, force: bool = False) -> dict[str, Any]:
        st = self.journal.get(sp.full, step)
        if st.done and (digest is None or st.digest == digest) and not force:
            return st.result
        if (st.pending or sp.adopt) and verify is not None:
            found = verify()
            if found is not None:
                self.journal.done(sp.full, step, digest, found, verified=True)
                return found
        self.journal.begin(sp.full, step, digest)
        try:
            result = do()
        except RoadmapError as exc:
            self.journal.failed(sp.full, step, str(exc))
            raise
        self.journal.done(sp.full, step, digest, result)
        return result

    def apply_seat(self, sp: SeatPlan) -> None:
        from roadmap_ci.github.client import Refused

        full, org, seat = sp.full, self.c.org, sp.seat
        if sp.repo is None and self.journal.get(full, "repo").done:
            self.journal.forget(full, "the repo is gone on GitHub")
        steps = dict(self.steps(seat, adopt=sp.adopt))

        def get_repo() -> dict[str, Any] | None:
            return self.client.get_or_none(f"/repos/{full}", what=f"read {full}")

        def create_repo() -> dict[str, Any]:
            body = {"name": seat.repo, "private": True, "has_wiki": False, "has_projects": False,
                    "auto_init": False, "description": f"{seat.deliverable.id} — {seat.key} (roadmap-ci)"}
            try:
                _, repo = self._write("POST", f"/orgs/{org}/repos", body, what=f"create {full}", content=True,
                                      verify=get_repo)
            except Refused as exc:
                repo = get_repo() if exc.status == 422 else None
                if repo is None:
                    raise
            sp.repo = repo
            return _repo_result(repo)

        if sp.repo is not None and not self.journal.get(full, "repo").done:
            self.journal.done(full, "repo", steps["repo"], _repo_result(sp.repo), verified=True)
        repo = self._step(sp, "repo", steps["repo"], create_repo, lambda: _maybe(_repo_result, get_repo()))
        branch = repo.get("default_branch") or "main"

        found = self._step(sp, "starter", None, lambda: self._push_starter(sp, repo),
                           lambda: self._found_starter(full, branch))
        if _unchecked_starter(found):
            self.journal.done(full, "starter", None, self._found_starter(full, branch) or found, verified=True)
        for m in seat.members:
            self._step(sp, f"access:{m.github}", "push", lambda m=m: self._invite(full, m.github),
                       lambda m=m: self._find_access(full, m.github))
        body = ruleset_body(self.team_id)

        def protect() -> dict[str, Any]:
            rid = self.journal.get(full, "ruleset").result.get("id") or self._ruleset_ids.get(full)
            if rid:
                _, rs = self._write("PUT", f"/repos/{full}/rulesets/{rid}", body, what=f"update {full}'s ruleset")
            else:
                _, rs = self._write("POST", f"/repos/{full}/rulesets", body, what=f"protect {full}'s default branch",
                                    verify=lambda: self._find_ruleset(full))
            return {"id": rs.get("id")}

        self._step(sp, "ruleset", steps["ruleset"], protect, lambda: self._find_ruleset(full, body))
        d = seat.deliverable
        started = self.journal.get(full, "starter").result
        ledger = str(started.get("sha") or started.get("root") or "")
        for name, value in (("ROADMAP_CI_RUBRIC", d.rubric.id or str(d.rubric.path)),
                            ("ROADMAP_CI_RUBRIC_VERSION", d.rubric.version),
                            ("ROADMAP_CI_REPORT_ENVIRONMENT", ENVIRONMENT),
                            ("ROADMAP_CI_LEDGER_SHA", ledger),
                            ("ROADMAP_CI_ARTIFACT_RETENTION_DAYS",
                             str(self.c.cohort.artifact_retention_days or ""))):
            # no first commit known: the report finds the oldest commit itself;
            # no retention in cohort.yaml: the evaluate workflow's own
            if not value:
                continue
            step = f"var:{name}"
            st = self.journal.get(full, step)
            # the ledger's digest is unknown to plan (None): set again only when the starter found changed it
            moved = steps[step] is None and st.done and st.result.get("value") not in (None, value)
            self._step(sp, step, steps[step], lambda n=name, v=value: self._set_variable(full, n, v),
                       lambda n=name, v=value: self._find_variable(full, n, v), force=moved)

        def environment() -> dict[str, Any]:
            _, env = self._write("PUT", f"/repos/{full}/environments/{ENVIRONMENT}", ENV_BODY,
                                 what=f"create {full}'s environment {ENVIRONMENT}")
            return {"id": (env or {}).get("id")}

        self._step(sp, "environment", steps["environment"], environment, lambda: self._find_environment(full))
        self._step(sp, "env-policy", "main", lambda: self._add_policy(full, branch),
                   lambda: self._find_policy(full, branch))
        if "labels" in steps:
            self._labels_to_rubrics(sp, steps)
        elif "secret" in steps:
            labels = self._labels(sp, repo)
            if labels is None:
                raise CannotRun(f"the rubric of {seat.deliverable.id} scores hidden labels, but rendering "
                                f"{seat.deliverable.template} gave none: set course_secret_file in the cohort file")
            self._step(sp, "secret", _digest(hashlib.sha256(labels).hexdigest()),
                       lambda: self._put_secret(full, LABELS_SECRET, labels))
        self._prime(sp)

    def _labels_to_rubrics(self, sp: SeatPlan, steps: dict[str, str | None]) -> None:
        """The seat's labels into the rubrics repository, the variables that point the report job at them, its
        token; and no labels secret besides."""
        full, seat = sp.full, sp.seat
        data = self._raw_labels(sp)
        if data is None:
            raise CannotRun(f"the rubric of {seat.deliverable.id} scores hidden labels, but rendering "
                            f"{seat.deliverable.template} gave none: set course_secret_file in the cohort file")
        blob = blob_sha(data)
        written = self._step(sp, "labels", blob, lambda: self._write_labels(seat, data),
                             lambda: self._find_labels(seat, blob))
        for name, value in (("ROADMAP_CI_RUBRICS_REPOSITORY", str(self.rubrics)),
                            ("ROADMAP_CI_RUBRICS_REF", str(written["commit"])),
                            ("ROADMAP_CI_HIDDEN_LABELS_PATH", labels_repo_path(seat))):
            step = f"var:{name}"
            self._step(sp, step, _digest(value), lambda n=name, v=value: self._set_variable(full, n, v),
                       lambda n=name, v=value: self._find_variable(full, n, v))
        token = str(self.rubrics_token)
        step = f"secret:{RUBRICS_TOKEN_SECRET}"
        self._step(sp, step, steps[step], lambda: self._put_secret(full, RUBRICS_TOKEN_SECRET, token))
        if "secret" in steps:
            self._step(sp, "secret", REMOVED, lambda: self._delete_secret(full, LABELS_SECRET),
                       lambda: self._find_no_secret(full, LABELS_SECRET))

    def _prime(self, sp: SeatPlan) -> None:
        """Read what the next plan reads, so that its conditional reads are 304s when nothing changes."""
        self.client.get_or_none(f"/repos/{sp.full}", what=f"read {sp.full}")
        if any(self.journal.get(sp.full, f"access:{m.github}").result.get("kind") == "invited"
               for m in sp.seat.members):
            list(self.client.pages(f"/repos/{sp.full}/invitations", what=f"list {sp.full}'s invitations"))

    # ------------------------------------------------------------ the steps' writes and checks

    def _push_starter(self, sp: SeatPlan, repo: dict[str, Any]) -> dict[str, Any]:
        from roadmap_ci.cohort.starter import push, render_starter

        work = Path(tempfile.mkdtemp(prefix="roadmap-ci-starter-"))
        try:
            starter = render_starter(self.c, sp.seat, work, secret=self.secret, root=self.templates_root)
            labels_sha = self._keep_labels(sp.seat, starter.labels)
            url = repo.get("clone_url") or f"{repo.get('html_url')}.git"
            self.client.counters.waited_s += self.client.pacer.before_write(False)  # a push is a write too
            push(starter.path, url, self.client.token, repo.get("default_branch") or "main")
            self.on_write(f"push {sp.full}")
            self.client.counters.writes += 1
            return {"sha": starter.commit, "labels_sha256": labels_sha}
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _labels_path(self, seat: Seat) -> Path:
        return self.state_dir / "labels" / seat.deliverable.id / f"{seat.key}.csv"

    def _keep_labels(self, seat: Seat, labels: bytes | None) -> str | None:
        if labels is None:
            return None
        p = self._labels_path(seat)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_bytes(labels)
        tmp.chmod(0o600)
        tmp.replace(p)
        return hashlib.sha256(labels).hexdigest()

    def _raw_labels(self, sp: SeatPlan) -> bytes | None:
        """The seat's hidden labels CSV (kept when its starter was rendered; rendered again if lost)."""
        p = self._labels_path(sp.seat)
        if not p.is_file():
            from roadmap_ci.cohort.starter import render_starter

            work = Path(tempfile.mkdtemp(prefix="roadmap-ci-labels-"))
            try:
                again = render_starter(self.c, sp.seat, work, secret=self.secret, root=self.templates_root)
                self._keep_labels(sp.seat, again.labels)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return p.read_bytes() if p.is_file() else None

    def _labels(self, sp: SeatPlan, repo: dict[str, Any]) -> bytes | None:
        """The seat's labels as the secret's value: packed when over 48 KB, refused when still too large."""
        data = self._raw_labels(sp)
        if data is None:
            return None
        from roadmap_ci.github.secrets import pack_labels

        packed = pack_labels(data, SECRET_LIMIT)  # larger labels travel xz + base64 (ci-report unpacks them)
        if len(packed) > SECRET_LIMIT:
            raise CannotRun(f"the hidden labels of {sp.seat.label} are {len(data) // 1024} KB "
                            f"({len(packed) // 1024} KB packed); a GitHub secret holds 48 KB: set `rubrics:` in "
                            "the cohort file (a private rubrics repository and a read-only token for it) to keep "
                            "them there (docs/classroom.md)")
        return packed

    # ------------------------------------------------------------ the rubrics repository (contents API)

    def _contents(self, path: str) -> dict[str, Any] | None:
        body = self.client.get_or_none(f"/repos/{self.rubrics}/contents/{path}", {"ref": self._rubrics_branch()},
                                       what=f"read {path} in {self.rubrics}", cache=False)  # labels: not in etags
        return body if isinstance(body, dict) and body.get("type") == "file" else None

    def _labels_commit(self, path: str) -> str:
        """The commit that last wrote ``path`` on the rubrics repository's default branch (a full SHA)."""
        commits = self.client.get(f"/repos/{self.rubrics}/commits",
                                  {"path": path, "sha": self._rubrics_branch(), "per_page": 1},
                                  what=f"read the last commit of {path} in {self.rubrics}")
        if not commits:
            raise CannotRun(f"{self.rubrics} holds {path}, but GitHub lists no commit for it")
        return str(commits[0]["sha"])

    def _find_labels(self, seat: Seat, blob: str) -> dict[str, Any] | None:
        path = labels_repo_path(seat)
        cur = self._contents(path)
        if cur is None or cur.get("sha") != blob:
            return None
        return {"commit": self._labels_commit(path), "blob": blob, "path": path}

    def _write_labels(self, seat: Seat, data: bytes) -> dict[str, Any]:
        """One commit when the file is missing or differs; none when it holds this blob already."""
        import base64

        from roadmap_ci.github.client import Refused

        path, blob = labels_repo_path(seat), blob_sha(data)
        url = f"/repos/{self.rubrics}/contents/{path}"
        for attempt in (1, 2):
            cur = self._contents(path)
            if cur is not None and cur.get("sha") == blob:
                return {"commit": self._labels_commit(path), "blob": blob, "path": path}
            body = {"message": f"Hidden labels of {seat.label} (roadmap-ci cohort apply)",
                    "content": base64.b64encode(data).decode("ascii"), "branch": self._rubrics_branch(),
                    **({"sha": cur["sha"]} if cur is not None else {})}
            try:
                status, out = self._write("PUT", url, body, what=f"write {path} in {self.rubrics}", content=True,
                                          verify=lambda: self._find_labels(seat, blob))
            except Refused as exc:
                if exc.status in (409, 422) and attempt == 1:
                    continue  # the file changed under us (another apply, a mentor's commit): read it again
                raise
            if isinstance(out, dict) and "blob" in out:
                return out  # a lost answer, found written
            return {"commit": out["commit"]["sha"], "blob": out["content"]["sha"], "path": path}
        raise AssertionError("unreachable")  # pragma: no cover

    def _found_starter(self, full: str, branch: str) -> dict[str, Any] | None:
        """The starter step of a repo whose branch is already there (adopted, or a push whose answer was lost).

        The starter is recorded only when a commit checks out as one -- a roadmap-ci starter commit with no
        parents (``starter.is_starter``) -- at the head, or else at the branch's first commit (the learner pushed
        since). A repo made elsewhere (GitHub Classroom, by hand) gets its first commit as ``root`` and no
        starter: ``cohort update`` refuses it, and the feedback ledger (``ROADMAP_CI_LEDGER_SHA``) is pinned to
        that first commit. Recording the head unchecked, as before 2026-12-07, made a learner's commit the base of
        update's three-way merge -- a pull request that takes their work back out -- and of the ledger.
        """
        b = self.client.get_or_none(f"/repos/{full}/branches/{branch}", what=f"read {full}'s {branch}")
        if b is None:
            return None
        head = b.get("commit") or {}
        if _is_starter(head):
            return {"sha": head.get("sha"), "verified": True, "starter": True}
        found: dict[str, Any] = {"head": head.get("sha"), "verified": True}
        root = self._first_commit(full, branch)
        if root is not None:
            found["root"] = root.get("sha")
            if _is_starter(root):
                found.update(sha=root.get("sha"), starter=True)
        return found

    def _first_commit(self, full: str, branch: str) -> dict[str, Any] | None:
        """The branch's oldest commit: the last page of a one-commit-a-page listing (two reads)."""
        what = f"find the first commit of {full}'s {branch}"
        resp, page = self.client._get(f"/repos/{full}/commits", {"sha": branch, "per_page": 1}, what=what,
                                      cache=False)
        last = ((getattr(resp, "links", None) or {}).get("last") or {}).get("url")
        if isinstance(last, str):
            if not last.startswith(self.client.api_url + "/"):  # the token goes only to the API
                raise CannotRun(f"cannot {what}: GitHub's last-page link leaves the API")
            resp, page = self.client._get(last, None, what=what, cache=False)
        return page[-1] if isinstance(page, list) and page and isinstance(page[-1], dict) else None

    def _invite(self, full: str, login: str, permission: str = "push") -> dict[str, Any]:
        """Invite (or add) ``login`` with ``permission`` (``push``; ``pull`` on a closed deliverable's repo)."""
        status, body = self._write("PUT", f"/repos/{full}/collaborators/{login}", {"permission": permission},
                                   what=f"invite {login} to {full}", content=True,
                                   verify=lambda: self._find_access(full, login, permission))
        if status == 201 and isinstance(body, dict) and "invitee" in body:
            return {"kind": "invited", "id": body.get("id"), "created_at": body.get("created_at")}
        if status == 200 and isinstance(body, dict) and "kind" in body:
            return body  # verified after a lost answer
        return {"kind": "added"}

    def _find_access(self, full: str, login: str, permission: str = "push") -> dict[str, Any] | None:
        for inv in self.client.pages(f"/repos/{full}/invitations", what=f"list {full}'s invitations"):
            if (inv.get("invitee") or {}).get("login", "").lower() == login.lower() and not inv.get("expired"):
                return {"kind": "invited", "id": inv.get("id"), "created_at": inv.get("created_at")}
        perm = self.client.get_or_none(f"/repos/{full}/collaborators/{login}/permission",
                                       what=f"read {login}'s permission on {full}")
        if perm is not None and perm.get("permission") in (("read",) if permission == "pull" else ("write", "admin")):
            return {"kind": "added"}
        return None

    def _find_ruleset(self, full: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        for rs in self.client.pages(f"/repos/{full}/rulesets", what=f"list {full}'s rulesets"):
            if rs.get("name") == RULESET_NAME:
                if body is not None:
                    full_rs = self.client.get(f"/repos/{full}/rulesets/{rs['id']}", what=f"read {full}'s ruleset")
                    same = all(full_rs.get(k) == v for k, v in body.items())
                    if not same:
                        self._ruleset_ids[full] = rs["id"]  # there, but not as the file says: updated in place
                        return None
                return {"id": rs["id"]}
        return None

    def _set_variable(self, full: str, name: str, value: str) -> dict[str, Any]:
        from roadmap_ci.github.client import Refused

        try:
            self._write("POST", f"/repos/{full}/actions/variables", {"name": name, "value": value},
                        what=f"set {full}'s variable {name}", verify=lambda: self._find_variable(full, name, value))
        except Refused as exc:
            if exc.status != 409:
                raise
            self._write("PATCH", f"/repos/{full}/actions/variables/{name}", {"name": name, "value": value},
                        what=f"update {full}'s variable {name}")
        return {"value": value}

    def _find_variable(self, full: str, name: str, value: str) -> dict[str, Any] | None:
        v = self.client.get_or_none(f"/repos/{full}/actions/variables/{name}", what=f"read {full}'s {name}")
        return {"value": value} if v is not None and v.get("value") == value else None

    def _find_environment(self, full: str) -> dict[str, Any] | None:
        env = self.client.get_or_none(f"/repos/{full}/environments/{ENVIRONMENT}", what=f"read {full}'s environment")
        if env is None or env.get("deployment_branch_policy") != ENV_BODY["deployment_branch_policy"]:
            return None
        return {"id": env.get("id")}

    def _add_policy(self, full: str, branch: str) -> dict[str, Any]:
        path = f"/repos/{full}/environments/{ENVIRONMENT}/deployment-branch-policies"
        _, p = self._write("POST", path, {"name": branch, "type": "branch"}, what=f"limit {full}'s environment to "
                           f"{branch}", verify=lambda: self._find_policy(full, branch))
        return {"id": (p or {}).get("id")}

    def _find_policy(self, full: str, branch: str) -> dict[str, Any] | None:
        path = f"/repos/{full}/environments/{ENVIRONMENT}/deployment-branch-policies"
        body = self.client.get_or_none(path, what=f"list {full}'s branch policies")
        for p in (body or {}).get("branch_policies", []):
            if p.get("name") == branch and p.get("type", "branch") == "branch":
                return {"id": p.get("id")}
        return None

    def _put_secret(self, full: str, name: str, value: bytes | str) -> dict[str, Any]:
        from roadmap_ci.github.secrets import seal

        base = f"/repos/{full}/environments/{ENVIRONMENT}/secrets"
        key = self.client.get(f"{base}/public-key", what=f"read {full}'s environment public key")
        payload = {"encrypted_value": seal(key["key"], value), "key_id": key["key_id"]}
        self._write("PUT", f"{base}/{name}", payload, what=f"set {full}'s secret {name}")
        return {"key_id": key["key_id"]}

    def _delete_secret(self, full: str, name: str) -> dict[str, Any]:
        from roadmap_ci.github.client import Refused

        path = f"/repos/{full}/environments/{ENVIRONMENT}/secrets/{name}"
        try:
            self._write("DELETE", path, what=f"delete {full}'s secret {name}",
                        verify=lambda: self._find_no_secret(full, name))
        except Refused as exc:
            if exc.status != 404:  # already gone
                raise
        return {"removed": True}

    def _find_no_secret(self, full: str, name: str) -> dict[str, Any] | None:
        path = f"/repos/{full}/environments/{ENVIRONMENT}/secrets/{name}"
        return {"removed": True} if self.client.get_or_none(path, what=f"read {full}'s secret {name}") is None else None

    # ------------------------------------------------------------ learners that do not exist

    def check_learners(self, plans: list[SeatPlan]) -> None:
        """Before any write: every learner who is still to be invited exists on GitHub."""
        checked: dict[str, bool] = {}
        for sp in plans:
            for a in sp.actions:
                if a.kind != "access":
                    continue
                login = a.step.split(":", 1)[1]
                if login.lower() not in checked:
                    user = self.client.get_or_none(f"/users/{login}", what=f"look up {login}")
                    checked[login.lower()] = user is not None and user.get("type", "User") == "User"
                if not checked[login.lower()]:
                    learner = self.c.by_login()[login.lower()]
                    sp.error = (f"{self.c.cohort.roster}:{learner.line}: {login!r} is not a GitHub user "
                                "(nothing was written for this seat)")


def _repo_result(repo: dict[str, Any]) -> dict[str, Any]:
    return {"id": repo.get("id"), "clone_url": repo.get("clone_url"), "html_url": repo.get("html_url"),
            "default_branch": repo.get("default_branch") or "main"}


def _maybe(fn: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else fn(value)


def totals(plans: list[SeatPlan]) -> Counter[str]:
    out: Counter[str] = Counter()
    for sp in plans:
        for a in sp.actions:
            out[a.kind] += 1
    return out


def write_count(plans: list[SeatPlan]) -> tuple[int, int]:
    """(writes, content-creating writes) the plans make (a push counts as one write)."""
    writes = content = 0
    for sp in plans:
        if sp.error:
            continue
        for a in sp.actions:
            writes += 1
            content += a.kind in CONTENT_STEPS
    return writes, content
