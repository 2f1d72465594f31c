from __future__ import annotations

import json
import os

import pytest

# As `roadmap-ci evaluate` gives learner code (collect/_context.py): OpenMP waits passively, so the two xdist
# workers' model fits (and any subprocess a test starts directly) do not spin on each other's cores.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from testing.common import EXAMPLE_EVIDENCE, run_cli


@pytest.fixture(scope="session", autouse=True)
def _learner_pytest_without_our_plugins():
    """The learner test runs the suite starts in this venv (toy repos, rendered templates, `evaluate`'s tests
    collector) load no pytest plugin: they use none, and this venv's nine (xdist, hypothesis, Faker via
    evidently, hydra via dvc, anyio, langsmith...) cost ≈ 4.5 s of CPU per pytest start against 0.3 s
    (docs/performance.md). Set once the session runs, so this process and its workers keep theirs. The first
    pushes (test_workflow_e2e.py) run the learner's tests as GitHub does, in a fresh venv with the project's own
    plugins: the workflow runner passes its steps only PASS_ENV, never this."""
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    yield


@pytest.fixture
def example_evidence() -> dict:
    return json.loads(EXAMPLE_EVIDENCE.read_text())


@pytest.fixture
def cli():
    return run_cli


# `make test` runs `-n 2 --dist loadfile --no-loadscope-reorder`: each file whole on one worker, handed out in
# this order as workers free up. The longest files go first (longest-first keeps two workers busy to the end):
# the first pushes of tests/test_workflow_e2e.py, then every file with `slow` tests (the rendered templates,
# the real pipelines), then the fast rest. Without it xdist hands files out by test count, which put the
# e2e file (9 tests, the longest by far) late, running alone after everything else (docs/performance.md).
LONGEST_FIRST = ("test_workflow_e2e.py",)


def pytest_collection_modifyitems(config, items):
    rank: dict[object, int] = {}  # a file's rank: its lowest item's
    for item in items:
        now = 0 if item.path.name in LONGEST_FIRST else 1 if item.get_closest_marker("slow") else 2
        rank[item.path] = min(rank.get(item.path, 2), now)
    order = {path: i for i, path in enumerate(dict.fromkeys(item.path for item in items))}
    items.sort(key=lambda item: (rank[item.path], order[item.path]))  # files stay whole, in their own order
