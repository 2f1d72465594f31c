import pytest

from {{ cookiecutter.module_name }}.chunk import chunk_documents, clean, sections, slug, windows

DOC = """# Widget manual

Intro line.

## Setup

<!-- internal note -->
Plug it in. Press the button.

## Battery and power

One two three four five six seven.
"""


def test_windows_overlap_and_cover_every_word():
    words = [str(i) for i in range(10)]
    got = windows(words, size=4, overlap=1)
    assert got[0] == ["0", "1", "2", "3"] and got[1][0] == "3"
    assert sorted({w for chunk in got for w in chunk}, key=int) == words


def test_windows_reject_an_overlap_as_large_as_the_window():
    with pytest.raises(ValueError):
        windows(["a", "b"], size=2, overlap=2)


def test_sections_follow_headings_and_drop_html_comments():
    title, parts = sections(clean(DOC, strip_boilerplate=False))
    assert title == "Widget manual"
    assert [h for h, _ in parts] == ["", "Setup", "Battery and power"]
    assert "internal note" not in parts[1][1]


def test_chunks_never_cross_a_section_and_carry_a_stable_section_id():
    params = {"chunk": {"size": 3, "overlap": 0, "title_prefix": True, "exclude": []}}
    _, chunks = chunk_documents({"widget": DOC}, params)
    assert set(chunks["section_id"]) == {"widget/intro", "widget/setup", "widget/battery-and-power"}
    power = chunks[chunks["section_id"] == "widget/battery-and-power"]
    assert len(power) == 3 and all(t.startswith("Widget manual - Battery and power: ") for t in power["text"])
    assert slug("Battery and power") == "battery-and-power"


def test_excluded_and_empty_documents_are_not_indexed():
    params = {"chunk": {"size": 50, "overlap": 0, "exclude": ["*-draft"]}}
    docs, chunks = chunk_documents({"widget": DOC, "faq-draft": DOC, "empty": "\n  \n"}, params)
    assert list(docs["doc_id"]) == ["widget"] and set(chunks["doc_id"]) == {"widget"}
