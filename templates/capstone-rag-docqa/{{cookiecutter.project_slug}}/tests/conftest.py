"""Shared fixtures: the shipped documents ingested, chunked and indexed in a temporary folder.

The tests never depend on `dvc repro` having run: they build their own index with the hashing embedder
(instant, no model), so they check the code, not yesterday's outputs.
"""

from __future__ import annotations

import copy
import re

import pytest

from {{ cookiecutter.module_name }}.chunk import chunk_sections
from {{ cookiecutter.module_name }}.config import DOCS, load_params
from {{ cookiecutter.module_name }}.embed import HashingEmbedder
from {{ cookiecutter.module_name }}.index import META, ChromaStore
from {{ cookiecutter.module_name }}.ingest import ingest


@pytest.fixture(scope="session")
def params(tmp_path_factory):
    p = copy.deepcopy(load_params())
    p["ingest"]["tables"] = "rows"
    p["chunk"].update(title_prefix=True, dedupe=True, drop_superseded=True)
    p["embed"]["model"] = "hashing"
    p["retrieve"].update(mode="hybrid", rerank="overlap")
    p["answer"].update(backend="extractive", min_score=0.3)
    p["index"]["path"] = str(tmp_path_factory.mktemp("index") / "chroma")
    p["service"]["trace"] = False
    return p


@pytest.fixture(scope="session")
def ingested(params):
    return ingest(DOCS, params)


@pytest.fixture(scope="session")
def chunks(params, ingested):
    table, _ = chunk_sections(ingested[0], params)
    from pathlib import Path

    store = ChromaStore(Path(params["index"]["path"]), create=True, embedder="hashing")
    store.add(
        table["chunk_id"].tolist(),
        HashingEmbedder(int(params["embed"]["dim"])).encode(table["text"].tolist()),
        table["text"].tolist(),
        [{c: str(row[c]) for c in META} for _, row in table.iterrows()],
    )
    return table


@pytest.fixture(scope="session")
def unnumbered():
    """A section id without a course's section number: "api-reference/7-2-rate-limits" -> "api-reference/rate-limits"
    (a course numbers its documents' sections; the practice documents are not numbered)."""
    return lambda section_id: re.sub(r"/[0-9]+-[0-9]+-", "/", section_id, count=1)
