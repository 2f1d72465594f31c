"""JUnit XML: one testcase per criterion, so any CI system (or IDE) shows the rubric as tests.

A criterion with full credit passes; partial, failed and missing ones are failures whose message is the
points and the reason. Withheld criteria are one testcase that fails when not all of them are met, and a
last testcase fails when the total is below the pass mark.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from roadmap_ci.report import escape
from roadmap_ci.report.view import View, fmt_pts


def _t(text: object, limit: int | None = 2000) -> str:
    """One line of text that XML can carry (no control characters), with @mentions defused for tools that
    turn JUnit into PR comments."""
    return escape.plain(text, limit).replace("@", "@" + escape.ZWJ)


def render(view: View, max_chars: int | None = None) -> str:
    card = view.card
    name = f"roadmap-ci.{escape.marker_id(card.deliverable)}"
    cases: list[ET.Element] = []
    failures = 0
    for c in view.shown:
        case = ET.Element("testcase", classname=name, name=_t(f"{c.id}: {c.title}", 300), time="0")
        if c.status != "pass":
            failures += 1
            fail = ET.SubElement(case, "failure", type=c.status,
                                 message=_t(f"{fmt_pts(c.points)}/{fmt_pts(c.max)} points: {c.reason}", 1000))
            fail.text = _t(c.reason) + (f"\nHow to improve: {_t(c.help)}" if c.help else "")
        cases.append(case)
    if view.withheld:
        w = view.withheld
        case = ET.Element("testcase", classname=name, name=f"withheld criteria ({w.count})", time="0")
        if not w.all_met:
            failures += 1
            ET.SubElement(case, "failure", type="withheld",
                          message=f"{fmt_pts(w.points)}/{fmt_pts(w.max)} points; details shown after the due date")
        cases.append(case)
    total = ET.Element("testcase", classname=name, name="total reaches the pass mark", time="0")
    if not card.passed:
        failures += 1
        ET.SubElement(total, "failure", type="below-pass-mark",
                      message=f"{fmt_pts(card.total)}/{fmt_pts(card.max)} points; the pass mark is "
                      f"{fmt_pts(card.pass_mark)}")
    cases.append(total)

    root = ET.Element("testsuites", name="roadmap-ci", tests=str(len(cases)), failures=str(failures))
    suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(cases)), failures=str(failures), errors="0",
                          skipped="0", time="0")
    props = ET.SubElement(suite, "properties")
    for key, value in (("total", fmt_pts(card.total)), ("max", fmt_pts(card.max)),
                       ("pass_mark", fmt_pts(card.pass_mark)), ("passed", str(card.passed).lower()),
                       ("rubric", _t(card.rubric.name, 100)), ("rubric_version", _t(card.rubric.version, 100)),
                       ("rubric_hash", card.rubric.hash), ("evidence_digest", card.evidence_digest),
                       ("commit", _t(card.commit or "", 64))):
        ET.SubElement(props, "property", name=key, value=value)
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
