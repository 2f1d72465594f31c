"""Stage ab_test: analyse the A/B log of the recommendation widget.

* sample-ratio mismatch (SRM): a chi-square test of the users per variant against the planned split, per day
  and overall; a day with p < ``srm_alpha`` is flagged (a logging or assignment bug, not a treatment effect);
* CTR and conversion-rate lift of B over A with a two-proportion z-test and a bootstrap confidence interval
  (resampling users), on the analysed days (``exclude_srm_days`` drops the flagged ones).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from .config import RAW, REPORTS, load_params, write_json


def two_proportion_ztest(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """z and the two-sided p-value of H0: p_a = p_b, with the pooled standard error."""
    p_a, p_b, pooled = x_a / n_a, x_b / n_b, (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se if se else 0.0
    return z, 2 * stats.norm.sf(abs(z))


def srm_pvalue(n_a: int, n_b: int, share_a: float = 0.5) -> float:
    """Chi-square goodness of fit of the observed counts against the planned split."""
    total = n_a + n_b
    return float(stats.chisquare([n_a, n_b], [total * share_a, total * (1 - share_a)]).pvalue)


def bootstrap_lift_ci(
    per_user: pd.DataFrame, num: str, den: str, n_boot: int, level: float, seed: int
) -> tuple[float, float]:
    """Percentile CI of the relative lift rate_B / rate_A − 1, resampling users within each variant."""
    rng = np.random.default_rng(seed)
    out = []
    groups = {v: g[[num, den]].to_numpy(float) for v, g in per_user.groupby("variant")}
    for _ in range(n_boot):
        rates = {}
        for v, arr in groups.items():
            s = arr[rng.integers(0, len(arr), len(arr))].sum(axis=0)
            rates[v] = s[0] / s[1]
        out.append(rates["B"] / rates["A"] - 1)
    lo, hi = np.quantile(out, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def analyse(log: pd.DataFrame, cfg: dict, seed: int) -> dict:
    alpha, share_a = float(cfg["srm_alpha"]), float(cfg["share_a"])
    daily = log.groupby(["date", "variant"])["user_id"].nunique().unstack(fill_value=0)
    days = {
        d: {
            "A": int(r.get("A", 0)),
            "B": int(r.get("B", 0)),
            "p_value": srm_pvalue(r.get("A", 0), r.get("B", 0), share_a),
        }
        for d, r in daily.iterrows()
    }
    bad = sorted(d for d, v in days.items() if v["p_value"] < alpha)
    used = log[~log["date"].isin(bad)] if cfg["exclude_srm_days"] else log
    per_user = used.groupby(["user_id", "variant"])[["impressions", "clicks", "conversions"]].sum().reset_index()
    n_users = per_user.groupby("variant")["user_id"].nunique()
    overall_p = srm_pvalue(int(n_users.get("A", 0)), int(n_users.get("B", 0)), share_a)
    flagged_in_analysis = [d for d in bad if d in set(used["date"])]
    tot = per_user.groupby("variant")[["impressions", "clicks", "conversions"]].sum()
    ctr = tot["clicks"] / tot["impressions"]
    cvr = tot["conversions"] / tot["clicks"]
    z, p = two_proportion_ztest(
        int(tot.loc["A", "clicks"]),
        int(tot.loc["A", "impressions"]),
        int(tot.loc["B", "clicks"]),
        int(tot.loc["B", "impressions"]),
    )
    zc, pc = two_proportion_ztest(
        int(tot.loc["A", "conversions"]),
        int(tot.loc["A", "clicks"]),
        int(tot.loc["B", "conversions"]),
        int(tot.loc["B", "clicks"]),
    )
    ci = bootstrap_lift_ci(per_user, "clicks", "impressions", int(cfg["bootstrap"]), float(cfg["ci_level"]), seed)
    return {
        "days": days,
        "srm_bad_days": bad,
        "srm_overall_p_value": overall_p,
        "srm_ok": bool(not flagged_in_analysis and overall_p >= alpha),
        "excluded_days": bad if cfg["exclude_srm_days"] else [],
        "users": {"A": int(n_users.get("A", 0)), "B": int(n_users.get("B", 0))},
        "ctr": {"A": float(ctr["A"]), "B": float(ctr["B"])},
        "ctr_lift": float(ctr["B"] / ctr["A"] - 1),
        "ctr_z": z,
        "ctr_p_value": p,
        "ctr_lift_ci": list(ci),
        "conversion_rate": {"A": float(cvr["A"]), "B": float(cvr["B"])},
        "conversion_lift": float(cvr["B"] / cvr["A"] - 1),
        "conversion_z": zc,
        "conversion_p_value": pc,
        "significant": bool(p < float(cfg["alpha"])),
    }


def main() -> None:
    params = load_params()
    result = analyse(pd.read_csv(RAW / "ab_events.csv"), params["ab_test"], int(params["seed"]))
    write_json(REPORTS / "ab_test.json", result)
    print(
        f"ab_test: CTR lift {result['ctr_lift']:+.3%} (p {result['ctr_p_value']:.4f}, CI {result['ctr_lift_ci']}) "
        f"SRM days {result['srm_bad_days']} srm_ok {result['srm_ok']}"
    )


if __name__ == "__main__":
    main()
