"""A paced, cached, retrying GitHub REST client for many-repo operations.

Reads: ``get`` sends ``If-None-Match`` with the ETag of the last answer for that URL (kept in an
:class:`EtagCache`, saved between runs by the caller); a 304 returns the cached body and does not count
against the rate limit. ``pages`` follows Link headers.

Writes: one at a time, at least ``pause_s`` apart (GitHub: ≥ 1 s), and content-creating ones (repos,
invitations, pull requests) at most 80 a minute and 500 an hour. A write that fails transiently (5xx,
timeout, a secondary limit) is tried again only after ``verify()`` has checked that it did not happen
after all, so a lost answer never makes a duplicate.

The retry policy is :class:`roadmap_ci.publish.retry.Retrying`: ``Retry-After``, then ``x-ratelimit-reset``
when the remaining count is 0, else 60 s for a secondary limit; exponential backoff for 5xx and timeouts;
bounded tries and total wait.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roadmap_ci.errors import CannotRun
from roadmap_ci.publish.retry import GitHubError, Retrying, _Transient

WRITE_PAUSE_S = 1.0
CONTENT_PER_MINUTE = 80
CONTENT_PER_HOUR = 500


class NotFound(Exception):
    """A 404 (the caller decides what it means)."""


class Refused(GitHubError):
    """GitHub answered a write with a definite 4xx (the body's message kept)."""

    def __init__(self, message: str, status: int, body: Any):
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass
class Counters:
    reads: int = 0
    not_modified: int = 0
    writes: int = 0
    content_writes: int = 0
    waited_s: float = 0.0


class EtagCache:
    """URL -> (ETag, body) of the last 200 answer; a JSON file when ``path`` is given."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.entries: dict[str, tuple[str, Any]] = {}
        if path is not None and path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.entries = {k: (v[0], v[1]) for k, v in raw.items()}
            except (ValueError, TypeError, IndexError, OSError):
                self.entries = {}  # a damaged cache only costs full reads

    def get(self, url: str) -> tuple[str, Any] | None:
        return self.entries.get(url)

    def put(self, url: str, etag: str, body: Any) -> None:
        self.entries[url] = (etag, body)

    def forget(self, url: str) -> None:
        self.entries.pop(url, None)

    def save(self) -> None:
        if self.path is None:
            return
        from roadmap_ci.safeio import write_atomic

        write_atomic(self.path, json.dumps(self.entries))


@dataclass
class Pacer:
    """When the next write may go: ``pause_s`` after the last, within the content-creation limits."""

    pause_s: float = WRITE_PAUSE_S
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    last: float | None = None
    content: deque[float] = field(default_factory=deque)

    def before_write(self, content: bool) -> float:
        now = self.clock()
        wait = 0.0 if self.last is None else max(0.0, self.last + self.pause_s - now)
        if content:
            while self.content and self.content[0] <= now - 3600:
                self.content.popleft()
            recent = [t for t in self.content if t > now - 60]
            if len(recent) >= CONTENT_PER_MINUTE:
                wait = max(wait, recent[-CONTENT_PER_MINUTE] + 60 - now)
            if len(self.content) >= CONTENT_PER_HOUR:
                wait = max(wait, self.content[-CONTENT_PER_HOUR] + 3600 - now)
        if wait > 0:
            self.sleep(wait)
        stamp = self.clock()
        self.last = stamp
        if content:
            self.content.append(stamp)
        return wait


def eta_seconds(writes: int, content_writes: int, pause_s: float = WRITE_PAUSE_S, per_write_s: float = 0.3) -> float:
    """How long ``writes`` writes take at the least under the pacing and content limits (for the progress bar)."""
    paced = writes * max(pause_s, per_write_s)
    if content_writes <= CONTENT_PER_HOUR:
        by_content = max(0, content_writes - CONTENT_PER_MINUTE) / CONTENT_PER_MINUTE * 60
    else:
        by_content = (content_writes - 1) // CONTENT_PER_HOUR * 3600.0
    return max(paced, by_content)


class Client:
    def __init__(self, api_url: str, token: str, *, pause_s: float = WRITE_PAUSE_S,
                 retrying: Retrying | None = None, cache: EtagCache | None = None,
                 timeout: tuple[float, float] = (4.0, 20.0), sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        import requests

        self.api_url = api_url.rstrip("/")
        self.token = token
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                                     "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "roadmap-ci"})
        self.retrying = retrying or Retrying(sleep=sleep)
        self.cache = cache if cache is not None else EtagCache()
        self.timeout = timeout
        self.pacer = Pacer(pause_s=pause_s, sleep=sleep, clock=clock)
        self.counters = Counters()

    # ------------------------------------------------------------ plumbing

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.api_url}{path}"

    def _send(self, method: str, url: str, **kw: Any) -> Any:
        import github3.exceptions as gx
        import requests

        try:
            return self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.exceptions.Timeout as exc:
            raise gx.TransportError(exc) from None
        except requests.exceptions.RequestException as exc:
            raise gx.ConnectionError(exc) from None

    def _raise_for(self, resp: Any) -> None:
        import github3.exceptions as gx

        if resp.status_code >= 400:
            raise gx.error_for(resp)

    def _classify(self, exc: BaseException, what: str) -> _Transient:
        try:
            return self.retrying.classify(exc, what)
        except GitHubError as err:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            body = _body(getattr(exc, "response", None))
            message = str((body or {}).get("message", "")) if isinstance(body, dict) else ""
            if status == 403:
                raise GitHubError(f"GitHub refused to {what} (403 {message}): the token needs the `repo` and "
                                  "`admin:org` scopes (or an App with Administration, Members, Secrets and "
                                  "Variables: write) and an owner's role in the organisation") from None
            if status in (404, 422, 409, 400, 410):
                raise Refused(f"cannot {what}: GitHub answered {status} {message}".rstrip(), status, body) from None
            raise err from None

    # ------------------------------------------------------------ reads

    def get(self, path: str, params: dict[str, Any] | None = None, *, what: str, cache: bool = True) -> Any:
        """The JSON at ``path`` (304-aware); raise NotFound on 404. ``cache=False``: a plain read, its body not
        kept (a large file's contents)."""
        resp = self._get(path, params, what=what, cache=cache)
        return resp[1]

    def _get(self, path: str, params: dict[str, Any] | None, *, what: str, cache: bool = True) -> tuple[Any, Any]:
        url = self.url(path)
        key = url + ("?" + "&".join(f"{k}={v}" for k, v in sorted(params.items())) if params else "")
        for attempt in range(1, self.retrying.max_tries + 1):
            cached = self.cache.get(key) if cache else None
            headers = {"If-None-Match": cached[0]} if cached else {}
            try:
                self.counters.reads += 1
                resp = self._send("GET", url, params=params, headers=headers)
                if resp.status_code == 304 and cached is not None:
                    self.counters.not_modified += 1
                    return resp, cached[1]
                if resp.status_code == 404:
                    self.cache.forget(key)
                    raise NotFound(what)
                self._raise_for(resp)
                body = _body(resp)
                if cache and resp.headers.get("ETag"):
                    self.cache.put(key, resp.headers["ETag"], body)
                return resp, body
            except NotFound:
                raise
            except Exception as exc:
                t = self._classify(exc, what)
                if attempt == self.retrying.max_tries:
                    raise GitHubError(f"gave up after {attempt} tries: {t}") from None
                self._wait(t, attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_or_none(self, path: str, params: dict[str, Any] | None = None, *, what: str, cache: bool = True) -> Any:
        try:
            return self.get(path, params, what=what, cache=cache)
        except NotFound:
            return None

    def pages(self, path: str, params: dict[str, Any] | None = None, *, what: str,
              key: str | None = None) -> Iterator[Any]:
        """Every item of a listing, page after page (``key``: the list inside a wrapping object)."""
        params = {"per_page": 100, **(params or {})}
        url: str | None = self.url(path)
        while url:
            resp, body = self._get(url, params, what=what)
            items = body.get(key, []) if key and isinstance(body, dict) else body
            yield from items or []
            url = resp.links.get("next", {}).get("url") if resp is not None else None
            params = None

    # ------------------------------------------------------------ writes

    def write(self, method: str, path: str, payload: Any = None, *, what: str, content: bool = False,
              verify: Callable[[], Any] | None = None) -> tuple[int, Any]:
        """One write, paced; (status, body). ``verify`` -> a body when the write is found to have happened."""
        url = self.url(path)
        for attempt in range(1, self.retrying.max_tries + 1):
            self.counters.waited_s += self.pacer.before_write(content)
            try:
                self.counters.writes += 1
                self.counters.content_writes += int(content)
                resp = self._send(method, url, json=payload)
                self._raise_for(resp)
                return resp.status_code, _body(resp)
            except Exception as exc:
                t = self._classify(exc, what)
                if attempt == self.retrying.max_tries:
                    raise GitHubError(f"gave up after {attempt} tries: {t}") from None
                self._wait(t, attempt)
                if verify is not None:
                    found = verify()
                    if found is not None:
                        return 200, found
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, t: _Transient, attempt: int) -> None:
        seconds = t.wait if t.wait is not None else self.retrying.backoff(attempt)
        self.retrying.wait(seconds, str(t))
        self.counters.waited_s += seconds

    def close(self) -> None:
        self.session.close()


def _body(resp: Any) -> Any:
    if resp is None or not getattr(resp, "content", b""):
        return None
    try:
        return resp.json()
    except ValueError:
        return None


def token_from_env() -> str:
    """The token (:func:`roadmap_ci.publish.env.github_token`); none is one line naming what it needs."""
    from roadmap_ci.publish.env import github_token

    token = github_token()
    if not token:
        raise CannotRun("set GITHUB_TOKEN (a token of an owner of the organisation, scopes `repo` and `admin:org`)")
    return token


def api_url_from_env() -> str:
    from roadmap_ci.publish import env

    return env.api_url_from_env()
