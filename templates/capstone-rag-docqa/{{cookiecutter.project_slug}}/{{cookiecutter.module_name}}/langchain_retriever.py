"""The retriever as a LangChain retriever (``langchain-core``), to drop into any LangChain chain.

    from {{ cookiecutter.module_name }}.langchain_retriever import DocQARetriever
    retriever = DocQARetriever.from_params()
    docs = retriever.invoke("How long do deleted files stay in the trash?")

Each hit becomes a ``Document`` whose metadata carries the chunk id, section id, source file, page and
score, so a chain can cite its sources the way the offline pipeline does.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from {{ cookiecutter.module_name }}.config import load_params
from {{ cookiecutter.module_name }}.retrieve import Retriever


class DocQARetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 3

    @classmethod
    def from_params(cls, params: dict[str, Any] | None = None, k: int | None = None) -> DocQARetriever:
        params = params or load_params()
        return cls(retriever=Retriever(params), k=k or int(params["retrieve"]["top_k"]))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        docs = []
        for hit in self.retriever.search(query, self.k):
            c = self.retriever.chunk(hit.chunk_id)
            meta = {key: c[key] for key in ("chunk_id", "section_id", "doc_id", "source", "page", "title", "section")}
            docs.append(Document(page_content=c["text"], metadata={**meta, "score": hit.score}))
        return docs
