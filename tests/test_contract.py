"""The database's tables and columns match docs/sql-contract.md (the public interface)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import store
from schemas.ddl import sql_literal
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
        if not name.islower():  # "Keys", "Views": about the tables, not one of them
            continue
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


def contract_views() -> dict[str, list[str]]:
    """View -> columns, from the contract's Views table."""
    section = CONTRACT.read_text(encoding="utf-8").split("\n## Views\n", 1)[1]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| ")][1:]
    return {name.strip(): [c.strip() for c in columns.split(",")] for name, columns in rows}


def test_views_match_the_contract_with_bi_friendly_types():
    con = store.connect(":memory:")
    have = {}
    for view, column, sqltype in con.execute(
            "select v.view_name, c.column_name, c.data_type from duckdb_views() v "
            "join duckdb_columns() c on c.table_name = v.view_name where not v.internal "
            "order by c.column_index").fetchall():
        have.setdefault(view, []).append((column, sqltype))
    assert {v: [c for c, _ in cols] for v, cols in have.items()} == contract_views()
    assert not [(v, c, t) for v, cols in have.items() for c, t in cols if t in ("HUGEINT", "UHUGEINT")
                or t.startswith("DECIMAL")]


def test_reconnecting_comments_only_what_lost_or_changed_its_description(tmp_path):
    from pipeline import catalog

    db = tmp_path / "c.duckdb"
    store.connect(db).close()
    con = store.connect(db)
    assert catalog.comment_statements(con, only_changed=True) == []  # nothing to redo on a reconnect
    con.execute("COMMENT ON TABLE plans IS 'stale'")
    con.execute("COMMENT ON COLUMN targets.value IS NULL")
    assert sorted(catalog.comment_statements(con, only_changed=True)) == sorted([
        f"COMMENT ON TABLE plans IS {sql_literal(catalog.describe('plans'))}",
        f"COMMENT ON COLUMN targets.value IS {sql_literal(catalog.describe('targets', 'value'))}"])
    con.close()
    con = store.connect(db)
    assert con.execute("select comment from duckdb_tables() where table_name = 'plans'").fetchone()[0] \
        == catalog.describe("plans")
    assert con.execute("select comment from duckdb_columns() where table_name = 'targets' "
                       "and column_name = 'value'").fetchone()[0] == catalog.describe("targets", "value")


def test_every_table_view_and_column_has_a_comment_and_the_keys_are_declared():
    con = store.connect(":memory:")
    names = set(CONTRACT_TABLES) | set(contract_views())
    uncommented = con.execute(
        "select table_name, column_name from duckdb_columns() where comment is null and table_name in "
        "(select unnest(?))", [sorted(names)]).fetchall()
    assert not uncommented
    described = dict(con.execute("select table_name, comment from duckdb_tables() union all "
                                 "select view_name, comment from duckdb_views() where not internal").fetchall())
    assert all(described.get(name) for name in names), {n: described.get(n) for n in names}
    keys = con.execute("select table_name, constraint_column_names from duckdb_constraints() "
                       "where constraint_type = 'PRIMARY KEY'").fetchall()
    assert ("documents", ["doc_id"]) in keys
    # the natural keys the contract documents name real columns
    section = CONTRACT.read_text(encoding="utf-8").split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    natural = re.findall(r"([a-z_]+) \(([a-z_]+(?:,\s*[a-z_]+)*)\)", section)
    assert len(natural) >= 10
    for table, columns in natural:
        have = {c for (c,) in con.execute("select column_name from duckdb_columns() where table_name = ?",
                                          [table]).fetchall()}
        assert {c.strip() for c in columns.split(",")} <= have, table
