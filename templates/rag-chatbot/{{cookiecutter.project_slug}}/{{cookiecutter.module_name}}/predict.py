"""Stage `predict`: answer the hidden question set -> data/predictions/predictions.csv.

One row per question: id, section_id (the section of the top-ranked chunk: what the hidden labels
score -- the right product *and* the right part of its manual), doc_id, chunk_id and its retrieval score.
"""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.config import PREDICTIONS, QUESTIONS, load_params, set_threads
from {{ cookiecutter.module_name }}.retrieve import Retriever


def predict(retriever: Retriever, questions: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for q in questions.itertuples(index=False):
        hits = retriever.search(q.question, 1)
        top = retriever.chunk(hits[0].chunk_id) if hits else {"section_id": "", "doc_id": "", "chunk_id": ""}
        rows.append(
            {
                "id": q.id,
                "section_id": top["section_id"],
                "doc_id": top["doc_id"],
                "chunk_id": top["chunk_id"],
                "score": round(hits[0].score, 6) if hits else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["id", "section_id", "doc_id", "chunk_id", "score"])


def main() -> None:
    params = load_params()
    set_threads(int(params.get("threads", 2)))
    questions = pd.read_csv(QUESTIONS, keep_default_na=False)
    out = predict(Retriever(params), questions)
    PREDICTIONS.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(PREDICTIONS, index=False)
    print(f"predict: {len(out)} questions -> {PREDICTIONS.relative_to(PREDICTIONS.parents[2])}")


if __name__ == "__main__":
    main()
