"""Search terms: the words a section is indexed under, cut in the extraction workers.

Kept apart from pipeline.search (the index and the queries) so that the workers,
which only cut terms, never import DuckDB or Arrow.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.normalize.tokenizer import prepare, read_entry, word_keys

# Parts of speech that carry no meaning for search (rule phrases keep them: 経営状況の分析).
SKIP_POS = frozenset({"補助記号", "空白", "助詞", "助動詞"})


# What a dictionary word adds to the terms: None for a word search skips, else
# (its mode-C form, its other mode-A parts). Per entry, so sudachi is asked once.
_WORD_TERMS: dict = {}
MAX_WORD_TERMS = 50_000  # made-up words (numbers, names) keep coming: start over past this


def _word_terms(key, m):
    if len(_WORD_TERMS) >= MAX_WORD_TERMS:
        _WORD_TERMS.clear()
    surface = m.surface()
    entry = None
    if surface.strip():
        form, parts, pos = read_entry(m, surface)
        if pos not in SKIP_POS:
            entry = (form, tuple(p for p in parts if p != form) if len(parts) > 1 else ())
    _WORD_TERMS[key] = entry
    return entry


def search_forms(text: str) -> list[str]:
    """Index / query terms: each word's mode-C form, its mode-A parts, and the pair of it with
    the word right before it (so a query `事業承継` ranks the phrase above scattered 事業 … 承継).

    The hot loop of an ingest (every sentence of every section): one dictionary lookup per
    word, the rest remembered per entry in _WORD_TERMS."""
    terms: list[str] = []
    append = terms.append
    known = _WORD_TERMS
    previous = None
    for key, m in word_keys(prepare(text)):
        entry = known.get(key, 0)
        if entry == 0:
            entry = _word_terms(key, m)
        if entry is None:  # punctuation, particles, blanks: no term, and no pair across them
            previous = None
            continue
        form, parts = entry
        append(form)
        if parts:
            terms.extend(parts)
        if previous is not None:
            append(previous + form)
        previous = form
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
