import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from {{ cookiecutter.module_name }}.ab_test import analyse, srm_pvalue, two_proportion_ztest
from {{ cookiecutter.module_name }}.drift import compare, psi_categorical, psi_numeric


def test_two_proportion_ztest_by_hand():
    # 100/1000 vs 130/1000: pooled 0.115, se = sqrt(0.115 * 0.885 * 2 / 1000)
    z, p = two_proportion_ztest(100, 1000, 130, 1000)
    se = math.sqrt(0.115 * 0.885 * 0.002)
    assert z == pytest.approx(0.03 / se) and p == pytest.approx(2 * (1 - stats.norm.cdf(0.03 / se)))


def test_srm_check_by_hand():
    # 450 vs 550 against 50/50: chi2 = (50² + 50²) / 500 = 10
    assert srm_pvalue(450, 550) == pytest.approx(stats.chi2.sf(10, 1))
    assert srm_pvalue(500, 500) == pytest.approx(1.0)


def test_the_analysis_flags_a_lopsided_day(params):
    rows = []
    for day, n_a in (("2025-01-01", 200), ("2025-01-02", 200), ("2025-01-03", 80)):
        rows += [(day, u, "A", 10, 2, 1) for u in range(n_a)]
        rows += [(day, 1000 + u, "B", 10, 2, 1) for u in range(200)]
    log = pd.DataFrame(rows, columns=["date", "user_id", "variant", "impressions", "clicks", "conversions"])
    cfg = {**params["ab_test"], "bootstrap": 20, "exclude_srm_days": False}
    res = analyse(log, cfg, seed=0)
    assert res["srm_bad_days"] == ["2025-01-03"] and not res["srm_ok"]
    assert analyse(log, {**cfg, "exclude_srm_days": True}, seed=0)["srm_ok"]


def test_psi_of_identical_samples_is_zero():
    x = np.random.default_rng(0).normal(size=2000)
    assert psi_numeric(x, x) == pytest.approx(0.0, abs=1e-12)
    s = pd.Series(["a", "b", "b", "c"])
    assert psi_categorical(s, s) == pytest.approx(0.0, abs=1e-12)


def test_drift_flags_a_shifted_feature_only(params):
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "y": rng.normal(size=3000)})
    cur = pd.DataFrame({"x": rng.normal(size=3000), "y": rng.normal(1.0, 1, size=3000)})
    res = compare(ref, cur, {**params["drift"], "features": ["x", "y"]})
    assert res["drifted_features"] == ["y"] and res["share_drifted"] == 0.5
