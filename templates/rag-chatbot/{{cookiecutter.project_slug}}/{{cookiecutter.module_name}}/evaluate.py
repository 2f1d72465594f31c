"""Stage `evaluate`: run the development QA set through retrieval and generation -> metrics.json.

Writes metrics.json (what the rubric scores), reports/eval_details.csv (one row per question: where the
gold passage ranked, what was answered, each metric) and reports/hit_at_k.csv (the retrieval curve).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from {{ cookiecutter.module_name }} import metrics as m
from {{ cookiecutter.module_name }}.config import METRICS, QA, REPORTS, load_params, set_threads
from {{ cookiecutter.module_name }}.rag import RAG

DEPTH = 10  # how deep retrieval is inspected for MRR and the hit@k curve


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def leaked_questions(qa: pd.DataFrame, chunks: pd.DataFrame) -> int:
    """How many evaluation questions appear verbatim in the indexed text (a leak inflates the metrics)."""
    corpus = "\n".join(normalise(t) for t in chunks["text"])
    return int(sum(normalise(q) in corpus for q in qa["question"]))


def evaluate(rag: RAG, qa: pd.DataFrame, k: int) -> tuple[dict[str, Any], pd.DataFrame]:
    rows = []
    for q in qa.itertuples(index=False):
        ranked = [rag.retriever.chunk(h.chunk_id) for h in rag.retriever.search(q.question, DEPTH)]
        rank = m.first_relevant_rank(ranked, q.doc_id, q.gold_passage)
        passages, pieces = rag.stream(q.question)
        answer = "".join(pieces)
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "doc_id": q.doc_id,
                "rank": rank or 0,
                "top_doc": ranked[0]["doc_id"] if ranked else "",
                "hit_at_1": m.hit_at(rank, 1),
                f"hit_at_{k}": m.hit_at(rank, k),
                "rr": m.reciprocal_rank(rank, DEPTH),
                "context_precision": m.context_precision(passages, q.doc_id, q.gold_passage),
                "context_recall": m.context_recall(passages, q.gold_passage),
                "faithfulness": m.faithfulness(answer, passages),
                "answer_relevance": m.answer_relevance(q.question, answer),
                "answer_correctness": m.answer_correctness(answer, q.answer),
                "answer": answer,
            }
        )
    details = pd.DataFrame(rows)
    mean = {c: round(float(details[c].mean()), 4) for c in details.columns if details[c].dtype.kind == "f"}
    summary = {
        "retrieval": {"hit_at_1": mean["hit_at_1"], f"hit_at_{k}": mean[f"hit_at_{k}"], "mrr": mean["rr"]},
        "answer": {
            name: mean[name]
            for name in (
                "faithfulness",
                "answer_relevance",
                "answer_correctness",
                "context_precision",
                "context_recall",
            )
        },
    }
    return summary, details


def main() -> None:
    params = load_params()
    set_threads(int(params.get("threads", 2)))
    k = int(params["eval"]["k"])
    qa = pd.read_csv(QA, keep_default_na=False)
    rag = RAG.from_params(params)
    summary, details = evaluate(rag, qa, k)
    leaks = leaked_questions(qa, rag.retriever.chunks)
    summary["leakage"] = {"questions_in_index": leaks, "clean": int(leaks == 0)}
    summary["questions"] = len(qa)
    summary["config"] = {"top_k": rag.retriever.top_k, "chunks": len(rag.retriever.chunks)}
    REPORTS.mkdir(exist_ok=True)
    details.to_csv(REPORTS / "eval_details.csv", index=False)
    curve = [{"k": i, "hit_rate": round(float((details["rank"].between(1, i)).mean()), 4)} for i in range(1, DEPTH + 1)]
    pd.DataFrame(curve).to_csv(REPORTS / "hit_at_k.csv", index=False)
    METRICS.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
