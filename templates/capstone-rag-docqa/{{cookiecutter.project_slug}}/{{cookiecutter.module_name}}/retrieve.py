"""Retrieval (BM25, dense, hybrid with reciprocal-rank fusion, a rerank step) and the `retrieve` stage.

`Retriever.search(question, k)` is the one interface the answer step, the service and the LangChain
adapter (langchain_retriever.py) use. ``retrieve.mode``: ``bm25`` | ``dense`` | ``hybrid``;
``retrieve.rerank``: ``none`` | ``overlap`` (re-score the fused candidates by the question's cosine to
the chunk plus ``rerank_weight`` × the share of the question's content words the chunk's title, section
and text contain; the result is on one scale for every question, which is what abstention thresholds
need). The stage writes data/processed/retrieved.jsonl: the ranked hits of every development and hidden
question. A question longer than ``retrieve.max_question_chars`` is not searched: one line, and it is
counted as a failure.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import QA, QUESTIONS, RETRIEVED, load_params, set_threads, write_jsonl
from {{ cookiecutter.module_name }}.text import content_tokens


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float


class QuestionError(ValueError):
    """A question the retriever refuses (the message is one line)."""


class BM25:
    """Okapi BM25 over tokenised chunks (k1: term-frequency saturation, b: length normalisation)."""

    def __init__(self, ids: list[str], texts: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.ids, self.k1, self.b = ids, k1, b
        self.docs = [Counter(content_tokens(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(len(self.lengths), 1)
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, query: str, k: int) -> list[Hit]:
        q = content_tokens(query)
        scores = []
        for cid, d, length in zip(self.ids, self.docs, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg or 1))
            s = sum(self.idf[t] * d[t] * (self.k1 + 1) / (d[t] + norm) for t in q if d.get(t))
            if s > 0:
                scores.append((s, cid))
        scores.sort(key=lambda x: (-x[0], x[1]))
        return [Hit(cid, round(s, 6)) for s, cid in scores[:k]]


def rrf(rankings: list[list[Hit]], k: int = 60) -> list[Hit]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank(d)), rank from 1."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, 1):
            fused[hit.chunk_id] = fused.get(hit.chunk_id, 0.0) + 1.0 / (k + rank)
    return [Hit(cid, round(s, 6)) for cid, s in sorted(fused.items(), key=lambda x: (-x[1], x[0]))]


def coverage(question: str, text: str) -> float:
    want = set(content_tokens(question))
    return len(want & set(content_tokens(text))) / len(want) if want else 0.0


class Retriever:
    """The configured retriever over a vector store (and the chunk table read back from it)."""

    def __init__(self, params: dict[str, Any], store: Any = None, embedder: Any = None) -> None:
        from {{ cookiecutter.module_name }}.embed import get_embedder
        from {{ cookiecutter.module_name }}.index import open_store

        cfg = params["retrieve"]
        self.mode, self.rerank = cfg["mode"], cfg.get("rerank", "none")
        if self.mode not in ("bm25", "dense", "hybrid"):
            raise ValueError(f"retrieve.mode must be bm25, dense or hybrid, not {self.mode!r}")
        if self.rerank not in ("none", "overlap"):
            raise ValueError(f"retrieve.rerank must be none or overlap, not {self.rerank!r}")
        self.top_k, self.candidates = int(cfg["top_k"]), int(cfg["candidates"])
        self.rrf_k, self.weight = int(cfg["rrf_k"]), float(cfg.get("rerank_weight", 0.5))
        self.max_chars = int(cfg.get("max_question_chars", 2000))
        self.store = store or open_store(params)
        self.chunks, self.vectors = self.store.all()
        self.by_id = {r["chunk_id"]: r for r in self.chunks.to_dict("records")}
        self.pos = {cid: i for i, cid in enumerate(self.chunks["chunk_id"])}
        self.bm25 = BM25(
            self.chunks["chunk_id"].tolist(),
            self.chunks["text"].tolist(),
            float(cfg["bm25"]["k1"]),
            float(cfg["bm25"]["b"]),
        )
        built = getattr(self.store, "embedder", "")
        self.embedder = embedder or get_embedder(params)
        if built and built != self.embedder.name:
            raise ValueError(
                f"the index was built with {built!r} but the configured embedder is "
                f"{self.embedder.name!r}: re-run `dvc repro`"
            )

    def check(self, question: str) -> str:
        question = " ".join(str(question).split())
        if not question:
            raise QuestionError("empty question")
        if len(question) > self.max_chars:
            raise QuestionError(
                f"question of {len(question)} characters (retrieve.max_question_chars: {self.max_chars}); not searched"
            )
        return question

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        question = self.check(question)
        k = k or self.top_k
        n = max(k, self.candidates)
        qvec = self.embedder.encode([question])[0]
        dense = [Hit(cid, s) for cid, s in self.store.query(qvec, n)] if self.mode != "bm25" else []
        if self.mode == "dense":
            fused = dense
        elif self.mode == "bm25":
            fused = self.bm25.search(question, n)
        else:
            fused = rrf([self.bm25.search(question, n), dense], self.rrf_k)[:n]
        if self.rerank == "overlap":
            fused = self.rescore(question, qvec, fused)
        elif self.mode != "dense":  # BM25 and RRF scores mean nothing across questions: report the cosine
            fused = [Hit(h.chunk_id, self.cosine(qvec, h.chunk_id)) for h in fused]
        return fused[:k]

    def cosine(self, qvec: np.ndarray, chunk_id: str) -> float:
        return round(float(np.dot(self.vectors[self.pos[chunk_id]], qvec)), 6)

    def rescore(self, question: str, qvec: np.ndarray, hits: list[Hit]) -> list[Hit]:
        scored = []
        for h in hits:
            c = self.by_id[h.chunk_id]
            lexical = coverage(question, f"{c['title']} {c['section']} {c['text']}")
            scored.append(Hit(h.chunk_id, round(self.cosine(qvec, h.chunk_id) + self.weight * lexical, 6)))
        return sorted(scored, key=lambda h: (-h.score, h.chunk_id))

    def chunk(self, chunk_id: str) -> dict[str, Any]:
        return dict(self.by_id[chunk_id])


def retrieve_all(retriever: Retriever, sets: dict[str, pd.DataFrame]) -> tuple[list[dict[str, Any]], list[str]]:
    rows, issues = [], []
    for name, table in sets.items():
        for q in table.itertuples(index=False):
            t0 = time.perf_counter()
            try:
                hits, error = retriever.search(q.question), None
            except QuestionError as exc:
                hits, error = [], str(exc)
                issues.append(f"{name} question {q.id}: {exc}")
            rows.append(
                {
                    "set": name,
                    "id": q.id,
                    "question": str(q.question)[:500],
                    "error": error,
                    "hits": [{"chunk_id": h.chunk_id, "score": h.score} for h in hits],
                    "ms": round(1000 * (time.perf_counter() - t0), 1),
                }
            )
    return rows, issues


def main() -> None:
    params = load_params()
    set_threads(int(params.get("threads", 1)))
    sets = {"dev": pd.read_csv(QA, keep_default_na=False), "hidden": pd.read_csv(QUESTIONS, keep_default_na=False)}
    rows, issues = retrieve_all(Retriever(params), sets)
    for line in issues:
        print(f"retrieve: {line}")
    write_jsonl(RETRIEVED, [{k: v for k, v in r.items() if k != "ms"} for r in rows])
    print(
        f"retrieve: {len(rows)} questions ({len(issues)} refused), mode {params['retrieve']['mode']}, "
        f"rerank {params['retrieve'].get('rerank', 'none')}"
    )


if __name__ == "__main__":
    main()
