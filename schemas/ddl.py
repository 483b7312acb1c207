"""DuckDB DDL derived from the pydantic records, so a column is declared once.

Every table but `documents` starts with `doc_id`; `documents` is keyed by it.
"""
from __future__ import annotations

import datetime as dt
import types
import typing

from pydantic import BaseModel

from schemas.records import CONTRACT_TABLES

# Columns whose DuckDB type is not the default for their Python type.
TYPE_OVERRIDES = {
    ("budgets", "amount_thousand_yen"): "BIGINT",
    ("documents", "file_size"): "BIGINT",
}

# Fields that travel with a record but are stored elsewhere: a section's search terms go
# to section_tokens only (the full-text index reads them there; twice would double the text).
NOT_STORED = {("sections", "search_terms")}

# Columns every correctable row has, kept at the end of the table (as a migration adds them).
LAST_COLUMNS = ("confidence", "corrected")

# What a migration fills existing rows with, where NULL would misread (no row was corrected).
MIGRATION_DEFAULTS = {"corrected": "false"}

SCALAR_TYPES = {
    str: "VARCHAR",
    int: "INTEGER",
    float: "DOUBLE",
    bool: "BOOLEAN",
    dt.date: "DATE",
    dt.datetime: "TIMESTAMP",
}


def sql_literal(text: str) -> str:
    """A SQL string literal of text (quotes doubled), for statements that take no parameters
    (COMMENT ON, ATTACH, postgres_execute) or where DuckDB filters better on literals."""
    return "'" + text.replace("'", "''") + "'"


def _strip_optional(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def duckdb_type(annotation) -> str:
    annotation = _strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "VARCHAR"
    if origin is tuple:
        # A variable-length list, not a fixed-size ARRAY: DuckDB writes ARRAY columns with
        # NULL rows to Parquet in a form pyarrow, pandas and polars reject (issue #17).
        args = typing.get_args(annotation)
        return f"{duckdb_type(args[0])}[]"
    if annotation in SCALAR_TYPES:
        return SCALAR_TYPES[annotation]
    raise TypeError(f"no DuckDB type for {annotation!r}")


def table_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) in table order, doc_id first."""
    model: type[BaseModel] = CONTRACT_TABLES[table]
    columns = [] if table == "documents" else [("doc_id", "VARCHAR")]
    for name, field in model.model_fields.items():
        if (table, name) in NOT_STORED:
            continue
        columns.append((name, TYPE_OVERRIDES.get((table, name), duckdb_type(field.annotation))))
    # the review markers come from base classes; they read best after the extracted columns
    return sorted(columns, key=lambda column: column[0] in LAST_COLUMNS)


def create_table_sql(table: str) -> str:
    cols = ",\n  ".join(f"{name} {sqltype}" for name, sqltype in table_columns(table))
    key = ",\n  PRIMARY KEY (doc_id)" if table == "documents" else ""
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols}{key}\n)"


def all_ddl() -> list[str]:
    return [create_table_sql(t) for t in CONTRACT_TABLES]
