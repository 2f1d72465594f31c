from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from testing.reportkit import BEFORE_DUE, HOSTILE_ID, demo, hostile, many_failures, rubric

from roadmap_ci.errors import InvalidInput
from roadmap_ci.report import COMMENT_LIMIT, render
from roadmap_ci.report.escape import ZWJ, marker, md


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_headline_table_and_sections():
    card, ev = demo()
    out = render("md", card, ev, now=BEFORE_DUE, rubric=rubric())
    assert out.startswith(marker("tabular-classification"))
    assert f"{card.total:g}/{card.max:g}" in out.splitlines()[1]
    assert ("passed" if card.passed else "below the pass mark") in out.splitlines()[1]
    assert card.rubric.version in out and card.rubric.hash[:19] in out
    for c in card.revealed(BEFORE_DUE):
        assert any(f"{c.points:g}/{c.max:g}" in r for r in _rows(out))
    # metrics with change vs base: f1 went down 0.01, roc_auc up 0.01
    f1 = next(r for r in _rows(out) if r.startswith("| metrics.json:f1 |"))
    assert "▼" in f1 and "0.79" in f1
    assert "▲" in next(r for r in _rows(out) if "roc" in r and "0.87" in r)
    assert "```mermaid\npie" in out and "xychart-beta" in out
    assert out.count("<details>") == out.count("</details>") == 2  # data checks, failing tests


def test_every_table_row_has_the_same_number_of_cells():
    card, ev = hostile()
    out = render("md", card, ev, now=BEFORE_DUE)
    for block in out.split("\n\n"):
        rows = _rows(block)
        if rows:
            widths = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
            assert len(widths) == 1, rows


