"""The database's tables and columns match docs/sql-contract.md (the public interface)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import store
from schemas.records import CONTRACT_TABLES

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "sql-contract.md"


def _strip_parentheses(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\([^()]*\)", "", text)
    return text


def contract_columns() -> dict[str, set[str]]:
    """Table -> column names, read from the contract's headings, tables and column lists."""
    tables: dict[str, set[str]] = {}
    for block in re.split(r"^## ", CONTRACT.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        name = heading.split()[0]
        rows = [line for line in body.splitlines() if line.startswith("|")]
        if rows:
            cells = [row.split("|")[1].strip() for row in rows[2:]]
            text = ", ".join(cells)
        else:
            text = body.split("\n\n")[1] if body.startswith("\n") else body.split("\n\n")[0]
        names = set()
        for piece in _strip_parentheses(text.replace("\n", " ")).split(","):
            match = re.match(r"\s*([a-z_][a-z0-9_]*)", piece)
            if match:
                names.add(match.group(1))
        tables[name] = names
    return tables


def test_contract_is_parsed():
    columns = contract_columns()
    assert set(columns) == set(CONTRACT_TABLES)
    assert {"doc_id", "metric", "parent_metric", "fiscal_year", "is_baseline", "value", "unit",
            "raw", "page", "bbox", "section_no"} <= columns["targets"]
    assert columns["contacts"] >= {"organization", "postal_code", "tel", "fax", "email"}


@pytest.mark.parametrize("table", sorted(CONTRACT_TABLES))
def test_database_has_every_contract_column(table):
    con = store.connect(":memory:")
    have = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]).fetchall()}
    missing = contract_columns()[table] - have
    assert not missing, f"{table} lacks contract columns {sorted(missing)}"


def test_column_types_follow_the_contract():
    con = store.connect(":memory:")
    types = {(t, c): d for t, c, d in con.execute(
        "select table_name, column_name, data_type from information_schema.columns").fetchall()}
    assert types[("budgets", "amount_thousand_yen")] == "BIGINT"
    assert types[("targets", "bbox")] == "DOUBLE[]"
    assert types[("targets", "value")] == "DOUBLE"
    assert types[("targets", "is_baseline")] == "BOOLEAN"
    assert types[("plans", "period_start")] == "DATE"
    assert types[("documents", "ingested_at")] == "TIMESTAMP"
    assert types[("documents", "pages")] == "INTEGER"


def test_schema_migration_adds_missing_columns(tmp_path):
    db = tmp_path / "old.duckdb"
    con = store.connect(db)
    con.execute("ALTER TABLE targets DROP COLUMN indicator")
    con.close()
    con = store.connect(db)
    cols = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = 'targets'").fetchall()}
    assert "indicator" in cols
