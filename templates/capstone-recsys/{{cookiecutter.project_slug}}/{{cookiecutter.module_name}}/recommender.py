"""Top-k recommendations from a Ranker and the online store: shared by the recommend stage and the service."""

from __future__ import annotations

from typing import Any

import numpy as np

from .models import Ranker


class Recommender:
    def __init__(self, ranker: Ranker, store: Any):
        self.ranker, self.store = ranker, store
        self.user_pos = {int(u): i for i, u in enumerate(ranker.user_ids)}

    def recommend(self, user_id: int, k: int = 10) -> dict[str, Any]:
        """The k best unseen items; an unknown user (no features, no vector) gets the most popular items."""
        features = self.store.get(int(user_id))
        pos = self.user_pos.get(int(user_id))
        seen = set((features or {}).get("seen_items", []))
        if features is None or pos is None:
            items = [int(i) for i in self.ranker.popular if int(i) not in seen][:k]
            return {
                "user_id": int(user_id),
                "strategy": "popular",
                "items": items,
                "scores": [float(k - r) for r in range(len(items))],
            }
        scores = self.ranker.V @ self.ranker.U[pos]
        if seen:
            mask = np.isin(self.ranker.item_ids, list(seen))
            scores = np.where(mask, -np.inf, scores)
        top = np.argsort(-scores, kind="stable")[:k]
        return {
            "user_id": int(user_id),
            "strategy": "model",
            "items": [int(i) for i in self.ranker.item_ids[top]],
            "scores": [round(float(s), 6) for s in scores[top]],
        }
