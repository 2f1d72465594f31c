"""The offline RAG metrics on examples small enough to check by hand."""

import pytest

from {{ cookiecutter.module_name }} import metrics as m


def test_context_precision_is_average_precision_over_the_gold_section():
    assert m.context_precision(["a/x", "g/s", "g/s"], "g/s") == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert m.context_precision(["g/s", "a/x"], "g/s") == 1.0
    assert m.context_precision(["a/x"], "g/s") == 0.0


def test_rank_metrics():
    assert m.first_rank(["a", "b", "g"], "g") == 3
    assert m.reciprocal_rank(3) == pytest.approx(1 / 3) and m.reciprocal_rank(None) == 0.0
    assert m.hit_at(3, 3) == 1.0 and m.hit_at(3, 2) == 0.0


def test_faithfulness_needs_each_claim_in_the_passage_it_cites():
    contexts = ["Deleted files stay in the trash for 30 days.", "API tokens expire after 90 days."]
    assert m.faithfulness("Deleted files stay in the trash for 30 days [1].", contexts) == 1.0
    assert m.faithfulness("Deleted files stay in the trash for 30 days [2].", contexts) == 0.0
    assert m.faithfulness("Deleted files stay in the trash for 30 days.", contexts) == 0.0  # cites nothing
    assert m.faithfulness("I could not find this in the documents.", []) == 0.0
    assert m.faithfulness("", []) == 1.0


def test_answer_correctness_zero_when_a_number_is_missing():
    assert m.answer_correctness("Tokens expire after 90 days [1].", "90 days") == 1.0
    assert m.answer_correctness("Tokens expire after 60 days [1].", "90 days") == 0.0
    assert m.answer_correctness("It is Frankfurt [1].", "Frankfurt") == 1.0


def test_abstention_precision_and_recall():
    gold = [True, True, False, False]  # unanswerable?
    said = [True, False, True, False]  # abstained?
    assert m.abstention(gold, said) == (0.5, 0.5)
    assert m.abstention([True], [False]) == (0.0, 0.0)
    assert m.abstention([False], [False]) == (0.0, 1.0)


def test_predicted_section_is_the_first_citation_or_unanswerable():
    assert m.predicted_section({"abstained": False, "sections": ["a/b", "c/d"]}) == "a/b"
    assert m.predicted_section({"abstained": True, "sections": []}) == m.UNANSWERABLE
