"""The `shoko` CLI: a thin shell over the library, every command documented in the README."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import build_parser, main

from conftest import PROGRESS_XLSX, ROOT


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", commands())
def test_every_command_is_documented_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"shoko {command}" in readme, f"`shoko {command}` is not documented in README.md"


@pytest.mark.parametrize("command", commands())
def test_every_option_is_documented_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for action in sub.choices[command]._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in readme, f"`shoko {command} {flag}` is not documented in README.md"


@pytest.fixture
def loaded_db(tmp_path):
    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(PROGRESS_XLSX), "--db", str(db), "--workers", "0"]) == 0
    return db


def test_query_prints_csv_and_json(loaded_db, capsys):
    assert main(["query", "select file_name, kind from documents", "--db", str(loaded_db),
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["file_name,kind", "akiruno_progress_r7.xlsx,progress_report"]
    assert main(["query", "select file_name from documents", "--db", str(loaded_db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"file_name": "akiruno_progress_r7.xlsx"}]


def test_query_with_bad_sql_says_why(loaded_db, capsys):
    assert main(["query", "select nope from documents", "--db", str(loaded_db)]) == 1
    assert "nope" in capsys.readouterr().err


def test_query_without_a_database_says_how_to_make_one(tmp_path, capsys):
    assert main(["query", "select 1", "--db", str(tmp_path / "absent.duckdb")]) == 2
    assert "shoko ingest" in capsys.readouterr().err


def test_export_writes_one_parquet_file_per_contract_table(loaded_db, tmp_path, capsys):
    out = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--out", str(out), "--db", str(loaded_db)]) == 0
    names = {p.stem for p in out.glob("*.parquet")}
    assert {"documents", "targets", "budgets", "progress", "findings"} <= names
    rows = duckdb.sql(f"select count(*) from '{out / 'progress.parquet'}'").fetchone()[0]
    assert rows == duckdb.connect(str(loaded_db), read_only=True).execute(
        "select count(*) from progress").fetchone()[0]


def test_schema_lists_tables_views_and_columns_with_types_and_descriptions(loaded_db, capsys):
    assert main(["schema", "--db", str(loaded_db), "--format", "json"]) == 0
    listing = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert listing["targets"]["kind"] == "table" and listing["v_plan_overview"]["kind"] == "view"
    columns = {c["name"]: c for c in listing["targets"]["columns"]}
    assert columns["fiscal_year"]["type"] == "INTEGER" and "令和5年度" in columns["fiscal_year"]["description"]
    assert columns["doc_id"]["references"] == "documents.doc_id"
    assert {c["name"]: c for c in listing["documents"]["columns"]}["doc_id"]["primary_key"]
    assert all(c["description"] for entry in listing.values() for c in entry["columns"])
    assert main(["schema", "--db", str(loaded_db)]) == 0
    table = capsys.readouterr().out
    assert "v_budget_by_year" in table and "amount_thousand_yen" in table and "BIGINT" in table


def test_schema_records_prints_json_schema_of_every_record(capsys):
    assert main(["schema", "--records"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "targets" in schema and "fiscal_year" in schema["targets"]["properties"]


def test_inspect_prints_the_extraction_without_a_database(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["inspect", str(PROGRESS_XLSX)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "progress_report" and data["progress"]
    assert not list(tmp_path.rglob("*.duckdb"))


def test_a_database_locked_by_another_process_gives_one_clear_line(tmp_path, capsys):
    db = tmp_path / "locked.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        code = main(["ingest", str(PROGRESS_XLSX), "--db", str(db), "--workers", "0"])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert str(db) in err and f"open for writing by PID {holder.pid}" in err
    assert len(err.strip().splitlines()) == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from information_schema.tables where table_name='documents'").fetchone()[0] == 0


def test_console_script_runs(tmp_path):
    shoko = Path(sys.executable).parent / "shoko"
    done = subprocess.run([str(shoko), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "ingest" in done.stdout and "exit status" in done.stdout
