import pytest

from {{ cookiecutter.module_name }}.retrieve import BM25, Hit, Retriever, rrf


def test_bm25_prefers_the_document_with_the_rare_query_word():
    bm25 = BM25(["a", "b", "c"], ["the router blinks blue", "the camera records video", "the router and camera"])
    assert bm25.search("camera video", 3)[0].chunk_id == "b"
    assert bm25.search("nothing matches", 3) == []


def test_rrf_rewards_agreement_between_rankings():
    fused = rrf([[Hit("x", 9), Hit("y", 8)], [Hit("y", 0.9), Hit("z", 0.8)]], k=60)
    assert [h.chunk_id for h in fused] == ["y", "x", "z"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)


def test_hybrid_retrieval_finds_the_right_manual(params, chunks):
    retriever = Retriever(params, chunks)
    hits = retriever.search("How long is the warranty on the Harbor Lock?", 3)
    assert len(hits) == 3
    assert any(retriever.chunk(h.chunk_id)["doc_id"] == "harbor-lock" for h in hits)


def test_an_index_built_with_another_embedder_is_refused(params, chunks):
    other = {**params, "embed": {**params["embed"], "model": "minilm"}}
    with pytest.raises(ValueError, match="re-run"):
        Retriever({**other, "retrieve": {**params["retrieve"], "mode": "dense"}}, chunks)
