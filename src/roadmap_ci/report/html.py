"""A standalone HTML report: one file, inline CSS and inline SVG plots, no scripts, no external assets.

Same content as the Markdown report (what a learner may see, per the view), for local runs and artifacts.
Every learner string goes through :func:`roadmap_ci.report.escape.html`.
"""

from __future__ import annotations

from roadmap_ci.report import WITHHELD, escape
from roadmap_ci.report.view import Threshold, View, fmt_num, fmt_pts, log_tail

E = escape.html
COLOR = {"pass": "#1a7f37", "partial": "#bf8700", "fail": "#cf222e", "missing": "#cf222e", "pending": "#0969da"}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#1f2328;
padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;
text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
.pass{color:#1a7f37}.partial{color:#bf8700}.fail,.missing{color:#cf222e}.muted{color:#656d76}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;color:#fff;font-weight:600}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:30rem}svg text{font:12px sans-serif}
""".strip()


def _bar_chart(view: View) -> str:
    """Points earned (filled) of the maximum (outline), one row per shown criterion (+ withheld)."""
    rows = [(c.title, c.points, c.max, COLOR[c.status]) for c in view.shown]
    if view.withheld:
        rows.append(("withheld criteria", view.withheld.points, view.withheld.max, "#656d76"))
    top = max((r[2] for r in rows), default=1) or 1
    label_w, bar_w, row_h = 260, 380, 24
    h = row_h * len(rows) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 80}" height="{h}" '
           f'viewBox="0 0 {label_w + bar_w + 80} {h}"><title>Points by criterion</title>']
    for i, (title, pts, mx, color) in enumerate(rows):
        y = 5 + i * row_h
        full = bar_w * mx / top
        got = bar_w * pts / top
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{E(title, 40)}</text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{full:.1f}" height="16" fill="#f6f8fa" stroke="#d0d7de"/>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{got:.1f}" height="16" fill="{color}"/>'
                   f'<text x="{label_w + full + 6:.1f}" y="{y + 15}">{fmt_pts(pts)}/{fmt_pts(mx)}</text>')
    out.append("</svg>")
    return "".join(out)


def _threshold_row(t: Threshold, width: int = 380) -> str:
    """One metric on its own axis: the no-credit minimum (red), the full-credit target (green), the value."""
    lo, hi = min(t.min, t.target, t.value), max(t.min, t.target, t.value)
    pad = (hi - lo) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return 10 + (width - 20) * (v - lo) / (hi - lo)

    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="46" viewBox="0 0 {width} 46">'
            f"<title>{E(t.label, 80)}: {fmt_num(t.value)} (min {fmt_num(t.min)}, target {fmt_num(t.target)})</title>"
            f'<line x1="10" y1="20" x2="{width - 10}" y2="20" stroke="#d0d7de" stroke-width="6"/>'
            f'<line x1="{x(t.min):.1f}" y1="20" x2="{x(t.target):.1f}" y2="20" stroke="#bf8700" stroke-width="6" '
            'opacity=".35"/>'
            f'<line x1="{x(t.min):.1f}" y1="8" x2="{x(t.min):.1f}" y2="32" stroke="#cf222e" stroke-width="2"/>'
            f'<line x1="{x(t.target):.1f}" y1="8" x2="{x(t.target):.1f}" y2="32" stroke="#1a7f37" stroke-width="2"/>'
            f'<circle cx="{x(t.value):.1f}" cy="20" r="6" fill="#0969da"/>'
            f'<text x="{x(t.min):.1f}" y="44" text-anchor="middle" fill="#cf222e">{fmt_num(t.min)}</text>'
            f'<text x="{x(t.target):.1f}" y="44" text-anchor="middle" fill="#1a7f37">{fmt_num(t.target)}</text>'
            f'<text x="{x(t.value):.1f}" y="6" text-anchor="middle" fill="#0969da">{fmt_num(t.value)}</text></svg>')


def render(view: View, max_chars: int | None = None) -> str:
    card = view.card
    ok = card.passed
    p: list[str] = []
    add = p.append
    add('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">"
        f"<title>roadmap-ci · {E(card.deliverable, 64)}</title><style>{CSS}</style></head><body>")
    add(f"<h1>roadmap-ci · {E(card.deliverable, 64)}</h1>")
    badge = "#1a7f37" if ok else "#cf222e"
    add(f'<p><span class="badge" style="background:{badge}">{fmt_pts(card.total)}/{fmt_pts(card.max)} · '
        f'{"passed" if ok else ("provisional" if card.pending_points else "below the pass mark")}</span> '
        f'pass mark {fmt_pts(card.pass_mark)}'
        + (f' · {fmt_pts(card.pending_points)} points still to be scored' if card.pending_points else "") + '</p>')
    meta = [f"rubric {E(card.rubric.name, 60)} v{E(card.rubric.version, 40)}", f"<code>{E(card.rubric.hash)}</code>"]
    if card.commit:
        meta.append(f"commit <code>{E(card.commit, 40)}</code>")
    if card.repo:
        meta.append(E(card.repo, 100))
    add(f'<p class="muted">{" · ".join(meta)}</p>')
    met = sum(1 for c in view.shown if c.status == "pass")
    summary = f"{met} of {len(view.shown)} criteria met"
    if view.withheld:
        summary += (f"; {view.withheld.count} more {WITHHELD} — "
                    + ("all of them met" if view.withheld.all_met else "<strong>not all of them met</strong>"))
    add(f"<p>{summary}.</p>")
    if card.labels == "practice":
        from roadmap_ci.report.markdown import PRACTICE

        add(f'<p class="practice">🧪 <strong>{E(PRACTICE)}</strong></p>')

    add("<h2>Criteria</h2><table><tr><th>criterion</th><th>points</th><th>why</th></tr>")
    for c in view.shown:
        help_ = f'<br><span class="muted">💡 {E(c.help, 600)}</span>' if c.help and c.status != "pass" else ""
        add(f'<tr><td class="{c.status}">{E(c.title, 200)}</td><td class="n">{fmt_pts(c.points)}/{fmt_pts(c.max)}'
            f"</td><td>{E(c.reason, 2000)}{help_}</td></tr>")
    if view.withheld:
        w = view.withheld
        add(f'<tr><td class="muted">🔒 {w.count} withheld</td><td class="n">{fmt_pts(w.points)}/{fmt_pts(w.max)}</td>'
            f'<td class="muted">details shown after the due date — {"all met" if w.all_met else "not all met"}'
            "</td></tr>")
    add("</table>")
    add("<h2>Score breakdown</h2>" + _bar_chart(view))

    if view.thresholds:
        add("<h2>Metrics against their thresholds</h2><table><tr><th>metric</th><th>value · "
            '<span class="fail">no credit</span> · <span class="pass">full credit</span></th></tr>')
        for t in view.thresholds:
            add(f"<tr><td>{E(t.label, 100)}<br><span class=\"muted\">{t.better} is better</span></td>"
                f"<td>{_threshold_row(t)}</td></tr>")
        add("</table>")
    if view.metrics:
        add("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th><th>base branch</th><th>change</th></tr>")
        for m in view.metrics:
            d = m.delta
            change = "" if d is None else ("=" if abs(d) < 5e-5 else (f"▲ +{d:.4g}" if d > 0 else f"▼ {d:.4g}"))
            add(f'<tr><td>{E(m.name, 120)}</td><td class="n">{fmt_num(m.value)}</td>'
                f'<td class="n">{fmt_num(m.base) if m.base is not None else ""}</td><td class="n">{change}</td></tr>')
        if view.metrics_more:
            add(f'<tr><td colspan="4" class="muted">… and {view.metrics_more} more</td></tr>')
        add("</table>")
    if view.failed_stage is not None:
        st = view.failed_stage
        add(f"<h2>Pipeline</h2><details open><summary>stage {E(st.name, 80)} {E(st.status)}</summary>"
            f"<pre>{E(log_tail(st)).replace(' ⏎ ', chr(10))}</pre></details>")
    if view.failed_checks or view.suite_errors:
        add(f"<h2>Data checks</h2><details><summary>{len(view.failed_checks) + view.failed_checks_more} of "
            f"{view.checks_total} expectations failed</summary><table><tr><th>suite</th><th>expectation</th>"
            "<th>column</th><th>unexpected</th><th>sample</th></tr>")
        for f in view.failed_checks:
            e = f.expectation
            add(f"<tr><td>{E(f.suite, 80)}</td><td>{E(e.type, 100)}</td><td>{E(e.column or '', 80)}</td>"
                f'<td class="n">{"" if e.unexpected_count is None else e.unexpected_count}</td>'
                f"<td>{E(', '.join(e.partial_unexpected[:5]) or e.message, 200)}</td></tr>")
        for name, msg in view.suite_errors:
            add(f'<tr><td>{E(name, 80)}</td><td colspan="4">suite error: {E(msg, 300)}</td></tr>')
        add("</table></details>")
    if view.failing_tests:
        total = sum(view.test_counts.values())
        add(f"<h2>Tests</h2><details open><summary>{len(view.failing_tests) + view.failing_tests_more} of {total} "
            "failed or errored</summary><table><tr><th>test</th><th>outcome</th><th>message</th></tr>")
        for t in view.failing_tests:
            add(f"<tr><td>{E(t.id, 300)}</td><td>{t.outcome}</td><td>{E(t.message, 1000)}</td></tr>")
        if view.failing_tests_more:
            add(f'<tr><td colspan="3" class="muted">… and {view.failing_tests_more} more</td></tr>')
        add("</table></details>")
    add(f'<p class="muted">evidence <code>{E(card.evidence_digest)}</code> · rendered by roadmap-ci</p>'
        "</body></html>\n")
    return "".join(p)
