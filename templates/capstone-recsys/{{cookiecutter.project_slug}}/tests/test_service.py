import numpy as np
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.cache import RedisCache, TTLCache
from {{ cookiecutter.module_name }}.models import Ranker
from {{ cookiecutter.module_name }}.recommender import Recommender
from {{ cookiecutter.module_name }}.service import create_app
from {{ cookiecutter.module_name }}.store import SQLiteStore


@pytest.fixture()
def client(tmp_path):
    ranker = Ranker(
        user_ids=np.array([1, 2]),
        item_ids=np.array([10, 20, 30, 40]),
        U=np.array([[1.0, 0.0], [0.0, 1.0]]),
        V=np.array([[4.0, 0.0], [3.0, 1.0], [0.0, 5.0], [1.0, 2.0]]),
        popular=np.array([30, 10, 20, 40]),
    )
    store = SQLiteStore(tmp_path / "online.db")
    store.put_many([(1, {"country": "DE", "seen_items": [10]}), (2, {"country": "FR", "seen_items": []})])
    cache = TTLCache(maxsize=100, ttl=60)
    app = create_app(Recommender(ranker, store), cache)
    return TestClient(app), cache


def test_health(client):
    c, _ = client
    body = c.get("/health").json()
    assert body["status"] == "ok" and body["users"] == 2 and body["items"] == 4


def test_recommend_excludes_seen_items_best_first(client):
    c, _ = client
    body = c.get("/recommend/1", params={"k": 2}).json()
    assert body["items"] == [20, 40] and body["strategy"] == "model" and body["cached"] is False


def test_second_call_is_a_cache_hit(client):
    c, cache = client
    first = c.get("/recommend/2?k=3").json()
    second = c.get("/recommend/2?k=3").json()
    assert second["cached"] is True and second["items"] == first["items"] == [30, 40, 20]
    assert cache.hits == 1


def test_unknown_user_gets_popular_items(client):
    c, _ = client
    body = c.get("/recommend/999?k=2").json()
    assert body["strategy"] == "popular" and body["items"] == [30, 10]


def test_bad_k_is_rejected(client):
    c, _ = client
    assert c.get("/recommend/1?k=0").status_code == 422


def test_ttl_cache_expires_and_evicts():
    now = [0.0]
    cache = TTLCache(maxsize=2, ttl=10, clock=lambda: now[0])
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1
    cache.set("c", 3)  # evicts b, the least recently used
    assert cache.get("b") is None and cache.get("c") == 3
    now[0] = 11.0
    assert cache.get("a") is None


class FakeRedis:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def setex(self, key, ttl, value):
        self.data[key] = value.encode()


def test_redis_cache_has_the_same_interface():
    cache = RedisCache("redis://unused", ttl=30, client=FakeRedis())
    assert cache.get("1:10") is None
    cache.set("1:10", {"items": [1, 2]})
    assert cache.get("1:10") == {"items": [1, 2]} and (cache.hits, cache.misses) == (1, 1)
