from __future__ import annotations

import json

import pytest
from _common import EXAMPLE_EVIDENCE, run_cli


@pytest.fixture
def example_evidence() -> dict:
    return json.loads(EXAMPLE_EVIDENCE.read_text())


@pytest.fixture
def cli():
    return run_cli
