"""The one interface every document kind implements, the kinds' registry, and their shared runner.

Like Camelot's parsers behind one `parse` call: the pipeline opens a file into a
layout (PDF pages or workbook sheets), asks every registered kind how sure it is
that the layout is its kind (`detect`), and hands the layout to the most confident
one (`extract`). Each kind is declared once, by a `KindSpec` that its own module in
`extractors/kinds/` registers: the registry, the unknown-kind message, OCR
provenance, canonical codes and the view list all read the specs, so adding a kind
is one module (`extractors.kinds.load()` discovers it) and nothing else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Protocol, TypeVar, runtime_checkable

from schemas.records import EXTRACTION_TABLES, Extraction, Finding

T = TypeVar("T")

UNKNOWN = "unknown"  # documents.kind of a file no kind recognised


@runtime_checkable
class Extractor(Protocol):
    def detect(self, layout: object) -> float:
        """Confidence in [0, 1] that `layout` is a document of this kind (cheap: text only)."""

    def extract(self, layout: object) -> Extraction:
        """Typed records of the document; never raises for content problems (use findings)."""


@dataclass(frozen=True)
class KindSpec:
    """Everything the pipeline needs to know about one document kind."""

    kind: str                      # documents.kind: a lower-case identifier
    label: str                     # human name, in messages ("progress report")
    extractor: Extractor
    tables: tuple[str, ...]        # the Extraction tables it fills (findings aside)
    canonical_sections: bool       # its sections follow the law's standard form (sections.canonical)
    views: tuple[str, ...] = ()    # views of pipeline/views.py over its rows (SQL kept there: the store
                                   # loads no extractor); tests/test_kinds.py keeps the two in step
    priority: int = 0              # wins a tie of detect scores (see `choose`)

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.kind) or self.kind == UNKNOWN:
            raise ValueError(f"document kind {self.kind!r}: a lower-case identifier other than {UNKNOWN!r}")
        unknown_tables = set(self.tables) - set(EXTRACTION_TABLES) | ({"findings"} & set(self.tables))
        if unknown_tables:
            raise ValueError(f"kind {self.kind}: no extraction table {sorted(unknown_tables)}")
        if not isinstance(self.extractor, Extractor):
            raise TypeError(f"kind {self.kind}: the extractor needs detect() and extract()")


_REGISTRY: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    """Add a kind; registering the same spec twice is a no-op, another one under its name an error."""
    known = _REGISTRY.get(spec.kind)
    if known is not None and known != spec:
        raise ValueError(f"document kind {spec.kind!r} is registered twice")
    _REGISTRY[spec.kind] = spec
    return spec


def unregister(kind: str) -> None:
    _REGISTRY.pop(kind, None)


def specs() -> tuple[KindSpec, ...]:
    """The registered kinds by ascending priority, then name (the order messages list them in)."""
    return tuple(sorted(_REGISTRY.values(), key=lambda s: (s.priority, s.kind)))


def spec_of(kind: str) -> KindSpec | None:
    return _REGISTRY.get(kind)


def registered() -> dict[str, Extractor]:
    return {spec.kind: spec.extractor for spec in specs()}


def choose(layout: object, threshold: float = 0.5) -> KindSpec | None:
    """The kind most confident about `layout`, or None when none reaches `threshold`.

    Ties are broken explicitly, never by registration order: the higher score wins,
    then the higher `priority`, then the kind name that sorts first.
    """
    scored = [(spec.extractor.detect(layout), spec) for spec in specs()]
    scored = [(score, spec) for score, spec in scored if score >= threshold]
    if not scored:
        return None
    return min(scored, key=lambda pair: (-pair[0], -pair[1].priority, pair[1].kind))[1]


def unknown_kind_message() -> str:
    """`not recognised as a business development plan, promotion plan or progress report`."""
    labels = [spec.label for spec in specs()]
    if not labels:
        return "no document kind is registered"
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return f"not recognised as a {listed}"


# --- per-part isolation, shared by every kind ----------------------------------------------

def _run_directly(name: str, fn: Callable[[], T], default: Any = None) -> T:
    return fn()


class Parts:
    """An extraction run part by part: a part that raises becomes an `extraction_error`
    finding naming it (status `partial`, `error` listing the failed parts) and the
    other parts' records are kept. Readers that take `parts=None` run unguarded, so a
    test calling them directly still sees the exception.
    """

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.findings: list[Finding] = []
        self.incomplete = False

    def run(self, name: str, fn: Callable[[], T], default: Any = None) -> T:
        try:
            return fn()
        except Exception as exc:  # one part's failure must not lose the others
            self.fail(name, Finding(severity="error", code="extraction_error",
                                    message=f"{name}: {type(exc).__name__}: {exc}", location=name))
            return default

    def fail(self, name: str, finding: Finding) -> None:
        """A part that ran but gave nothing usable (e.g. no 概要 table): it counts as failed."""
        self.failed.append(name)
        self.findings.append(finding)

    def missing(self, finding: Finding) -> None:
        """Content the kind expects was not found: `partial`, without a failed part."""
        self.incomplete = True
        self.findings.append(finding)

    def extraction(self, kind: str, **records) -> Extraction:
        status = "partial" if self.failed or self.incomplete else "ok"
        error = f"failed parts: {', '.join(self.failed)}" if self.failed else None
        return Extraction(kind=kind, status=status, error=error, findings=self.findings, **records)


def runner(parts: Parts | None) -> Callable[..., Any]:
    """`parts.run`, or a runner that lets exceptions through when there is no Parts."""
    return parts.run if parts is not None else _run_directly
