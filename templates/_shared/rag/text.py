"""Tokens and sentences: the small text helpers that BM25, the hashing embedder and the metrics share."""

from __future__ import annotations

import re

TOKEN = re.compile(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'*(])")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "long",
        "many",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "until",
        "up",
        "was",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "me",
        "much",
        "must",
        "should",
        "would",
        "could",
        "after",
        "before",
    ]
)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (numbers and hyphenated words kept whole)."""
    return TOKEN.findall(text.lower())


def content_tokens(text: str) -> list[str]:
    """Tokens without stop words: what a claim or a question is about."""
    return [t for t in tokens(text) if t not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """Split prose into sentences (good enough for manuals; not for abbreviations like 'e.g.')."""
    parts = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        parts.extend(s.strip() for s in SENTENCE_END.split(block) if s.strip())
    return parts
