"""Shared fixtures: a toolbox built straight from data/raw (no `dvc repro` needed: the tests check the
code, not yesterday's outputs)."""

from __future__ import annotations

import pytest

from {{ cookiecutter.module_name }}.config import RAW
from {{ cookiecutter.module_name }}.tools import ToolBox


@pytest.fixture(scope="session")
def toolbox():
    return ToolBox.from_raw(RAW, today="2026-04-15")
