"""Search terms: the words a section is indexed under, cut in the extraction workers.

Kept apart from pipeline.search (the index and the queries) so that the workers,
which only cut terms, never import DuckDB or Arrow.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.normalize.tokenizer import prepare, word_spans

# Parts of speech that carry no meaning for search (rule phrases keep them: 経営状況の分析).
SKIP_POS = frozenset({"補助記号", "空白", "助詞", "助動詞"})


def search_forms(text: str) -> list[str]:
    """Index / query terms: each word's mode-C form, its mode-A parts, and the pair of it with
    the word right before it (so a query `事業承継` ranks the phrase above scattered 事業 … 承継)."""
    terms: list[str] = []
    previous, previous_end = None, -1
    for (form, parts, pos), begin, end in word_spans(prepare(text)):
        if pos in SKIP_POS:
            previous = None
            continue
        terms.append(form)
        if len(parts) > 1:
            terms.extend(p for p in parts if p != form)
        if previous is not None and previous_end == begin:
            terms.append(previous + form)
        previous, previous_end = form, end
    return terms


_SENTENCE_END = re.compile(r"(?<=。)")


@lru_cache(maxsize=16384)
def _sentence_terms(sentence: str) -> str:
    return " ".join(search_forms(sentence))


def section_terms(title: str | None, body: str | None) -> str:
    """The space-separated word forms of a section (title and body).

    A parent section's body holds its children's text, so the same sentences come
    again and again: they are cut once each (words never span a 。).
    """
    text = prepare(f"{title or ''}\n{body or ''}")
    sentences = (_sentence_terms(sentence) for sentence in _SENTENCE_END.split(text) if sentence)
    return " ".join(terms for terms in sentences if terms)
