"""``roadmap-ci cohort report --html``: the cohort on one self-contained page.

One HTML file, nothing fetched (no script, no CDN, no web font; a Content-Security-Policy that allows none):
submission and pass rates per deliverable, score distributions as inline SVG, the progress heatmap, late and
missing learners, learners' failing tests and branches, flagged same-prediction pairs and every problem grade
found. Every string that a learner (or a roster) controls goes through :func:`html.escape`; the page holds no
script for such text to reach, and the CSP would refuse one anyway.
"""

from __future__ import annotations

import html
import statistics
from datetime import datetime
from pathlib import Path

from roadmap_ci.cohort.grade import DeliverableGrades
from roadmap_ci.cohort.model import LoadedCohort
from roadmap_ci.cohort.progress import FAILED, LATE, NOT_STARTED, PASSED, Progress
from roadmap_ci.cohort.rescore import histogram
from roadmap_ci.cohort.similar import Pair

MAX_ROWS = 2000  # per table: the CSVs have everything

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1f2328;max-width:80rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.hm td{width:1.2rem;height:1.2rem;padding:0;border:1px solid #fff}.hm td.l{width:auto;padding:0 .5rem}
.passed{background:#2da44e}.late{background:#d4a72c}.failed{background:#cf222e}.not-started{background:#eaeef2}
.legend span{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 1rem;vertical-align:middle}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{border:1px solid #d0d7de;padding:.5rem}
small,.muted{color:#59636e}code{font-size:.9em}
"""
CLASS = {PASSED: "passed", LATE: "late", FAILED: "failed", NOT_STARTED: "not-started"}


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def histogram_svg(r: DeliverableGrades, width: int = 320, height: int = 140) -> str:
    totals = [g.final.total for g in r.grades.values()]
    bars = histogram(totals, r.max_points, bins=10)
    peak = max((n for _, n in bars), default=0) or 1
    bw = (width - 20) / len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="hist" role="img" width="{width}" height="{height + 30}" '
             f'viewBox="0 0 {width} {height + 30}"><title>{e(r.deliverable.id)}: final points of {len(totals)} '
             f'learners</title>']
    pass_x = 10 + (width - 20) * (r.pass_mark / r.max_points if r.max_points else 0)
    for i, (label, n) in enumerate(bars):
        h = (height - 10) * n / peak
        x = 10 + i * bw
        parts.append(f'<rect class="bar" x="{x + 1:.1f}" y="{height - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
                     f'fill="#0969da"><title>{e(label.strip())} points: {n}</title></rect>')
    parts.append(f'<line x1="{pass_x:.1f}" x2="{pass_x:.1f}" y1="0" y2="{height}" stroke="#cf222e" '
                 'stroke-dasharray="4 3"><title>pass mark</title></line>')
    parts.append(f'<text x="10" y="{height + 16}" font-size="11">0</text><text x="{width - 10}" y="{height + 16}" '
                 f'font-size="11" text-anchor="end">{r.max_points:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rates_svg(results: list[DeliverableGrades], width: int = 600) -> str:
    row = 26
    height = row * len(results) + 10
    label_w = 150
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="rates" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>submission and pass rates per deliverable</title>']
    span = width - label_w - 110
    for i, r in enumerate(results):
        seats = len(r.seats) or 1
        sub = len(r.grades) / seats
        passed = sum(1 for g in r.grades.values() if g.final.passed) / seats
        y = 5 + i * row
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{e(r.deliverable.id)}</text>')
        parts.append(f'<rect class="submitted" x="{label_w}" y="{y + 2}" width="{span * sub:.1f}" height="18" '
                     f'fill="#54aeff"><title>submitted: {_pct(sub)}</title></rect>')
        parts.append(f'<rect class="pass" x="{label_w}" y="{y + 7}" width="{span * passed:.1f}" height="8" '
                     f'fill="#1a7f37"><title>passed: {_pct(passed)}</title></rect>')
        parts.append(f'<text x="{label_w + span + 6}" y="{y + 15}" font-size="12">{_pct(sub)} / {_pct(passed)}'
                     '</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(loaded: LoadedCohort, results: list[DeliverableGrades], progress: Progress,
           pairs: dict[str, list[Pair]], now: datetime) -> str:
    out: list[str] = []
    w = out.append
    title = f"{loaded.org}: cohort report"
    w("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
    w("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:\">")
    w('<meta name="viewport" content="width=device-width, initial-scale=1">')
    w(f"<title>{e(title)}</title><style>{CSS}</style></head><body>")
    w(f"<h1>{e(title)}</h1><p class=\"muted\">{len(loaded.learners)} learners, {len(results)} deliverables; "
      f"week {progress.week} of the roadmap; generated {e(now.strftime('%Y-%m-%d %H:%M %Z'))}.</p>")

    w("<h2 id=\"rates\">Submission and pass rates</h2>")
    w("<table><tr><th>deliverable</th><th>repos</th><th>submitted</th><th>passed</th><th>late</th><th>missing</th>"
      "<th>mean</th><th>median</th><th>max</th></tr>")
    for r in results:
        seats = len(r.seats) or 1
        totals = [g.final.total for g in r.grades.values()]
        passed = sum(1 for g in r.grades.values() if g.final.passed)
        late = sum(1 for g in r.grades.values() if g.late)
        mean = f"{statistics.fmean(totals):.1f}" if totals else "—"
        median = f"{statistics.median(totals):g}" if totals else "—"
        w(f"<tr><td>{e(r.deliverable.id)}</td><td class=n>{len(r.seats)}</td>"
          f"<td class=n>{len(r.grades)} ({_pct(len(r.grades) / seats)})</td>"
          f"<td class=n>{passed} ({_pct(passed / seats)})</td><td class=n>{late}</td>"
          f"<td class=n>{len(r.missing)}</td><td class=n>{mean}</td><td class=n>{median}</td>"
          f"<td class=n>{r.max_points:g}</td></tr>")
    w("</table>")
    w(rates_svg(results))
    w("<p class=\"muted\">Light bar: submitted; dark bar: passed (share of the repos).</p>")

    w("<h2 id=\"distributions\">Score distributions</h2><div class=\"charts\">")
    for r in results:
        w(f"<div class=\"chart\"><div>{e(r.deliverable.id)} <small>(pass mark {r.pass_mark:g} of "
          f"{r.max_points:g}, dashed)</small></div>{histogram_svg(r)}</div>")
    w("</div>")

    w("<h2 id=\"progress\">Progress across the roadmap</h2>")
    w(f"<p>Week {progress.week}: expected now {e(', '.join(progress.expected_now) or '—')}.</p>")
    w("<p class=\"legend\">" + "".join(f"<span class=\"{CLASS[s]}\"></span>{e(s)}" for s in CLASS) + "</p>")
    w("<table class=\"hm\"><tr><th>learner</th>" + "".join(
        f"<th title=\"{e(c.title)}\">{i}</th>" for i, c in enumerate(progress.columns, 1)) + "<th>behind</th></tr>")
    for lp in progress.learners[:MAX_ROWS]:
        cells = "".join(f"<td class=\"{CLASS[lp.cells[c.id]]}\" title=\"{e(c.id)}: {e(lp.cells[c.id])}\"></td>"
                        for c in progress.columns)
        w(f"<tr><td class=l>{e(lp.name or lp.github)} <small>{e(lp.github)}</small></td>{cells}"
          f"<td class=l>{e(', '.join(lp.behind))}</td></tr>")
    w("</table><ol class=\"muted\">" + "".join(
        f"<li>{e(c.id)}{'' if c.in_cohort else ' (not in this cohort yet)'}: weeks {c.weeks[0]}–{c.weeks[1]}</li>"
        for c in progress.columns) + "</ol>")

    names = {lr.github.lower(): lr.name for lr in loaded.learners}

    def who(key: str) -> str:
        return f"{e(names.get(key.lower(), key))} <small>{e(key)}</small>"

    w("<h2 id=\"late\">Late</h2><table><tr><th>deliverable</th><th>learner</th><th>commit</th><th>branch</th>"
      "<th>run created</th><th>late by</th><th>penalty</th></tr>")
    for r in results:
        per = loaded.late_policy(r.deliverable).per
        for g in sorted((g for g in r.grades.values() if g.late), key=lambda g: g.key)[:MAX_ROWS]:
            w(f"<tr><td>{e(r.deliverable.id)}</td><td>{who(g.key)}</td><td><code>{e(g.sha[:12])}</code></td>"
              f"<td>{e(g.ref)}</td><td>{e(g.created_at.isoformat())}</td><td>{g.late_periods} {per}(s)</td>"
              f"<td class=n>−{g.penalty:g}</td></tr>")
    w("</table>")

    w("<h2 id=\"missing\">Missing</h2><table><tr><th>deliverable</th><th>learner</th><th>why</th></tr>")
    for r in results:
        for key, why in sorted(r.missing.items())[:MAX_ROWS]:
            w(f"<tr><td>{e(r.deliverable.id)}</td><td>{who(key)}</td><td>{e(why)}</td></tr>")
    w("</table>")

    w("<h2 id=\"tests\">Failing tests</h2><table><tr><th>deliverable</th><th>learner</th><th>score</th>"
      "<th>branch</th><th>failing tests (first three)</th></tr>")
    for r in results:
        for g in sorted((g for g in r.grades.values() if g.failing), key=lambda g: g.key)[:MAX_ROWS]:
            tests = "<br>".join(f"<code>{e(t)}</code>" for t in g.failing)
            w(f"<tr><td>{e(r.deliverable.id)}</td><td>{who(g.key)}</td><td class=n>{g.final.total:g}</td>"
              f"<td>{e(g.ref)}</td><td>{tests}</td></tr>")
    w("</table>")

    w("<h2 id=\"pairs\">Same-prediction pairs</h2><p class=\"muted\">Evidence to look at, not a verdict.</p>"
      "<table><tr><th>deliverable</th><th>learners</th><th>kind</th><th>evidence</th></tr>")
    for d, ps in pairs.items():
        for p in ps[:MAX_ROWS]:
            w(f"<tr><td>{e(d)}</td><td>{who(p.a)} · {who(p.b)}</td><td>{e(p.kind)}</td><td>{e(p.describe())}</td>"
              "</tr>")
    w("</table>")

    problems = [p for r in results for p in r.problems]
    w(f"<h2 id=\"problems\">Problems ({len(problems)})</h2><ul>")
    for p in problems[:MAX_ROWS]:
        w(f"<li><code>{e(p.file)}</code>: {e(p.learner)}: {e(p.message)}</li>")
    w("</ul></body></html>\n")
    return "".join(out)


def command(file: Path, out: Path, *, store_dir: Path | None = None, state: Path | None = None,
            labels: Path | None = None, now: datetime | None = None) -> int:
    from datetime import UTC

    from roadmap_ci.cohort.grade import grade_all, problems_said, safe
    from roadmap_ci.cohort.model import load_cohort
    from roadmap_ci.cohort.progress import compute
    from roadmap_ci.cohort.similar import find_pairs
    from roadmap_ci.console import stdout
    from roadmap_ci.safeio import write_atomic

    loaded = load_cohort(file)
    now = now or datetime.now(UTC)
    results = grade_all(loaded, store_dir=store_dir, state=state, labels=labels)
    progress = compute(loaded, results, now)
    pairs = {r.deliverable.id: find_pairs(r)[0] for r in results}
    page = render(loaded, results, progress, pairs, now)
    write_atomic(out, page)
    stdout().print(safe(f"dashboard written to {out} ({len(page.encode()):,} bytes, self-contained)"), markup=False)
    return problems_said(results)  # the page lists them too
