"""The chain the service runs: question -> retrieval -> (abstain | generate) -> answer with citations, traced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from {{ cookiecutter.module_name }}.answer import ABSTAIN, GenerationError, Generator, cited, get_generator
from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.retrieve import Retriever
from {{ cookiecutter.module_name }}.tracing import Tracer


class RAG:
    def __init__(self, retriever: Retriever, generator: Generator, min_score: float, tracer: Tracer | None = None):
        self.retriever, self.generator, self.min_score = retriever, generator, min_score
        self.tracer = tracer or Tracer({})

    @classmethod
    def from_params(cls, params: dict[str, Any] | None = None) -> RAG:
        params = params or load_params()
        return cls(Retriever(params), get_generator(params), float(params["answer"]["min_score"]), Tracer(params))

    def passages(self, question: str) -> list[dict[str, Any]]:
        hits = self.retriever.search(question)
        return [{"n": i, "score": h.score, **self.retriever.chunk(h.chunk_id)} for i, h in enumerate(hits, 1)]

    def stream(self, question: str) -> tuple[list[dict[str, Any]], Iterator[str]]:
        """The passages it will cite (known before the first token; none when it abstains) and the answer's
        text pieces. The exchange is traced when the answer is complete (or failed): one trace with a
        retrieval span (hits, scores, ms) and a generation span (answer, citations, ms)."""
        t0 = time.perf_counter()
        passages = self.passages(question)
        retrieve_ms = 1000 * (time.perf_counter() - t0)
        top = max((p["score"] for p in passages), default=0.0)
        weak = not passages or top < self.min_score

        def pieces() -> Iterator[str]:
            text, error, t1 = [], None, time.perf_counter()
            try:
                if weak:
                    text.append(ABSTAIN)
                    yield ABSTAIN
                    return
                for piece in self.generator.stream(question, passages):
                    text.append(piece)
                    yield piece
            except GenerationError as exc:
                error = str(exc)
                raise
            finally:
                self._trace(
                    question, passages, "".join(text), weak, error, retrieve_ms, 1000 * (time.perf_counter() - t1)
                )

        return ([] if weak else passages), pieces()

    def _trace(
        self,
        question: str,
        passages: list[dict[str, Any]],
        answer: str,
        weak: bool,
        error: str | None,
        retrieve_ms: float,
        generate_ms: float,
    ) -> None:
        abstained = weak or answer == ABSTAIN or not cited(answer, passages)
        with self.tracer.span("answer", {"question": question}) as root:
            with self.tracer.span("retrieve", {"question": question, "mode": self.retriever.mode}, "RETRIEVER") as s:
                s.set_outputs(
                    [{"chunk_id": p["chunk_id"], "section_id": p["section_id"], "score": p["score"]} for p in passages]
                )
                s.set_attributes(
                    {"ms": round(retrieve_ms, 2), "top_score": max((p["score"] for p in passages), default=0.0)}
                )
            with self.tracer.span("generate", {"generator": self.generator.name, "abstain": weak}, "LLM") as g:
                g.set_outputs({"answer": answer, "error": error})
                g.set_attributes({"ms": round(generate_ms, 2)})
            root.set_outputs(
                {
                    "answer": answer,
                    "abstained": abstained,
                    "error": error,
                    "citations": [] if abstained else cited(answer, passages),
                }
            )

    def ask(self, question: str) -> dict[str, Any]:
        passages, pieces = self.stream(question)
        text = "".join(pieces)
        abstained = text == ABSTAIN or not cited(text, passages)
        return {
            "answer": text,
            "citations": [] if abstained else passages,
            "abstained": abstained,
            "generator": self.generator.name,
        }
