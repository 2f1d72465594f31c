"""The format registry (roadmap_ci.report.FORMATS): every entry keeps the contract, and every place that
lists formats (the files sink, `report --format`, the unknown-format message) reads it."""

from __future__ import annotations

import importlib

import pytest
from testing.common import run_cli
from testing.reportkit import BEFORE_DUE, demo

from roadmap_ci.errors import InvalidInput
from roadmap_ci.publish.files import write_reports
from roadmap_ci.report import FORMATS, file_name, render
from roadmap_ci.report.view import build_view


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_module_renders_a_view(fmt):
    module_name, default_file = FORMATS[fmt]
    module = importlib.import_module(module_name)
    card, ev = demo()
    text = module.render(build_view(card, ev, now=BEFORE_DUE), max_chars=None)
    assert isinstance(text, str) and text.strip()
    assert text == render(fmt, card, ev, now=BEFORE_DUE)
    assert file_name(fmt) == default_file


def test_file_names_are_distinct_and_not_the_scorecard_or_evidence():
    names = [file_name(fmt) for fmt in FORMATS]
    assert len(set(names)) == len(names)
    assert not {"scorecard.json", "evidence.json"} & set(names)


def test_the_files_sink_writes_every_format(tmp_path):
    card, ev = demo()
    written = write_reports(card, ev, tmp_path, now=BEFORE_DUE)
    assert set(written) == set(FORMATS) | {"scorecard", "evidence"}
    for fmt in FORMATS:
        assert written[fmt] == tmp_path / file_name(fmt) and written[fmt].stat().st_size > 0


def test_report_help_and_the_unknown_format_message_list_every_format():
    help_text = run_cli("report", "--help").stdout
    with pytest.raises(InvalidInput) as err:
        render("pdf", *demo())
    for fmt in FORMATS:
        assert fmt in help_text and fmt in str(err.value)
