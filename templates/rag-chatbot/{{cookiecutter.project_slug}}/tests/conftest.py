"""Shared fixtures: a small index built from the shipped documents, in a temporary folder.

The tests never depend on `dvc repro` having run: they chunk and index the corpus themselves with the
hashing embedder (instant), so they check the code, not yesterday's outputs.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.chunk import chunk_documents, read_docs
from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.index import build


@pytest.fixture(scope="session")
def params(tmp_path_factory):
    p = copy.deepcopy(load_params())
    p["embed"]["model"] = "hashing"
    p["retrieve"]["mode"] = "hybrid"
    p["generate"]["backend"] = "extractive"
    p["index"]["path"] = str(tmp_path_factory.mktemp("index") / "chroma")
    return p


@pytest.fixture(scope="session")
def chunks(params):
    _, table = chunk_documents(read_docs(), params)
    build(table, params, Path(params["index"]["path"]))
    return table
