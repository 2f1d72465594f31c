"""One GitHub REST client for operations over many repos (the classroom): pacing, limits, ETags, secrets.

- :mod:`roadmap_ci.github.client` — :class:`~roadmap_ci.github.client.Client`: writes serialised at least
  ``pause_s`` apart and within the content-creation limits, conditional reads with an ETag cache (a 304 costs
  nothing against the rate limit), Link-header pagination, and the retry policy of
  :class:`roadmap_ci.publish.retry.Retrying` (``Retry-After``, ``x-ratelimit-reset``, backoff on 5xx and
  timeouts). A write whose answer is lost is checked before it is tried again.
- :mod:`roadmap_ci.github.secrets` — libsodium sealed boxes for Actions secrets (PyNaCl).

Nothing here is imported by the CLI at start-up; requests / github3 / nacl load when a client is made.
"""
