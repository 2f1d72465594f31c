from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import RAW, load_params
from {{ cookiecutter.module_name }}.dataset import clean, drop_duplicates


@pytest.fixture(scope="session")
def params() -> dict:
    return load_params()


@pytest.fixture(scope="session")
def raw_train() -> pd.DataFrame:
    return pd.read_csv(RAW / "train.csv")


@pytest.fixture(scope="session")
def raw_test() -> pd.DataFrame:
    return pd.read_csv(RAW / "test.csv")


@pytest.fixture(scope="session")
def clean_train(raw_train) -> pd.DataFrame:
    return drop_duplicates(clean(raw_train))
