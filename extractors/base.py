"""The one interface every document kind's extractor implements, and their registry.

Like Camelot's parsers behind one `parse` call: the pipeline opens a file into a
layout (PDF pages or workbook sheets), asks every registered extractor how sure it
is that the layout is its kind (`detect`), and hands the layout to the most
confident one (`extract`). Adding a document kind means adding one module that
calls `register`.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from schemas.records import DocumentKind, Extraction


@runtime_checkable
class Extractor(Protocol):
    kind: DocumentKind

    def detect(self, layout: object) -> float:
        """Confidence in [0, 1] that `layout` is a document of this kind (cheap: text only)."""

    def extract(self, layout: object) -> Extraction:
        """Typed records of the document; never raises for content problems (use findings)."""


_REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> Extractor:
    _REGISTRY[extractor.kind] = extractor
    return extractor


def registered() -> dict[str, Extractor]:
    return dict(_REGISTRY)


def choose(layout: object, threshold: float = 0.5) -> Extractor | None:
    """The most confident extractor for `layout`, or None when none reaches `threshold`."""
    best, best_score = None, threshold
    for extractor in _REGISTRY.values():
        score = extractor.detect(layout)
        if score >= best_score:
            best, best_score = extractor, score
    return best
