from __future__ import annotations

import pytest

from {{ cookiecutter.module_name }}.config import load_params


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()
