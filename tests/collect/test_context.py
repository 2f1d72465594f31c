"""The environment learner code runs in (collect/_context.py: learner_env)."""

from __future__ import annotations

import sys
from pathlib import Path

from roadmap_ci.collect._context import learner_env


def test_secrets_and_our_own_pytest_variables_never_reach_learner_code(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    env = learner_env()
    assert "GITHUB_TOKEN" not in env and "PYTEST_XDIST_WORKER" not in env
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)


def test_openmp_waits_passively_unless_the_job_says_otherwise(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    assert learner_env()["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert learner_env()["OMP_WAIT_POLICY"] == "ACTIVE"
