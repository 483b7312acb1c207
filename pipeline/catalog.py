"""What every table, view and column means: COMMENT ON in DuckDB (and in the PostgreSQL
mirror), `shoko schema`, and the keys a BI tool joins on.

The text follows docs/sql-contract.md (tests/test_contract.py checks that the contract
document, this catalog and the database agree).

Keys. `documents.doc_id` is the primary key (enforced); every other table's `doc_id`
refers to it. DuckDB's foreign keys cannot be declared here: DuckDB refuses to delete a
parent row in the transaction that deleted its children (measured on 1.4.4: "key is still
referenced"), and a changed document is replaced exactly that way, in one transaction,
so that a crash never leaves half of it; and each foreign key keeps an ART index on the
child column (measured: 1 million child rows insert in 8.6 s instead of 1.7 s, and the
file is 41 MB instead of 14 MB). The references are enforced in the PostgreSQL
mirror (built fresh on every publish) and stated in each `doc_id` column's comment here.
The natural key of each child table (below) is documented, not enforced: a document may
repeat a row (two identical cells), which is kept as printed.
"""
from __future__ import annotations

import duckdb

from schemas.ddl import sql_literal

PROVENANCE = {
    "page": "1-based PDF page the value was read from (NULL for spreadsheets)",
    "bbox": "x0, top, x1, bottom of the cell or line in PDF points",
    "sheet": "worksheet name (spreadsheets)",
    "cell": "A1-style cell reference (spreadsheets)",
    "source": "how the value was read: text (PDF text layer), ocr (scanned page) or cell (spreadsheet)",
}
DOC_ID = "sha256 of the source file (references documents.doc_id)"
# Columns every table may carry (review and confidence), described once for all of them.
SHARED_COLUMNS = {
    "corrected": "true when a correction (table corrections, shoko correct / shoko review) changed this row",
    "confidence": "0-1: how sure the reader is of this value (OCR, table parsing report, parse doubts)",
}
_CORRECTION_COLUMNS = {
    "id": "correction number (shoko correct --undo ID)",
    "doc_id": DOC_ID,
    "table": "contract table of the corrected row",
    "row_key": "JSON of the row's natural key when the correction was made",
    "column": "corrected column",
    "extracted_value": "the value as extracted (JSON)",
    "corrected_value": "the value the row shows now (JSON)",
    "note": "why, as given with --note or in the review page",
    "created_at": "when the correction was made",
}

