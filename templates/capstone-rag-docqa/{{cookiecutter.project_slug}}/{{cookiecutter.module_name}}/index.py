"""Stage `index`: chunk vectors into a persistent Chroma collection, behind a small `VectorStore` interface.

Everything above this module talks to a `VectorStore` (add / query / all / count), never to Chroma: a
hosted vector database (Pinecone, Qdrant, pgvector, ...) is one more class with these four methods and a
``index.backend`` value. Chroma is given our own vectors (``embedding_function=None``), so it never tries
to download a model; each chunk is stored with its text and metadata, so the service needs only the index.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.config import CHUNKS, REPORTS, VECTORS, load_params, resolve, write_json

COLLECTION = "chunks"
META = ("doc_id", "section_id", "source", "page", "title", "section", "version")


class VectorStore(Protocol):
    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict[str, Any]]) -> None: ...

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...

    def all(self) -> tuple[pd.DataFrame, np.ndarray]: ...

    def count(self) -> int: ...


class ChromaStore:
    """Chroma's embedded persistent client (one SQLite file + HNSW segments under `path`), cosine distance."""

    def __init__(self, path: Path, create: bool = False, embedder: str = "") -> None:
        import chromadb
        from chromadb.config import Settings

        if create and path.exists():
            shutil.rmtree(path)
        if not create and not path.exists():
            raise FileNotFoundError(f"no index at {path}: run `dvc repro index` first")
        self.client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
        if create:
            self.collection = self.client.create_collection(
                COLLECTION,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "hnsw:num_threads": 1, "embedder": embedder},
            )
        else:
            self.collection = self.client.get_collection(COLLECTION, embedding_function=None)
        self.embedder = (self.collection.metadata or {}).get("embedder", "")

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        for lo in range(0, len(ids), 1000):
            hi = lo + 1000
            self.collection.add(
                ids=ids[lo:hi],
                embeddings=vectors[lo:hi].tolist(),
                documents=texts[lo:hi],
                metadatas=[{"pos": lo + i, **m} for i, m in enumerate(metadatas[lo:hi])],
            )

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = min(max(4 * k, 40), self.count())  # HNSW is approximate: ask for more, keep the k nearest
        res = self.collection.query(query_embeddings=[np.asarray(vector).tolist()], n_results=n, include=["distances"])
        hits = [(cid, round(1.0 - float(d), 6)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        return sorted(hits, key=lambda h: (-h[1], h[0]))[:k]

    def all(self) -> tuple[pd.DataFrame, np.ndarray]:
        got = self.collection.get(include=["documents", "metadatas", "embeddings"])
        table = pd.DataFrame(
            [
                {"chunk_id": cid, "text": text, **meta}
                for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
        )
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        order = np.argsort(table["pos"].to_numpy(), kind="stable")
        return table.iloc[order].drop(columns="pos").reset_index(drop=True), vectors[order]

    def count(self) -> int:
        return int(self.collection.count())


def open_store(params: dict[str, Any], create: bool = False, embedder: str = "") -> VectorStore:
    cfg = params["index"]
    if cfg.get("backend", "chroma") != "chroma":
        raise ValueError(f"index.backend {cfg['backend']!r} is not implemented here (chroma)")
    return ChromaStore(resolve(cfg["path"]), create=create, embedder=embedder)


def main() -> None:
    import json

    params = load_params()
    chunks = pd.read_csv(CHUNKS, keep_default_na=False)
    vectors = np.load(VECTORS)
    embedder = json.loads((REPORTS / "embed.json").read_text())["embedder"]
    store = open_store(params, create=True, embedder=embedder)
    store.add(
        chunks["chunk_id"].tolist(),
        vectors,
        chunks["text"].tolist(),
        [{c: str(row[c]) for c in META} for _, row in chunks.iterrows()],
    )
    info = {
        "backend": params["index"].get("backend", "chroma"),
        "chunks": store.count(),
        "embedder": embedder,
        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
    }
    write_json(REPORTS / "index_info.json", info)
    print(f"index: {info['chunks']} chunks in {info['backend']} ({embedder})")


if __name__ == "__main__":
    main()
