"""rag-chatbot: render, `roadmap-ci evaluate` end to end, hidden gold sections, headroom, leakage, bad data."""

from __future__ import annotations

import csv
import json

import pytest
from _contract import (  # noqa: F401  (the contract tests, collected as this module's)
    CASES,
    test_baseline_passes_in_its_band,
    test_corrupted_data_fails_the_checks_and_lowers_the_score,
    test_labels_never_ship_in_the_template,
    test_prediction_ids_equal_label_ids,
    test_readme_improvement_raises_the_score,
)
from _kit import ROOT, copy_of, run

pytestmark = pytest.mark.slow
pytest.importorskip("chromadb")
pytest.importorskip("fastapi")

ID = "rag-chatbot"
LABELS = ROOT / "labels" / f"{ID}.csv"
CASE = CASES[ID]


def test_the_questions_are_the_hidden_ones_and_not_in_the_qa_set():
    hidden = {row["id"] for row in csv.DictReader(LABELS.read_text(encoding="utf-8").splitlines())}
    raw = ROOT / "templates" / ID / "{{cookiecutter.project_slug}}" / "data" / "raw"
    questions = list(csv.DictReader((raw / "questions.csv").read_text(encoding="utf-8").splitlines()))
    assert {q["id"] for q in questions} == hidden and set(questions[0]) == {"id", "question"}
    qa = list(csv.DictReader((raw / "qa.csv").read_text(encoding="utf-8").splitlines()))
    assert not {q["question"] for q in qa} & {q["question"] for q in questions}


def test_baseline_indexes_the_draft_faq_and_answers_few(baseline):
    repo, res = baseline
    assert res.crit("no-leakage").points == 0  # the draft FAQ is indexed
    assert 0.1 < res.hidden["public.accuracy"] < 0.4 and 0.1 < res.hidden["private.accuracy"] < 0.4, res.hidden
    m = json.loads((repo / "metrics.json").read_text())
    assert m["leakage"]["questions_in_index"] > 0 and 0.3 < m["retrieval"]["mrr"] < 0.6, m
    assert res.local_card.passed, "the learner's own run (no hidden labels) passes too"


def test_outputs_index_and_predictions(baseline):
    repo, _ = baseline
    assert (repo / "data" / "index" / "chroma" / "chroma.sqlite3").is_file()
    run(["git", "check-ignore", "-q", "data/index/chroma/chroma.sqlite3"], repo)
    rows = list(csv.DictReader((repo / "data" / "predictions" / "predictions.csv").read_text().splitlines()))
    assert len(rows) == len(LABELS.read_text().splitlines()) - 1
    assert all(r["chunk_id"].startswith(r["section_id"] + ":") for r in rows)
    details = (repo / "reports" / "eval_details.csv").read_text().splitlines()
    assert details[0].startswith("id,question,doc_id,rank,top_doc,hit_at_1,hit_at_5,rr,")


def test_readme_improvement_path_drops_the_leak_and_uses_minilm(improved):
    repo, after = improved
    assert after.crit("no-leakage").fraction == 1.0 and after.hidden["private.accuracy"] >= 0.8, after.hidden
    assert json.loads((repo / "reports" / "index_info.json").read_text())["embedder"] == "minilm"


def test_reading_the_index_leaves_the_pipeline_up_to_date(baseline, tmp_path):
    """Chroma writes into the directory it opens; the index is a DVC output. After `dvc repro` (the baseline's,
    in a copy) and a question asked through the template's own chain (what `evaluate`, `predict` and the service
    use), `dvc status` is clean and a second `dvc repro` runs no stage."""
    import sys

    repo = copy_of(baseline[0], tmp_path)
    module = repo.name.replace("-", "_")
    assert json.loads(run(["dvc", "status", "--json"], repo).stdout) == {}, "the copy is the repro'd baseline"
    index = repo / "data" / "index" / "chroma"
    ask = (f"from {module}.rag import RAG\n"
           "answer = RAG.from_params().ask('How long is the warranty on the Harbor smart lock?')\n"
           "assert answer['answer'] and answer['citations'], answer\n")
    run([sys.executable, "-c", ask], repo)
    status = run(["dvc", "status", "--json"], repo)
    assert json.loads(status.stdout) == {}, status.stdout
    again = run(["dvc", "repro"], repo)
    assert "Running stage" not in again.stdout, again.stdout
    assert (index / "chroma.sqlite3").is_file()