# table -> (description with its natural key, {column: description})
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "documents": ("One row per ingested file, failed ones included. Key: doc_id.", {
        "doc_id": "sha256 hex of the file bytes (primary key)",
        "source_path": "path of the file as given to shoko ingest",
        "file_name": "base name of the file, e.g. ome_cci_2023.pdf",
        "kind": "business_development_plan, promotion_plan, progress_report or unknown",
        "status": "ok, partial (some parts failed: see findings), failed or needs_ocr",
        "error": "a readable reason when status is not ok",
        "pages": "page count (sheet count for workbooks)",
        "ingested_at": "when the document was loaded (local time)",
        "extractor_version": "shoko extractor version that read the document",
        "file_size": "file size in bytes when loaded (to skip unchanged files)",
        "file_mtime": "file modification time (Unix seconds) when loaded",
    }),
    "plans": ("One row per 経営発達支援計画 (overview table). Key: doc_id.", {
        "doc_id": DOC_ID,
        "chamber": "implementing chamber, e.g. 青梅商工会議所 (the first of a joint plan)",
        "chamber_corporate_number": "法人番号 of the chamber (13 digits, check digit verified)",
        "period_start": "first day of 実施期間 (和暦 converted)",
        "period_end": "last day of 実施期間 (和暦 converted)",
        "goals": "目標 text of the overview",
        "page": PROVENANCE["page"],
    }),
    "plan_chambers": ("Every implementing chamber of a plan, in printed order. Key: doc_id, chamber.", {
        "doc_id": DOC_ID,
        "chamber": "chamber name",
        "corporate_number": "法人番号 (13 digits) or NULL where none is printed",
        "page": PROVENANCE["page"],
    }),
    "plan_municipalities": ("Municipalities a plan covers. Key: doc_id, local_gov_code.", {
        "doc_id": DOC_ID,
        "name": "municipality, e.g. 奥多摩町",
        "local_gov_code": "地方公共団体コード (6 digits, check digit verified)",
        "page": PROVENANCE["page"],
    }),
    "sections": ("Numbered sections of a plan (別表1, 個別施策). Key: doc_id, section_no.", {
        "doc_id": DOC_ID,
        "section_no": "section number as printed: 3, 8-1, 3(2), Ⅰ-3",
        "title": "section heading",
        "level": "nesting depth (1 = top level)",
        "parent_no": "section_no of the enclosing section",
        "page_start": "first page of the section",
        "page_end": "last page of the section",
        "body": "the section's text",
        "canonical": "standard activity of the law the section describes (see README), NULL for promotion plans",
    }),
    "targets": ("Every cell of every 目標 / 年間目標 table, long format. "
                "Key: doc_id, section_no, metric, parent_metric, fiscal_year, is_baseline.", {
        "doc_id": DOC_ID,
        "section_no": "section the table belongs to (NULL for a promotion plan's 成果目標)",
        "metric": "row label, e.g. ①経営分析事業者数",
        "parent_metric": "for sub-rows, the row they qualify",
        "fiscal_year": "western fiscal year (令和5年度 → 2023); for a baseline the year it reports, if printed",
        "is_baseline": "the 現行 / 現状 column",
        "value": "the number; NULL for —, -, 維持 and other non-numbers",
        "unit": "者, 社, 回, 件, 人, %, 万円 … (NULL if none)",
        "raw": "the cell text as extracted",
        "indicator": "canonical indicator code (pipeline/indicators.csv), NULL when unmapped",
        **PROVENANCE,
    }),
    "budgets": ("別表3: one row per budget item and fiscal year. Key: doc_id, item, fiscal_year.", {
        "doc_id": DOC_ID,
        "item": "budget item, ditto marks resolved",
        "is_total": "the 必要な資金の額 row (the plan's total)",
        "fiscal_year": "western fiscal year",
        "amount_thousand_yen": "amount in 千円 (円 and 万円 converted)",
        "raw": "the cell text as extracted",
        **PROVENANCE,
    }),
    "funding_sources": ("調達方法: one row per funding source. Key: doc_id, source.", {
        "doc_id": DOC_ID,
        "source": "funding source, e.g. 国補助金",
        "page": PROVENANCE["page"],
    }),
    "contacts": ("One row per organisation (chamber, municipality). Key: doc_id, organization.", {
        "doc_id": DOC_ID,
        "organization": "organisation name",
        "department": "department or section",
        "postal_code": "postal code, hyphenated: 198-8585",
        "address": "address",
        "tel": "telephone number, half-width and hyphenated",
        "fax": "fax number, half-width and hyphenated",
        "email": "e-mail address",
        "url": "web site",
        "page": PROVENANCE["page"],
    }),
    "partners": ("別表4: partner organisations. Key: doc_id, name.", {
        "doc_id": DOC_ID,
        "name": "partner organisation",
        "address": "its address",
        "representative": "its representative",
        "content": "what it contributes",
        "role": "its role in the plan",
        "page": PROVENANCE["page"],
    }),
    "progress": ("Progress reports: one row per project and fiscal year. Key: doc_id, project, metric, fiscal_year.", {
        "doc_id": DOC_ID,
        "direction": "方向性",
        "measure": "個別施策",
        "project": "実施事業, without the parenthesised metric",
        "metric": "what is counted, e.g. 参加者数",
        "page_ref": "page of the plan the row refers to, e.g. P.33",
        "implementer": "実施主体",
        "unit": "unit of target and actual",
        "fiscal_year": "western fiscal year",
        "target": "年間目標",
        "actual": "実績",
        "grade": "S/A/B/C as written",
        "grade_computed": "S/A/B/C from actual / target with the sheet's legend",
        **PROVENANCE,
    }),
    "document_pages": ("How each PDF page was classified and read (text layer, OCR, pictures OCR'd). "
                       "Key: doc_id, page.", {
        "doc_id": DOC_ID,
        "page": "1-based PDF page",
        "page_class": "born_digital, born_digital_with_pictures, image_only, image_with_invisible_text, "
                      "garbled_text or blank",
        "read_as": "text, ocr, ocr+text_layer (grids by our OCR, the rest from an invisible OCR layer that agreed with it), "
                   "text+ocr_pictures, text_layer (an invisible OCR layer as the fallback) or none",
        "engine": "the OCR engine, when OCR read the page or its pictures",
        "mean_confidence": "0-1: mean OCR word confidence on the page",
    }),
    "findings": ("What validation noticed, per document. Key: doc_id, code, location.", {
        "doc_id": DOC_ID,
        "severity": "error, warning or info",
        "code": "what kind of finding, e.g. budget_sum_mismatch, grade_mismatch (see README)",
        "message": "readable explanation",
        "location": "page or cell it concerns",
    }),
    "section_tokens": ("Search terms of each section (Sudachi word forms), the documents of the BM25 "
                       "search. Key: id; doc_id, section_no → sections.", {
        "id": "row id (primary key), the id search_postings refer to",
        "doc_id": DOC_ID,
        "section_no": "the section (sections.section_no)",
        "source_hash": "md5 of the section's title and body the terms were cut from",
        "tokens": "space-separated normalised word forms",
        "n_terms": "number of terms in tokens (the section's length in BM25); NULL: postings not built yet",
    }),
    "search_postings": ("The full-text index: one row per distinct term of each section, written with "
                        "the section. Key: term, id.", {
        "term": "a normalised word form (one of section_tokens.tokens)",
        "id": "the section's row (section_tokens.id)",
        "tf": "how many times the term occurs in the section",
    }),
    "corrections": ("Corrections of extracted values, applied on top of every load (shoko correct, "
                    "shoko review). Key: id.", _CORRECTION_COLUMNS),
}

VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "v_plan_overview": ("One row per plan: chamber, period, municipalities, target count, total budget.", {
        "doc_id": DOC_ID,
        "file_name": "file the plan came from",
        "chamber": "implementing chamber",
        "chamber_corporate_number": "法人番号 of the chamber",
        "period_start": "first day of 実施期間",
        "period_end": "last day of 実施期間",
        "municipalities": "municipalities covered, joined with ・",
        "n_targets": "number of target cells",
        "total_budget_thousand_yen": "sum of the 必要な資金の額 rows, in 千円",
    }),
    "v_budget_by_year": ("Each plan's total budget (必要な資金の額) per fiscal year.", {
        "chamber": "implementing chamber",
        "fiscal_year": "western fiscal year",
        "amount_thousand_yen": "total budget of the year, in 千円",
        "doc_id": DOC_ID,
    }),
    "v_targets_by_indicator": ("Targets per chamber, canonical indicator and fiscal year (sub-rows "
                               "repeating their parent's indicator left out, so sums do not count twice).", {
        "chamber": "chamber (or file name for documents without a plan row)",
        "kind": "document kind",
        "indicator": "canonical indicator code",
        "fiscal_year": "western fiscal year",
        "is_baseline": "the 現行 / 現状 column",
        "n_cells": "target cells",
        "n_values": "target cells holding a number",
        "total_value": "sum of the values",
        "mean_value": "mean of the values",
        "units": "units seen, joined with ・",
        "metrics": "the row labels behind the indicator",
        "doc_id": DOC_ID,
    }),
    "v_progress_status": ("Progress reports per document, direction and fiscal year: projects and grades.", {
        "file_name": "file the report came from",
        "doc_id": DOC_ID,
        "fiscal_year": "western fiscal year",
        "direction": "方向性",
        "n_projects": "projects",
        "n_with_target": "projects with a 年間目標",
        "n_with_actual": "projects with a 実績",
        "n_grade_s": "projects graded S",
        "n_grade_a": "projects graded A",
        "n_grade_b": "projects graded B",
        "n_grade_c": "projects graded C",
        "n_grade_mismatch": "projects whose written grade differs from the computed one",
        "mean_achievement": "mean of actual / target where the target is positive",
    }),
    "progress_vs_plan": ("Every progress row joined to the promotion plan's target of the same "
                         "project (or measure and metric) and fiscal year.", {
        "doc_id": "the progress report (references documents.doc_id)",
        "direction": "方向性",
        "measure": "個別施策",
        "project": "実施事業",
        "metric": "what is counted",
        "fiscal_year": "western fiscal year",
        "target": "年間目標 in the progress report",
        "actual": "実績",
        "grade": "grade as written",
        "unit": "unit",
        "sheet": PROVENANCE["sheet"],
        "cell": PROVENANCE["cell"],
        "page": PROVENANCE["page"],
        "plan_doc_id": "the promotion plan matched (references documents.doc_id)",
        "plan_section_no": "its section",
        "plan_metric": "its target row label",
        "plan_target": "its target for the year",
        "plan_unit": "its unit",
        "plan_raw": "its cell text",
        "matched_on": "how the row was matched: project, or measure and metric",
        "target_matches_plan": "whether the report's 年間目標 equals the plan's target",
    }),
    "v_corrections": ("Every correction with its file and whether it still applies.", {
        **_CORRECTION_COLUMNS,
        "file_name": "base name of the corrected document's file",
        "status": "applied, orphaned (its row is gone after a re-extraction) or document_not_loaded",
    }),
}


