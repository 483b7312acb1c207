"""`shoko export`: the contract tables and views as Parquet, CSV or one Excel workbook.

Every file is written under a temporary name in its folder and renamed when complete,
so a kill or a full disk never leaves a half file at the final path. Paths are passed to
DuckDB's writers as arguments, never pasted into SQL (a folder named `it's here` works).
Parquet and CSV come from DuckDB's own writers; Excel from pipeline/xlsx_export.py.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from pipeline.output_files import FORMULA_PREFIXES, atomic_path, quote_identifier  # noqa: F401 (re-exported)

FORMATS = ("parquet", "csv", "xlsx")


@dataclass(frozen=True)
class ExportOptions:
    format: str = "parquet"
    bom: bool = False  # CSV: a UTF-8 byte-order mark, so Excel on Japanese Windows reads UTF-8
    escape_formulas: bool = False  # CSV: prefix formula-like text with ' (Excel shows it as text)


def export_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every contract table and every view shoko defines, in contract order."""
    from pipeline import views
    from schemas.records import CONTRACT_TABLES

    have = {r[0] for r in con.execute(
        "select table_name from information_schema.tables").fetchall()}
    return [n for n in [*CONTRACT_TABLES, *views.VIEWS] if n in have]


def formula_safe_sql(column: str) -> str:
    """SQL for a text column with formula-like values prefixed by an apostrophe."""
    quoted = quote_identifier(column)
    return (f"CASE WHEN left({quoted}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
            f"THEN '''' || {quoted} ELSE {quoted} END AS {quoted}")


def relation(con: duckdb.DuckDBPyConnection, name: str, escape_formulas: bool = False):
    rel = con.table(name)
    if not escape_formulas:
        return rel
    columns = [formula_safe_sql(c) if str(t) == "VARCHAR" else quote_identifier(c)
               for c, t in zip(rel.columns, rel.types)]
    return rel.project(", ".join(columns))


def write_parquet(con: duckdb.DuckDBPyConnection, name: str, target: Path) -> Path:
    with atomic_path(target) as temporary:
        con.table(name).write_parquet(str(temporary), compression="zstd")
    return target


def write_csv(con: duckdb.DuckDBPyConnection, name: str, target: Path, bom: bool = False,
              escape_formulas: bool = False) -> Path:
    with atomic_path(target) as temporary:
        rel = relation(con, name, escape_formulas)
        if not bom:
            rel.write_csv(str(temporary), header=True)
        else:  # DuckDB's writer has no BOM option: prepend one to what it wrote
            plain = temporary.with_name(temporary.name + ".csv")
            try:
                rel.write_csv(str(plain), header=True)
                with temporary.open("wb") as out, plain.open("rb") as data:
                    out.write("\ufeff".encode("utf-8"))
                    shutil.copyfileobj(data, out)
            finally:
                plain.unlink(missing_ok=True)
    return target


def export(con: duckdb.DuckDBPyConnection, out_dir: str | Path, options: ExportOptions = ExportOptions(),
           names: list[str] | None = None, progress: Callable[[Path], None] = lambda path: None,
           on_sheet: Callable[[dict], None] = lambda entry: None) -> list[Path]:
    """Write every table and view (or `names`) into `out_dir`; returns the files written.
    `progress` hears each file when it is complete, `on_sheet` each workbook table."""
    if options.format not in FORMATS:
        raise ValueError(f"unknown export format {options.format!r} (one of {', '.join(FORMATS)})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder")
    names = names or export_names(con)
    if options.format == "xlsx":
        from pipeline.xlsx_export import export_xlsx

        written = [export_xlsx(con, out, names, on_sheet=on_sheet)]
        progress(written[0])
        return written
    written = []
    for name in names:
        target = out / f"{name}.{options.format}"
        if options.format == "parquet":
            write_parquet(con, name, target)
        else:
            write_csv(con, name, target, bom=options.bom, escape_formulas=options.escape_formulas)
        written.append(target)
        progress(target)
    return written
