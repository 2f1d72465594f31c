"""Answer generators: the retrieved passages + the question -> an answer that cites passages as [n].

`generate.backend` in params.yaml picks one:

* ``extractive`` (default, offline) -- no language model: it *quotes* the retrieved sentences that share
  the most words with the question and cites where each came from. It never invents anything, and it
  says so in every answer; it cannot rephrase, combine or refuse well.
* ``openai`` -- any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, LM Studio, llama.cpp's
  server, a hosted model): `generate.openai.base_url`, `.model`, and the API key read from the
  environment variable named by `.api_key_env` (never from a file in the repo).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any, Protocol

from {{ cookiecutter.module_name }}.text import content_tokens, sentences

EXTRACTIVE_NOTE = "Extractive answer (quoted from the knowledge base, no language model):"
NOT_FOUND = "I could not find this in the knowledge base."
SYSTEM_PROMPT = (
    "You answer questions about Northwind Home products using only the numbered passages you are given. "
    "Cite every claim with the passage number in square brackets, like [1]. If the passages do not contain "
    "the answer, say that you do not know. Be brief."
)


class Generator(Protocol):
    name: str

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]: ...


def answer(generator: Generator, question: str, passages: list[dict[str, Any]]) -> str:
    return "".join(generator.stream(question, passages))


def prompt(question: str, passages: list[dict[str, Any]]) -> str:
    numbered = "\n\n".join(f"[{i}] ({p['title']}) {p['text']}" for i, p in enumerate(passages, 1))
    return f"Passages:\n\n{numbered}\n\nQuestion: {question}"


class ExtractiveGenerator:
    """Quote the best-matching sentences of the retrieved passages, each followed by its citation."""

    name = "extractive"

    def __init__(self, max_sentences: int = 2) -> None:
        self.max_sentences = max_sentences

    def select(self, question: str, passages: list[dict[str, Any]]) -> list[tuple[str, int]]:
        q = set(content_tokens(question))
        scored = []
        for rank, p in enumerate(passages, 1):
            for pos, sent in enumerate(sentences(p["text"])):
                overlap = len(q & set(content_tokens(sent)))
                if overlap:
                    scored.append((-overlap, rank, pos, sent))
        scored.sort()
        return [(sent, rank) for _, rank, _, sent in scored[: self.max_sentences]]

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]:
        chosen = self.select(question, passages)
        if not chosen:
            yield NOT_FOUND
            return
        yield EXTRACTIVE_NOTE
        for sent, n in chosen:
            yield f' "{sent}" [{n}]'


class OpenAICompatibleGenerator:
    """Chat completions over HTTP (httpx), streamed with server-sent events."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        temperature: float = 0.0,
        max_tokens: int = 256,
        timeout: float = 60.0,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = os.environ.get(api_key_env, "")
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout = timeout

    def _request(self, question: str, passages: list[dict[str, Any]], stream: bool) -> dict[str, Any]:
        return {
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": stream,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt(question, passages)},
            ],
        }

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def complete(self, question: str, passages: list[dict[str, Any]]) -> str:
        import httpx

        res = httpx.post(
            self.url, json=self._request(question, passages, False), headers=self._headers(), timeout=self.timeout
        )
        res.raise_for_status()
        return res.json()["choices"][0]["message"]["content"]

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]:
        import httpx

        body = self._request(question, passages, True)
        with httpx.stream("POST", self.url, json=body, headers=self._headers(), timeout=self.timeout) as res:
            res.raise_for_status()
            for line in res.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[len("data:") :].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta


def get_generator(params: dict[str, Any]) -> Generator:
    cfg = params["generate"]
    if cfg["backend"] == "extractive":
        return ExtractiveGenerator(max_sentences=int(cfg.get("max_sentences", 2)))
    if cfg["backend"] == "openai":
        o = cfg["openai"]
        return OpenAICompatibleGenerator(
            o["base_url"],
            o["model"],
            o.get("api_key_env", "OPENAI_API_KEY"),
            float(o.get("temperature", 0.0)),
            int(o.get("max_tokens", 256)),
            float(o.get("timeout", 60)),
        )
    raise ValueError(f"generate.backend must be 'extractive' or 'openai', not {cfg['backend']!r}")
