"""The `shoko` CLI: a thin shell over the library, every command documented in the README."""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import build_parser, main

from conftest import PROGRESS_XLSX, ROOT


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


def subparser(command: str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices[command]


def readme_sections() -> dict[str, str]:
    """`### `shoko CMD …`` heading -> the text under it (up to the next heading); a command
    with several headings (one per form, e.g. `shoko correct --undo ID`) gets them all."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = {}
    for block in re.split(r"^#{2,3} ", readme, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        match = re.match(r"`shoko (\S+)", heading)
        if match:
            command = match.group(1).rstrip("`")
            sections[command] = sections.get(command, "") + heading + "\n" + body
    return sections


GLOBAL_HEADING = "Global options"


@pytest.mark.parametrize("command", commands())
def test_every_command_has_its_own_readme_section(command):
    assert command in readme_sections(), f"README.md has no `### `shoko {command} …`` section"


@pytest.mark.parametrize("command", commands())
def test_every_option_is_documented_under_its_own_command(command):
    """Each option of a command (its --help) appears in that command's README section; the
    global ones (--db, --debug) under the global options heading."""
    section = readme_sections().get(command, "")
    global_flags = {"--db", "--debug", "--help"}
    for action in subparser(command)._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag not in global_flags:
                assert re.search(re.escape(flag) + r"(?![\w-])", section), \
                    f"`shoko {command} {flag}` is not documented in its README section"


def test_global_options_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"### {GLOBAL_HEADING}", 1)[1].split("\n### ", 1)[0]
    for action in build_parser()._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in block, f"global option {flag} is not documented under {GLOBAL_HEADING}"
    assert "SHOKO_DB" in block


@pytest.mark.parametrize("command", commands())
def test_every_argument_has_help(command):
    for action in subparser(command)._actions:
        assert action.help and action.help != argparse.SUPPRESS, \
            f"`shoko {command}` argument {action.dest} has no help text"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"shoko {version('shoko')}"


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
    rows = duckdb.execute("select count(*) from read_parquet(?)", [str(out / "progress.parquet")]).fetchone()[0]
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


# --- global options and the default database -----------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--db", "{db}", "query", "select count(*) as n from documents", "--format", "csv"],
    ["query", "select count(*) as n from documents", "--format", "csv", "--db", "{db}"],
    ["--debug", "query", "select count(*) as n from documents", "--db", "{db}", "--format", "csv"],
    ["--db", "{db}", "query", "select count(*) as n from documents", "--debug", "--format", "csv"],
])
def test_global_options_before_or_after_the_command(loaded_db, capsys, argv):
    assert main([a.format(db=loaded_db) for a in argv]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "1"]


def test_db_after_the_command_wins_over_db_before(loaded_db, tmp_path, capsys):
    assert main(["--db", str(tmp_path / "absent.duckdb"), "query", "select 1 as x", "--db", str(loaded_db),
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["x", "1"]


def test_shoko_db_environment_variable(loaded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOKO_DB", str(loaded_db))
    assert main(["query", "select file_name from documents", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["file_name", "akiruno_progress_r7.xlsx"]
    # --db still wins
    assert main(["query", "select 1", "--db", str(tmp_path / "absent.duckdb")]) == 2


def test_default_database_is_found_from_a_subfolder(loaded_db, tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    (project / "data" / "processed").mkdir(parents=True)
    (project / "notes" / "deep").mkdir(parents=True)
    loaded_db.rename(project / "data" / "processed" / "plans.duckdb")
    monkeypatch.delenv("SHOKO_DB", raising=False)
    monkeypatch.chdir(project / "notes" / "deep")
    assert main(["query", "select count(*) as n from documents", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "1"]


def test_no_database_anywhere_says_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SHOKO_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["query", "select 1"]) == 2
    err = capsys.readouterr().err
    assert "SHOKO_DB" in err and "--db" in err and "parents" in err
    assert not list(tmp_path.rglob("*.duckdb"))  # a reader never creates a database


def test_ingest_says_when_it_creates_a_database(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SHOKO_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", str(PROGRESS_XLSX), "--workers", "0"]) == 0
    created = tmp_path / "data" / "processed" / "plans.duckdb"
    assert created.exists()
    assert f"creating a new database at {created}" in capsys.readouterr().err


def test_a_file_of_no_known_kind_is_skipped(tmp_path, capsys):
    import pymupdf

    pdf = tmp_path / "minutes.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Minutes of the staff meeting, nothing about plans.")
    doc.save(pdf)
    db = tmp_path / "k.duckdb"
    assert main(["ingest", str(pdf), str(PROGRESS_XLSX), "--db", str(db), "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"│ skipped\s+│\s+1 │", out) and re.search(r"│ ok\s+│\s+1 │", out)
    assert f"skipped {pdf}: not recognised as a business development plan" in out
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select status, kind from documents where file_name = 'minutes.pdf'").fetchone() == (
        "skipped", "unknown")
    con.close()
