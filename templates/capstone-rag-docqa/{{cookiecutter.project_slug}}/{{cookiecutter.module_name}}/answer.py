"""Answer generation with citations, abstention on weak evidence, and the `answer` stage.

`answer.backend` picks the generator:

* ``extractive`` (default, offline): no language model. It quotes the sentences of the retrieved
  passages that share the most content words with the question (a sentence with a number first), each
  followed by its citation ``[n]``. It cannot rephrase, so it never invents anything.
* ``openai``: any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp's server, a
  hosted model): ``answer.openai.base_url``, ``.model``, the API key from the environment variable
  named by ``.api_key_env``. An endpoint that fails or times out gives one line, the question is
  counted as a generation failure and answered with an abstention; the stage goes on.

Both abstain -- "I could not find this in the documents." with no citation -- when the best retrieved
passage scores below ``answer.min_score``: a confident wrong answer costs more than no answer.
The stage reads data/processed/retrieved.jsonl and writes data/processed/answers.jsonl.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any, Protocol

import pandas as pd

from {{ cookiecutter.module_name }}.config import ANSWERS, CHUNKS, RETRIEVED, load_params, read_jsonl, write_jsonl
from {{ cookiecutter.module_name }}.text import content_tokens, sentences

ABSTAIN = "I could not find this in the documents."
SYSTEM_PROMPT = (
    "You answer questions about Nimbus Drive using only the numbered passages you are given. Cite every claim "
    "with its passage number in square brackets, like [1]. If the passages do not contain the answer, reply "
    f"exactly: {ABSTAIN}"
)
CITATION = re.compile(r"\[(\d+)\]")


class GenerationError(RuntimeError):
    """The generator could not answer (the message is one line)."""


class Generator(Protocol):
    name: str

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]: ...


def prompt(question: str, passages: list[dict[str, Any]]) -> str:
    numbered = "\n\n".join(f"[{i}] ({p['title']} - {p['section']}) {p['text']}" for i, p in enumerate(passages, 1))
    return f"Passages:\n\n{numbered}\n\nQuestion: {question}"


class ExtractiveGenerator:
    """Quote the best sentences: most question words (its passage's title and heading count half), a number
    preferred, a better-ranked passage preferred; abstain when the best covers < ``min_coverage`` of them."""

    name = "extractive"

    def __init__(self, max_sentences: int = 1, min_coverage: float = 0.0, rank_penalty: float = 0.0) -> None:
        self.max_sentences, self.min_coverage, self.rank_penalty = max_sentences, min_coverage, rank_penalty

    def select(self, question: str, passages: list[dict[str, Any]]) -> list[tuple[str, int]]:
        q = set(content_tokens(question))
        scored = []
        for rank, p in enumerate(passages, 1):
            context = set(content_tokens(f"{p['title']} {p['section']}"))
            for pos, sent in enumerate(sentences(p["text"])):
                words = set(content_tokens(sent))
                overlap = len(q & words) + 0.5 * len(q & (context - words))
                if overlap and overlap >= self.min_coverage * len(q):
                    has_number = any(ch.isdigit() for ch in sent)
                    scored.append((-overlap - 0.5 * has_number + self.rank_penalty * (rank - 1), rank, pos, sent))
        scored.sort()
        return [(sent, rank) for _, rank, _, sent in scored[: self.max_sentences]]

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]:
        chosen = self.select(question, passages)
        if not chosen:
            yield ABSTAIN
            return
        for i, (sent, n) in enumerate(chosen):
            yield f"{' ' if i else ''}{sent} [{n}]"


class OpenAICompatibleGenerator:
    """Chat completions over HTTP (httpx), streamed as server-sent events; errors become GenerationError."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        temperature: float = 0.0,
        max_tokens: int = 256,
        timeout: float = 30.0,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.temperature, self.max_tokens, self.timeout = model, temperature, max_tokens, timeout
        self.api_key = os.environ.get(api_key_env, "")

    def _body(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": True,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt(question, passages)},
            ],
        }

    def stream(self, question: str, passages: list[dict[str, Any]]) -> Iterator[str]:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.stream(
                "POST", self.url, json=self._body(question, passages), headers=headers, timeout=self.timeout
            ) as res:
                if res.status_code != 200:
                    raise GenerationError(f"{self.url}: HTTP {res.status_code}")
                for line in res.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                    except (ValueError, KeyError, IndexError, TypeError):
                        raise GenerationError(f"{self.url}: not a chat-completions chunk: {data[:80]!r}") from None
                    if delta:
                        yield delta
        except httpx.TimeoutException:
            raise GenerationError(f"{self.url}: no answer within {self.timeout:g} s (answer.openai.timeout)") from None
        except httpx.HTTPError as exc:
            raise GenerationError(f"{self.url}: {type(exc).__name__}: {exc}") from None


