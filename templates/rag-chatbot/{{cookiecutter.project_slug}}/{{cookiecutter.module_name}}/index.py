"""Stage `index`: embed every chunk and store it in an embedded Chroma database on disk.

The database lives in `index.path` (data/index/chroma by default; a DVC output, ignored by git). Each
chunk is stored with its text and ids, so the service needs nothing but the index. Chroma
is told nothing about how to embed (``embedding_function=None``): we pass our own vectors, so it never
tries to download a model.

Readers (`evaluate`, `predict`, the service) open a private copy of the index (`reader`): Chroma writes into
the directory it opens -- its SQLite state, on open and on queries -- and the index is a DVC output, so reading
it in place would make DVC see it modified and re-run `index` and every stage after it on the next `dvc repro`.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }}.config import CHUNKS, REPORTS, index_path, load_params, set_threads

COLLECTION = "chunks"
META = ("doc_id", "section_id", "title", "section")  # stored beside each chunk: the index is self-contained


def client(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


_READERS: dict[tuple[str, int, int], Any] = {}


def reader(path: Path) -> Any:
    """A client on a private copy of the index at ``path``, made once per process and per build of the index
    (removed at exit): what a reader does to it never touches the DVC output."""
    db = path / "chroma.sqlite3"
    if not db.is_file():
        raise FileNotFoundError(f"no index at {path}: run `dvc repro index` first")
    st = db.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _READERS:
        tmp = tempfile.mkdtemp(prefix="chroma-read-")
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        shutil.copytree(path, Path(tmp) / "chroma")
        _READERS[key] = client(Path(tmp) / "chroma")
    return _READERS[key]


def load_chunks(path: Path) -> pd.DataFrame:
    """The chunk table back from the index (in the order it was built), so serving needs only the index."""
    got = reader(path).get_collection(COLLECTION, embedding_function=None).get(include=["documents", "metadatas"])
    rows = [
        {"chunk_id": cid, "text": text, **meta}
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    ]
    table = pd.DataFrame(rows, columns=["chunk_id", "text", "pos", *META]).sort_values("pos")
    return table.drop(columns="pos").reset_index(drop=True)


def build(chunks: pd.DataFrame, params: dict[str, Any], path: Path) -> dict[str, Any]:
    from {{ cookiecutter.module_name }}.embed import get_embedder

    t0 = time.perf_counter()
    embedder = get_embedder(params)
    loaded = time.perf_counter()
    vectors = embedder.encode(chunks["text"].tolist())
    encoded = time.perf_counter()
    if path.exists():
        shutil.rmtree(path)
    collection = client(path).create_collection(
        COLLECTION,
        embedding_function=None,
        metadata={
            "hnsw:space": "cosine",
            "hnsw:construction_ef": 200,
            "hnsw:search_ef": 100,
            "hnsw:num_threads": 1,
            "embedder": embedder.name,
            "dim": int(embedder.dim),
        },
    )
    batch = 1000
    for i in range(0, len(chunks), batch):
        part = chunks.iloc[i : i + batch]
        meta = [{"pos": i + j, **{c: str(row[c]) for c in META}} for j, (_, row) in enumerate(part.iterrows())]
        collection.add(
            ids=part["chunk_id"].tolist(),
            embeddings=vectors[i : i + batch].tolist(),
            documents=part["text"].tolist(),
            metadatas=meta,
        )
    return {
        "embedder": embedder.name,
        "dim": int(embedder.dim),
        "chunks": len(chunks),
        "load_seconds": round(loaded - t0, 3),
        "encode_seconds": round(encoded - loaded, 3),
    }


def main() -> None:
    params = load_params()
    set_threads(int(params.get("threads", 2)))
    chunks = pd.read_csv(CHUNKS, keep_default_na=False)
    info = build(chunks, params, index_path(params))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "index_info.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"index: {info['chunks']} chunks embedded with {info['embedder']} ({info['dim']} dims)")


if __name__ == "__main__":
    main()
