"""The real FastAPI app over HTTP (TestClient, httpx): health, answers, streaming, limits, and MLflow traces."""

import json

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.app import create_app

QUESTION = "How many requests per minute does the Standard API tier allow?"


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


def test_health_says_what_it_runs(client, chunks):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["chunks"] == len(chunks)
    assert (body["retriever"], body["rerank"], body["embedder"], body["generator"]) == (
        "hybrid",
        "overlap",
        "hashing",
        "extractive",
    )


def test_ask_answers_with_citations_it_can_back(client, unnumbered):
    body = client.post("/ask", json={"question": QUESTION}).json()
    assert not body["abstained"] and unnumbered(body["citations"][0]["section_id"]) == "api-reference/rate-limits"
    n = int(body["answer"].rsplit("[", 1)[1].rstrip("]"))
    assert body["answer"].rsplit(" [", 1)[0] in body["citations"][n - 1]["text"]


def test_ask_stream_sends_citations_then_tokens_then_done(client):
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as res:
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        body = "".join(res.iter_text())
    got = events(body)
    kinds = [k for k, _ in got]
    assert kinds[0] == "citations" and got[0][1] and kinds[-1] == "done" and set(kinds[1:-1]) == {"token"}
    whole = client.post("/ask", json={"question": QUESTION}).json()["answer"]
    assert "".join(d["text"] for k, d in got if k == "token") == whole


def test_weak_evidence_streams_an_abstention_without_citations(client):
    got = events(client.post("/ask/stream", json={"question": "zzz qqq xxyyzz?"}).text)
    assert got[0] == ("citations", []) and got[-1] == ("done", {"abstained": True})


def test_bad_questions_are_refused(client):
    assert client.post("/ask", json={"question": ""}).status_code == 422
    res = client.post("/ask", json={"question": "x" * 10_000})
    assert res.status_code == 422 and "2000" in res.text


def test_each_answer_is_traced_into_the_local_mlflow_store(params, chunks, tmp_path, unnumbered):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    traced = {**params, "service": {"trace": True, "tracking_uri": uri, "experiment": "docqa-test"}}
    with TestClient(create_app(traced)) as c:
        assert c.get("/health").json()["tracing"] is True
        c.post("/ask/stream", json={"question": QUESTION}).raise_for_status()
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name("docqa-test")
    traces = mlflow.search_traces(locations=[experiment.experiment_id], return_type="list", flush=True)
    assert len(traces) == 1
    spans = {s.name: s for s in traces[0].data.spans}
    assert set(spans) == {"answer", "retrieve", "generate"}
    assert unnumbered(spans["retrieve"].outputs[0]["section_id"]) == "api-reference/rate-limits"
    assert "ms" in spans["retrieve"].attributes and "[1]" in spans["answer"].outputs["answer"]
