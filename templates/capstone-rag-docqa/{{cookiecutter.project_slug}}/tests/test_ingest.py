"""Ingest: three formats, tables that keep their column names, and bad files reported in one line each."""

from {{ cookiecutter.module_name }}.chunk import chunk_sections
from {{ cookiecutter.module_name }}.ingest import ingest, table_text


def test_every_format_is_parsed_with_source_and_page(ingested):
    table, report = ingested
    assert set(table["format"]) == {"md", "html", "pdf"}
    pdf = table[table["format"] == "pdf"]
    assert (pdf["page"] >= 1).all() and pdf.groupby("doc_id")["page"].min().eq(1).all()
    assert report["documents"] == table["doc_id"].nunique() >= 8


def test_bad_files_get_one_line_each_and_the_rest_goes_on(ingested):
    _, report = ingested
    lines = report["issues"]
    assert any(line.startswith("docs/brochure-2022.pdf: not a readable PDF") for line in lines), lines
    assert any(line == "docs/meeting-notes.md: empty document; skipped" for line in lines), lines
    assert report["failures"]["total"] == 2 and report["not_utf8"] == 1
    assert all("\n" not in line for line in lines)


def test_a_windows_1252_page_is_read_with_its_charset(ingested):
    table, report = ingested
    faq = table[table["doc_id"] == "support-faq"]
    assert faq["title"].iloc[0].endswith("(Société Lumen Systems)") and faq["text"].str.contains("–").any()
    assert any("support-faq.html: not UTF-8" in line for line in report["issues"])


def test_table_rows_keep_their_column_names():
    rows = [["Tier", "Requests per minute"], ["Free", "60"], ["Standard", "600"]]
    assert table_text(rows, "rows") == "Tier: Free; Requests per minute: 60.\nTier: Standard; Requests per minute: 600."
    assert table_text(rows, "flatten") == "Tier Requests per minute Free 60 Standard 600"


def test_corrupt_and_empty_files_in_a_folder_do_not_stop_ingest(tmp_path, params):
    (tmp_path / "ok.md").write_text("# Guide\n\n## Limits\n\nUploads are limited to 10 GB.\n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (tmp_path / "blank.html").write_text("   \n", encoding="utf-8")
    (tmp_path / "latin.md").write_bytes("# Café\n\n## Menu\n\nCrème brûlée.\n".encode("latin-1"))
    table, report = ingest(tmp_path, params)
    assert sorted(table["doc_id"].unique()) == ["latin", "ok"]
    assert report["failures"] == {"total": 2, "pdf": 1, "empty": 1} and report["not_utf8"] == 1
    assert "Crème brûlée." in table[table["doc_id"] == "latin"]["text"].iloc[0]


def test_dedupe_keeps_the_canonical_copy_and_superseded_versions_go(ingested, params):
    table, _ = ingested
    chunks, info = chunk_sections(table, params)
    mirror = chunks[chunks["doc_id"] == "admin-guide-mirror"]
    assert set(mirror["section"]) == {""}, "only the mirror's own note is left, every copied section is gone"
    assert "admin-guide" in set(chunks["doc_id"])
    assert "retention-policy-v1" not in set(chunks["doc_id"]) and info["duplicates_dropped"] >= 5
    raw = {**params["chunk"], "dedupe": False, "drop_superseded": False}
    plain, _ = chunk_sections(table, {**params, "chunk": raw})
    assert {"admin-guide-mirror", "retention-policy-v1"} <= set(plain["doc_id"])
