"""Stage `predict`: the hidden questions' answers -> data/predictions/predictions.csv.

One row per hidden question: id, section_id (the section of the answer's first citation, or
``unanswerable`` when it abstained: what the hidden labels score), the answer text, and the top
retrieval score.
"""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.config import ANSWERS, PREDICTIONS, QUESTIONS, read_jsonl
from {{ cookiecutter.module_name }}.metrics import predicted_section


def main() -> None:
    answers = {a["id"]: a for a in read_jsonl(ANSWERS) if a["set"] == "hidden"}
    questions = pd.read_csv(QUESTIONS, keep_default_na=False)
    rows = [
        {
            "id": q.id,
            "section_id": predicted_section(answers[q.id]),
            "answer": answers[q.id]["answer"],
            "score": answers[q.id]["top_score"],
        }
        for q in questions.itertuples(index=False)
    ]
    PREDICTIONS.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["id", "section_id", "answer", "score"]).to_csv(PREDICTIONS, index=False)
    print(f"predict: {len(rows)} hidden questions ({sum(r['section_id'] == 'unanswerable' for r in rows)} abstained)")


if __name__ == "__main__":
    main()
