"""The sudachi tokenizer shared by canonical codes, search terms and search queries.

Text → prepared text (NFKC, layout spaces inside words removed) → mode-C words with
their mode-A parts. Kept beside the normalisers so that pipeline.canonical and
pipeline.terms both read it from below instead of from each other.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from pipeline.normalize.text import normalize_text

# sudachi reads at most ~48 KB at once; bodies are tokenised in chunks below this.
MAX_CHUNK_CHARS = 4000

_TOKENIZER = None
TOKENIZER_FIELDS = {"pos", "normalized_form", "split_a"}


def tokenizer():
    """The sudachi tokenizer, created on first use (loading the dictionary takes a while)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        from sudachipy import Dictionary

        from sudachipy import SplitMode

        # only the fields shoko reads (forms, part of speech, mode-A splits): less to unpack per word
        _TOKENIZER = Dictionary(dict="core").tokenizer(SplitMode.C, fields=TOKENIZER_FIELDS)
    return _TOKENIZER


# normalize_text leaves single spaces as the only whitespace, so both patterns start at a
# literal space (the regex engine jumps from space to space instead of trying every position).
_SPACED_LETTERS = re.compile(r" (?<=(?<![A-Za-z])[A-Za-z] )(?=[A-Za-z](?![A-Za-z]))")
_SPACE_NEXT_TO_WIDE = re.compile(r" (?:(?<=[^\x00-\x7f] )|(?=[^\x00-\x7f]))")


def _normalized(text: str) -> str:
    """normalize_text(text), line by line: a line break is a boundary NFKC never crosses and
    whitespace collapsing turns into one space, so the result is the same, and a parent
    section's text (its children's lines again) reuses normalize_text's cache of each line."""
    if not isinstance(text, str) or "\n" not in text:
        return normalize_text(text)
    return " ".join(line for line in map(normalize_text, text.split("\n")) if line)


def prepare(text: str) -> str:
    """NFKC-normalised text with the spaces PDF layout put inside words removed (`D X` → `DX`)."""
    text = _normalized(text or "")
    if " " not in text:
        return text
    previous = None
    while previous != text:  # `D X I` needs more than one pass (overlapping matches)
        previous, text = text, _SPACED_LETTERS.sub("", text)
    return _SPACE_NEXT_TO_WIDE.sub("", text)


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) pieces under sudachi's input limit, cut at line ends where possible."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK_CHARS)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind("。", start, end))
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


class Word(NamedTuple):
    """One mode-C word: its normalized form, its mode-A parts' forms, part of speech, where it is."""

    form: str
    parts: tuple[str, ...]
    pos: str
    begin: int
    end: int


Entry = tuple[str, tuple[str, ...], str]  # (form, parts, pos) of a dictionary word as written
Span = tuple[Entry, int, int]  # (entry, begin, end) of one word in the text

# Forms, mode-A parts and part of speech depend only on the dictionary entry and the written
# surface, so each is asked of sudachi once (its split() and form calls were most of the cost).
_ENTRIES: dict[tuple[int, str], Entry] = {}
MAX_ENTRIES = 50_000  # unknown words (numbers, names) keep coming: start over past this


def read_entry(m, surface: str) -> Entry:
    """(form, mode-A parts, part of speech) of morpheme m as sudachi gives them, forms
    case-folded; the parts are (form,) for a word with no smaller ones. Asks sudachi each
    time: callers remember the result per entry."""
    from sudachipy import SplitMode

    form = m.normalized_form().casefold()
    # a one-character word has no smaller mode-A parts: skip the split call
    parts = (tuple(p.normalized_form().casefold() for p in m.split(SplitMode.A))
             if len(surface) > 1 else ())
    return form, parts or (form,), m.part_of_speech()[0]


def _entry(m, surface: str) -> Entry:
    """Look up and remember the entry of morpheme m."""
    if len(_ENTRIES) >= MAX_ENTRIES:
        _ENTRIES.clear()
    entry = _ENTRIES[(m.word_id(), surface)] = read_entry(m, surface)
    return entry


# Sudachi numbers the words it made up itself (unknown words) from here on; below it a
# word id names one dictionary entry, whatever the surface.
FIRST_UNKNOWN_WORD_ID = 0xF0000000


def word_keys(text: str):
    """(key, morpheme) for each sudachi word of already prepared text: the key names the
    dictionary entry (its word id, with the surface for made-up words), so a caller can
    remember per key what it derives from the morpheme and skip asking sudachi again."""
    tokenize = tokenizer().tokenize
    for _, piece in _chunks(text):
        for m in tokenize(piece):
            word_id = m.word_id()
            yield (word_id if word_id < FIRST_UNKNOWN_WORD_ID else (word_id, m.surface())), m


def word_spans(text: str) -> list[Span]:
    """sudachi words (split mode C) of already prepared text as (entry, begin, end), forms
    case-folded; blanks left out. The lean form of `words` for the hot paths."""
    out: list[Span] = []
    tokenize = tokenizer().tokenize
    entries = _ENTRIES
    end = 0
    for _, piece in _chunks(text):
        for m in tokenize(piece):
            # sudachi's words cover the text end to end, each as long as its surface
            surface = m.surface()
            begin, end = end, end + len(surface)
            if not surface.strip():
                continue
            entry = entries.get((m.word_id(), surface)) or _entry(m, surface)
            out.append((entry, begin, end))
    return out


def words(text: str) -> list[Word]:
    """sudachi words (split mode C) of already prepared text, forms case-folded."""
    return [Word(form, parts, pos, begin, end) for (form, parts, pos), begin, end in word_spans(text)]