def get_generator(params: dict[str, Any]) -> Generator:
    cfg = params["answer"]
    if cfg["backend"] == "extractive":
        return ExtractiveGenerator(
            int(cfg.get("max_sentences", 1)), float(cfg.get("min_coverage", 0.0)), float(cfg.get("rank_penalty", 0.0))
        )
    if cfg["backend"] == "openai":
        o = cfg["openai"]
        return OpenAICompatibleGenerator(
            o["base_url"],
            o["model"],
            o.get("api_key_env", "OPENAI_API_KEY"),
            float(o.get("temperature", 0.0)),
            int(o.get("max_tokens", 256)),
            float(o.get("timeout", 30)),
        )
    raise ValueError(f"answer.backend must be 'extractive' or 'openai', not {cfg['backend']!r}")


def cited(answer: str, passages: list[dict[str, Any]]) -> list[str]:
    """The chunk ids the answer cites, in the order it cites them (unknown numbers ignored)."""
    out = []
    for n in CITATION.findall(answer):
        i = int(n) - 1
        if 0 <= i < len(passages) and passages[i]["chunk_id"] not in out:
            out.append(passages[i]["chunk_id"])
    return out


def respond(generator: Generator, question: str, passages: list[dict[str, Any]], min_score: float) -> dict[str, Any]:
    """The answer to one question, abstaining on weak evidence; never raises for a failing endpoint."""
    top = max((p["score"] for p in passages), default=0.0)
    if not passages or top < min_score:
        return {"answer": ABSTAIN, "citations": [], "abstained": True, "top_score": top, "error": None}
    try:
        text = "".join(generator.stream(question, passages))
    except GenerationError as exc:
        return {"answer": ABSTAIN, "citations": [], "abstained": True, "top_score": top, "error": str(exc)}
    abstained = text.strip() == ABSTAIN or not cited(text, passages)
    return {
        "answer": text,
        "citations": [] if abstained else cited(text, passages),
        "abstained": abstained,
        "top_score": top,
        "error": None,
    }


def answer_all(
    rows: list[dict[str, Any]], chunks: pd.DataFrame, params: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    by_id = {r["chunk_id"]: r for r in chunks.to_dict("records")}
    generator = get_generator(params)
    min_score = float(params["answer"]["min_score"])
    out, issues = [], []
    for r in rows:
        passages = [{**by_id[h["chunk_id"]], "score": h["score"]} for h in r["hits"] if h["chunk_id"] in by_id]
        res = (
            respond(generator, r["question"], passages, min_score)
            if r["error"] is None
            else {"answer": ABSTAIN, "citations": [], "abstained": True, "top_score": 0.0, "error": r["error"]}
        )
        if res["error"] and r["error"] is None:
            issues.append(f"{r['set']} question {r['id']}: {res['error']}")
        out.append(
            {
                "set": r["set"],
                "id": r["id"],
                **res,
                "generator": generator.name,
                "sections": [by_id[c]["section_id"] for c in res["citations"]],
            }
        )
    return out, issues


def main() -> None:
    params = load_params()
    rows = read_jsonl(RETRIEVED)
    out, issues = answer_all(rows, pd.read_csv(CHUNKS, keep_default_na=False), params)
    for line in issues:
        print(f"answer: {line}")
    write_jsonl(ANSWERS, out)
    print(
        f"answer: {len(out)} answers ({sum(a['abstained'] for a in out)} abstained, {len(issues)} generation "
        f"failures) with {params['answer']['backend']}"
    )


if __name__ == "__main__":
    main()
