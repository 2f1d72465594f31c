from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }}.data import clean
from {{ cookiecutter.module_name }}.features import build_preprocessor, engineer, feature_columns


def _cfg(params, **changes):
    return {**params["features"], **changes}


def test_ratios_are_finite_even_without_orders(raw_accounts, params):
    raw_accounts.loc[:9, "orders_12m"] = 0
    out = engineer(clean(raw_accounts), _cfg(params, ratios=True))
    for col in ("spend_per_order", "sessions_per_order", "spend_per_item"):
        values = out[col].to_numpy(dtype=float)
        assert not np.isinf(values).any(), col
    assert out.loc[:9, "never_ordered"].eq(1).all()


def test_log_transform_tames_the_tail(raw_accounts, params):
    tidy = clean(raw_accounts)
    raw = engineer(tidy, _cfg(params, log_transform=False))["spend_12m"]
    logged = engineer(tidy, _cfg(params, log_transform=True))["spend_12m"]
    assert logged.skew() < raw.skew()


def test_preprocessor_fits_on_train_and_leaves_no_missing_values(raw_accounts, params):
    cfg = _cfg(params, ratios=True, log_transform=True, categorical=["channel", "payment_method"])
    train = engineer(clean(raw_accounts.iloc[:150]), cfg)
    test = engineer(clean(raw_accounts.iloc[150:]), cfg)
    test.loc[test.index[0], "payment_method"] = "crypto"  # a category train never saw
    for frame in (train, test):
        for col in feature_columns(cfg)[1]:
            frame[col] = frame[col].astype(object)
    pre = build_preprocessor(cfg).fit(train)
    x_train, x_test = pre.transform(train), pre.transform(test)
    assert list(x_train.columns) == list(x_test.columns)
    assert not x_train.isna().any().any() and not x_test.isna().any().any()
    numeric = feature_columns(cfg)[0]
    assert np.allclose(x_train[numeric].mean(), 0, atol=1e-6)  # scaled on train only
