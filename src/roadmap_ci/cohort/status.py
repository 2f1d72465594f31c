"""``cohort status`` / ``cohort reinvite``: who is where, per learner × deliverable.

Per seat: the invitation (pending / accepted / expired, or added directly as an organisation member), the
learner's pushes since the starter (the repository activity API, the mentor's own starter push left out),
the last push and whether it was late (the seat's due and cutoff, extensions applied, by GitHub's clock),
and the last evaluation of the default branch's head: the commit status ``roadmap-ci/<template>`` the
report job posted (state and score), or its check run when there is no status.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from roadmap_ci.cohort.apply import Engine
from roadmap_ci.cohort.rescore import _cell
from roadmap_ci.errors import RoadmapError

SCORE = re.compile(r"^\s*(?P<total>\d+(?:\.\d+)?)\s*/\s*(?P<max>\d+(?:\.\d+)?)\s+points")


@dataclass
class SeatStatus:
    seat: str
    repo: str
    learners: str
    invitation: str  # accepted | pending | expired | member | not invited | no repo
    pushes: int
    last_push: str | None
    late: str  # on time | late | after cutoff | —
    evaluation: str  # success | failure | error | pending | none
    score: str
    error: str | None = None


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seat_status(eng: Engine, sp: Any) -> SeatStatus:
    seat, full, client = sp.seat, sp.full, eng.client
    learners = " ".join(m.github for m in seat.members)
    if sp.repo is None:
        return SeatStatus(seat.label, full, learners, "no repo", 0, None, "—", "none", "", sp.error)
    invites = {}
    states = []
    try:
        for m in seat.members:
            st = eng.journal.get(full, f"access:{m.github}")
            kind = st.result.get("kind") if st.done else None
            if kind == "added":
                states.append("member")
                continue
            if not invites:
                invites = {(i.get("invitee") or {}).get("login", "").lower(): i
                           for i in client.pages(f"/repos/{full}/invitations", what=f"list {full}'s invitations")}
                invites = invites or {"": {}}
            inv = invites.get(m.github.lower())
            if inv is not None:
                states.append("expired" if inv.get("expired") else "pending")
            elif kind == "invited":
                states.append("accepted")
            else:
                perm = client.get_or_none(f"/repos/{full}/collaborators/{m.github}/permission",
                                          what=f"read {m.github}'s permission")
                states.append("accepted" if perm and perm.get("permission") in ("write", "admin") else "not invited")
        me = {m.github.lower() for m in seat.members}
        pushes = [a for a in client.pages(f"/repos/{full}/activity", what=f"list {full}'s pushes")
                  if a.get("activity_type") in ("push", "force_push", "branch_creation", "pr_merge")
                  and (a.get("actor") or {}).get("login", "").lower() in me]
        last = max((a.get("timestamp") for a in pushes), default=None)
        due, cutoff = eng.c.deadline(seat)
        when = _when(last)
        late = "—" if when is None else ("on time" if when <= due else "late" if when <= cutoff else "after cutoff")
        evaluation, score = _evaluation(eng, full, (sp.repo or {}).get("default_branch") or "main",
                                        seat.deliverable.template)
    except RoadmapError as exc:
        return SeatStatus(seat.label, full, learners, ", ".join(states) or "?", 0, None, "—", "?", "", str(exc))
    return SeatStatus(seat.label, full, learners, ", ".join(states), len(pushes), last, late, evaluation, score)


def _evaluation(eng: Engine, full: str, branch: str, template: str) -> tuple[str, str]:
    client = eng.client
    b = client.get_or_none(f"/repos/{full}/branches/{branch}", what=f"read {full}'s {branch}")
    if b is None:
        return "none", ""
    sha = b["commit"]["sha"]
    context = f"roadmap-ci/{template}"
    for s in client.pages(f"/repos/{full}/commits/{sha}/statuses", what=f"list {full}'s statuses"):
        if s.get("context") == context:  # newest first
            m = SCORE.match(s.get("description") or "")
            return s.get("state") or "none", f"{m['total']}/{m['max']}" if m else ""
    runs = client.get(f"/repos/{full}/commits/{sha}/check-runs", {"check_name": context},
                      what=f"list {full}'s check runs")
    for r in (runs or {}).get("check_runs", []):
        m = SCORE.match((r.get("output") or {}).get("title") or "")
        return r.get("conclusion") or r.get("status") or "none", f"{m['total']}/{m['max']}" if m else ""
    return "none", ""


def cohort_status(eng: Engine, deliverable: str | None = None) -> list[SeatStatus]:
    eng.preflight_read_only()
    out = []
    for seat in eng.seats(deliverable):  # no repos yet for waiting deliverables: nothing to ask GitHub
        sp = eng.plan_seat(seat, check_invitations=False)
        out.append(seat_status(eng, sp))
    return out


def write_csv(rows: list[SeatStatus], path: Path | None) -> str:
    import io

    buf = io.StringIO()
    fields = list(SeatStatus.__dataclass_fields__)
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell("" if v is None else str(v)) for k, v in asdict(r).items()})
    if path is not None:
        path.write_text(buf.getvalue(), encoding="utf-8")
    return buf.getvalue()


def reinvite(eng: Engine, deliverable: str | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """Replace every expired invitation with a new one (the old one deleted first); (done, failures)."""
    done: list[str] = []
    failures: list[tuple[str, str]] = []
    for seat in eng.seats(deliverable):  # a waiting deliverable has no repos, so no invitations
        full = f"{eng.c.org}/{seat.repo}"
        try:
            expired = [i for i in eng.client.pages(f"/repos/{full}/invitations", what=f"list {full}'s invitations")
                       if i.get("expired")]
        except RoadmapError as exc:
            failures.append((seat.label, str(exc)))
            continue
        for inv in expired:
            login = (inv.get("invitee") or {}).get("login", "")
            # after `close` the learner is invited back to read, and the close step keeps the new invitation
            # (a second close then writes nothing, and nothing gives write access back)
            closed = eng.journal.get(full, f"close:{login}").done
            step, permission = (f"close:{login}", "pull") if closed else (f"access:{login}", "push")
            try:
                eng.journal.begin(full, step, permission, {"reinvite": inv.get("id")})
                try:
                    eng._write("DELETE", f"/repos/{full}/invitations/{inv['id']}",
                               what=f"delete {login}'s expired invitation to {full}")
                except RoadmapError as exc:
                    if getattr(exc, "status", None) != 404:  # already gone: fine
                        raise
                result = eng._invite(full, login, permission)
                eng.journal.done(full, step, permission, {**result, "permission": "pull"} if closed else result)
                done.append(f"{seat.label}: {login} invited again" + (" to read (closed)" if closed else ""))
            except RoadmapError as exc:
                eng.journal.failed(full, step, str(exc))
                failures.append((seat.label, str(exc)))
    return done, failures


def close(eng: Engine, deliverable: str, now: datetime | None = None
          ) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """At the cutoff: every learner's permission on the deliverable's repos drops to read; repos stay.

    Collaborators are changed in place (``PUT …/collaborators/{login}`` with ``pull``); an invitation still open
    is changed to read (``PATCH …/invitations/{id}``). Journalled like apply: a second close writes nothing.
    ``now``: a seat whose own cutoff (an extension's) is later stays open, and is named; (done, failures, kept).
    """
    from roadmap_ci.cohort.store import iso

    done: list[str] = []
    failures: list[tuple[str, str]] = []
    kept: list[str] = []
    for seat in eng.c.seats(deliverable):
        full = f"{eng.c.org}/{seat.repo}"
        if now is not None and now < (cutoff := eng.c.deadline(seat)[1]):
            kept.append(f"{seat.label}: kept open until {iso(cutoff)} (an extension); close again after it")
            continue
        invites: dict[str, Any] | None = None
        for m in seat.members:
            step = f"close:{m.github}"
            if eng.journal.get(full, step).done:
                continue
            try:
                if invites is None:
                    invites = {(i.get("invitee") or {}).get("login", "").lower(): i for i in eng.client.pages(
                        f"/repos/{full}/invitations", what=f"list {full}'s invitations")}
                eng.journal.begin(full, step, "pull")
                inv = invites.get(m.github.lower())
                if inv is not None:
                    eng._write("PATCH", f"/repos/{full}/invitations/{inv['id']}", {"permissions": "read"},
                               what=f"make {m.github}'s invitation to {full} read-only")
                else:
                    eng._write("PUT", f"/repos/{full}/collaborators/{m.github}", {"permission": "pull"},
                               what=f"make {m.github} read-only on {full}")
                eng.journal.done(full, step, "pull", {"permission": "pull"})
                done.append(f"{seat.label}: {m.github} can now read, not push")
            except RoadmapError as exc:
                eng.journal.failed(full, step, str(exc))
                failures.append((seat.label, str(exc)))
    return done, failures, kept
