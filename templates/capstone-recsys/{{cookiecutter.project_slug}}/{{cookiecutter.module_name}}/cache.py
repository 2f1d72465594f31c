"""Response caches for the service: an in-process TTL LRU cache by default, Redis when ``REDIS_URL`` is set."""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class TTLCache:
    """Least-recently-used eviction beyond ``maxsize`` entries; an entry expires ``ttl`` seconds after it is set."""

    def __init__(self, maxsize: int = 10_000, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.maxsize, self.ttl, self.clock = maxsize, ttl, clock
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: str) -> Any | None:
        entry = self._data.get(key)
        if entry is None or entry[0] < self.clock():
            self._data.pop(key, None)
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return entry[1]

    def set(self, key: str, value: Any) -> None:
        self._data[key] = (self.clock() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class RedisCache:
    """The same interface on Redis (SETEX with the TTL); needs the optional ``redis`` extra."""

    def __init__(self, url: str, ttl: float = 300.0, client: Any = None):
        if client is None:
            import redis

            client = redis.Redis.from_url(url)
        self.client, self.ttl = client, ttl
        self.hits = self.misses = 0

    def get(self, key: str) -> Any | None:
        raw = self.client.get(f"cache:{key}")
        if raw is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        self.client.setex(f"cache:{key}", int(self.ttl), json.dumps(value))


def make_cache(maxsize: int, ttl: float, url: str | None = None) -> TTLCache | RedisCache:
    url = url if url is not None else os.environ.get("REDIS_URL")
    return RedisCache(url, ttl) if url else TTLCache(maxsize, ttl)
