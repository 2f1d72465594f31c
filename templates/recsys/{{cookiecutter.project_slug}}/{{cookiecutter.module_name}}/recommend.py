"""Stage recommend: the top k films for every user in data/raw/test_users.csv, never one they have seen.

Writes data/predictions/predictions.csv (user_id, item_id, score; k rows per user, best first): what the
hidden labels (each test user's films of the month after the export) are scored against.
"""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd

from .config import MODELS, PREDICTIONS, RAW, load_params
from .models import Popularity, recommend


def main() -> None:
    params = load_params()
    k = int(params["evaluate"]["k"])
    bundle = joblib.load(MODELS / "model.joblib")
    index, X, model = bundle["index"], bundle["X"], bundle["model"]
    users = pd.read_csv(RAW / "test_users.csv")["user_id"].to_numpy()
    known = np.array([u in index.user_pos for u in users])
    rows = np.array([index.user_pos[u] for u in users[known]], dtype=int)
    top, scores = recommend(model, X, rows, k)
    out = [
        pd.DataFrame(
            {"user_id": np.repeat(users[known], k), "item_id": index.items[top.ravel()], "score": scores.ravel()}
        )
    ]
    if (~known).any():  # cold-start users: no history, so the most popular films
        pop = np.argsort(-Popularity().fit(X).counts_, kind="stable")[:k]
        cold = users[~known]
        out.append(
            pd.DataFrame(
                {
                    "user_id": np.repeat(cold, k),
                    "item_id": np.tile(index.items[pop], len(cold)),
                    "score": np.tile(np.arange(k, 0, -1, dtype=float), len(cold)),
                }
            )
        )
    preds = pd.concat(out, ignore_index=True)
    PREDICTIONS.mkdir(parents=True, exist_ok=True)
    preds.round({"score": 6}).to_csv(PREDICTIONS / "predictions.csv", index=False)
    print(f"recommend: {k} films for each of {len(users)} users ({int((~known).sum())} cold start)")


if __name__ == "__main__":
    main()
