"""Offline evaluation metrics: retrieval (hit@k, MRR) and RAGAS-style answer metrics, without an LLM judge.

RAGAS asks a language model to split answers into claims and to judge them; offline we use word overlap
instead, which is cruder but deterministic and free. Definitions (all in [0, 1], higher is better):

* a chunk is **relevant** to a question when it comes from the gold document and contains at least
  `COVER` of the gold passage's content words;
* **hit@k** -- a relevant chunk is among the first k; **MRR** -- mean of 1 / rank of the first relevant
  chunk (0 when none in the first 10);
* **context precision** -- average precision of the passages given to the generator (relevant ones
  ranked first score higher); **context recall** -- share of the gold passage's content words present
  in those passages;
* **faithfulness** -- share of the answer's claims (sentences) whose content words are (>= `SUPPORT`)
  found in the passages the claim cites; a claim citing nothing is unsupported;
* **answer relevance** -- cosine similarity of question and answer (hashed word vectors);
* **answer correctness** -- share of the reference answer's content words found in the answer, and 0
  when any number in the reference (a duration, a temperature, a fee) is missing: the numbers are the facts.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from {{ cookiecutter.module_name }}.text import content_tokens, sentences

COVER = 0.6
SUPPORT = 0.8
CITATION = re.compile(r"\[(\d+)\]")


def coverage(part: str, whole: str) -> float:
    """Share of `part`'s content words that occur in `whole`."""
    want = set(content_tokens(part))
    return len(want & set(content_tokens(whole))) / len(want) if want else 1.0


def is_relevant(chunk: dict[str, Any], doc_id: str, gold_passage: str) -> bool:
    return chunk["doc_id"] == doc_id and coverage(gold_passage, chunk["text"]) >= COVER


def first_relevant_rank(ranked: list[dict[str, Any]], doc_id: str, gold_passage: str) -> int | None:
    return next((i for i, c in enumerate(ranked, 1) if is_relevant(c, doc_id, gold_passage)), None)


def hit_at(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None, cutoff: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= cutoff else 0.0


def context_precision(contexts: list[dict[str, Any]], doc_id: str, gold_passage: str) -> float:
    rel = [is_relevant(c, doc_id, gold_passage) for c in contexts]
    if not any(rel):
        return 0.0
    precisions = [sum(rel[: i + 1]) / (i + 1) for i, r in enumerate(rel) if r]
    return sum(precisions) / sum(rel)


def context_recall(contexts: list[dict[str, Any]], gold_passage: str) -> float:
    return coverage(gold_passage, " ".join(c["text"] for c in contexts))


def claims(answer: str) -> list[tuple[str, list[int]]]:
    """(claim text, cited passage numbers) per answer sentence; quoted extractive answers split on quotes."""
    quoted = re.findall(r'"(.+?)"\s*((?:\[\d+\]\s*)+)', answer)
    if quoted:
        return [(text, [int(n) for n in CITATION.findall(cites)]) for text, cites in quoted]
    out = []
    for sent in sentences(answer):
        cited = [int(n) for n in CITATION.findall(sent)]
        text = CITATION.sub("", sent).strip()
        if content_tokens(text):
            out.append((text, cited))
    return out


def faithfulness(answer: str, contexts: list[dict[str, Any]]) -> float:
    found = claims(answer)
    if not found:
        return 1.0  # "I don't know" claims nothing
    by_n = {i: c["text"] for i, c in enumerate(contexts, 1)}
    ok = sum(
        bool(cited) and coverage(text, " ".join(by_n.get(n, "") for n in cited)) >= SUPPORT for text, cited in found
    )
    return ok / len(found)


def _vector(text: str, dim: int = 4096) -> np.ndarray:
    from {{ cookiecutter.module_name }}.embed import HashingEmbedder

    return HashingEmbedder(dim=dim, pairs=False).encode([text])[0]


def answer_relevance(question: str, answer: str) -> float:
    body = " ".join(text for text, _ in claims(answer)) or answer
    return float(max(0.0, np.dot(_vector(question), _vector(body))))


def answer_correctness(answer: str, reference: str) -> float:
    said = set(content_tokens(answer))
    if any(t not in said for t in content_tokens(reference) if any(ch.isdigit() for ch in t)):
        return 0.0
    return coverage(reference, answer)
