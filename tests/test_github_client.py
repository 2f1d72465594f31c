"""The classroom's GitHub client: writes paced and within the content limits, ETags, retries, lost answers."""

from __future__ import annotations

from testing.fakegithub import FakeGitHub

from roadmap_ci.github.client import CONTENT_PER_MINUTE, Client, EtagCache, Pacer, eta_seconds
from roadmap_ci.publish.retry import Retrying


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.t += s


def test_writes_are_at_least_the_pause_apart_and_content_stays_under_80_a_minute():
    clock = Clock()
    p = Pacer(pause_s=1.0, sleep=clock.sleep, clock=clock)
    for _ in range(3):
        p.before_write(False)
        clock.t += 0.2  # the request itself
    assert [round(s, 6) for s in clock.slept] == [0.8, 0.8]
    clock.slept.clear()
    for _ in range(CONTENT_PER_MINUTE + 1):
        p.before_write(True)
    assert sum(clock.slept) >= 60 - 1e-6  # the 81st content write waited for the minute to pass
    assert eta_seconds(300 * 9, 300 * 2) >= 3600  # 600 content writes: past 500 an hour


def test_etag_cache_survives_a_new_client_and_lost_answers_are_checked_not_repeated(tmp_path):
    with FakeGitHub() as fk:
        fk.add_org("ml")
        cache = EtagCache(tmp_path / "etags.json")
        retry = Retrying(sleep=lambda s: None)
        c = Client(fk.url, fk.user_token, pause_s=0, retrying=retry, cache=cache, sleep=lambda s: None)
        fk.fail("POST", r"^/orgs/ml/repos$", status=502, after=True)  # created, the answer lost
        status, body = c.write("POST", "/orgs/ml/repos", {"name": "x"}, what="create ml/x", content=True,
                               verify=lambda: c.get_or_none("/repos/ml/x", what="read ml/x"))
        assert body["full_name"] == "ml/x" and fk.count("POST", "/orgs/ml/repos") == 1  # verified, not re-sent
        assert c.get("/repos/ml/x", what="read")["name"] == "x"
        cache.save()
        c2 = Client(fk.url, fk.user_token, pause_s=0, retrying=retry, cache=EtagCache(tmp_path / "etags.json"))
        assert c2.get("/repos/ml/x", what="read")["name"] == "x"
        assert c2.counters.not_modified == 1 and fk.requests[-1].status == 304
        fk.fail("GET", r"^/repos/ml/x$", status=429, headers={"Retry-After": "7"})
        waits: list[float] = []
        c3 = Client(fk.url, fk.user_token, retrying=Retrying(sleep=waits.append))
        assert c3.get("/repos/ml/x", what="read")["name"] == "x" and waits == [7.0]
