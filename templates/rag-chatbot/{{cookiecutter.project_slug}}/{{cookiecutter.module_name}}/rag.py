"""The RAG chain: question -> retrieved passages -> generated answer with numbered citations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.generate import Generator, get_generator
from {{ cookiecutter.module_name }}.retrieve import Retriever


class RAG:
    def __init__(self, retriever: Retriever, generator: Generator) -> None:
        self.retriever = retriever
        self.generator = generator

    @classmethod
    def from_params(cls, params: dict[str, Any] | None = None) -> RAG:
        params = params or load_params()
        return cls(Retriever(params), get_generator(params))

    def passages(self, question: str, top_k: int | None = None) -> list[dict[str, Any]]:
        hits = self.retriever.search(question, top_k)
        return [{"n": i, "score": round(h.score, 6), **self.retriever.chunk(h.chunk_id)} for i, h in enumerate(hits, 1)]

    def stream(self, question: str, top_k: int | None = None) -> tuple[list[dict[str, Any]], Iterator[str]]:
        """The citations (known before the first token) and an iterator over the answer's text pieces."""
        passages = self.passages(question, top_k)
        return passages, self.generator.stream(question, passages)

    def ask(self, question: str, top_k: int | None = None) -> dict[str, Any]:
        passages, pieces = self.stream(question, top_k)
        return {"answer": "".join(pieces), "citations": passages, "generator": self.generator.name}
