from __future__ import annotations

import math

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.config import TARGET
from {{ cookiecutter.module_name }}.dataset import (
    CONTRACTS,
    INTERNET,
    canonical_contract,
    clean,
    fix_monthly_charges,
    stratified_split,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Month-to-month", "Month-to-month"),
        (" Month-to-Month", "Month-to-month"),
        ("M2M ", "Month-to-month"),
        ("month to month", "Month-to-month"),
        ("1 year", "One year"),
        ("One Year ", "One year"),
        ("2 years", "Two year"),
        ("two year", "Two year"),
        ("lifetime", None),
        (None, None),
    ],
)
def test_contract_spellings_become_canonical(raw, expected):
    assert canonical_contract(raw) == expected


def test_clean_gives_canonical_categories_and_numbers(clean_train):
    assert set(clean_train["contract"].dropna()) <= set(CONTRACTS)
    assert clean_train["contract"].isna().mean() < 0.01
    assert set(clean_train["internet_service"].dropna()) <= set(INTERNET)
    assert pd.api.types.is_float_dtype(clean_train["total_charges"])
    assert clean_train["monthly_charges"].dropna().between(0, 200).all()
    assert clean_train["age"].dropna().between(18, 100).all()


def test_monthly_charges_typos_are_fixed():
    fixed = fix_monthly_charges(pd.Series([70.45, -70.45, 7045.0, 0.0]))
    assert fixed[:3].tolist() == [70.45, 70.45, 70.45] and math.isnan(fixed[3])


def test_new_customers_have_zero_total_charges():
    df = pd.DataFrame(
        {
            "contract": ["Two year"],
            "internet_service": ["DSL"],
            "monthly_charges": [50.0],
            "total_charges": [" "],
            "tenure_months": [0],
            "age": [40.0],
        }
    )
    assert clean(df)["total_charges"].tolist() == [0.0]


def test_duplicates_are_dropped(raw_train, clean_train):
    assert raw_train.duplicated().any(), "the raw export has duplicate rows"
    assert clean_train["id"].is_unique


def test_split_is_stratified_disjoint_and_seeded(clean_train):
    fit, valid = stratified_split(clean_train, 0.2, seed=7)
    again, _ = stratified_split(clean_train, 0.2, seed=7)
    assert len(valid) == pytest.approx(0.2 * len(clean_train), abs=2)
    assert set(fit["id"]).isdisjoint(valid["id"])
    assert fit["id"].tolist() == again["id"].tolist()
    assert abs(fit[TARGET].mean() - valid[TARGET].mean()) < 0.01
