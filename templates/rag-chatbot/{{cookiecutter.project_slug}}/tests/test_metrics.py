import pytest

from {{ cookiecutter.module_name }} import metrics as m

GOLD = "The warranty lasts 24 months from purchase."
RIGHT = {"doc_id": "lock", "text": "Lock manual. The warranty lasts 24 months from purchase. Keep the receipt."}
WRONG_DOC = {"doc_id": "old-lock", "text": RIGHT["text"]}
OTHER = {"doc_id": "lock", "text": "Hold the reset button for 8 seconds."}


def test_relevance_needs_the_gold_document_and_the_gold_passage():
    assert m.is_relevant(RIGHT, "lock", GOLD)
    assert not m.is_relevant(WRONG_DOC, "lock", GOLD) and not m.is_relevant(OTHER, "lock", GOLD)


def test_rank_hit_and_reciprocal_rank():
    rank = m.first_relevant_rank([OTHER, WRONG_DOC, RIGHT], "lock", GOLD)
    assert rank == 3 and m.hit_at(rank, 1) == 0 and m.hit_at(rank, 3) == 1
    assert m.reciprocal_rank(rank) == pytest.approx(1 / 3) and m.reciprocal_rank(None) == 0


def test_context_precision_rewards_relevant_passages_ranked_first():
    assert m.context_precision([RIGHT, OTHER], "lock", GOLD) == 1.0
    assert m.context_precision([OTHER, RIGHT], "lock", GOLD) == 0.5
    assert m.context_recall([OTHER], GOLD) < 0.5 < m.context_recall([RIGHT], GOLD)


def test_faithfulness_checks_each_claim_against_what_it_cites():
    contexts = [OTHER, RIGHT]
    assert m.faithfulness('Quoted: "The warranty lasts 24 months from purchase." [2]', contexts) == 1.0
    assert m.faithfulness('Quoted: "The warranty lasts 24 months from purchase." [1]', contexts) == 0.0
    assert m.faithfulness("The warranty lasts 24 months [2]. It is also waterproof [2].", contexts) == 0.5
    assert m.faithfulness("It lasts forever.", contexts) == 0.0


def test_answer_correctness_requires_the_numbers():
    assert m.answer_correctness("The warranty is 24 months from purchase.", "24 months from purchase") == 1.0
    assert m.answer_correctness("The warranty is 12 months from purchase.", "24 months from purchase") == 0.0
    assert m.answer_relevance("How long is the warranty?", "The warranty is 24 months.") > 0.2
