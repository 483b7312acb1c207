"""`shoko query`: run SQL statements and print each result, formatted from DuckDB's types.

Text formats (table, csv, tsv, markdown) show every value as DuckDB itself casts it to
VARCHAR (dates as `2023-04-01`, lists as `[1.0, 2.0]`, structs as `{'a': 1}`, HUGEINT
exactly); JSON formats carry JSON types (numbers, arrays, objects, dates as ISO text).
NULL is one marker: `NULL` in table and markdown, an empty field in csv/tsv, `null` in
JSON. No pandas in between, so no `NaT`, `<NA>` or `nan`. A table on a terminal is drawn
by rich and folds long values; piped, it is plain aligned columns, never cut.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import sys
import uuid
from dataclasses import dataclass
from typing import Iterable, TextIO

import duckdb

from pipeline.output_files import FORMULA_PREFIXES, quote_identifier

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")
NULL = "NULL"
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
           "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE")
FETCH_ROWS = 10_000


class QueryError(RuntimeError):
    """A statement failed: which one, and DuckDB's message."""


@dataclass(frozen=True)
class Statement:
    number: int
    sql: str
    parameters: frozenset[str]


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """`name=value` pairs (from --param) as a dict; the value may contain `=`."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name:
            raise ValueError(f"--param {pair!r}: expected NAME=VALUE")
        params[name] = value
    return params


def split_statements(con: duckdb.DuckDBPyConnection, sql: str) -> list[Statement]:
    """The statements of a script, by DuckDB's own parser (`;` inside strings is not a split)."""
    try:
        parsed = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"{type(exc).__name__}: {exc}") from None
    if not parsed:
        raise ValueError("no SQL statement given")
    return [Statement(i, s.query.strip(), frozenset(s.named_parameters)) for i, s in enumerate(parsed, 1)]


def check_params(statements: list[Statement], params: dict[str, str]) -> None:
    used = set().union(*(s.parameters for s in statements))
    for statement in statements:
        missing = sorted(statement.parameters - set(params))
        if missing:
            raise ValueError(f"statement {statement.number} uses ${missing[0]}: pass --param {missing[0]}=VALUE")
    unused = sorted(set(params) - used)
    if unused:
        raise ValueError(f"--param {unused[0]} is not used by any statement (write ${unused[0]} in the SQL)")




def run(con: duckdb.DuckDBPyConnection, statement: Statement, params: dict[str, str]):
    """The statement's relation (None for a statement without a result)."""
    try:
        return con.sql(statement.sql, params={k: params[k] for k in statement.parameters} or None)
    except duckdb.Error as exc:
        raise QueryError(f"statement {statement.number}: {type(exc).__name__}: {exc}") from None


def text_relation(rel):
    """The same result with every column cast to VARCHAR by DuckDB (its own formatting)."""
    columns = rel.columns
    if len(set(columns)) == len(columns):
        return rel.project(", ".join(f"CAST({quote_identifier(c)} AS VARCHAR) AS {quote_identifier(c)}"
                                     for c in columns))
    return None  # duplicate names cannot be projected: values are formatted in Python


def _python_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fetch_text(con, rel, statement: Statement):
    """Batches of text rows (None for NULL)."""
    cast = text_relation(rel)
    try:
        if cast is not None:
            result = cast.execute()
            while batch := result.fetchmany(FETCH_ROWS):
                yield batch
        else:
            result = rel.execute()
            while batch := result.fetchmany(FETCH_ROWS):
                yield [tuple(_python_text(v) for v in row) for row in batch]
    except duckdb.Error as exc:
        raise QueryError(f"statement {statement.number}: {type(exc).__name__}: {exc}") from None


def fetch_values(rel, statement: Statement):
    try:
        result = rel.execute()
        while batch := result.fetchmany(FETCH_ROWS):
            yield batch
    except duckdb.Error as exc:
        raise QueryError(f"statement {statement.number}: {type(exc).__name__}: {exc}") from None


