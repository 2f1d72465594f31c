"""Retrieval: fusion by hand, the configured retriever on the shipped corpus, the LangChain interface."""

import pytest

from {{ cookiecutter.module_name }}.retrieve import Hit, QuestionError, Retriever, rrf


@pytest.fixture(scope="module")
def retriever(params, chunks):
    return Retriever(params)


def test_rrf_by_hand():
    fused = rrf([[Hit("a", 9), Hit("b", 5)], [Hit("b", 0.9), Hit("c", 0.8)]], k=60)
    assert [h.chunk_id for h in fused] == ["b", "a", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61, abs=1e-6)


def test_a_table_fact_is_found_in_its_section(retriever, unnumbered):
    hits = retriever.search("How many requests per minute does the Standard API tier allow?")
    assert unnumbered(retriever.chunk(hits[0].chunk_id)["section_id"]) == "api-reference/rate-limits"
    assert hits == sorted(hits, key=lambda h: -h.score) and len(hits) == 3


def test_the_current_version_answers_not_the_superseded_one(retriever, unnumbered):
    top = retriever.chunk(retriever.search("How long do deleted files stay in the trash?")[0].chunk_id)
    assert unnumbered(top["section_id"]) == "retention-policy-v2/deleted-files"


def test_an_overlong_question_is_refused_in_one_line(retriever):
    with pytest.raises(QuestionError, match=r"question of 10000 characters"):
        retriever.search("x" * 10_000)
    with pytest.raises(QuestionError, match="empty question"):
        retriever.search("   ")


def test_langchain_retriever_returns_documents_with_their_sources(retriever, unnumbered):
    from langchain_core.documents import Document

    from {{ cookiecutter.module_name }}.langchain_retriever import DocQARetriever

    docs = DocQARetriever(retriever=retriever, k=2).invoke("Which TLS version does every connection use?")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert unnumbered(docs[0].metadata["section_id"]) == "security-overview/encryption-in-transit"
    assert {"chunk_id", "source", "page", "score"} <= set(docs[0].metadata)
