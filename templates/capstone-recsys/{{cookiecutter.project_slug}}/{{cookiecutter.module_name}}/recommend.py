"""Stage recommend: the top k unseen items per test user, through the same Recommender the service uses."""

from __future__ import annotations

import pandas as pd

from .config import FEATURES, MODELS, PREDICTIONS, RAW, load_params
from .models import Ranker
from .recommender import Recommender
from .store import SQLiteStore


def main() -> None:
    k = int(load_params()["evaluate"]["k"])
    rec = Recommender(Ranker.load(MODELS / "ranker.npz"), SQLiteStore(FEATURES / "online.db"))
    rows = []
    for user in pd.read_csv(RAW / "test_users.csv")["user_id"]:
        out = rec.recommend(int(user), k)
        rows += [(out["user_id"], i, s) for i, s in zip(out["items"], out["scores"], strict=True)]
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["user_id", "item_id", "score"]).to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"recommend: {len(rows)} rows for {len(rows) // k} users")


if __name__ == "__main__":
    main()
