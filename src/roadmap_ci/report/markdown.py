"""The Markdown report: the PR comment, the job summary, the terminal's `report --format md`.

Rendered from ``templates/report.md.j2`` with Jinja2. Every ``{{ value }}`` passes through
:func:`roadmap_ci.report.escape.md` unless the code marks it :class:`Safe` (text this module built
from numbers, fixed words or already-escaped parts), so a learner's string cannot reach the page raw.
Bodies over ``max_chars`` lose detail sections first (tests, data, pipeline log, charts, metrics),
then the reasons are shortened, and a note points to the full report.
"""

from __future__ import annotations

import html as _html
from functools import lru_cache
from typing import Any

from roadmap_ci.report import WITHHELD, escape
from roadmap_ci.report.view import View, fmt_num, fmt_pts, log_tail

PRACTICE = ("Practice labels (public): feedback, not a grade. The hidden-label metrics use the practice data "
            "shipped with the template; your mentor's course data makes them count.")
ICON = {"pass": "✅", "partial": "🟡", "fail": "❌", "missing": "⚠️", "pending": "⏳"}
SECTIONS = ("metrics", "charts", "pipeline", "data", "tests")
DROP_ORDER = ("tests", "data", "pipeline", "charts", "metrics")  # first dropped first
REASON_LIMIT = 600
SHORT_REASON = 160
MESSAGE_LIMIT = 300


class Safe(str):
    """Text already safe for Markdown (built here, or escaped)."""


def _e(text: object, limit: int | None = None) -> Safe:
    """Learner text, escaped once (see :func:`roadmap_ci.report.escape.md`)."""
    return Safe(escape.md(text, limit))


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Safe):
        return value
    if isinstance(value, int | float):
        return Safe(f"{value:g}")
    return escape.md(value)


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("roadmap_ci.report", "templates"), autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      undefined=StrictUndefined, finalize=_finalize)
    return env.get_template("report.md.j2")


def _change(delta: float | None) -> Safe:
    if delta is None:
        return Safe("")
    if abs(delta) < 5e-5:
        return Safe("=")
    return Safe(f"▲ +{delta:.4g}" if delta > 0 else f"▼ {delta:.4g}")


def _pie(view: View) -> str:
    lines = [f"pie showData title Points: {fmt_pts(view.card.total)} of {fmt_pts(view.card.max)}"]
    for c in view.shown:
        if c.points > 0:
            lines.append(f'    "{escape.mermaid(c.title)}" : {c.points:g}')
    if view.withheld and view.withheld.points > 0:
        lines.append(f'    "withheld criteria" : {view.withheld.points:g}')
    missed = round(view.card.max - view.card.total, 2)
    if missed > 0:
        lines.append(f'    "not earned" : {missed:g}')
    return "\n".join(lines)


def _threshold_chart(view: View) -> str | None:
    """Scores on a 0..1 scale (F1, accuracy, AUC, R²…) against their targets; others stay in the tables."""
    ts = [t for t in view.thresholds if all(0 <= x <= 1 for x in (t.value, t.min, t.target))]
    if not ts:
        return None
    values = [t.value for t in ts]
    targets = [t.target for t in ts]
    y = 'y-axis "value" 0 --> 1'
    labels = ", ".join(f'"{escape.mermaid(t.label, 24)}"' for t in ts)
    return "\n".join([
        "xychart-beta",
        '    title "Metric (bars) vs full-credit target and no-credit minimum (lines)"',
        f"    x-axis [{labels}]",
        f"    {y}",
        "    bar [" + ", ".join(f"{v:.4g}" for v in values) + "]",
        "    line [" + ", ".join(f"{v:.4g}" for v in targets) + "]",
        "    line [" + ", ".join(f"{t.min:.4g}" for t in ts) + "]",
    ])


def _pre(text: str) -> Safe:
    """Learner log text inside <pre>: HTML-escaped (cannot close the block), no mentions."""
    cleaned = "\n".join(escape.plain(line, 400) for line in text.splitlines())
    return Safe(_html.escape(cleaned, quote=False).replace("|", "&#124;").replace("@", "@" + escape.ZWJ))


