"""Answers: quotes with citations, abstention on weak evidence, and an OpenAI-compatible endpoint that
answers, streams or times out -- a stand-in server started on loopback by the test, no network."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.module_name }}.answer import (
    ABSTAIN,
    ExtractiveGenerator,
    GenerationError,
    answer_all,
    get_generator,
    respond,
)

PASSAGES = [
    {
        "chunk_id": "retention-policy-v2/deleted-files:0",
        "section_id": "retention-policy-v2/deleted-files",
        "title": "Data retention policy, version 2",
        "section": "Deleted files",
        "score": 0.8,
        "text": "Deleted files stay in the trash for 30 days before they are removed permanently.",
    }
]
REPLY = ["Deleted files stay ", "in the trash for 30 days [1]."]


def test_extractive_answers_quote_and_cite():
    out = respond(ExtractiveGenerator(), "How long do deleted files stay in the trash?", PASSAGES, 0.5)
    assert out["answer"] == PASSAGES[0]["text"] + " [1]" and out["citations"] == [PASSAGES[0]["chunk_id"]]
    assert not out["abstained"]


def test_weak_evidence_abstains_without_citations():
    out = respond(ExtractiveGenerator(), "Who is the chief executive?", PASSAGES, 0.9)
    assert out == {"answer": ABSTAIN, "citations": [], "abstained": True, "top_score": 0.8, "error": None}


class StandIn(BaseHTTPRequestHandler):
    delay = 0.0
    seen: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.seen.append({"auth": self.headers.get("Authorization"), "body": body})
        time.sleep(StandIn.delay)
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout test)
            self._reply()

    def _reply(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in REPLY:
            self.wfile.write(f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture()
def endpoint(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StandIn.seen.clear()
    StandIn.delay = 0.0
    monkeypatch.setenv("STAND_IN_KEY", "sk-test")
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    StandIn.delay = 0.0
    server.shutdown()
    server.server_close()


def openai_params(params, url, timeout=5.0):
    o = {
        **params["answer"]["openai"],
        "base_url": url,
        "model": "stand-in",
        "api_key_env": "STAND_IN_KEY",
        "timeout": timeout,
    }
    return {**params, "answer": {**params["answer"], "backend": "openai", "openai": o}}


def test_the_endpoint_streams_a_cited_answer(params, endpoint):
    gen = get_generator(openai_params(params, endpoint))
    assert list(gen.stream("Trash?", PASSAGES)) == REPLY
    sent = StandIn.seen[-1]
    assert sent["auth"] == "Bearer sk-test" and sent["body"]["stream"] and sent["body"]["model"] == "stand-in"
    assert "[1] (Data retention policy, version 2 - Deleted files)" in sent["body"]["messages"][1]["content"]
    out = respond(gen, "Trash?", PASSAGES, 0.0)
    assert out["citations"] == [PASSAGES[0]["chunk_id"]] and not out["abstained"]


def test_an_endpoint_that_times_out_is_one_line_and_the_rest_goes_on(params, endpoint, chunks):
    StandIn.delay = 3.0
    gen = get_generator(openai_params(params, endpoint, timeout=0.5))
    with pytest.raises(GenerationError, match=r"no answer within 0.5 s"):
        list(gen.stream("Trash?", PASSAGES))
    rows = [
        {
            "set": "dev",
            "id": f"q{i}",
            "question": "How long do deleted files stay in the trash?",
            "error": None,
            "hits": [{"chunk_id": chunks["chunk_id"].iloc[0], "score": 0.9}],
        }
        for i in range(2)
    ]
    rows.append({"set": "dev", "id": "q9", "question": "x", "error": "question of 10000 characters", "hits": []})
    out, issues = answer_all(rows, chunks, openai_params(params, endpoint, timeout=0.5))
    assert len(out) == 3 and all(a["abstained"] for a in out)
    assert len(issues) == 2 and all("no answer within 0.5 s" in line for line in issues)
