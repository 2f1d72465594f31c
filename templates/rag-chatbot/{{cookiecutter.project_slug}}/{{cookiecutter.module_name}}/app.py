"""The chat service: FastAPI over the RAG chain.

    uvicorn {{ cookiecutter.module_name }}.app:app --port 8000

* ``GET /health`` -- ready or not, and what it runs (retriever, embedder, generator, chunks);
* ``POST /ask`` ``{"question": "...", "top_k": 3}`` -- the whole answer with its citations;
* ``POST /ask/stream`` -- the same as server-sent events: one ``citations`` event, then ``token``
  events as the answer is generated, then ``done`` (or ``error``).

The chain (index, embedder, generator) is loaded on the first request, not at import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.rag import RAG


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=1000)
    top_k: int | None = Field(default=None, ge=1, le=20)


class Citation(BaseModel):
    n: int
    chunk_id: str
    doc_id: str
    title: str
    text: str
    score: float


class Answer(BaseModel):
    answer: str
    citations: list[Citation]
    generator: str


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _citations(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = Citation.model_fields
    return [{k: p[k] for k in keys} for p in passages]


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
        dense = chain.retriever.dense
        return {
            "status": "ok",
            "chunks": len(chain.retriever.chunks),
            "retriever": chain.retriever.mode,
            "embedder": dense.embedder.name if dense else None,
            "generator": chain.generator.name,
        }

    @app.post("/ask", response_model=Answer)
    def ask(q: Question) -> dict[str, Any]:
        out = rag().ask(q.question, q.top_k)
        return {**out, "citations": _citations(out["citations"])}

    @app.post("/ask/stream")
    def ask_stream(q: Question) -> StreamingResponse:
        passages, pieces = rag().stream(q.question, q.top_k)

        def events() -> Iterator[str]:
            yield _sse("citations", _citations(passages))
            try:
                for piece in pieces:
                    yield _sse("token", {"text": piece})
            except Exception as exc:  # the generator's endpoint failed mid-answer: tell the client
                yield _sse("error", {"detail": f"{type(exc).__name__}: {exc}"})
                return
            yield _sse("done", {})

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


app = create_app()
