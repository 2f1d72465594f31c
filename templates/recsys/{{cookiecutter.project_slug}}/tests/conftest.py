from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import RAW, load_params
from {{ cookiecutter.module_name }}.dataset import clean, read_interactions, read_items


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()


@pytest.fixture(scope="session")
def raw_events() -> pd.DataFrame:
    return read_interactions(RAW / "interactions.csv")


@pytest.fixture(scope="session")
def items() -> pd.DataFrame:
    return read_items(RAW / "items.csv")


@pytest.fixture(scope="session")
def events(raw_events, items, params) -> pd.DataFrame:
    return clean(raw_events, items, int(params["prepare"]["max_user_events"]))[0]
