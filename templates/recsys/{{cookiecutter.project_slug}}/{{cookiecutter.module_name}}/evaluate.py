"""Stage evaluate: fit the model on the train split, recommend for the validation users, and score the
recommendations against what they interacted with in the validation period — beside the popularity baseline.

metrics.json: ndcg_at_k, recall_at_k, precision_at_k, map_at_k, hit_rate_at_k and coverage for the model, the
same under baseline.popularity.*, and lift_ndcg (model NDCG / baseline NDCG − 1). Plot data
(reports/figures): recall at k = 1…max_k for both, and how popular the recommended films are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import metrics as m
from .config import FIGURES, PROCESSED, RAW, ROOT, load_params, seed_everything, write_json
from .dataset import read_interactions, read_items
from .models import Popularity, recommend
from .train import fit


def ranked_lists(index, X, model, users, k):
    rows = np.array([index.user_pos[u] for u in users], dtype=int)
    top, _ = recommend(model, X, rows, k)
    return {u: index.items[top[i]].tolist() for i, u in enumerate(users)}


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    cfg = params["evaluate"]
    k, max_k = int(cfg["k"]), int(cfg["max_k"])
    train, valid = read_interactions(PROCESSED / "train.csv"), read_interactions(PROCESSED / "validation.csv")
    items = read_items(RAW / "items.csv")
    relevant = valid.groupby("user_id")["item_id"].apply(set).to_dict()
    users = sorted(relevant)

    index, X, model = fit(train, items, params)
    base = Popularity().fit(X)
    ranked = ranked_lists(index, X, model, users, max_k)
    base_ranked = ranked_lists(index, X, base, users, max_k)

    ours, theirs = m.ranking_report(relevant, ranked, k), m.ranking_report(relevant, base_ranked, k)
    ours["coverage"] = m.coverage(ranked, len(index.items), k)
    theirs["coverage"] = m.coverage(base_ranked, len(index.items), k)
    metrics = {
        **ours,
        "baseline": {"popularity": theirs},
        "lift_ndcg": ours["ndcg_at_k"] / theirs["ndcg_at_k"] - 1 if theirs["ndcg_at_k"] else 0.0,
        "k": k,
        "validation_users": len(users),
    }
    write_json(ROOT / "metrics.json", _rounded(metrics))

    FIGURES.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "k": kk,
            "recall": m.ranking_report(relevant, ranked, kk)["recall_at_k"],
            "baseline_recall": m.ranking_report(relevant, base_ranked, kk)["recall_at_k"],
        }
        for kk in range(1, max_k + 1)
    ]
    pd.DataFrame(rows).round(5).to_csv(FIGURES / "recall_by_k.csv", index=False)
    counts = train["item_id"].value_counts().reindex(index.items, fill_value=0)
    decile = pd.Series(
        pd.qcut(counts.rank(method="first", ascending=False), 10, labels=range(1, 11)).astype(int), index=index.items
    )

    def share(lists):
        shown = pd.Series([decile[i] for items_ in lists for i in items_])
        return shown.value_counts(normalize=True).reindex(range(1, 11), fill_value=0.0)

    pd.DataFrame(
        {
            "popularity_decile": range(1, 11),  # 1 = the 10% most-interacted films
            "model": share(v[:k] for v in ranked.values()).to_numpy(),
            "baseline": share(v[:k] for v in base_ranked.values()).to_numpy(),
            "validation": share(list(relevant[u]) for u in users).to_numpy(),
        }
    ).round(5).to_csv(FIGURES / "popularity_of_recommendations.csv", index=False)
    print(
        f"evaluate: {params['model']['type']} NDCG@{k} {ours['ndcg_at_k']:.4f} recall@{k} {ours['recall_at_k']:.4f} "
        f"coverage {ours['coverage']:.3f} | popularity NDCG@{k} {theirs['ndcg_at_k']:.4f} ({len(users)} users)"
    )


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(float(value), 6) if isinstance(value, float | np.floating) else value


if __name__ == "__main__":
    main()
