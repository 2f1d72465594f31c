from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.data import clean
from {{ cookiecutter.module_name }}.features import ENGINEERED, build_preprocessor, engineer, feature_columns


def test_engineered_columns_are_relative_and_finite(raw_transactions, params):
    cfg = {**params["features"], "engineered": True}
    out = engineer(clean(raw_transactions), cfg)
    assert set(ENGINEERED) <= set(out.columns)
    ratio = out["amount_to_avg_log"].dropna()
    assert np.isfinite(ratio).all()
    assert np.allclose(ratio, np.log(out["amount"] / out["amount_avg_30d"]).dropna())
    assert set(out["is_night"].unique()) <= {0.0, 1.0}


def test_preprocessor_fits_on_train_only_and_handles_new_categories(raw_transactions, params):
    cfg = {**params["features"], "engineered": True}
    train = engineer(clean(raw_transactions.iloc[:200]), cfg)
    test = engineer(clean(raw_transactions.iloc[200:]), cfg)
    test.loc[test.index[0], "merchant_category"] = "casino"  # never seen in train
    for frame in (train, test):
        for col in feature_columns(cfg)[1]:
            frame[col] = frame[col].astype(object)
    pre = build_preprocessor(cfg).fit(train)
    x_train, x_test = pre.transform(train), pre.transform(test)
    assert list(x_train.columns) == list(x_test.columns)
    assert not x_train.isna().any().any() and not x_test.isna().any().any()
    assert abs(x_train["amount"].mean()) < 1e-6  # scaled with train statistics
