"""Stage train: fit the recommender params.yaml names on the whole clean log (for the final recommendations)."""

from __future__ import annotations

import time

import joblib

from .config import INTERIM, MODELS, RAW, REPORTS, load_params, seed_everything, write_json
from .dataset import Index, matrix, read_interactions, read_items, with_positions
from .models import build_model


def fit(events, items, params):
    """Index + matrix + fitted model for ``events``: evaluate calls this on the train split, train on all."""
    index = Index(events["user_id"], items["item_id"])
    X = matrix(events, index, params["prepare"]["event_weights"])
    catalogue = items.set_index("item_id").loc[index.items].reset_index()
    model = build_model(params, catalogue).fit(X, with_positions(events, index))
    return index, X, model


def main() -> None:
    params = load_params()
    seed_everything(params["seed"])
    events, items = read_interactions(INTERIM / "interactions.csv"), read_items(RAW / "items.csv")
    start = time.perf_counter()
    index, X, model = fit(events, items, params)
    MODELS.mkdir(parents=True, exist_ok=True)
    joblib.dump({"index": index, "X": X, "model": model}, MODELS / "model.joblib")
    write_json(
        REPORTS / "train.json",
        {
            "model": params["model"]["type"],
            "users": X.shape[0],
            "items": X.shape[1],
            "interactions": int(X.nnz),
            "fit_seconds": round(time.perf_counter() - start, 2),
        },
    )
    print(f"train: {params['model']['type']} on {X.nnz} interactions ({X.shape[0]} users × {X.shape[1]} items)")


if __name__ == "__main__":
    main()
