from {{ cookiecutter.module_name }}.store import RedisStore, SQLiteStore, open_store


class FakeRedis:
    """Just enough of redis-py for the store: get / set / pipeline / scan_iter."""

    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        self.data[key] = value.encode()

    def pipeline(self):
        return self

    def execute(self):
        return []

    def scan_iter(self, pattern):
        return [k for k in self.data if k.startswith(pattern.rstrip("*"))]


def test_sqlite_store_round_trips_features(tmp_path):
    store = SQLiteStore(tmp_path / "online.db")
    features = {"age_band": "25-34", "n_events": 7, "avg_price": 12.5, "seen_items": [3, 1]}
    assert store.put_many([(42, features), (7, {"n_events": 1})]) == 2
    assert store.get(42) == features
    assert store.get(999) is None
    assert store.keys() == ["user:42", "user:7"]
    store.put_many([(42, {"n_events": 8})])  # an update replaces the row
    assert SQLiteStore(tmp_path / "online.db").get(42) == {"n_events": 8}


def test_redis_store_has_the_same_interface():
    store = RedisStore("redis://unused", client=FakeRedis())
    store.put_many([(1, {"country": "DE"})])
    assert store.get(1) == {"country": "DE"} and store.get(2) is None and store.keys() == ["user:1"]


def test_open_store_defaults_to_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(open_store(tmp_path / "x.db"), SQLiteStore)
