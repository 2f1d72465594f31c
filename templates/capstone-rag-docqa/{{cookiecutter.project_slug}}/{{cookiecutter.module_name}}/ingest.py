"""Stage `ingest`: Markdown, HTML and PDF documents -> one row per section, with source, page and version.

Reads every file of data/raw/docs/ and writes data/interim/sections.csv (doc_id, source, format, page,
title, section, section_id, version, effective, supersedes, canonical, text) and reports/ingest.json.
A section id is ``<doc_id>/<heading slug>``; a PDF page is a section headed by its first line.

* Markdown: an optional ``---`` front matter block (version, supersedes, canonical), ``#`` headings,
  pipe tables; HTML: ``<meta name=... content=...>``, ``<h1>``/``<h2>``, ``<p>``, ``<table>``, with
  navigation, scripts, styles and footers dropped; PDF: pypdf's text per page, the page footer removed.
* Tables (``ingest.tables``): ``flatten`` joins the cells (the column names are lost), ``rows`` writes
  each row as "Column: value; Column: value", so a row still says what its numbers are.
* Bad files never stop the stage: a PDF that does not parse, an empty file, a text file that is not
  UTF-8 each get one line (printed and in reports/ingest.json ``issues``), and are counted in
  ``failures``; a file in another encoding is read with the charset it declares (else Windows-1252).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import DOCS, REPORTS, SECTIONS, load_params, write_json

COLUMNS = [
    "doc_id",
    "source",
    "format",
    "page",
    "title",
    "section",
    "section_id",
    "version",
    "effective",
    "supersedes",
    "canonical",
    "text",
]
META_KEYS = ("version", "effective", "supersedes", "canonical")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


class BadDocument(Exception):
    """A document that cannot be read; the message is the one line the report shows."""


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "intro"


def table_text(rows: list[list[str]], mode: str) -> str:
    """A table as prose: ``rows`` keeps each value with its column name; ``flatten`` just joins the cells."""
    rows = [r for r in rows if r and any(c.strip() for c in r)]
    if not rows:
        return ""
    if mode == "flatten":
        return " ".join(" ".join(r) for r in rows)
    if mode != "rows":
        raise ValueError(f"ingest.tables must be 'flatten' or 'rows', not {mode!r}")
    header, body = rows[0], rows[1:]
    return "\n".join("; ".join(f"{h}: {c}" for h, c in zip(header, r, strict=False)) + "." for r in body)


def decode(data: bytes, name: str, issues: list[str]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = CHARSET.search(data)
        charset = declared.group(1).decode() if declared else "windows-1252"
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            charset = "windows-1252"
            text = data.decode(charset, errors="replace")
        issues.append(f"docs/{name}: not UTF-8 (byte {exc.start}); read as {charset}")
        return text


def parse_markdown(text: str, mode: str) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    meta: dict[str, str] = {}
    lines = text.splitlines()
    if lines and lines[0].strip() == "---" and "---" in [x.strip() for x in lines[1:]]:
        end = 1 + [x.strip() for x in lines[1:]].index("---")
        for line in lines[1:end]:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    title, sections, head, body = "", [], "", []

    def flush() -> None:
        out, table = [], []
        for line in body + [""]:
            if line.strip().startswith("|"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if not all(set(c) <= set("-: ") for c in cells):
                    table.append(cells)
                continue
            if table:
                out.append(table_text(table, mode))
                table = []
            out.append(line)
        prose = re.sub(r"<!--.*?-->", "", "\n".join(out), flags=re.S).strip()
        if prose:
            sections.append((head, prose))

    for line in lines:
        m = HEADING.match(line)
        if m and len(m.group(1)) == 1 and not title:
            flush()
            title, head, body = m.group(2).strip(), "", []
        elif m:
            flush()
            head, body = m.group(2).strip(), []
        else:
            body.append(line)
    flush()
    return title, meta, sections


class _HTML(HTMLParser):
    SKIP = {"script", "style", "nav", "footer", "head"}

    def __init__(self, mode: str) -> None:
        super().__init__(convert_charrefs=True)
        self.mode = mode
        self.title = ""
        self.meta: dict[str, str] = {}
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self.skip = 0
        self.tag = ""
        self.buf: list[str] = []
        self.table: list[list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") in META_KEYS:
            self.meta[str(a["name"])] = str(a.get("content") or "")
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        self.tag, self.buf = tag, [] if tag in ("h1", "h2", "h3", "p", "li", "td", "th") else self.buf

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        text = " ".join("".join(self.buf).split())
        if tag == "h1" and not self.title:
            self.title = text
        elif tag in ("h2", "h3"):
            self.sections.append((text, []))
        elif tag in ("p", "li") and text:
            self.sections[-1][1].append(text)
        elif tag in ("td", "th") and self.table:
            self.table[-1].append(text)
        elif tag == "table" and self.table is not None:
            self.sections[-1][1].append(table_text(self.table, self.mode))
            self.table = None
        self.buf = []

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)


def parse_html(text: str, mode: str) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    parser = _HTML(mode)
    parser.feed(text)
    parser.close()
    return parser.title, parser.meta, [(h, "\n".join(p)) for h, p in parser.sections if p]


def parse_pdf(path: Path) -> tuple[str, dict[str, str], list[tuple[str, str, int]]]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings repeat what the one line below says
    try:
        reader = PdfReader(path)
        title = str((reader.metadata or {}).get("/Title") or "")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as exc:
        raise BadDocument(f"docs/{path.name}: not a readable PDF ({type(exc).__name__}: {exc}); skipped") from None
    sections = []
    footer = re.compile(rf"^{re.escape(title)} - page \d+$") if title else None
    for n, page in enumerate(pages, 1):
        lines = [x.strip() for x in page.splitlines() if x.strip()]
        if footer is not None:
            lines = [x for x in lines if not footer.match(x)]
        if lines:
            sections.append((lines[0], " ".join(lines[1:]), n))
    return title, {}, sections


def read_document(path: Path, mode: str, issues: list[str]) -> list[dict[str, Any]]:
    """One document's sections as rows; raises BadDocument for a file to skip."""
    data = path.read_bytes()
    if not data.strip():
        raise BadDocument(f"docs/{path.name}: empty document; skipped")
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "pdf":
        title, meta, parts = parse_pdf(path)
    elif fmt in ("md", "markdown", "html", "htm"):
        text = decode(data, path.name, issues)
        parse = parse_markdown if fmt in ("md", "markdown") else parse_html
        title, meta, flat = parse(text, mode)
        parts = [(h, b, 0) for h, b in flat]
    else:
        raise BadDocument(f"docs/{path.name}: unsupported format {path.suffix!r} (md, html, pdf); skipped")
    if not parts:
        raise BadDocument(f"docs/{path.name}: no text found; skipped")
    doc_id = path.stem
    rows = []
    for head, body, page in parts:
        rows.append(
            {
                "doc_id": doc_id,
                "source": f"docs/{path.name}",
                "format": fmt,
                "page": page,
                "title": title or doc_id.replace("-", " "),
                "section": head,
                "section_id": f"{doc_id}/{slug(head)}",
                **{k: meta.get(k, "") for k in META_KEYS},
                "text": " ".join(body.split("\n")).strip(),
            }
        )
    return rows


