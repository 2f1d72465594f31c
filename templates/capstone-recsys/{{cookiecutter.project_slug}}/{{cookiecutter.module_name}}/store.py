"""The online feature store: a key-value store of the latest features per entity, read at request time.

``SQLiteStore`` (the default, a file under data/features/) and ``RedisStore`` (when ``REDIS_URL`` is set; needs
the optional ``redis`` extra) share one interface: ``put_many``, ``get``, ``get_many``, ``keys``. Values are
JSON documents. This is what feature stores (Feast, ...) call the *online store*; the Parquet tables the features stage
writes are the *offline store* (see the README).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class SQLiteStore:
    def __init__(self, path: str | Path, namespace: str = "user"):
        self.path, self.namespace = str(path), namespace
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS features (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def _key(self, entity: Any) -> str:
        return f"{self.namespace}:{entity}"

    def put_many(self, rows: Iterable[tuple[Any, dict[str, Any]]]) -> int:
        data = [(self._key(k), json.dumps(v, sort_keys=True)) for k, v in rows]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO features (key, value) VALUES (?, ?)", data)
        return len(data)

    def get(self, entity: Any) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT value FROM features WHERE key = ?", (self._key(entity),)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, entities: Iterable[Any]) -> dict[Any, dict[str, Any] | None]:
        return {e: self.get(e) for e in entities}

    def keys(self) -> list[str]:
        with self._connect() as db:
            return [k for (k,) in db.execute("SELECT key FROM features ORDER BY key")]


class RedisStore:
    """The same interface on Redis (``pip install '.[redis]'``, ``REDIS_URL=redis://localhost:6379/0``)."""

    def __init__(self, url: str, namespace: str = "user", client: Any = None):
        if client is None:
            import redis  # optional extra: never needed offline

            client = redis.Redis.from_url(url)
        self.client, self.namespace = client, namespace

    def _key(self, entity: Any) -> str:
        return f"{self.namespace}:{entity}"

    def put_many(self, rows: Iterable[tuple[Any, dict[str, Any]]]) -> int:
        pipe, n = self.client.pipeline(), 0
        for k, v in rows:
            pipe.set(self._key(k), json.dumps(v, sort_keys=True))
            n += 1
        pipe.execute()
        return n

    def get(self, entity: Any) -> dict[str, Any] | None:
        raw = self.client.get(self._key(entity))
        return json.loads(raw) if raw else None

    def get_many(self, entities: Iterable[Any]) -> dict[Any, dict[str, Any] | None]:
        return {e: self.get(e) for e in entities}

    def keys(self) -> list[str]:
        return sorted(k.decode() if isinstance(k, bytes) else k for k in self.client.scan_iter(f"{self.namespace}:*"))


def open_store(path: str | Path, url: str | None = None) -> SQLiteStore | RedisStore:
    """Redis when ``url`` (or the ``REDIS_URL`` environment variable) is set, else the SQLite file ``path``."""
    url = url if url is not None else os.environ.get("REDIS_URL")
    return RedisStore(url) if url else SQLiteStore(path)
