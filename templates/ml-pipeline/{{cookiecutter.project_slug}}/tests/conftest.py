"""Shared fixtures: a model trained in process on the shipped data (no DVC run, no MLflow store needed)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import ROOT, load_params
from {{ cookiecutter.module_name }}.data import TARGET, clean, features
from {{ cookiecutter.module_name }}.model import make_model


@pytest.fixture(scope="session")
def params():
    return copy.deepcopy(load_params())


@pytest.fixture(scope="session")
def orders():
    return clean(pd.read_csv(ROOT / "data" / "raw" / "train.csv").drop_duplicates(subset=["id"]))


@pytest.fixture(scope="session")
def model(params, orders):
    return make_model(params).fit(features(orders, params), orders[TARGET])
