"""Typed records of the SQL contract (docs/sql-contract.md).

One pydantic model per contract table. Extractors build these records; the
loader turns them into DuckDB rows. The DuckDB DDL is derived from these
models (schemas/ddl.py), so a column exists in exactly one place.

Provenance fields (page, bbox, sheet, cell, source) come from `Provenance`
and are shared by every record that comes from a document.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.types import BBox, FindingCode

# The kinds are declared by the extractors' registry (extractors.base.KindSpec, one per module in
# extractors/kinds/), which schemas may not import: here a kind is only a lower-case identifier, the
# registry refuses any other, and extract_file stamps the chosen spec's kind (or `unknown`) on
# every Extraction; tests/test_kinds.py checks the contract document lists exactly those kinds.
DocumentKind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$",
                                    description="a registered document kind, or unknown")]
DocumentStatus = Literal["ok", "partial", "failed", "needs_ocr", "skipped"]
Severity = Literal["error", "warning", "info"]


class Record(BaseModel):
    """Base of every contract row: frozen, so derived records are new objects."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Correctable(Record):
    """A row a person can correct (pipeline/corrections.py): the loader's rows are never
    corrected; corrections applied on top of them set the marker."""

    corrected: bool = Field(False, description="a correction (table corrections) changed this row")


class Scored(Correctable):
    """A value with a confidence: parse certainty, table parsing report, OCR."""

    confidence: float | None = Field(
        None, ge=0.0, le=1.0, description="0-1: how sure the extraction is of this value (1 = certain)")


class Provenance(Scored):
    """Where a value came from: page + bbox for PDFs, sheet + cell for spreadsheets."""

    page: int | None = Field(None, description="1-based PDF page")
    bbox: BBox | None = Field(None, description="x0, top, x1, bottom in PDF points")
    sheet: str | None = Field(None, description="worksheet name")
    cell: str | None = Field(None, description="A1-style cell reference")
    source: Literal["text", "ocr", "cell"] | None = Field(
        None, description="text layer, OCR or spreadsheet cell")


class Document(Record):
    doc_id: str = Field(description="sha256 hex of the file bytes")
    source_path: str
    file_name: str
    kind: DocumentKind = "unknown"
    status: DocumentStatus = "ok"
    error: str | None = None
    pages: int | None = None
    ingested_at: dt.datetime | None = None
    extractor_version: str | None = None
    file_size: int | None = None
    file_mtime: float | None = None


class Plan(Correctable):
    chamber: str | None = None
    chamber_corporate_number: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    goals: str | None = None
    page: int | None = None


class PlanChamber(Correctable):
    """One implementing chamber of a plan, in printed order (a joint plan has several)."""

    chamber: str
    corporate_number: str | None = Field(None, description="法人番号, 13 digits, NULL where none is printed")
    page: int | None = None


class PlanMunicipality(Correctable):
    name: str
    local_gov_code: str | None = None
    page: int | None = None


class Section(Correctable):
    section_no: str
    title: str
    level: int = 1
    parent_no: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    body: str | None = None
    canonical: str | None = None
    search_terms: str | None = Field(
        None, description="space-separated Sudachi word forms of title and body (full-text index)")


class Target(Provenance):
    section_no: str | None = None
    metric: str
    parent_metric: str | None = None
    fiscal_year: int | None = None
    is_baseline: bool = False
    value: float | None = None
    unit: str | None = None
    raw: str | None = None
    indicator: str | None = None


class Budget(Provenance):
    item: str
    is_total: bool = False
    fiscal_year: int | None = None
    amount_thousand_yen: int | None = None
    raw: str | None = None


class FundingSource(Correctable):
    source: str
    page: int | None = None


class Contact(Correctable):
    organization: str | None = None
    department: str | None = None
    postal_code: str | None = None
    address: str | None = None
    tel: str | None = None
    fax: str | None = None
    email: str | None = None
    url: str | None = None
    page: int | None = None


class Partner(Correctable):
    name: str | None = None
    address: str | None = None
    representative: str | None = None
    content: str | None = None
    role: str | None = None
    page: int | None = None


class ProgressRow(Provenance):
    direction: str | None = None
    measure: str | None = None
    project: str | None = None
    metric: str | None = None
    page_ref: str | None = None
    implementer: str | None = None
    unit: str | None = None
    fiscal_year: int | None = None
    target: float | None = None
    actual: float | None = None
    grade: str | None = None
    grade_computed: str | None = None


class DocumentPage(Record):
    """How one PDF page was classified and read (every page of every PDF)."""

    page: int
    page_class: str = Field(description="born_digital, born_digital_with_pictures, image_only, "
                                        "image_with_invisible_text, garbled_text or blank")
    read_as: str = Field(description="text, ocr, ocr+text_layer, text+ocr_pictures, text_layer or none")
    engine: str | None = Field(None, description="the OCR engine, when OCR read the page or its pictures")
    mean_confidence: float | None = Field(None, description="0–1: mean OCR word confidence on the page")


class Finding(Record):
    severity: Severity = "warning"
    code: FindingCode
    message: str
    location: str | None = None


class TableReport(Record):
    """How one table of the layout was read (not a contract table: `shoko inspect` shows it)."""

    page: int
    order: int = Field(description="the table's place on its page, top to bottom")
    method: str = Field(description="the table strategy that read it: rulings, pdfplumber, stream, ocr")
    accuracy: float = Field(description="% of the table's words inside one cell")
    whitespace: float = Field(description="% of empty cells")
    n_rows: int
    n_cols: int
    bbox: BBox


class Extraction(Record):
    """Everything one extractor found in one document (without doc_id: the loader adds it)."""

    kind: DocumentKind = "unknown"
    status: DocumentStatus = "ok"
    error: str | None = None
    pages: int | None = None
    plans: list[Plan] = []
    plan_chambers: list[PlanChamber] = []
    plan_municipalities: list[PlanMunicipality] = []
    sections: list[Section] = []
    targets: list[Target] = []
    budgets: list[Budget] = []
    funding_sources: list[FundingSource] = []
    contacts: list[Contact] = []
    partners: list[Partner] = []
    progress: list[ProgressRow] = []
    document_pages: list[DocumentPage] = []
    findings: list[Finding] = []
    table_reports: list[TableReport] = []   # not loaded: what `shoko inspect` shows of the layout


# Contract table name -> record model; the order is the load order.
CONTRACT_TABLES: dict[str, type[Record]] = {
    "documents": Document,
    "plans": Plan,
    "plan_chambers": PlanChamber,
    "plan_municipalities": PlanMunicipality,
    "sections": Section,
    "targets": Target,
    "budgets": Budget,
    "funding_sources": FundingSource,
    "contacts": Contact,
    "partners": Partner,
    "progress": ProgressRow,
    "document_pages": DocumentPage,
    "findings": Finding,
}

# Tables filled from an Extraction (every one but documents).
EXTRACTION_TABLES = [name for name in CONTRACT_TABLES if name != "documents"]
