"""Offline RAG metrics in the spirit of RAGAS, without an LLM judge (deterministic, free, all in [0, 1]).

RAGAS asks a language model to split answers into claims and judge them; offline, claims are sentences
and support is word overlap. Definitions (a question's *gold section* is ``<doc_id>/<heading slug>``):

* **hit@k** / **MRR**: the gold section is among the first k hits / 1 / rank of its first hit;
* **context precision** (RAGAS' with-reference variant): average precision of the passages handed to
  the generator, a passage being relevant when it comes from the gold section;
* **context recall**: share of the reference answer's content words found in those passages;
* **faithfulness**: share of an answer's claims (sentences) whose content words are at least
  ``SUPPORT`` present in the passages the claim cites; a claim citing nothing is unsupported;
* **answer correctness**: the reference answer's content words found in the answer, 0 when any of its
  numbers is missing (the numbers are the facts);
* **citation accuracy**: share of answered answerable questions whose first citation is the gold section;
* **abstention precision / recall**: of the abstentions, how many were unanswerable / of the unanswerable
  questions, how many got an abstention;
* **section accuracy**: the first cited section, or ``unanswerable`` for an abstention, equals the gold
  one (what the hidden questions are scored on).
"""

from __future__ import annotations

import re
from typing import Any

from {{ cookiecutter.module_name }}.text import content_tokens, sentences

SUPPORT = 0.8
UNANSWERABLE = "unanswerable"
CITATION = re.compile(r"\[(\d+)\]")


def coverage(part: str, whole: str) -> float:
    want = set(content_tokens(part))
    return len(want & set(content_tokens(whole))) / len(want) if want else 1.0


def first_rank(sections: list[str], gold: str) -> int | None:
    return next((i for i, s in enumerate(sections, 1) if s == gold), None)


def hit_at(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def context_precision(sections: list[str], gold: str) -> float:
    rel = [s == gold for s in sections]
    if not any(rel):
        return 0.0
    return sum(sum(rel[: i + 1]) / (i + 1) for i, r in enumerate(rel) if r) / sum(rel)


def context_recall(reference: str, contexts: list[str]) -> float:
    return coverage(reference, " ".join(contexts))


def claims(answer: str) -> list[tuple[str, list[int]]]:
    out = []
    for sent in sentences(answer):
        cited = [int(n) for n in CITATION.findall(sent)]
        text = CITATION.sub("", sent).strip()
        if content_tokens(text):
            out.append((text, cited))
    return out


def faithfulness(answer: str, contexts: list[str]) -> float:
    found = claims(answer)
    if not found:
        return 1.0
    by_n = dict(enumerate(contexts, 1))
    ok = sum(bool(c) and coverage(t, " ".join(by_n.get(n, "") for n in c)) >= SUPPORT for t, c in found)
    return ok / len(found)


def answer_correctness(answer: str, reference: str) -> float:
    said = set(content_tokens(answer))
    if any(t not in said for t in content_tokens(reference) if any(ch.isdigit() for ch in t)):
        return 0.0
    return coverage(reference, answer)


def predicted_section(answer: dict[str, Any]) -> str:
    return UNANSWERABLE if answer["abstained"] or not answer["sections"] else answer["sections"][0]


def abstention(gold_unanswerable: list[bool], abstained: list[bool]) -> tuple[float, float]:
    tp = sum(g and a for g, a in zip(gold_unanswerable, abstained, strict=True))
    precision = tp / sum(abstained) if any(abstained) else 0.0
    recall = tp / sum(gold_unanswerable) if any(gold_unanswerable) else 1.0
    return precision, recall
