from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import RAW, load_params
from {{ cookiecutter.module_name }}.dataset import fill_calendar, fill_missing, read_raw


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()


@pytest.fixture(scope="session")
def raw_train() -> pd.DataFrame:
    return read_raw(RAW / "train.csv")


@pytest.fixture(scope="session")
def raw_test() -> pd.DataFrame:
    return read_raw(RAW / "test.csv")


@pytest.fixture(scope="session")
def history(raw_train) -> pd.DataFrame:
    """Three series on a full daily calendar, gaps filled: small enough for fast tests."""
    some = raw_train[raw_train["series_id"].isin(["S1_bread", "S4_milk", "S2_umbrella"])]
    return fill_missing(fill_calendar(some), "last_week")
