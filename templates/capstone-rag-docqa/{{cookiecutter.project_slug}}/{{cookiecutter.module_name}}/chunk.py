"""Stage `chunk`: sections -> overlapping word windows, optionally without superseded or duplicate text.

Reads data/interim/sections.csv, writes data/processed/chunks.csv (chunk_id, doc_id, section_id, source,
page, title, section, version, text) and reports/chunk.json. Chunks never cross a section, so
``section_id`` names a chunk's source whatever the chunk size.

* ``chunk.drop_superseded``: leave out every document another one ``supersedes`` (front matter / meta);
* ``chunk.dedupe``: drop a chunk whose word shingles overlap an already kept chunk's by at least
  ``chunk.dedupe_threshold`` (Jaccard), keeping the canonical document's copy (a document that names a
  ``canonical`` other than itself is a mirror and loses);
* ``chunk.title_prefix``: prepend "<title> - <section>: " so a chunk says what it is about.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import CHUNKS, REPORTS, SECTIONS, load_params, write_json
from {{ cookiecutter.module_name }}.text import tokens

COLUMNS = ["chunk_id", "doc_id", "section_id", "source", "page", "title", "section", "version", "text"]


def windows(words: list[str], size: int, overlap: int) -> list[list[str]]:
    """Consecutive windows of `size` words, each starting `size - overlap` after the previous."""
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"chunk.size must be > 0 and 0 <= chunk.overlap < size (got {size}, {overlap})")
    if len(words) <= size:
        return [words] if words else []
    step = size - overlap
    return [words[i : i + size] for i in range(0, len(words) - overlap, step)]


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    toks = tokens(text)
    return {tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def chunk_sections(sections: pd.DataFrame, params: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    cfg = params["chunk"]
    sections = sections.fillna("")
    dropped_superseded = 0
    if cfg.get("drop_superseded"):
        old = {s for s in sections["supersedes"] if s}
        dropped_superseded = int(sections["doc_id"].isin(old).sum())
        sections = sections[~sections["doc_id"].isin(old)]
    # canonical documents first, so deduplication keeps their copy
    mirror = sections["canonical"].ne("") & sections["canonical"].ne(sections["doc_id"])
    sections = sections.assign(_mirror=mirror).sort_values(["_mirror", "doc_id"], kind="stable")
    rows, kept_shingles, dupes = [], [], 0
    for s in sections.itertuples(index=False):
        for n, words in enumerate(windows(s.text.split(), int(cfg["size"]), int(cfg["overlap"]))):
            body = " ".join(words)
            if cfg.get("dedupe"):
                sh = shingles(body)
                if any(jaccard(sh, k) >= float(cfg.get("dedupe_threshold", 0.9)) for k in kept_shingles):
                    dupes += 1
                    continue
                kept_shingles.append(sh)
            prefix = f"{s.title} - {s.section}: " if cfg.get("title_prefix") else ""
            rows.append(
                {
                    "chunk_id": f"{s.section_id}:{n}",
                    "doc_id": s.doc_id,
                    "section_id": s.section_id,
                    "source": s.source,
                    "page": s.page,
                    "title": s.title,
                    "section": s.section,
                    "version": s.version,
                    "text": prefix + body,
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    info = {
        "chunks": len(table),
        "documents": int(table["doc_id"].nunique()),
        "superseded_sections_dropped": dropped_superseded,
        "duplicates_dropped": dupes,
        "size": int(cfg["size"]),
        "overlap": int(cfg["overlap"]),
    }
    return table, info


def main() -> None:
    params = load_params()
    table, info = chunk_sections(pd.read_csv(SECTIONS, keep_default_na=False), params)
    CHUNKS.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(CHUNKS, index=False)
    write_json(REPORTS / "chunk.json", info)
    print(
        f"chunk: {info['chunks']} chunks from {info['documents']} documents ({info['duplicates_dropped']} "
        f"duplicates, {info['superseded_sections_dropped']} superseded sections left out)"
    )


if __name__ == "__main__":
    main()
