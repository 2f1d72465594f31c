from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import metrics as m

Y = np.array([10.0, 0.0, 5.0, 5.0])
F = np.array([8.0, 0.0, 10.0, 5.0])


def test_point_errors_by_hand():
    assert m.mae(Y, F) == pytest.approx((2 + 0 + 5 + 0) / 4)
    assert m.rmse(Y, F) == pytest.approx(np.sqrt((4 + 0 + 25 + 0) / 4))


def test_smape_by_hand():
    # 200/n · Σ |y−f| / (|y|+|f|): 2/18 + 0 (0/0 counts 0) + 5/15 + 0
    assert m.smape(Y, F) == pytest.approx(200 / 4 * (2 / 18 + 5 / 15))
    assert m.smape([0.0], [1.0]) == pytest.approx(200.0), "a forecast above a zero actual costs the maximum"


def test_wape_by_hand():
    assert m.wape(Y, F) == pytest.approx(100 * 7 / 20)
    assert m.wape([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_mase_scales_by_the_in_sample_seasonal_naive_error():
    history = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9, np.nan, 2])
    # |y_t − y_{t−7}| for t = 7..15: 2,0,0,0,0,0,2,(gap),0 → mean 4/8
    scale = m.seasonal_naive_scale(history, 7)
    assert scale == pytest.approx(4 / 8)
    assert m.mase([4.0, 4.0], [3.0, 5.0], scale) == pytest.approx(1.0 / (4 / 8))


def test_mase_of_the_seasonal_naive_itself_is_near_one_on_a_stable_series():
    rng = np.random.default_rng(0)
    y = np.tile([5.0, 6, 7, 8, 9, 12, 10], 30) + rng.normal(0, 1, 210)
    scale = m.seasonal_naive_scale(pd.Series(y[:182]))
    naive = np.concatenate([y[175:182]] * 4)
    assert 0.7 < m.mase(y[182:], naive, scale) < 1.3