def ingest(folder: Path, params: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    mode = params["ingest"]["tables"]
    rows: list[dict[str, Any]] = []
    issues: list[str] = []
    failed: dict[str, int] = {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in files:
        try:
            rows += read_document(path, mode, issues)
        except BadDocument as exc:
            issues.append(str(exc))
            kind = "empty" if "empty" in str(exc) or "no text" in str(exc) else path.suffix.lstrip(".") or "other"
            failed[kind] = failed.get(kind, 0) + 1
    table = pd.DataFrame(rows, columns=COLUMNS)
    report = {
        "files": len(files),
        "documents": int(table["doc_id"].nunique()),
        "sections": len(table),
        "failures": {"total": sum(failed.values()), **failed},
        "not_utf8": sum("not UTF-8" in i for i in issues),
        "issues": issues,
    }
    return table, report


def main() -> None:
    params = load_params()
    table, report = ingest(DOCS, params)
    for line in report["issues"]:
        print(f"ingest: {line}")
    SECTIONS.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(SECTIONS, index=False)
    write_json(REPORTS / "ingest.json", report)
    print(
        f"ingest: {report['files']} files -> {report['documents']} documents, {report['sections']} sections "
        f"({report['failures']['total']} skipped)"
    )


if __name__ == "__main__":
    main()
