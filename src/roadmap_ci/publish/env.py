"""What the GitHub Actions environment says, read in one place: the token, the API, this run's page, the PR."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

DEFAULT_API_URL = "https://api.github.com"


def github_token(env: Mapping[str, str] | None = None) -> str:
    """``GITHUB_TOKEN``, else ``GH_TOKEN``, else ``""`` (each caller says what a missing token means)."""
    env = os.environ if env is None else env
    return env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""


def api_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """``GITHUB_API_URL`` without a trailing slash (default: github.com's API)."""
    env = os.environ if env is None else env
    return (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def run_url(env: Mapping[str, str]) -> str | None:
    """This Actions run's page (where the artifacts are), from the default environment."""
    server, repo, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if server and repo and run_id:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    return None


def pr_from_env(env: Mapping[str, str]) -> int | None:
    """The pull request number of a ``refs/pull/<n>/merge`` (or ``/head``) ``GITHUB_REF``."""
    m = re.fullmatch(r"refs/pull/(\d+)/(?:merge|head)", env.get("GITHUB_REF", ""))
    return int(m.group(1)) if m else None
