from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.dataset import clip_outliers, fill_calendar, fill_missing, is_duplicate_day


def frame(sales, start="2024-01-01", series="S1_bread", skip=()):
    days = pd.date_range(start, periods=len(sales), freq="D")
    df = pd.DataFrame(
        {
            "series_id": series,
            "store": "S1",
            "item": "bread",
            "date": days,
            "price": 2.0,
            "promo": 0,
            "holiday": 0,
            "sales": [float(s) for s in sales],
        }
    )
    return df.drop(index=list(skip)).reset_index(drop=True)


def test_raw_export_has_one_row_per_series_and_day(raw_train):
    assert not is_duplicate_day(raw_train).any()
    assert (raw_train["sales"] >= 0).all()


def test_missing_days_come_back_unobserved():
    full = fill_calendar(frame(range(10), skip=[3, 4]))
    assert len(full) == 10
    assert full["observed"].tolist() == [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]
    assert full["actual"].isna().sum() == 2 and full["price"].notna().all()


@pytest.mark.parametrize(("method", "expected"), [("zero", 0.0), ("last_week", 7.0)])
def test_fill_missing(method, expected):
    full = fill_missing(fill_calendar(frame(range(20), skip=[14])), method)
    assert full.loc[14, "sales"] == expected  # day 14: zero, or the value of day 7
    assert full["sales"].notna().all()


def test_unknown_fill_method_is_a_clear_error():
    with pytest.raises(ValueError, match="median"):
        fill_missing(fill_calendar(frame(range(10))), "median")


def test_clip_caps_bulk_orders_only_from_the_past():
    sales = [10] * 30 + [200] + [10] * 5
    out = clip_outliers(frame(sales), factor=4.0)
    assert out.loc[30, "sales"] == 40 and (out.drop(index=30)["sales"] == 10).all()


def test_a_series_that_starts_late_is_not_padded_before_its_start():
    df = pd.concat([frame(range(20)), frame(range(5), start="2024-01-16", series="S5_ice_cream")])
    full = fill_calendar(df)
    late = full[full["series_id"] == "S5_ice_cream"]
    assert late["date"].min() == pd.Timestamp("2024-01-16") and len(late) == 5