def _context(view: View, reason_limit: int) -> dict[str, Any]:
    card = view.card
    total_ok = card.passed
    n_shown = len(view.shown)
    met = sum(1 for c in view.shown if c.status == "pass")
    summary = f"{met} of {n_shown} criteria met"
    if view.withheld:
        w = view.withheld
        summary += (f"; {w.count} more {WITHHELD} — "
                    + ("all of them met" if w.all_met else "**not all of them met**"))
    elif view.all_met:
        summary = f"all {n_shown} criteria met"
    summary += f". Pass mark: {fmt_pts(card.pass_mark)} of {fmt_pts(card.max)}."
    if card.labels == "practice":
        summary += f"\n\n🧪 **{PRACTICE}**"
    rows = [{
        "icon": Safe(ICON[c.status]), "title": c.title, "points": Safe(fmt_pts(c.points)), "max": Safe(fmt_pts(c.max)),
        "reason": _e(c.reason, reason_limit) if reason_limit else Safe(""),
        "help": c.help if (c.help and c.status != "pass" and reason_limit > SHORT_REASON) else "",
    } for c in view.shown]
    withheld = None
    if view.withheld:
        w = view.withheld
        withheld = {"label": Safe(f"{w.count} withheld criteri{'on' if w.count == 1 else 'a'}"),
                    "points": Safe(fmt_pts(w.points)), "max": Safe(fmt_pts(w.max)),
                    "text": Safe("details shown after the due date — " + ("all met" if w.all_met else "not all met"))}
    metrics = [{"name": _e(m.name, 80), "value": Safe(fmt_num(m.value)),
                "base": Safe(fmt_num(m.base) if m.base is not None else ""), "change": _change(m.delta)}
               for m in view.metrics]
    charts = [Safe(_pie(view))]
    tchart = _threshold_chart(view)
    if tchart:
        charts.append(Safe(tchart))
    pipeline = None
    if view.failed_stage is not None:
        st = view.failed_stage
        pipeline = {"summary": _e(f"stage {st.name} {st.status}", 120), "log": _pre(log_tail(st))}
    data = None
    if view.failed_checks or view.suite_errors:
        failed = len(view.failed_checks) + view.failed_checks_more
        parts = [f"{failed} of {view.checks_total} expectations failed"]
        if view.suite_errors:
            parts.append(f"{len(view.suite_errors)} suite(s) could not run")
        data_rows = [{"suite": _e(f.suite, 60), "type": _e(f.expectation.type, 80),
                      "column": _e(f.expectation.column or "", 60),
                      "unexpected": Safe("" if f.expectation.unexpected_count is None
                                         else f"{f.expectation.unexpected_count}"),
                      "sample": _e(", ".join(f.expectation.partial_unexpected[:5])
                                          or f.expectation.message, 120)}
                     for f in view.failed_checks]
        data_rows += [{"suite": _e(name, 60), "type": Safe("suite error"), "column": Safe(""),
                       "unexpected": Safe(""), "sample": _e(msg, 200)} for name, msg in view.suite_errors]
        data = {"summary": Safe("; ".join(parts)), "rows": data_rows, "more": view.failed_checks_more}
    tests = None
    if view.failing_tests:
        total = sum(view.test_counts.values())
        bad = len(view.failing_tests) + view.failing_tests_more
        tests = {"summary": Safe(f"{bad} of {total} failed or errored"),
                 "rows": [{"id": _e(t.id, 160), "outcome": Safe(t.outcome),
                           "message": _e(t.message, MESSAGE_LIMIT)} for t in view.failing_tests],
                 "more": view.failing_tests_more}
    r = card.rubric
    footer = (f"rubric {_e(r.name, 60)} v{_e(r.version, 40)} · <code>{_e(r.hash[:19])}</code>"
              f" · evidence <code>{_e(card.evidence_digest[:19])}</code>")
    if card.commit:
        footer += f" · commit <code>{_e(card.commit[:12])}</code>"
    if view.artifact_url:
        footer += f" · [full report]({view.artifact_url})"
    return {
        "marker": Safe(escape.marker(card.deliverable)),
        "icon": Safe("✅" if total_ok else "❌"),
        "title": Safe(f"roadmap-ci · {_e(card.deliverable, 64)}"),
        "total": Safe(fmt_pts(card.total)), "max": Safe(fmt_pts(card.max)),
        "verdict": Safe("**passed**" if total_ok else (
            f"**provisional** — {fmt_pts(card.pending_points)} points are still to be scored"
            if card.pending_points else "**below the pass mark**")),
        "summary": Safe(summary), "rows": rows, "withheld": withheld,
        "metrics": metrics, "metrics_more": view.metrics_more, "charts": charts,
        "pipeline": pipeline, "data": data, "tests": tests, "note": None, "footer": Safe(footer),
        "sections": set(SECTIONS),
    }


def _note(view: View, dropped: list[str]) -> Safe:
    where = (f"[the full report]({view.artifact_url})" if view.artifact_url
             else "the full report in this run's artifacts")
    what = ", ".join(dropped) if dropped else "details"
    return Safe(f"✂️ Shortened to fit GitHub's limit ({what} left out): see {where}.")


def render(view: View, max_chars: int | None = None) -> str:
    tpl = _template()
    ctx = _context(view, REASON_LIMIT)
    text: str = tpl.render(**ctx)
    if max_chars is None or len(text) <= max_chars:
        return text
    dropped: list[str] = []
    for section in DROP_ORDER:
        ctx["sections"].discard(section)
        dropped.append(section)
        ctx["note"] = _note(view, dropped)
        text = tpl.render(**ctx)
        if len(text) <= max_chars:
            return text
    for limit in (SHORT_REASON, 0):
        ctx2 = _context(view, limit)
        ctx2.update(sections=set(), note=_note(view, [*dropped, "reasons"]))
        text = tpl.render(**ctx2)
        if len(text) <= max_chars:
            return text
    # still too long (a huge rubric): keep the head, cut at a line, and say so
    note = "\n\n" + _note(view, [*dropped, "reasons", "rows"]) + "\n"
    head = text[: max(0, max_chars - len(note))]
    head = head[: head.rfind("\n")] if "\n" in head else head
    return (head + note)[:max_chars]
