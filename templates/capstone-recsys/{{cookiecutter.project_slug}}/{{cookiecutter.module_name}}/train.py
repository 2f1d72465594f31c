"""Stage train: fit the model of params.yaml on the whole cleaned log; export models/ranker.npz."""

from __future__ import annotations

import time

from .config import INTERIM, MODELS, RAW, REPORTS, load_params, seed_everything, write_json
from .dataset import read_interactions, read_items, read_users
from .models import fit


def main() -> None:
    params = load_params()
    seed_everything(int(params["seed"]))
    t0 = time.perf_counter()
    ranker = fit(
        read_interactions(INTERIM / "interactions.csv"),
        read_users(RAW / "users.csv"),
        read_items(RAW / "items.csv"),
        params,
    )
    MODELS.mkdir(parents=True, exist_ok=True)
    ranker.save(MODELS / "ranker.npz")
    write_json(
        REPORTS / "train.json",
        {
            "model": params["model"]["type"],
            "seconds": time.perf_counter() - t0,
            "users": len(ranker.user_ids),
            "items": len(ranker.item_ids),
            "vector_size": int(ranker.U.shape[1]),
        },
    )
    print(f"train: {params['model']['type']} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
