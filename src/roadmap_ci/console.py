"""Terminal output shared by the commands (Rich tables), kept out of the pure modules."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from roadmap_ci.report import WITHHELD
from roadmap_ci.safeio import markup as escape
from roadmap_ci.score.scoring import Scorecard

STATUS_STYLE = {"pass": "green", "partial": "yellow", "fail": "red", "missing": "red", "pending": "cyan"}


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, emoji=False)  # emoji=False: ':a:' in learner text stays text


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def scorecard_table(card: Scorecard, reveal: bool = False, now: datetime | None = None) -> Table:
    """The scorecard as a learner sees it (``reveal`` shows hidden criteria too, for mentors)."""
    now = now or datetime.now(UTC)
    shown = card.criteria if reveal else card.revealed(now)
    shown_ids = {c.id for c in shown}
    if card.passed:
        verdict = "PASS"
    elif card.pending_points:
        verdict = (f"PROVISIONAL: {card.pending_points:g} points are scored in CI; "
                   + ("on track" if card.on_track else "below the pass mark's share so far"))
    else:
        verdict = "BELOW PASS MARK"
    table = Table(title=f"{escape(card.deliverable)} — {card.total:g}/{card.max:g} "
                        f"({verdict}, pass mark {card.pass_mark:g})",
                  caption=f"rubric {escape(card.rubric.name)} v{escape(card.rubric.version)} · {card.rubric.hash[:19]}",
                  show_lines=False, expand=False)
    table.add_column("criterion")
    table.add_column("points", justify="right")
    table.add_column("reason", overflow="fold")
    for c in card.criteria:
        if c.id not in shown_ids:
            continue
        style = STATUS_STYLE[c.status]
        tag = f" [dim]({c.visibility})[/]" if c.visibility != "visible" else ""
        table.add_row(escape(c.title) + tag, f"[{style}]{c.points:g}/{c.max:g}[/]", escape(c.reason))
    withheld = [c for c in card.criteria if c.id not in shown_ids]
    if withheld:
        got = sum(c.points for c in withheld)
        out_of = sum(c.max for c in withheld)
        full = all(c.status == "pass" for c in withheld)
        word = "all met" if full else "not all met"
        table.add_row(f"[dim]{len(withheld)} hidden criteria[/]", f"{got:g}/{out_of:g}",
                      f"[dim]details {WITHHELD} — {word}[/]")
    return table


def improvements(card: Scorecard, reveal: bool = False, now: datetime | None = None, most: int = 5) -> list[str]:
    """The rubric's hints for the criteria not met, most points to gain first (what report.md's 💡 lines say)."""
    now = now or datetime.now(UTC)
    shown = card.criteria if reveal else card.revealed(now)
    todo = sorted((c for c in shown if c.status not in ("pass", "pending") and c.help),
                  key=lambda c: (c.points - c.max, c.title))
    lines = [f"{c.title} (+{c.max - c.points:g}): {' '.join(c.help.split())}" for c in todo[:most]]
    if len(todo) > most:
        lines.append(f"… and {len(todo) - most} more in report.md")
    return lines

