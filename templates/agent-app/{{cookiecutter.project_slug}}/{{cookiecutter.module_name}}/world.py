"""The shop the agent works on: an SQLite database built from the raw CSVs, and the policy passages.

`prepare` writes both to data/processed/; the tools load the database into memory and open it read-only.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

# table -> (csv file, {column: SQL type}); columns not listed are TEXT
TABLES: dict[str, dict[str, str]] = {
    "customers": {},
    "products": {"unit_price_eur": "REAL"},
    "orders": {"order_id": "INTEGER", "quantity": "INTEGER", "total": "REAL"},
    "fx_rates": {"eur_per_unit": "REAL"},
}


def _value(text: str, kind: str) -> Any:
    text = text.strip()
    if text == "":
        return None  # an empty cell is NULL (delivered_date of an undelivered order)
    if kind == "INTEGER":
        return int(text)
    if kind == "REAL":
        return float(text)
    return text


def build_database(raw: Path, target: str | Path = ":memory:") -> sqlite3.Connection:
    """Load every table of `raw` into SQLite (in memory, or a file) and return the connection."""
    if str(target) != ":memory:":
        Path(target).unlink(missing_ok=True)
    conn = sqlite3.connect(str(target))
    for table, types in TABLES.items():
        with open(raw / f"{table}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        cols = ", ".join(f'"{c}" {types.get(c, "TEXT")}' for c in header)
        conn.execute(f'CREATE TABLE "{table}" ({cols})')
        marks = ", ".join("?" for _ in header)
        conn.executemany(
            f'INSERT INTO "{table}" VALUES ({marks})',
            [[_value(v, types.get(c, "TEXT")) for c, v in zip(header, r, strict=True)] for r in body],
        )
    conn.commit()
    return conn


def schema(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """{table: [columns]} -- what an LLM planner is told about the database."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def read_passages(docs: Path) -> list[dict[str, str]]:
    """Cut every policy document at its `## ` headings: one passage per section."""
    passages = []
    for path in sorted(docs.glob("*.md")):
        title, section, lines = path.stem, "", []
        for line in path.read_text(encoding="utf-8").splitlines() + ["## "]:
            if line.startswith("# "):
                title = line[2:].strip()
            elif line.startswith("## "):
                text = " ".join(x.strip() for x in lines if x.strip())
                if section and text:
                    passages.append({"doc": path.stem, "title": title, "section": section, "text": text})
                section, lines = line[3:].strip(), []
            else:
                lines.append(line)
    return passages


def save_passages(passages: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passages, indent=1) + "\n", encoding="utf-8")


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
