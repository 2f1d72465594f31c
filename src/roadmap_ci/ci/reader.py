"""The GET requests ``ci-report`` makes itself (pulls, artifacts, commits, statuses), with the publish retries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roadmap_ci.errors import CannotRun
from roadmap_ci.extras import imports

if TYPE_CHECKING:
    import requests

    from roadmap_ci.publish.retry import Retrying

READ_TIMEOUT = (4.0, 20.0)
DOWNLOAD_TIMEOUT = (4.0, 60.0)


class Reader:
    """The GET requests ci-report makes itself, through a requests-style session (github3's, by default).

    Failures are turned into github3 exceptions and handed to the publish module's :class:`Retrying`, so
    reads and writes share one policy: rate limits wait (``Retry-After``, ``x-ratelimit-reset``), 5xx and
    timeouts back off, a permission 403 or a 404 fails at once with one line.
    """

    def __init__(self, session: requests.Session, retry: Retrying | None = None) -> None:
        from roadmap_ci.publish.retry import Retrying

        self.session = session
        self.retry = retry if retry is not None else Retrying()

    def _get(self, url: str, **kwargs: Any) -> Any:
        with imports("github"):
            import github3.exceptions as gx
            import requests

        try:
            resp = self.session.get(url, **kwargs)
        except requests.RequestException as exc:
            raise gx.ConnectionError(exc) from None
        if resp.status_code >= 400:
            raise gx.error_for(resp)
        return resp

    def json(self, what: str, url: str, params: Mapping[str, Any] | None = None) -> Any:
        def once() -> Any:
            resp = self._get(url, params=dict(params or {}), timeout=READ_TIMEOUT)
            try:
                return resp.json()
            except ValueError:
                raise CannotRun(f"cannot {what}: GitHub answered something that is not JSON") from None

        return self.retry.call(what, once)

    def pages(self, what: str, url: str, params: Mapping[str, Any] | None = None,
              max_pages: int = 100) -> Iterator[Any]:
        """Each page of a listing (a JSON list), following ``Link: rel="next"``; bounded by ``max_pages``."""
        query: Mapping[str, Any] | None = dict(params or {})
        for _ in range(max_pages):
            def once(url: str = url, query: Mapping[str, Any] | None = query) -> tuple[Any, str | None]:
                resp = self._get(url, params=dict(query or {}), timeout=READ_TIMEOUT)
                try:
                    data = resp.json()
                except ValueError:
                    raise CannotRun(f"cannot {what}: GitHub answered something that is not JSON") from None
                nxt = ((getattr(resp, "links", None) or {}).get("next") or {}).get("url")
                return data, nxt if isinstance(nxt, str) else None

            data, nxt = self.retry.call(what, once)
            yield data
            if not nxt:
                return
            if not nxt.startswith(url.split("/repos/", 1)[0] + "/"):  # the token goes only to the API
                raise CannotRun(f"cannot {what}: GitHub's next-page link leaves the API")
            url, query = nxt, None
        raise CannotRun(f"cannot {what}: more than {max_pages} pages")

    def download(self, what: str, url: str, dest: Path, max_bytes: int) -> Path:
        """Stream ``url`` into ``dest``; more than ``max_bytes`` raises ArtifactError (not retried)."""
        from roadmap_ci.ci.artifact import ArtifactError

        with imports("github"):
            import github3.exceptions as gx
            import requests

        def once() -> Path:
            dest.parent.mkdir(parents=True, exist_ok=True)
            got = 0
            with self._get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as r, open(dest, "wb") as out:
                try:
                    for chunk in r.iter_content(1 << 16):
                        got += len(chunk)
                        if got > max_bytes:
                            raise ArtifactError(f"the artifact is more than the {max_bytes:,} bytes allowed")
                        out.write(chunk)
                except requests.RequestException as exc:  # a stream cut mid-way: another try starts over
                    raise gx.ConnectionError(exc) from None
            return dest

        return self.retry.call(what, once)


def as_reader(session: Reader | requests.Session) -> Reader:
    """``session`` itself when it is a :class:`Reader`, else a Reader around it."""
    return session if isinstance(session, Reader) else Reader(session)

