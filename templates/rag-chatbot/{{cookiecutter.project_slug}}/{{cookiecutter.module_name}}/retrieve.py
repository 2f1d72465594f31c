"""Retrieval: BM25 (lexical), dense (Chroma nearest neighbours) and hybrid (both, fused by RRF).

`retrieve.mode` in params.yaml picks one. Every retriever returns a ranked list of Hit(chunk_id, score).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import index_path
from {{ cookiecutter.module_name }}.index import load_chunks
from {{ cookiecutter.module_name }}.text import content_tokens


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float


class BM25:
    """Okapi BM25 over tokenised chunks (k1: term-frequency saturation, b: length normalisation)."""

    def __init__(self, ids: list[str], texts: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.ids = ids
        self.k1, self.b = k1, b
        self.docs = [Counter(content_tokens(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(len(self.lengths), 1)
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        q = content_tokens(query)
        out = []
        for d, length in zip(self.docs, self.lengths, strict=True):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg or 1))
            for t in q:
                tf = d.get(t, 0)
                if tf:
                    s += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out.append(s)
        return out

    def search(self, query: str, k: int) -> list[Hit]:
        scored = sorted(zip(self.scores(query), self.ids, strict=True), key=lambda x: (-x[0], x[1]))
        return [Hit(cid, s) for s, cid in scored[:k] if s > 0]


def rrf(rankings: list[list[Hit]], k: int = 60) -> list[Hit]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank(d)), rank from 1."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, 1):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + 1.0 / (k + rank)
    return [Hit(cid, s) for cid, s in sorted(fused.items(), key=lambda x: (-x[1], x[0]))]


class DenseIndex:
    """Nearest chunks by cosine similarity, from the Chroma collection the `index` stage built."""

    def __init__(self, params: dict[str, Any]) -> None:
        from {{ cookiecutter.module_name }}.embed import get_embedder
        from {{ cookiecutter.module_name }}.index import COLLECTION, reader

        self.collection = reader(index_path(params)).get_collection(COLLECTION, embedding_function=None)
        built_with = (self.collection.metadata or {}).get("embedder")
        if built_with != params["embed"]["model"]:  # checked before loading a model for nothing
            raise ValueError(
                f"the index was built with {built_with!r} but embed.model is "
                f"{params['embed']['model']!r}: re-run `dvc repro`"
            )
        self.embedder = get_embedder(params)

    def search(self, query: str, k: int) -> list[Hit]:
        vec = self.embedder.encode([query])[0].tolist()
        # HNSW search is approximate: ask for more than k, keep the k nearest, ties in a fixed order.
        n = min(max(4 * k, 40), self.collection.count())
        res = self.collection.query(query_embeddings=[vec], n_results=n, include=["distances"])
        hits = [Hit(cid, round(1.0 - float(d), 5)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        return sorted(hits, key=lambda h: (-h.score, h.chunk_id))[:k]


class Retriever:
    """The configured retriever over the chunk table (read from the index unless given); `search` -> top_k hits."""

    def __init__(self, params: dict[str, Any], chunks: pd.DataFrame | None = None) -> None:
        cfg = params["retrieve"]
        self.mode = cfg["mode"]
        if self.mode not in ("bm25", "dense", "hybrid"):
            raise ValueError(f"retrieve.mode must be bm25, dense or hybrid, not {self.mode!r}")
        self.top_k = int(cfg["top_k"])
        self.candidates = int(cfg.get("candidates", 20))
        self.rrf_k = int(cfg.get("rrf_k", 60))
        self.chunks = chunks if chunks is not None else load_chunks(index_path(params))
        self.by_id = self.chunks.set_index("chunk_id").to_dict("index")
        self.bm25 = (
            BM25(
                self.chunks["chunk_id"].tolist(),
                self.chunks["text"].tolist(),
                k1=float(cfg["bm25"]["k1"]),
                b=float(cfg["bm25"]["b"]),
            )
            if self.mode != "dense"
            else None
        )
        self.dense = DenseIndex(params) if self.mode != "bm25" else None

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.top_k
        n = max(k, self.candidates)
        if self.mode == "bm25":
            return self.bm25.search(query, k)
        if self.mode == "dense":
            return self.dense.search(query, k)
        return rrf([self.bm25.search(query, n), self.dense.search(query, n)], self.rrf_k)[:k]

    def chunk(self, chunk_id: str) -> dict[str, Any]:
        return {"chunk_id": chunk_id, **self.by_id[chunk_id]}
