"""The recommendation service (FastAPI).

    uvicorn {{ cookiecutter.module_name }}.service:app --port 8000
    curl localhost:8000/recommend/42?k=10

``GET /recommend/{user_id}?k=10`` reads the user's features from the online store, scores the catalogue with
the model artifact (models/ranker.npz) and answers the k best unseen items; an unknown user gets the most
popular items (cold start). Answers are cached (``cached: true`` on a hit). ``GET /health`` says what is loaded.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Query

from .cache import make_cache
from .config import FEATURES, MODELS, load_params
from .models import Ranker
from .recommender import Recommender
from .store import open_store


def create_app(recommender: Recommender | None = None, cache: Any = None) -> FastAPI:
    app = FastAPI(title="{{ cookiecutter.project_name }}")
    state: dict[str, Any] = {"recommender": recommender, "cache": cache}

    def get_recommender() -> Recommender:
        if state["recommender"] is None:
            path = MODELS / "ranker.npz"
            if not path.is_file():
                raise HTTPException(503, "no model: run `dvc repro` first")
            state["recommender"] = Recommender(Ranker.load(path), open_store(FEATURES / "online.db"))
        return state["recommender"]

    def get_cache():
        if state["cache"] is None:
            cfg = load_params()["service"]
            state["cache"] = make_cache(int(cfg["cache_size"]), float(cfg["cache_ttl_seconds"]))
        return state["cache"]

    @app.get("/health")
    def health() -> dict[str, Any]:
        rec = get_recommender()
        return {
            "status": "ok",
            "users": len(rec.ranker.user_ids),
            "items": len(rec.ranker.item_ids),
            "store": type(rec.store).__name__,
            "cache": type(get_cache()).__name__,
        }

    @app.get("/recommend/{user_id}")
    def recommend(user_id: int, k: int = Query(10, ge=1, le=100)) -> dict[str, Any]:
        cache, key = get_cache(), f"{user_id}:{k}"
        hit = cache.get(key)
        if hit is not None:
            return {**hit, "cached": True}
        out = get_recommender().recommend(user_id, k)
        cache.set(key, out)
        return {**out, "cached": False}

    return app


app = create_app()
