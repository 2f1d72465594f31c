"""The OpenAI-compatible generator against a stand-in server this test starts on loopback.

The stand-in speaks the chat-completions protocol (plain and streamed as server-sent events) the way
vLLM, Ollama or a hosted API do, and records what it was sent: the real switch, with no network.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.app import create_app
from {{ cookiecutter.module_name }}.generate import OpenAICompatibleGenerator, get_generator

REPLY = ["The Harbor Lock ", "is covered for ", "the months its manual states [1]."]


class StandIn(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        if not body.get("stream"):
            out = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(REPLY)}}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out.encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in REPLY:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture()
def stand_in(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandIn.seen.clear()
    monkeypatch.setenv("STAND_IN_KEY", "sk-test-123")
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def openai_params(params, base_url):
    gen = {
        **params["generate"],
        "backend": "openai",
        "openai": {
            **params["generate"]["openai"],
            "base_url": base_url,
            "model": "stand-in",
            "api_key_env": "STAND_IN_KEY",
        },
    }
    return {**params, "generate": gen}


def test_params_switch_the_generator(params, stand_in):
    gen = get_generator(openai_params(params, stand_in))
    assert isinstance(gen, OpenAICompatibleGenerator) and gen.url == stand_in + "/chat/completions"


def test_complete_and_stream_speak_the_chat_completions_protocol(params, stand_in):
    gen = get_generator(openai_params(params, stand_in))
    passages = [{"title": "Harbor Lock user manual", "text": "The warranty is 24 months."}]
    assert gen.complete("Warranty?", passages) == "".join(REPLY)
    assert list(gen.stream("Warranty?", passages)) == REPLY
    sent = StandIn.seen[-1]
    assert sent["auth"] == "Bearer sk-test-123" and sent["body"]["model"] == "stand-in" and sent["body"]["stream"]
    assert "[1] (Harbor Lock user manual) The warranty is 24 months." in sent["body"]["messages"][1]["content"]


def test_the_app_streams_what_the_endpoint_generates(params, chunks, stand_in):
    with TestClient(create_app(openai_params(params, stand_in))) as client:
        assert client.get("/health").json()["generator"] == "openai"
        with client.stream("POST", "/ask/stream", json={"question": "Harbor Lock warranty?"}) as res:
            body = "".join(res.iter_text())
    tokens = [json.loads(b.split("data: ", 1)[1])["text"] for b in body.strip().split("\n\n") if "event: token" in b]
    assert tokens == REPLY and body.strip().endswith("event: done\ndata: {}")
    prompt = StandIn.seen[-1]["body"]["messages"][1]["content"]
    assert "Harbor Lock" in prompt and prompt.count("\n[") >= 2  # the retrieved passages, numbered


def test_an_unreachable_endpoint_is_reported_in_the_stream(params, chunks):
    dead = openai_params(params, "http://127.0.0.1:9/v1")
    dead["generate"]["openai"]["timeout"] = 2
    with TestClient(create_app(dead)) as client:
        body = client.post("/ask/stream", json={"question": "Harbor Lock warranty?"}).text
    assert "event: error" in body and "event: done" not in body
