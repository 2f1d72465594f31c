"""Stage `prepare`: build the shop database (data/processed/shop.sqlite) and cut the policy documents into
passages for `search_docs` (data/processed/passages.json)."""

from __future__ import annotations

import json

from {{ cookiecutter.module_name }}.config import DATABASE, DOCS, PASSAGES, RAW, REPORTS
from {{ cookiecutter.module_name }}.world import build_database, read_passages, save_passages, schema


def main() -> None:
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    conn = build_database(RAW, DATABASE)
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in schema(conn)}
    conn.close()
    passages = read_passages(DOCS)
    save_passages(passages, PASSAGES)
    REPORTS.mkdir(parents=True, exist_ok=True)
    info = {"tables": counts, "passages": len(passages)}
    (REPORTS / "world_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"prepare: {counts}, {len(passages)} passages")


if __name__ == "__main__":
    main()
