"""The OpenAI-compatible planner against a stand-in server this test starts on loopback (no network, no
key): it speaks chat completions in JSON mode the way vLLM or Ollama do, and records what it was sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.module_name }}.agent import run_agent
from {{ cookiecutter.module_name }}.planners import OpenAIPlanner, get_planner

REPLIES = [
    '{"thought": "Convert it", "tool": "fx_convert", "args": {"amount": 100, "from_currency": "USD"}}',
    '{"thought": "Done", "final_answer": "92.00"}',
]


class StandIn(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        content = REPLIES[min(len(StandIn.seen), len(REPLIES)) - 1]
        out = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


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


def params_for(base_url):
    return {
        "agent": {
            "planner": "openai",
            "openai": {"base_url": base_url, "model": "stand-in", "api_key_env": "STAND_IN_KEY", "timeout": 5},
        }
    }


def test_openai_planner_runs_the_react_loop(toolbox, stand_in):
    planner = get_planner(params_for(stand_in), toolbox.specs())
    assert isinstance(planner, OpenAIPlanner)
    run = run_agent("What is 100 USD in EUR?", planner, toolbox)
    assert run.answer == "92.00" and run.steps[0].observation["amount"] == 92.0
    first, second = StandIn.seen
    assert first["auth"] == "Bearer sk-test-123" and first["body"]["response_format"] == {"type": "json_object"}
    assert '"fx_convert"' in first["body"]["messages"][0]["content"]  # the tools' JSON schemas
    assert second["body"]["messages"][-1]["content"].startswith("Observation: ")


def test_an_unreachable_endpoint_is_a_trace_error(toolbox):
    planner = get_planner(params_for("http://127.0.0.1:9/v1"), toolbox.specs())
    run = run_agent("Anything?", planner, toolbox, max_steps=2)
    assert run.stopped == "max_steps" and all("endpoint failed" in s.error for s in run.steps)
