from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.dataset import (
    NEIGHBOURHOODS,
    canonical_neighbourhood,
    fix_living_area,
    is_outlier,
    random_split,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Riverside", "Riverside"),
        ("riverside", "Riverside"),
        ("RIVERSIDE", "Riverside"),
        ("Old Town ", "Old Town"),
        ("harbor  view", "Harbor View"),
        ("Atlantis", None),
        (None, None),
    ],
)
def test_neighbourhood_spellings_become_canonical(raw, expected):
    assert canonical_neighbourhood(raw) == expected


def test_clean_gives_canonical_names_and_plausible_areas(clean_train):
    assert set(clean_train["neighbourhood"]) <= set(NEIGHBOURHOODS)
    assert clean_train["living_area_sqft"].between(300, 12000).all()


def test_square_metres_become_square_feet():
    fixed = fix_living_area(pd.Series([1500.0, 139.0]))
    assert fixed.tolist() == [1500.0, 1496.0]


def test_outliers_are_the_huge_partial_sales():
    df = pd.DataFrame(
        {"living_area_sqft": [5000.0, 5000.0, 1500.0], "sale_condition": ["Partial", "Normal", "Partial"]}
    )
    assert is_outlier(df).tolist() == [True, False, False]


def test_duplicates_are_dropped(raw_train, clean_train):
    assert raw_train.duplicated().any(), "the raw export has duplicate rows"
    assert clean_train["id"].is_unique


def test_split_is_disjoint_and_seeded(clean_train):
    fit, valid = random_split(clean_train, 0.2, seed=7)
    again, _ = random_split(clean_train, 0.2, seed=7)
    assert len(valid) == pytest.approx(0.2 * len(clean_train), abs=1)
    assert set(fit["id"]).isdisjoint(valid["id"])
    assert fit["id"].tolist() == again["id"].tolist()
