from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from testing.reportkit import BEFORE_DUE, demo, hostile, rubric

from roadmap_ci.evidence import dump_json
from roadmap_ci.report import FORMATS, render
from roadmap_ci.report.view import build_view
from roadmap_ci.score.scoring import Scorecard


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.stack: list[str] = []
        self.void = {"meta", "br", "rect", "line", "circle", "input"}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.void:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        if tag in self.void:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def test_registry_covers_every_format():
    card, ev = demo()
    for fmt in FORMATS:
        assert render(fmt, card, ev, now=BEFORE_DUE).strip()


def test_html_is_standalone_balanced_and_has_real_svg_plots():
    card, ev = hostile()
    out = render("html", card, ev, now=BEFORE_DUE, rubric=rubric())
    parser = _Tags()
    parser.feed(out)
    parser.close()
    assert parser.stack == ["html"] or parser.stack == []  # every element closed (html closes at the end)
    assert "script" not in parser.tags and "img" not in parser.tags and "link" not in parser.tags
    thresholds = build_view(card, ev, now=BEFORE_DUE, rubric=rubric()).thresholds
    assert thresholds and parser.tags.count("svg") == 1 + len(thresholds)
    urls = [v for k, v in parser.attrs if k in ("src", "href") and v]
    assert urls == []  # no external assets
    assert "http://" not in out.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "&lt;/details&gt;" in out


def test_html_threshold_plot_places_the_value_between_min_and_target():
    card, ev = demo()
    out = render("html", card, ev, now=BEFORE_DUE, rubric=rubric())
    # the f1 criterion: min 0.6, target 0.85, value 0.78
    svg = next(s for s in re.findall(r"<svg.*?</svg>", out) if "metrics.json:f1:" in s)
    xs = {m.group(2): float(m.group(1)) for m in re.finditer(r'<text x="([\d.]+)" y="\d+" text-anchor="middle" '
                                                              r'fill="[^"]+">([\d.]+)</text>', svg)}
    assert xs["0.6"] < xs["0.78"] < xs["0.85"]


def test_junit_one_testcase_per_criterion():
    card, ev = hostile()
    out = render("junit", card, ev, now=BEFORE_DUE)
    root = ET.fromstring(out.encode())
    cases = root.findall("./testsuite/testcase")
    shown = card.revealed(BEFORE_DUE)
    assert len(cases) == len(shown) + 1 + 1  # + withheld + pass mark
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(failing) == int(root.get("failures")) == sum(c.status != "pass" for c in shown) + 1
    assert "@octocat" not in out  # mentions defused for tools that post JUnit as comments
    hidden = next(c for c in card.criteria if c not in shown)
    assert hidden.reason not in out


def test_json_is_the_scorecard_with_withheld_details_redacted():
    card, ev = demo()
    full = render("json", card, ev, reveal=True)
    assert full == dump_json(card)
    redacted = Scorecard.model_validate(json.loads(render("json", card, ev, now=BEFORE_DUE)))
    hidden = next(c for c in redacted.criteria if c.visibility == "after_due")
    orig = next(c for c in card.criteria if c.id == hidden.id)
    assert hidden.points == orig.points and redacted.total == card.total
    assert hidden.reason != orig.reason and hidden.value is None


def test_html_escapes_hostile_message():
    card, ev = hostile()
    out = render("html", card, ev, now=BEFORE_DUE)
    assert "<img src=x" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