def jsonable(value):
    """A Python value from DuckDB as a JSON value (dates as ISO text, decimals as numbers)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, (uuid.UUID, dt.timedelta)):
        return str(value)
    return str(value)


def display_width(text: str) -> int:
    """Terminal cells a text takes (wide Japanese characters 2), as rich measures them."""
    from rich.cells import cell_len

    return cell_len(text)


def escape_formula(text: str | None) -> str | None:

    return "'" + text if text is not None and text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class OutputOptions:
    format: str = "table"
    escape_formulas: bool = False  # csv/tsv: prefix formula-like text with '
    terminal: bool | None = None  # None: ask the stream


def write_result(con, rel, statement: Statement, out: TextIO, options: OutputOptions) -> int:
    """Print one statement's result; returns the number of rows."""
    columns = list(rel.columns)
    types = [str(t) for t in rel.types]
    fmt = options.format
    if fmt in ("json", "ndjson"):
        n = 0
        if fmt == "json":
            out.write("[")
        for batch in fetch_values(rel, statement):
            for row in batch:
                record = json.dumps({c: jsonable(v) for c, v in zip(columns, row)}, ensure_ascii=False)
                if fmt == "json":
                    out.write(("," if n else "") + "\n " + record)
                else:
                    out.write(record + "\n")
                n += 1
        if fmt == "json":
            out.write("\n]\n" if n else "]\n")
        return n
    if fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        n = 0
        for batch in fetch_text(con, rel, statement):
            for row in batch:
                values = [escape_formula(v) if options.escape_formulas else v for v in row]
                writer.writerow(["" if v is None else v for v in values])
                n += 1
        return n
    rows = [row for batch in fetch_text(con, rel, statement) for row in batch]
    if fmt == "markdown":
        write_markdown(out, columns, rows)
    else:
        terminal = options.terminal if options.terminal is not None else out.isatty()
        if terminal:
            write_rich(out, columns, types, rows)
        else:
            write_plain(out, columns, types, rows)
    return len(rows)


def write_markdown(out: TextIO, columns: list[str], rows: list[tuple]) -> None:
    def cell(value: str | None) -> str:
        if value is None:
            return NULL
        return value.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")

    out.write("| " + " | ".join(cell(c) for c in columns) + " |\n")
    out.write("|" + "|".join("---" for _ in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(cell(v) for v in row) + " |\n")


def write_plain(out: TextIO, columns: list[str], types: list[str], rows: list[tuple]) -> None:
    """Aligned columns at full width (for pipes, files, `less -S`): nothing is cut or wrapped;
    line breaks inside a value are shown as ⏎ so each row stays one line.

    Written here rather than with rich: rich lays a table out to a console width and
    wraps or cuts what does not fit, which is what a pipe must never get."""
    def text(value: str | None) -> str:
        return NULL if value is None else value.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")

    cells = [[text(v) for v in row] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    right = [t.split("(")[0] in NUMERIC or t.startswith("DECIMAL") for t in types]

    def line(values: list[str]) -> str:
        parts = []
        for value, width, align_right in zip(values, widths, right):
            pad = " " * (width - display_width(value))
            parts.append(pad + value if align_right else value + pad)
        return "  ".join(parts).rstrip()

    out.write(line(list(columns)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def write_rich(out: TextIO, columns: list[str], types: list[str], rows: list[tuple]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(caption=f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    for column, sqltype in zip(columns, types):
        right = sqltype.split("(")[0] in NUMERIC or sqltype.startswith("DECIMAL")
        table.add_column(Text(f"{column}\n{sqltype.lower()}"), overflow="fold",
                         justify="right" if right else "left")
    for row in rows:
        table.add_row(*[Text(NULL, style="dim") if v is None else Text(v) for v in row])
    Console(file=out).print(table)


def run_script(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, str], out: TextIO,
               options: OutputOptions = OutputOptions()) -> int:
    """Run every statement of `sql` in turn, printing each result; returns how many printed.

    Results are separated by a blank line (JSON: one array per statement). The first
    failing statement stops the script with a QueryError naming it.
    """
    if options.format not in FORMATS:
        raise ValueError(f"unknown format {options.format!r} (one of {', '.join(FORMATS)})")
    statements = split_statements(con, sql)
    check_params(statements, params)
    printed = 0
    for statement in statements:
        rel = run(con, statement, params)
        if rel is None:
            continue
        if printed and options.format not in ("ndjson",):
            out.write("\n")
        write_result(con, rel, statement, out, options)
        printed += 1
    return printed


def read_sql(argument: str | None, file: str | None, stdin: TextIO = sys.stdin) -> str:
    """The SQL to run: the argument, `-` for standard input, or --file (`-` too)."""
    if argument is not None and file is not None:
        raise ValueError("give the SQL either as an argument or with --file, not both")
    if file is not None:
        if file == "-":
            return stdin.read()
        from pathlib import Path

        path = Path(file)
        if not path.is_file():
            raise FileNotFoundError(f"no such SQL file: {file}")
        return path.read_text(encoding="utf-8-sig")
    if argument is None:
        raise ValueError("no SQL: give it as an argument, with --file FILE, or `-` to read standard input")
    if argument == "-":
        return stdin.read()
    return argument
