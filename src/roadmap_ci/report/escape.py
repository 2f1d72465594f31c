"""One place that makes learner-controlled text safe to put into a report.

Learner text (test ids and messages, metric names, file names, reasons that embed them) reaches
Markdown that GitHub renders in a PR comment. It must not be able to:

- mention or notify anyone (``@user``, ``@org/team``): a zero-width joiner follows every ``@``;
- inject HTML (``<img>``, ``</details>``, ``<!-- roadmap-ci:... -->``): ``<`` ``>`` ``&`` become entities,
  so it can neither break out of ``<details>`` nor forge the hidden marker the publisher looks for;
- break a table row or a list item (``|``, newlines): ``|`` becomes ``&#124;``, newlines a space;
- open code spans or fences (backticks), links and images (``[x](y)``, ``![x](y)``), emphasis or
  math (``$``): that punctuation is backslash-escaped or an entity;
- smuggle control or bidirectional-override characters: dropped.

``md`` is for Markdown text and table cells, ``mermaid`` for labels inside a Mermaid block,
``html`` for the standalone HTML report.
"""

from __future__ import annotations

import re

ZWJ = "\u200d"
MARKER_PREFIX = "<!-- roadmap-ci:"

# C0/C1 controls (but tab), and the Unicode bidi overrides/isolates (Trojan Source)
_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n)\s*")
_MD_PUNCT = re.compile(r"([\\*_\[\]#!~$])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;", '"': "&quot;"}
_MD_ENTITY_RE = re.compile("[&<>|`\"]")


def clip(text: str, limit: int | None) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + "…"
    return text


def plain(text: object, limit: int | None = None) -> str:
    """One line of text without controls; the common first step of every escaper."""
    s = _DROP.sub("", str(text))
    s = _NEWLINES.sub(" ⏎ ", s).replace("\t", " ")
    return clip(s, limit)


def md(text: object, limit: int | None = None) -> str:
    """Learner text -> inert Markdown, safe in paragraphs, list items and table cells."""
    s = plain(text, limit)
    # punctuation first (backslashes would otherwise escape our entities' '#')
    s = _MD_PUNCT.sub(r"\\\1", s)
    s = _MD_ENTITY_RE.sub(lambda m: _MD_ENTITIES[m.group(0)], s)
    # GitHub links @mentions and #refs in text nodes; a zero-width joiner after '@' stops the mention
    return s.replace("@", "@" + ZWJ)


_MERMAID_OK = re.compile(r"[^A-Za-z0-9 _.,:/%+()-]")


def mermaid(text: object, limit: int | None = 40) -> str:
    """A label for a Mermaid chart: letters, digits and a little punctuation only (no quotes, no fences)."""
    s = _MERMAID_OK.sub("_", plain(text))
    return clip(s, limit) or "_"


def html(text: object, limit: int | None = None) -> str:
    """Learner text -> HTML text (the standalone report)."""
    import html as _html

    return _html.escape(plain(text, limit), quote=True)


def marker_id(deliverable: str) -> str:
    """The deliverable id as it appears in the hidden marker (no way to close the comment early)."""
    return re.sub(r"[^a-z0-9._-]", "-", deliverable.lower())[:64] or "deliverable"


def marker(deliverable: str) -> str:
    """The hidden marker that lets the publisher find its own comment again."""
    return f"{MARKER_PREFIX}{marker_id(deliverable)} -->"