def test_withheld_failure_never_reads_as_all_passed():
    card, ev = demo()
    hidden = next(c for c in card.criteria if c.visibility == "after_due")
    assert hidden.status != "pass"
    before = render("md", card, ev, now=BEFORE_DUE)
    assert hidden.title not in before and hidden.reason not in before
    assert "not all met" in before and "withheld" in before
    card = card.model_copy(update={"due": datetime(2026, 12, 20, tzinfo=UTC)})
    assert hidden.title not in render("md", card, ev, now=BEFORE_DUE)
    after = render("md", card, ev, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert hidden.title in after and "withheld" not in after
    assert hidden.title in render("md", card, ev, now=BEFORE_DUE, reveal=True)


def test_all_visible_met_but_withheld_failing_is_not_all_met():
    card, ev = demo()
    shown = {c.id for c in card.revealed(BEFORE_DUE)}
    criteria = [c.model_copy(update={"status": "pass", "points": c.max}) if c.id in shown else c
                for c in card.criteria]
    card = card.model_copy(update={"criteria": criteria})
    out = render("md", card, ev, now=BEFORE_DUE)
    assert "all met" in out and "not all of them met" in out
    assert "criteria met." not in out.split("\n")[3] or "withheld" in out.split("\n")[3]


def test_hostile_learner_text_is_inert():
    card, ev = hostile()
    out = render("md", card, ev, now=BEFORE_DUE)
    body = out.split("\n", 1)[1]
    assert "<!-- roadmap-ci:" not in body  # only our marker, on the first line
    assert re.search(r"@(?!\u200d)\w", out) is None  # every @ is followed by a zero-width joiner
    assert "@" + ZWJ + "octocat" in out
    assert "<img" not in out and "<script>" not in out
    assert out.count("<details>") == out.count("</details>")
    assert "```" not in out.replace("```mermaid", "").replace("\n```\n", "\n").replace("\n```", "")
    assert re.search(r"(?<!\\)\]\(", out) is None  # no live link syntax
    assert "\u202e" not in out
    assert HOSTILE_ID not in out
    row = next(r for r in _rows(out) if "test\\_x.py" in r)
    assert len(re.findall(r"(?<!\\)\|", row)) == 4  # | in the test id did not add a cell


@pytest.mark.parametrize("text", ["@a", "a|b", "</details>", "`", "<!-- roadmap-ci:x -->", "line\nbreak",
                                  "![i](http://x)", "$$", "\x00\x1b[31m"])
def test_escape_md_neutralises(text):
    out = md(text)
    assert "|" not in out.replace("&#124;", "")
    assert "<" not in out and "`" not in out and "\n" not in out and "\x00" not in out and "\x1b" not in out
    assert re.search(r"@(?!\u200d)", out) is None
    assert "![" not in out and "$$" not in out


def test_oversized_body_is_truncated_gracefully_with_a_link():
    card, ev = many_failures()
    full = render("md", card, ev, now=BEFORE_DUE)
    url = "https://github.com/o/r/actions/runs/42"
    small = render("md", card, ev, now=BEFORE_DUE, max_chars=4000, artifact_url=url)
    assert len(small) <= 4000 < len(full)
    assert small.startswith(marker(card.deliverable))
    assert f"[the full report]({url})" in small
    assert small.count("<details>") == small.count("</details>") == 0
    assert f"{card.total:g}/{card.max:g}" in small
    fits = render("md", card, ev, now=BEFORE_DUE, max_chars=COMMENT_LIMIT)
    assert len(fits) <= COMMENT_LIMIT and "Tests:" in full


def test_hard_limit_still_keeps_marker_and_headline():
    card, ev = demo()
    out = render("md", card, ev, now=BEFORE_DUE, max_chars=600)
    assert len(out) <= 600 and out.startswith(marker(card.deliverable)) and "Shortened" in out


def test_unsafe_artifact_url_is_not_linked():
    card, ev = demo()
    out = render("md", card, ev, now=BEFORE_DUE, artifact_url="javascript:alert(1)")
    assert "javascript" not in out


def test_without_evidence_renders_the_scorecard_alone():
    card, _ = demo()
    out = render("md", card, now=BEFORE_DUE)
    assert "### Metrics" not in out and f"{card.total:g}/{card.max:g}" in out


def test_unknown_format_is_a_one_line_error():
    card, _ = demo()
    with pytest.raises(InvalidInput, match="unknown report format"):
        render("pdf", card)


def test_same_inputs_same_bytes():
    card, ev = demo()
    assert render("md", card, ev, now=BEFORE_DUE) == render("md", card, ev, now=BEFORE_DUE)


def test_failed_pipeline_log_is_folded_and_cannot_break_out():
    from testing.reportkit import evidence_dict, make

    data = evidence_dict()
    log = "Traceback\n</pre></details> @octocat | `x`\n<!-- roadmap-ci:tabular-classification -->\nValueError: boom"
    data["pipeline"] = {"status": "failed", "failed_stage": "train", "stages": [
        {"name": "prepare", "status": "ran"}, {"name": "train", "status": "failed", "log_tail": log}]}
    card, ev = make(data)
    out = render("md", card, ev, now=BEFORE_DUE)
    section = out[out.index("<details><summary>Pipeline"):]
    section = section[: section.index("</details>") + len("</details>")]
    assert "ValueError: boom" in section and "Traceback\n" in section  # lines kept inside <pre>
    assert section.count("</pre>") == 1 and section.count("</details>") == 1
    assert "&lt;!-- roadmap-ci" in section and "@octocat" not in section


def test_practice_labels_say_feedback_not_a_grade_everywhere():
    from testing.reportkit import BEFORE_DUE, demo

    from roadmap_ci.publish.github import status_of
    from roadmap_ci.report import render

    card, ev = demo()
    for labels, shown in (("practice", True), ("course", False), (None, False)):
        c = card.model_copy(update={"labels": labels})
        for fmt in ("md", "html"):
            text = render(fmt, c, ev, now=BEFORE_DUE)
            assert ("Practice labels (public): feedback, not a grade" in text) is shown, (fmt, labels)
        assert ("practice labels: not a grade" in status_of(c)[1]) is shown
        assert len(status_of(c)[1]) <= 140
