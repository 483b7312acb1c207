"""`shoko query`: values as DuckDB types them, every format, pipes, stdin, scripts, parameters."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import query_output as qo
from pipeline import store
from pipeline.cli import main

SHOKO = str(Path(sys.executable).parent / "shoko")
HUGE = "170141183460469231731687303715884105727"
TYPES_SQL = (f"select date '2023-04-01' as d, null::integer as n, [1.5, 2.25]::double[] as l, "
             f"{{'a': 1, 'b': 'x'}} as s, {HUGE}::hugeint as h, timestamp '2026-11-22 10:30:00' as t")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "q.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO documents (doc_id, source_path, file_name, kind, status) VALUES "
                "('d1', '/x/a.pdf', 'a.pdf', 'business_development_plan', 'ok')")
    con.execute("INSERT INTO targets (doc_id, metric, fiscal_year, value, unit, bbox) VALUES "
                "('d1', '経営分析件数', 2025, 60, '件', [1, 2, 3, 4]), ('d1', '経営分析件数', 2026, NULL, NULL, NULL),"
                "('d1', '=cmd|'' /C calc''!A0', 2027, 1, '回', NULL)")
    con.close()
    return path


def run(db, *args) -> tuple[int, str, str]:
    done = subprocess.run([SHOKO, "query", *args, "--db", str(db)], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def test_csv_keeps_duckdb_types(db, capsys):
    assert main(["query", TYPES_SQL, "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [["d", "n", "l", "s", "h", "t"],
                    ["2023-04-01", "", "[1.5, 2.25]", "{'a': 1, 'b': x}", HUGE, "2026-11-22 10:30:00"]]


def test_tsv(db, capsys):
    assert main(["query", TYPES_SQL, "--db", str(db), "--format", "tsv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["d\tn\tl\ts\th\tt", f"2023-04-01\t\t[1.5, 2.25]\t{{'a': 1, 'b': x}}\t{HUGE}\t2026-11-22 10:30:00"]


def test_json_and_ndjson_carry_json_types(db, capsys):
    want = {"d": "2023-04-01", "n": None, "l": [1.5, 2.25], "s": {"a": 1, "b": "x"}, "h": int(HUGE),
            "t": "2026-11-22T10:30:00"}
    assert main(["query", TYPES_SQL, "--db", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [want]
    assert main(["query", TYPES_SQL + " union all " + TYPES_SQL, "--db", str(db), "--format", "ndjson"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [want, want]


def test_markdown(db, capsys):
    assert main(["query", TYPES_SQL + ", 'a|b' as p", "--db", str(db), "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| d | n | l | s | h | t | p |"
    assert lines[1] == "|---|---|---|---|---|---|---|"
    assert lines[2] == f"| 2023-04-01 | NULL | [1.5, 2.25] | {{'a': 1, 'b': x}} | {HUGE} | 2026-11-22 10:30:00 | a\\|b |"


def test_table_piped_is_plain_columns_never_cut(db, capsys):
    long = "長" * 150
    assert main(["query", TYPES_SQL + f", '{long}' as long", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    header, rule, row = out.splitlines()
    assert header.split() == ["d", "n", "l", "s", "h", "t", "long"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.startswith("2023-04-01") and "NULL" in row and "[1.5, 2.25]" in row and HUGE in row
    assert long in row and "…" not in out


def test_table_through_a_real_pipe(db):
    long = "x" * 300
    code, out, err = run(db, f"select '{long}' as long, 2025 as fiscal_year")
    assert code == 0, err
    assert long in out and "…" not in out


def test_table_on_a_terminal_is_drawn_by_rich(db):
    con = store.connect(db, read_only=True)
    out = io.StringIO()
    qo.run_script(con, TYPES_SQL, {}, out, qo.OutputOptions(terminal=True))
    con.close()
    text = out.getvalue()
    assert "2023-04-01" in text and "NULL" in text and "hugeint" in text and "1 row" in text


def test_nulls_print_as_one_marker(db, capsys):
    assert main(["query", "select fiscal_year, value, unit, bbox from targets order by fiscal_year",
                 "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["2025", "60.0", "件", "[1.0,", "2.0,", "3.0,", "4.0]"]
    assert lines[3].split() == ["2026", "NULL", "NULL", "NULL"]
    assert not any(marker in "\n".join(lines) for marker in ("<NA>", "NaT", "nan", "None"))


def test_sql_from_stdin(db):
    done = subprocess.run([SHOKO, "query", "-", "--db", str(db), "--format", "csv"], input="select 41 + 1 as answer",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["answer", "42"]


def test_sql_from_a_file_with_several_statements(db, tmp_path):
    script = tmp_path / "report.sql"
    script.write_text("-- two results\nselect 1 as a;\nselect 'x;y' as b;\n", encoding="utf-8")
    code, out, err = run(db, "--file", str(script), "--format", "csv")
    assert code == 0, err
    assert out.split("\n\n") == ["a\n1", "b\nx;y\n"]


def test_every_statement_prints_its_result(db, capsys):
    assert main(["query", "select 1 as a; select 2 as b", "--db", str(db), "--format", "json"]) == 0
    out = capsys.readouterr().out
    first, second = out.strip().split("\n\n")
    assert json.loads(first) == [{"a": 1}] and json.loads(second) == [{"b": 2}]


def test_a_failing_statement_is_named_after_the_results_before_it(db, capsys):
    assert main(["query", "select 1 as a; select nope from targets; select 3", "--db", str(db),
                 "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["a", "1"]
    assert "statement 2" in captured.err and "nope" in captured.err


def test_named_parameters(db, capsys):
    assert main(["query", "select metric, value from targets where fiscal_year = $year and unit = $unit",
                 "--param", "year=2025", "-p", "unit=件", "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["metric,value", "経営分析件数,60.0"]


def test_parameter_errors_are_clear(db, capsys):
    assert main(["query", "select $year", "--db", str(db)]) == 2
    assert "--param year=VALUE" in capsys.readouterr().err
    assert main(["query", "select 1", "--param", "yaer=2025", "--db", str(db)]) == 2
    assert "yaer is not used" in capsys.readouterr().err
    assert main(["query", "select 1", "--param", "novalue", "--db", str(db)]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err


def test_csv_formula_escaping(db, capsys):
    sql = "select metric from targets where fiscal_year = 2027"
    assert main(["query", sql, "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "=cmd|' /C calc'!A0"
    assert main(["query", sql, "--db", str(db), "--format", "csv", "--escape-formulas"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "'=cmd|' /C calc'!A0"


def test_query_is_read_only(db, capsys):
    assert main(["query", "delete from targets", "--db", str(db)]) == 1
    assert "read-only" in capsys.readouterr().err
    con = store.connect(db, read_only=True)
    assert con.execute("select count(*) from targets").fetchone()[0] == 3
    con.close()


def test_no_sql_and_both_sources_are_usage_errors(db, tmp_path, capsys):
    assert main(["query", "--db", str(db)]) == 2
    assert "no SQL" in capsys.readouterr().err
    (tmp_path / "a.sql").write_text("select 1")
    assert main(["query", "select 1", "--file", str(tmp_path / "a.sql"), "--db", str(db)]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(db):
    done = subprocess.run(f"'{SHOKO}' query 'select * from range(200000)' --format csv --db '{db}' | head -n 2",
                          shell=True, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["range", "0"]
    assert "Error" not in done.stderr and "Traceback" not in done.stderr
