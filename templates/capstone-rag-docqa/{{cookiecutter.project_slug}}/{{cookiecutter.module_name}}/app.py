"""The question-answering service: FastAPI over the chain (rag.py), every answer traced with MLflow.

    uvicorn {{ cookiecutter.module_name }}.app:app --port 8080

* ``GET /health`` -- what it runs (retriever, embedder, generator, chunks);
* ``POST /ask`` ``{"question": "..."}`` -- the answer with its citations, or an abstention;
* ``POST /ask/stream`` -- server-sent events: ``citations`` first (the passages, before any token),
  then ``token`` events, then ``done`` (``{"abstained": ...}``), or ``error`` with one line when the
  generator's endpoint fails.

Questions are 1 to 2,000 characters (a longer one is refused with 422 and says so). The chain is built
on the first request, not at import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from {{ cookiecutter.module_name }}.answer import ABSTAIN, GenerationError
from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.rag import RAG

MAX_CHARS = 2000


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_CHARS)


class Citation(BaseModel):
    n: int
    chunk_id: str
    section_id: str
    source: str
    page: str
    title: str
    section: str
    text: str
    score: float


class Answer(BaseModel):
    answer: str
    citations: list[Citation]
    abstained: bool
    generator: str


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _citations(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (str(p[k]) if k == "page" else p[k]) for k in Citation.model_fields} for p in passages]


def create_app(params: dict[str, Any] | None = None) -> FastAPI:
    app = FastAPI(title="{{ cookiecutter.project_name }}", version="0.1.0")
    state: dict[str, RAG] = {}

    def rag() -> RAG:
        if "rag" not in state:
            try:
                state["rag"] = RAG.from_params(params or load_params())
            except FileNotFoundError as exc:
                raise HTTPException(status_code=503, detail=str(exc)) from exc
        return state["rag"]

    @app.get("/health")
    def health() -> dict[str, Any]:
        chain = rag()
        return {
            "status": "ok",
            "chunks": len(chain.retriever.chunks),
            "retriever": chain.retriever.mode,
            "rerank": chain.retriever.rerank,
            "embedder": chain.retriever.embedder.name,
            "generator": chain.generator.name,
            "tracing": chain.tracer.enabled,
        }

    @app.post("/ask", response_model=Answer)
    def ask(q: Question) -> dict[str, Any]:
        try:
            out = rag().ask(q.question)
        except GenerationError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        return {**out, "citations": _citations(out["citations"])}

    @app.post("/ask/stream")
    def ask_stream(q: Question) -> StreamingResponse:
        passages, pieces = rag().stream(q.question)

        def events() -> Iterator[str]:
            yield _sse("citations", _citations(passages))
            text = []
            try:
                for piece in pieces:
                    text.append(piece)
                    yield _sse("token", {"text": piece})
            except GenerationError as exc:
                yield _sse("error", {"detail": str(exc)})
                return
            yield _sse("done", {"abstained": "".join(text) == ABSTAIN})

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


app = create_app()
