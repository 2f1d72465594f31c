"""The real FastAPI app, called over HTTP with TestClient (httpx): health, answers, streaming."""

import json
import re

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.app import create_app
from {{ cookiecutter.module_name }}.generate import EXTRACTIVE_NOTE

QUESTION = "How long is the warranty on the Harbor Lock?"


@pytest.fixture(scope="module")
def client(params, chunks):
    with TestClient(create_app(params)) as c:
        yield c


def events(body: str) -> list[tuple[str, object]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_health_reports_what_it_runs(client, chunks):
    body = client.get("/health").json()
    assert body == {
        "status": "ok",
        "chunks": len(chunks),
        "retriever": "hybrid",
        "embedder": "hashing",
        "generator": "extractive",
    }


def test_ask_answers_with_citations_it_can_back(client):
    res = client.post("/ask", json={"question": QUESTION, "top_k": 3})
    assert res.status_code == 200
    body = res.json()
    assert body["generator"] == "extractive" and body["answer"].startswith(EXTRACTIVE_NOTE)
    assert [c["n"] for c in body["citations"]] == [1, 2, 3]
    for quote, n in re.findall(r'"(.+?)" \[(\d+)\]', body["answer"]):
        assert quote in body["citations"][int(n) - 1]["text"]  # extractive: every quote is in its source


def test_ask_stream_sends_citations_then_tokens_then_done(client):
    with client.stream("POST", "/ask/stream", json={"question": QUESTION, "top_k": 3}) as res:
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        body = "".join(res.iter_text())
    got = events(body)
    kinds = [k for k, _ in got]
    assert kinds[0] == "citations" and kinds[-1] == "done" and set(kinds[1:-1]) == {"token"} and len(kinds) > 3
    streamed = "".join(d["text"] for k, d in got if k == "token")
    assert streamed == client.post("/ask", json={"question": QUESTION, "top_k": 3}).json()["answer"]


def test_bad_requests_are_rejected(client):
    assert client.post("/ask", json={"question": ""}).status_code == 422
    assert client.post("/ask", json={"question": "hi", "top_k": 0}).status_code == 422
