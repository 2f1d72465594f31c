"""Stage `evaluate`: the development questions' retrieval and answers -> metrics.json and reports/.

Writes metrics.json (what the rubric scores), reports/eval_details.csv (one row per question: the gold
section's rank, the answer, every metric) and reports/hit_at_k.csv (the retrieval curve, a DVC plot).
Bad input counted here: documents ingest skipped, questions refused, generation failures.
"""

from __future__ import annotations

import json

import pandas as pd

from {{ cookiecutter.module_name }} import metrics as m
from {{ cookiecutter.module_name }}.config import (
    ANSWERS,
    CHUNKS,
    METRICS,
    QA,
    REPORTS,
    RETRIEVED,
    load_params,
    read_jsonl,
    write_json,
)

DEPTH = 10


def evaluate(
    qa: pd.DataFrame, retrieved: list[dict], answers: list[dict], chunks: pd.DataFrame, k: int
) -> tuple[dict, pd.DataFrame]:
    by_chunk = {r["chunk_id"]: r for r in chunks.to_dict("records")}
    hits = {r["id"]: r for r in retrieved if r["set"] == "dev"}
    said = {a["id"]: a for a in answers if a["set"] == "dev"}
    rows = []
    for q in qa.itertuples(index=False):
        r, a = hits[q.id], said[q.id]
        secs = [by_chunk[h["chunk_id"]]["section_id"] for h in r["hits"] if h["chunk_id"] in by_chunk]
        texts = [by_chunk[h["chunk_id"]]["text"] for h in r["hits"] if h["chunk_id"] in by_chunk]
        answerable = q.section_id != m.UNANSWERABLE
        rank = m.first_rank(secs[:DEPTH], q.section_id) if answerable else None
        row = {
            "id": q.id,
            "question": q.question,
            "gold_section": q.section_id,
            "answerable": int(answerable),
            "rank": rank or 0,
            "predicted_section": m.predicted_section(a),
            "abstained": int(a["abstained"]),
            "answer": a["answer"],
            "error": a["error"] or "",
        }
        row["section_correct"] = float(row["predicted_section"] == q.section_id)
        if answerable:
            row.update(
                {
                    "hit_at_1": m.hit_at(rank, 1),
                    f"hit_at_{k}": m.hit_at(rank, k),
                    "rr": m.reciprocal_rank(rank),
                    "context_precision": m.context_precision(secs[:k], q.section_id),
                    "context_recall": m.context_recall(q.answer, texts[:k]),
                    "answer_correctness": 0.0 if a["abstained"] else m.answer_correctness(a["answer"], q.answer),
                }
            )
            if not a["abstained"]:
                row["citation_correct"] = float(a["sections"][:1] == [q.section_id])
        if not a["abstained"]:
            row["faithfulness"] = m.faithfulness(a["answer"], texts)
        rows.append(row)
    d = pd.DataFrame(rows)
    ans = d[d["answerable"] == 1]

    def mean(frame: pd.DataFrame, col: str, empty: float = 0.0) -> float:
        return round(float(frame[col].mean()), 4) if col in frame and frame[col].notna().any() else empty

    precision, recall = m.abstention((d["answerable"] == 0).tolist(), (d["abstained"] == 1).tolist())
    summary = {
        "retrieval": {
            "hit_at_1": mean(ans, "hit_at_1"),
            f"hit_at_{k}": mean(ans, f"hit_at_{k}"),
            "mrr": mean(ans, "rr"),
            "context_precision": mean(ans, "context_precision"),
            "context_recall": mean(ans, "context_recall"),
        },
        "answer": {
            "faithfulness": mean(d, "faithfulness", 1.0),
            "answer_correctness": mean(ans, "answer_correctness"),
            "citation_accuracy": mean(ans, "citation_correct"),
            "section_accuracy": mean(d, "section_correct"),
        },
        "abstention": {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "rate": round(float(d["abstained"].mean()), 4),
        },
        "questions": {"dev": len(d), "answerable": len(ans), "unanswerable": int(len(d) - len(ans))},
    }
    return summary, d


def main() -> None:
    params = load_params()
    k = int(params["evaluate"]["k"])
    qa = pd.read_csv(QA, keep_default_na=False)
    retrieved, answers = read_jsonl(RETRIEVED), read_jsonl(ANSWERS)
    summary, details = evaluate(qa, retrieved, answers, pd.read_csv(CHUNKS, keep_default_na=False), k)
    ingest = json.loads((REPORTS / "ingest.json").read_text())
    summary["failures"] = {
        "documents": ingest["failures"]["total"],
        "not_utf8_documents": ingest["not_utf8"],
        "questions_refused": sum(r["error"] is not None for r in retrieved),
        "generation": sum(bool(a["error"]) for a in answers) - sum(r["error"] is not None for r in retrieved),
    }
    chunk_info = json.loads((REPORTS / "chunk.json").read_text())
    summary["corpus"] = {
        "documents": chunk_info["documents"],
        "chunks": chunk_info["chunks"],
        "duplicates_dropped": chunk_info["duplicates_dropped"],
        "superseded_sections_dropped": chunk_info["superseded_sections_dropped"],
    }
    details.to_csv(REPORTS / "eval_details.csv", index=False)
    ans = details[details["answerable"] == 1]
    curve = [{"k": i, "hit_rate": round(float(ans["rank"].between(1, i).mean()), 4)} for i in range(1, DEPTH + 1)]
    pd.DataFrame(curve).to_csv(REPORTS / "hit_at_k.csv", index=False)
    write_json(METRICS, summary)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
