"""Stage `chunk`: markdown documents -> clean documents -> overlapping word windows (chunks).

Reads data/raw/docs/*.md, writes data/interim/documents.csv (one row per document kept) and
data/processed/chunks.csv (chunk_id, doc_id, section_id, title, section, text, n_words). Chunks never
cross a section heading, so `section_id` ("<doc_id>/<heading slug>") names a passage whatever the chunk
size. Long sections are cut into windows of `chunk.size` words that overlap by `chunk.overlap` words.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import CHUNKS, DOCS, DOCUMENTS, load_params

HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
FOOTER = re.compile(r"\n---\n\*Northwind Home Ltd\..*?\*\s*$", re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)


def clean(text: str, strip_boilerplate: bool) -> str:
    """Remove what no answer should quote: HTML comments, and (optionally) the legal footer."""
    text = HTML_COMMENT.sub("", text)
    if strip_boilerplate:
        text = FOOTER.sub("", text)
    return text.strip()


def sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(document title, [(section heading, section body), ...]) from markdown headings."""
    title = ""
    out: list[tuple[str, str]] = []
    marks = list(HEADING.finditer(text))
    head = text[: marks[0].start()] if marks else text
    if head.strip():
        out.append(("", head.strip()))
    for i, m in enumerate(marks):
        body = text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        if len(m.group(1)) == 1 and not title:
            title = m.group(2).strip()
            if body:
                out.append(("", body))
            continue
        if body:
            out.append((m.group(2).strip(), body))
    return title, out


def slug(heading: str) -> str:
    """A section's id part: lower-case words joined by '-' ("Battery and power" -> "battery-and-power")."""
    return "-".join("".join(ch if ch.isalnum() else " " for ch in heading.lower()).split()) or "intro"


def windows(words: list[str], size: int, overlap: int) -> list[list[str]]:
    """Consecutive windows of `size` words, each starting `size - overlap` after the previous."""
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"chunk.size must be > 0 and 0 <= chunk.overlap < size (got {size}, {overlap})")
    if len(words) <= size:
        return [words] if words else []
    step = size - overlap
    out = [words[i : i + size] for i in range(0, len(words) - overlap, step)]
    return [w for w in out if w]


def chunk_documents(docs: dict[str, str], params: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    cfg = params["chunk"]
    documents, chunks = [], []
    for doc_id, raw in sorted(docs.items()):
        if any(fnmatch.fnmatch(doc_id, pat) for pat in cfg.get("exclude") or []):
            continue
        text = clean(raw, cfg.get("strip_boilerplate", False))
        if not text:
            continue  # an empty file is not a document
        title, parts = sections(text)
        title = title or doc_id.replace("-", " ")
        n = 0
        documents.append({"doc_id": doc_id, "title": title, "n_sections": len(parts), "n_chars": len(text)})
        for section, body in parts:
            for words in windows(body.split(), int(cfg["size"]), int(cfg["overlap"])):
                body_text = " ".join(words)
                prefix = (
                    f"{title} - {section}: "
                    if cfg.get("title_prefix") and section
                    else (f"{title}: " if cfg.get("title_prefix") else "")
                )
                section_id = f"{doc_id}/{slug(section)}"
                chunks.append(
                    {
                        "chunk_id": f"{section_id}:{n}",
                        "doc_id": doc_id,
                        "section_id": section_id,
                        "title": title,
                        "section": section,
                        "text": prefix + body_text,
                        "n_words": len(words),
                    }
                )
                n += 1
    return pd.DataFrame(documents), pd.DataFrame(chunks)


def read_docs(folder: Path = DOCS) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def main() -> None:
    params = load_params()
    documents, chunks = chunk_documents(read_docs(), params)
    DOCUMENTS.parent.mkdir(parents=True, exist_ok=True)
    CHUNKS.parent.mkdir(parents=True, exist_ok=True)
    documents.to_csv(DOCUMENTS, index=False)
    chunks.to_csv(CHUNKS, index=False)
    print(
        f"chunk: {len(documents)} documents -> {len(chunks)} chunks "
        f"(size {params['chunk']['size']}, overlap {params['chunk']['overlap']})"
    )


if __name__ == "__main__":
    main()