def describe(name: str, column: str | None = None) -> str | None:
    entry = TABLES.get(name) or VIEWS.get(name)
    if entry is None:
        return None
    return entry[0] if column is None else entry[1].get(column) or SHARED_COLUMNS.get(column)


def comment_statements(con: duckdb.DuckDBPyConnection, only_changed: bool = False) -> list[str]:
    """COMMENT ON every described table, view and column the database has; with
    `only_changed`, only those whose comment is not already the one described."""
    have = dict(((t, c), comment) for t, c, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall())
    current = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall())
    out = []
    for kind, catalog in (("TABLE", TABLES), ("VIEW", VIEWS)):
        for name, (text, columns) in catalog.items():
            if name not in current:
                continue
            if not (only_changed and current[name] == text):
                out.append(f"COMMENT ON {kind} {name} IS {sql_literal(text)}")
            out += [f"COMMENT ON COLUMN {name}.{column} IS {sql_literal(about)}"
                    for column, about in {**SHARED_COLUMNS, **columns}.items()
                    if (name, column) in have and not (only_changed and have[name, column] == about)]
    return out


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Comment what is not commented as described yet (every writer's connect calls this:
    a comment costs DuckDB a statement, and most of them are there already)."""
    for statement in comment_statements(con, only_changed=True):
        con.execute(statement)


def references(name: str, column: str) -> str | None:
    """The key a column refers to ('documents.doc_id'), for schema listings and the mirror."""
    if column == "doc_id" and name != "documents":
        return "documents.doc_id"
    if column == "plan_doc_id":
        return "documents.doc_id"
    return None


def schema(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Tables and views of the database with their columns, types, keys and descriptions."""
    kinds = dict(con.execute("SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'main' "
                             "UNION ALL SELECT view_name, 'view' FROM duckdb_views() "
                             "WHERE schema_name = 'main' AND NOT internal").fetchall())
    keys = {(t, c) for t, cols in con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE constraint_type = 'PRIMARY KEY' AND schema_name = 'main'").fetchall() for c in cols}
    comments = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main'").fetchall())
    out: dict[str, dict] = {}
    for table, column, sqltype, comment in con.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index").fetchall():
        if table not in TABLES and table not in VIEWS:
            continue  # tables of no contract (shoko_state, an older shoko's fts index)
        entry = out.setdefault(table, {"name": table, "kind": kinds.get(table, "table"),
                                       "description": comments.get(table) or describe(table), "columns": []})
        entry["columns"].append({"name": column, "type": sqltype,
                                 "description": comment or describe(table, column),
                                 "primary_key": (table, column) in keys,
                                 "references": references(table, column)})
    order = [*TABLES, *VIEWS]
    return sorted(out.values(), key=lambda e: (e["kind"] != "table", order.index(e["name"])))
