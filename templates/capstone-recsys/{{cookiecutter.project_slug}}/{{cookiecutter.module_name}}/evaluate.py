"""Stage evaluate: fit on the train split, recommend for the validation users, score against what they met in
the validation period, beside popularity and MF; gather the A/B and drift results into metrics.json."""

from __future__ import annotations

import json

import numpy as np

from . import metrics as m
from .config import PROCESSED, RAW, REPORTS, ROOT, load_params, seed_everything, write_json
from .dataset import read_interactions, read_items, read_users
from .models import Ranker, fit


def ranked_lists(ranker: Ranker, train, users: list, k: int) -> dict:
    pos = {u: i for i, u in enumerate(ranker.user_ids)}
    item_pos = {it: i for i, it in enumerate(ranker.item_ids)}
    seen = train.groupby("user_id")["item_id"].apply(list).to_dict()
    out = {}
    for u in users:
        scores = ranker.V @ ranker.U[pos[u]]
        scores[[item_pos[i] for i in seen.get(u, [])]] = -np.inf
        out[u] = ranker.item_ids[np.argsort(-scores, kind="stable")[:k]].tolist()
    return out


SEGMENTS = {"cold": (0, 0), "short": (1, 3), "warm": (4, None)}  # training events of the user


def segments(train, users: list) -> dict[str, list]:
    """The validation users by their number of training events: cold (none), short (1-3), warm (4+)."""
    n = train.groupby("user_id").size()
    out = {}
    for name, (lo, hi) in SEGMENTS.items():
        out[name] = [u for u in users if lo <= n.get(u, 0) and (hi is None or n.get(u, 0) <= hi)]
    return out


def main() -> None:
    params = load_params()
    seed_everything(int(params["seed"]))
    k = int(params["evaluate"]["k"])
    train, valid = read_interactions(PROCESSED / "train.csv"), read_interactions(PROCESSED / "validation.csv")
    users_df, items = read_users(RAW / "users.csv"), read_items(RAW / "items.csv")
    relevant = valid.groupby("user_id")["item_id"].apply(set).to_dict()
    users = sorted(relevant)
    kind = params["model"]["type"]
    reports, groups = {}, segments(train, users)
    for name in dict.fromkeys([kind, "popularity", "mf"]):
        ranker = fit(train, users_df, items, params, model_type=name)
        ranked = ranked_lists(ranker, train, users, k)
        reports[name] = {**m.ranking_report(relevant, ranked, k), "coverage": m.coverage(ranked, len(items), k)}
        reports[name]["segments"] = {
            seg: {"users": len(us), **m.ranking_report({u: relevant[u] for u in us}, ranked, k)}
            for seg, us in groups.items()
            if us
        }
    ours, pop, mf = reports[kind], reports["popularity"], reports["mf"]
    ab = json.loads((REPORTS / "ab_test.json").read_text())
    drift = json.loads((REPORTS / "drift.json").read_text())
    metrics = {
        **ours,
        "model": kind,
        "k": k,
        "validation_users": len(users),
        "baseline": {"popularity": pop, "mf": mf},
        "lift_ndcg": ours["ndcg_at_k"] / pop["ndcg_at_k"] - 1 if pop["ndcg_at_k"] else 0.0,
        "lift_ndcg_vs_mf": ours["ndcg_at_k"] / mf["ndcg_at_k"] - 1 if mf["ndcg_at_k"] else 0.0,
        "ab": {
            key: ab[key]
            for key in (
                "ctr_lift",
                "ctr_p_value",
                "ctr_lift_ci",
                "conversion_lift",
                "conversion_p_value",
                "srm_ok",
                "srm_bad_days",
                "significant",
            )
        },
        "drift": {
            "share_drifted": drift["share_drifted"],
            "detected": drift["detected"],
            "drifted_features": drift["drifted_features"],
        },
    }
    write_json(ROOT / "metrics.json", metrics)
    for seg in ours["segments"]:
        print(
            f"  {seg:5s} ({ours['segments'][seg]['users']} users) NDCG@{k}: {kind} "
            f"{ours['segments'][seg]['ndcg_at_k']:.4f} | MF {mf['segments'][seg]['ndcg_at_k']:.4f} | "
            f"popularity {pop['segments'][seg]['ndcg_at_k']:.4f}"
        )
    print(
        f"evaluate: {kind} NDCG@{k} {ours['ndcg_at_k']:.4f} recall {ours['recall_at_k']:.4f} | MF "
        f"{mf['ndcg_at_k']:.4f} | popularity {pop['ndcg_at_k']:.4f} ({len(users)} users)"
    )


if __name__ == "__main__":
    main()
