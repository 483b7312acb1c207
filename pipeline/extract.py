"""One file → one Extraction: open the layout, choose the extractor, extract.

Runs inside worker processes. Never raises for a bad file: every problem becomes
a `failed` / `needs_ocr` Extraction with a one-line readable error, so one bad
file never stops a batch.
"""
from __future__ import annotations

import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

from extractors import base, kinds
from extractors.readers.table_reports import layout_reports
from pipeline.canonical import enrich
from pipeline.confidence import score as score_confidence
from schemas.records import CONTRACT_TABLES, DocumentPage, Extraction, Finding, Provenance

EXTRACTOR_VERSION = "0.3.0"  # documents loaded by another version are re-extracted (0.3.0: new layouts, confidence, skipped)

PDF_SUFFIXES = {".pdf"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | SHEET_SUFFIXES

OCR_HINT = ("no text layer (scanned pages?): install Debian's tesseract-ocr and "
            "tesseract-ocr-jpn to read it by OCR")
OCR_EMPTY = "no text layer, and OCR (Tesseract) found no text: blank or unreadable scan"


def load_extractors() -> dict[str, base.Extractor]:
    """Every document kind's extractor (extractors/kinds/ modules, imported once)."""
    kinds.load()
    return base.registered()


class NotThatFileType(ValueError):
    """The bytes are not of the type the file name says (a renamed or mis-saved file)."""


def sniff(path: Path) -> str:
    """'pdf', 'zip' (xlsx/xlsm/ods), 'ole' (xls) or 'other', from the first bytes."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    return "other"


def _describe_head(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    return repr(head[:12])[2:-1]


def open_layout(path: Path, on_page=None):
    """The layout of a file, by its bytes' type rather than its name where they disagree."""
    suffix = path.suffix.lower()
    magic = sniff(path)
    if magic == "pdf":
        suffix = ".pdf"
    elif suffix in PDF_SUFFIXES:
        raise NotThatFileType(f"not a PDF: the file starts with '{_describe_head(path)}' "
                              "(a renamed file or a saved web page?)")
    elif suffix in {".xlsx", ".xlsm"} and magic != "zip":
        raise NotThatFileType(f"not an Excel xlsx file: the file starts with '{_describe_head(path)}'")
    if suffix in PDF_SUFFIXES:
        from extractors.layout.pdf import read_pdf_layout
        return read_pdf_layout(path, on_page=on_page)
    if suffix in SHEET_SUFFIXES:
        from extractors.layout.workbook import read_workbook
        return read_workbook(path)
    raise ValueError(f"unsupported file type {suffix!r} (shoko reads {', '.join(sorted(SUPPORTED_SUFFIXES))})")


def describe_error(exc: BaseException, path: Path | None = None) -> str:
    """A one-line reason a user can act on (the path is in the documents row already)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if path is not None:
        text = text.replace(f"{path}: ", "").replace(str(path), path.name)
    if isinstance(exc, NotThatFileType):
        return text
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a valid xlsx (zip) file: {text}"
    if isinstance(exc, MemoryError):
        return "ran out of memory while reading the file"
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def page_count(layout) -> int | None:
    pages = getattr(layout, "pages", None)
    if pages is not None:
        return len(pages)
    sheets = getattr(layout, "sheets", None)
    return len(sheets) if sheets is not None else None


@dataclass(frozen=True)
class Limits:
    """Generous defaults: a plan is 20–40 pages and a few MB; a 300-page report still passes."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 1000


class LimitError(ValueError):
    """The file is empty or over a configured limit."""


def check_limits(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise LimitError("empty file (0 bytes)")
    if size > limits.max_file_bytes:
        raise LimitError(f"file too large: {size / 1e6:.0f} MB (limit {limits.max_file_bytes / 1e6:.0f} MB, "
                            "raise it with --max-file-mb)")
    if sniff(path) == "pdf":
        import pymupdf

        try:
            with pymupdf.open(path) as doc:
                count = doc.page_count
        except Exception:
            return  # unreadable: the layout reader reports it properly
        if count > limits.max_pages:
            raise LimitError(f"too many pages: {count} (limit {limits.max_pages}, raise it with --max-pages)")


def ocr_tables(spec: base.KindSpec | None) -> list[str]:
    """The kind's tables whose rows carry page provenance (and so a `source`)."""
    return [t for t in (spec.tables if spec else ()) if issubclass(CONTRACT_TABLES[t], Provenance)]


LOW_CONFIDENCE = 0.6  # OCR'd values under it are listed by `shoko inspect` and counted by ingest


def _ocr_confidence(record, words_by_page) -> tuple[bool, float | None]:
    """Whether a record's cell was read by OCR, and the lowest word confidence in it."""
    box = record.bbox
    words = words_by_page.get(record.page)
    if not words or box is None:
        return False, None
    inside = [w.confidence for w in words
              if box[0] - 1 <= (w.bbox[0] + w.bbox[2]) / 2 <= box[2] + 1
              and box[1] - 1 <= (w.bbox[1] + w.bbox[3]) / 2 <= box[3] + 1]
    scores = [c for c in inside if c is not None]
    return bool(inside), (round(min(scores), 3) if scores else None)


def page_records(layout) -> list[DocumentPage]:
    return [DocumentPage(page=p.number, page_class=p.page_class, read_as=p.read_as, engine=p.engine,
                         mean_confidence=p.ocr_confidence)
            for p in getattr(layout, "pages", ()) if hasattr(p, "page_class")]


def mark_ocr(extraction: Extraction, layout, spec: base.KindSpec | None = None) -> Extraction:
    """Provenance `source = 'ocr'` and a confidence on every value read by OCR, one
    `document_pages` row per PDF page, and a finding naming the OCR'd pages."""
    update: dict = {"document_pages": page_records(layout)}
    read = [p for p in getattr(layout, "pages", ()) if getattr(p, "ocr", False)]
    if not read:
        return extraction.model_copy(update=update)
    whole = {p.number for p in read if p.read_as in ("ocr", "ocr+text_layer", "text_layer")}
    words_by_page = {p.number: [w for w in p.words if w.confidence is not None or p.number in whole]
                     for p in read}
    for table in ocr_tables(spec):
        rows = []
        for record in getattr(extraction, table):
            by_ocr, confidence = _ocr_confidence(record, words_by_page)
            if record.page in whole or by_ocr:
                marks = {"source": "ocr"}
                if "confidence" in type(record).model_fields:
                    # the lower of the OCR's and the parse's doubt (pipeline/confidence.py) is kept
                    marks["confidence"] = confidence
                record = record.model_copy(update=marks)
            rows.append(record)
        update[table] = rows
    pages = ", ".join(f"{p.number} ({p.page_class}, {p.read_as}"
                      + (f", mean confidence {p.ocr_confidence:.2f})" if p.ocr_confidence is not None else ")")
                      for p in read)
    engines = sorted({p.engine for p in read if p.engine})
    finding = Finding(severity="info", code="ocr_pages",
                      message=f"read by OCR ({', '.join(engines) or 'tesseract'}): pages {pages}; "
                              "check OCR'd values against the document",
                      location=f"pages {', '.join(str(p.number) for p in read)}")
    update["findings"] = [*extraction.findings, finding]
    low = [r for t in ocr_tables(spec) for r in update[t]
           if getattr(r, "confidence", None) is not None and r.confidence < LOW_CONFIDENCE]
    if low:
        update["findings"].append(Finding(
            severity="warning", code="ocr_low_confidence",
            message=f"{len(low)} OCR'd values under confidence {LOW_CONFIDENCE}: check them against the page",
            location="pages " + ", ".join(str(p) for p in sorted({r.page for r in low}))))
    return extraction.model_copy(update=update)


def missing_text_layer(layout) -> list[int]:
    return [p.number for p in getattr(layout, "pages", ()) if not p.has_text_layer]


def no_text_reason(layout, pages: list[int]) -> str:
    """Why pages have no text: OCR is missing, or it ran and read nothing."""
    tried = {p.number for p in getattr(layout, "pages", ()) if getattr(p, "ocr", False)}
    return OCR_EMPTY if set(pages) <= tried else OCR_HINT


def extract_file(path: str | Path, debug: bool = False, limits: Limits = Limits(),
                 on_page=None) -> Extraction:
    """file → layout → chosen extractor → records (+ OCR provenance); never raises for a bad file.

    `on_page(page, page_count)` hears each PDF page as it is read (progress inside a file)."""
    path = Path(path)
    try:
        check_limits(path, limits)
        layout = open_layout(path, on_page)
    except LimitError as exc:
        return Extraction(status="failed", error=str(exc))
    except Exception as exc:  # any reader error is a property of the file, not of the batch
        if debug:
            traceback.print_exc()
        return Extraction(status="failed", error=describe_error(exc, path))
    pages = page_count(layout)
    no_text = missing_text_layer(layout)
    if no_text and len(no_text) == pages:
        return Extraction(status="needs_ocr", error=no_text_reason(layout, no_text), pages=pages,
                          document_pages=page_records(layout))
    load_extractors()
    chosen = base.choose(layout)
    if chosen is None:
        reason = base.unknown_kind_message()
        finding = Finding(severity="warning", code="unknown_document_kind", message=reason)
        return mark_ocr(Extraction(kind=base.UNKNOWN, status="skipped", error=reason, pages=pages,
                                   findings=[finding]), layout)
    try:
        extraction = chosen.extractor.extract(layout)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        return Extraction(kind=chosen.kind, status="failed", pages=pages,
                          error=f"extractor {chosen.kind} failed: {describe_error(exc, path)}")
    extraction = mark_ocr(extraction, layout, chosen)
    reports, layout_findings = layout_reports(layout)
    extraction = extraction.model_copy(update={"table_reports": reports,
                                               "findings": [*extraction.findings, *layout_findings]})
    lost = [f for f in layout_findings if f.severity == "error"]   # values the layout could not give
    if lost and extraction.status == "ok":
        extraction = extraction.model_copy(update={"status": "partial", "error": lost[0].message})
    if no_text:
        where = ", ".join(map(str, no_text))
        extraction = extraction.model_copy(update={
            "status": "partial",
            "error": f"pages {where}: {no_text_reason(layout, no_text)}",
            "findings": [*extraction.findings, Finding(severity="warning", code="pages_need_ocr",
                                                       message=no_text_reason(layout, no_text),
                                                       location=f"pages {where}")]})
    extraction = enrich(extraction.model_copy(update={"pages": extraction.pages or pages, "kind": chosen.kind}))
    return score_confidence(extraction, layout)
