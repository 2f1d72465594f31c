"""Stage drift: compare the training user features with last week's serving log, per feature.

Population stability index (PSI, bins from the reference's quantiles, or its categories) for every feature,
and the two-sample Kolmogorov-Smirnov test for the numeric ones; a feature drifts when PSI > ``psi_threshold``
or (numeric) the KS p-value < ``ks_alpha``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .config import FEATURES, RAW, REPORTS, load_params, write_json

EPS = 1e-4


def psi_from_shares(expected: np.ndarray, actual: np.ndarray) -> float:
    e, a = np.clip(expected, EPS, None), np.clip(actual, EPS, None)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_numeric(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    e = np.histogram(reference, edges)[0] / len(reference)
    a = np.histogram(current, edges)[0] / len(current)
    return psi_from_shares(e, a)


def psi_categorical(reference: pd.Series, current: pd.Series) -> float:
    cats = sorted(set(reference) | set(current))
    e = reference.value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    a = current.value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    return psi_from_shares(e, a)


def compare(reference: pd.DataFrame, current: pd.DataFrame, cfg: dict) -> dict:
    out = {}
    for col in cfg["features"]:
        ref, cur = reference[col].dropna(), current[col].dropna()
        if pd.api.types.is_numeric_dtype(ref):
            psi = psi_numeric(ref.to_numpy(float), cur.to_numpy(float), int(cfg["bins"]))
            ks = stats.ks_2samp(ref.to_numpy(float), cur.to_numpy(float))
            res = {"kind": "numeric", "psi": psi, "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue)}
            res["drifted"] = bool(psi > float(cfg["psi_threshold"]) or ks.pvalue < float(cfg["ks_alpha"]))
        else:
            psi = psi_categorical(ref.astype(str), cur.astype(str))
            res = {
                "kind": "categorical",
                "psi": psi,
                "drifted": bool(psi > float(cfg["psi_threshold"])),
                "new_categories": sorted(set(cur.astype(str)) - set(ref.astype(str))),
            }
        out[col] = res
    drifted = [c for c, r in out.items() if r["drifted"]]
    return {
        "features": out,
        "drifted_features": drifted,
        "share_drifted": len(drifted) / max(1, len(out)),
        "detected": bool(drifted),
        "reference_rows": len(reference),
        "current_rows": len(current),
    }


def main() -> None:
    cfg = load_params()["drift"]
    reference = pd.read_parquet(FEATURES / "user_features.parquet")
    current = pd.read_csv(RAW / "serving_recent.csv")
    result = compare(reference, current, cfg)
    write_json(REPORTS / "drift.json", result)
    print(f"drift: {result['drifted_features']} drifted ({result['share_drifted']:.0%} of features)")


if __name__ == "__main__":
    main()
