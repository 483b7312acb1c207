"""`shoko` command line: a thin shell over pipeline.ingest, pipeline.store and the extractors.

Exit status: 0 success; 1 when any file failed, is partial or needs OCR (ingest)
or a query failed; 2 for usage errors and a database locked by another process.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table as RichTable

from pipeline import ingest as ingest_mod
from pipeline import store
from pipeline.extract import Limits

EPILOG = """exit status: 0 = every file ok, unchanged or a duplicate; 1 = a file failed, is partial or
needs OCR (see the summary and the documents/findings tables); 2 = usage error or
the database is locked by another process."""


# --- ingest ---------------------------------------------------------------------------

class IngestReporter:
    """Rich progress bar on a terminal, plain log lines otherwise (CI, pipes, cron)."""

    def __init__(self, console: Console):
        self.console = console
        self.progress: Progress | None = None
        self.task = None
        self.pages = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def __call__(self, event: str, payload) -> None:
        if event == "planned":
            if self.console.is_terminal:
                self.progress = Progress(
                    TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("files · {task.fields[pages]} pages · {task.fields[rate]}"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=self.console)
                self.task = self.progress.add_task("ingest", total=payload["total"], pages=0, rate="")
                self.progress.start()
            else:
                print(f"ingest: {payload['total']} files, {payload['to_extract']} to extract, "
                      f"{payload['unchanged']} unchanged", file=sys.stderr, flush=True)
        elif event == "file":
            result = payload
            self.pages += result.pages
            if self.progress:
                elapsed = self.progress.tasks[0].elapsed or 0
                rate = f"{self.pages / elapsed:.1f} pages/s" if elapsed else ""
                self.progress.update(self.task, advance=1, pages=self.pages, rate=rate)
            elif result.status != "unchanged":
                line = f"{result.status:9} {result.kind or '-':26} {result.pages:4d} p  {result.source_path}"
                if result.error:
                    line += f"  ({result.error})"
                print(line, file=sys.stderr, flush=True)


def print_summary(console: Console, summary: ingest_mod.IngestSummary, db: Path) -> None:
    counts = summary.status_counts
    table = RichTable(title="files")
    table.add_column("status")
    table.add_column("files", justify="right")
    for status in ingest_mod.STATUSES:
        table.add_row(status, str(counts.get(status, 0)))
    console.print(table)
    rows = RichTable(title="rows in the database")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, n in summary.table_rows.items():
        rows.add_row(name, str(n))
    console.print(rows)
    for result in summary.results:
        if result.status not in ("ok", "unchanged"):
            console.print(f"[yellow]{result.status}[/yellow] {result.source_path}: {result.error or 'see findings'}")
    ocr_line = _ocr_summary(db)
    if ocr_line:
        console.print(ocr_line)
    console.print(f"{len(summary.results)} files, {summary.pages} pages extracted in "
                  f"{summary.elapsed_s:.2f} s ({summary.pages_per_second:.1f} pages/s) → {db}")


def _ocr_summary(db: Path) -> str | None:
    """OCR'd pages and the values under the confidence threshold, in the whole database."""
    from pipeline.extract import LOW_CONFIDENCE
    try:
        con = store.connect(db, read_only=True)
    except Exception:
        return None
    try:
        pages = con.execute("select count(*) from document_pages where read_as <> 'text' "
                            "and read_as <> 'none'").fetchone()[0]
        if not pages:
            return None
        low = sum(con.execute(f"select count(*) from {t} where source = 'ocr' and confidence < ?",
                              [LOW_CONFIDENCE]).fetchone()[0] for t in ("targets", "budgets", "progress"))
    except Exception:
        return None
    finally:
        con.close()
    return (f"OCR: {pages} pages read by OCR; {low} OCR'd values under confidence {LOW_CONFIDENCE} "
            "(listed by `shoko inspect FILE --pretty`; column `confidence`)")


def cmd_ingest(args) -> int:
    console = Console(soft_wrap=True)  # paths and errors stay on one line, for grep
    limits = Limits(max_file_bytes=int(args.max_file_mb * 1024 * 1024), max_pages=args.max_pages)
    options = ingest_mod.IngestOptions(db=Path(args.db), workers=args.workers, force=args.force,
                                       timeout_s=args.timeout, debug=args.debug, limits=limits)
    with IngestReporter(Console(stderr=True)) as reporter:
        summary = ingest_mod.ingest(args.paths, options, reporter)
    print_summary(console, summary, Path(args.db))
    return summary.exit_code


# --- query / export / schema / inspect --------------------------------------------------

def cmd_query(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        frame = con.execute(args.sql).df()
    finally:
        con.close()
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif args.format == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, date_format="iso") + "\n")
    else:
        table = RichTable()
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*["" if v is None else str(v) for v in row])
        Console().print(table)
    return 0


def cmd_export(args) -> int:
    con = store.connect(args.db, read_only=True)
    try:
        names = list(store.CONTRACT_TABLES) + list(store.views_for_export())
        if args.format == "xlsx":
            from pipeline.dashboards import export_xlsx
            written = [export_xlsx(con, args.out, names)]
        else:
            written = store.export_parquet(con, args.out, names)
    finally:
        con.close()
    for path in written:
        print(path)
    return 0


def cmd_search(args) -> int:
    from pipeline import search
    if not Path(args.db).exists():
        raise FileNotFoundError(f"no database at {args.db}: run `shoko ingest` first")
    con = store.connect(args.db)  # writable: the first search after an ingest builds the index
    try:
        search.ensure_index(con)
        hits = search.search(con, args.query, args.limit)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=1))
        return 0
    table = RichTable(title=f"{len(hits)} sections for 「{args.query}」")
    for column in ("score", "file / chamber", "section", "snippet"):
        table.add_column(column, overflow="fold")
    for h in hits:
        table.add_row(f"{h.score:.2f}", f"{h.file_name}\n{h.chamber or ''}", f"{h.section_no} {h.title}", h.snippet)
    Console().print(table)
    return 0


def cmd_indicators(args) -> int:
    from pipeline import dashboards
    con = store.connect(args.db, read_only=True)
    try:
        rows = dashboards.unmapped_metrics(con) if args.unmapped else dashboards.indicator_counts(con)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
        return 0
    if not rows:
        print("every target label maps to an indicator" if args.unmapped else "no targets in the database")
        return 0
    table = RichTable(title="target labels no rule maps (pipeline/indicators.csv)" if args.unmapped
                      else "targets per canonical indicator (empty = unmapped)")
    for column in (rows[0] if rows else {"indicator": None}):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row.values()])
    Console().print(table)
    return 0


def cmd_schema(args) -> int:
    from schemas.records import CONTRACT_TABLES
    schema = {name: model.model_json_schema() for name, model in CONTRACT_TABLES.items()}
    print(json.dumps(schema, ensure_ascii=False, indent=1))
    return 0


def cmd_inspect(args) -> int:
    from pipeline.extract import extract_file
    extraction = extract_file(Path(args.file), debug=args.debug)
    data = extraction.model_dump(mode="json", exclude_defaults=False)
    if not args.pretty:
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0 if extraction.status == "ok" else 1
    console = Console()
    console.print(f"[bold]{args.file}[/bold]: kind={extraction.kind} status={extraction.status} "
                  f"pages={extraction.pages} {extraction.error or ''}")
    for name, records in data.items():
        if not isinstance(records, list) or not records:
            continue
        table = RichTable(title=f"{name} ({len(records)})")
        columns = [c for c in records[0] if any(r.get(c) not in (None, "", False) for r in records)]
        for column in columns:
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(*[_short(record.get(c)) for c in columns])
        console.print(table)
    _print_low_confidence(console, extraction)
    return 0 if extraction.status == "ok" else 1


def _print_low_confidence(console: Console, extraction) -> None:
    """The OCR'd values a person should check: under the confidence threshold."""
    from pipeline.extract import LOW_CONFIDENCE
    low = [(name, r) for name in ("targets", "budgets", "progress") for r in getattr(extraction, name)
           if r.confidence is not None and r.confidence < LOW_CONFIDENCE]
    if not low:
        return
    table = RichTable(title=f"OCR'd values under confidence {LOW_CONFIDENCE} ({len(low)}): check them")
    for column in ("table", "page", "label", "fiscal_year", "raw", "confidence"):
        table.add_column(column)
    for name, r in low:
        label = getattr(r, "metric", None) or getattr(r, "item", None) or getattr(r, "project", None)
        table.add_row(name, str(r.page), _short(label), str(r.fiscal_year), _short(getattr(r, "raw", None)),
                      f"{r.confidence:.2f}")
    console.print(table)


def _short(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "(" + ", ".join(f"{v:.0f}" if isinstance(v, float) else str(v) for v in value) + ")"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


# --- parser ---------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shoko", description=__doc__.splitlines()[0], epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="print tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="extract PDFs and spreadsheets into the database", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", help="files or folders (walked for .pdf .xlsx .xlsm .xls .ods .csv)")
    p.add_argument("--db", default=str(store.DEFAULT_DB), help="DuckDB file (default: %(default)s)")
    p.add_argument("--workers", type=int, default=ingest_mod.IngestOptions.workers,
                   help="worker processes (default: one per core; 0 = in this process)")
    p.add_argument("--force", action="store_true", help="re-extract files even when unchanged")
    p.add_argument("--timeout", type=float, default=ingest_mod.IngestOptions.timeout_s,
                   help="per-document time limit in seconds (default: %(default)s)")
    p.add_argument("--max-pages", type=int, default=Limits.max_pages,
                   help="fail PDFs with more pages than this (default: %(default)s)")
    p.add_argument("--max-file-mb", type=float, default=Limits.max_file_bytes / 1024 / 1024,
                   help="fail files larger than this many MiB (default: %(default)s)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("query", parents=[common], help="run SQL against the database (read-only)")
    p.add_argument("sql")
    p.add_argument("--db", default=str(store.DEFAULT_DB))
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", parents=[common], help="write every contract table and view as Parquet, for dashboards")
    p.add_argument("--format", choices=["parquet", "xlsx"], default="parquet",
                   help="parquet: one file per table/view; xlsx: one workbook (shoko.xlsx), a sheet each")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--db", default=str(store.DEFAULT_DB))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", parents=[common], help="full-text search over plan sections (Japanese, BM25)")
    p.add_argument("query", help="words to look for, e.g. \"事業承継 DX\"")
    p.add_argument("--db", default=str(store.DEFAULT_DB))
    p.add_argument("--limit", type=int, default=10, help="number of sections to show (default: %(default)s)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("indicators", parents=[common], help="targets per canonical indicator, or the labels no rule maps")
    p.add_argument("--db", default=str(store.DEFAULT_DB))
    p.add_argument("--unmapped", action="store_true",
                   help="list the distinct unmapped metrics with their section and how often they occur")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("schema", parents=[common], help="print the JSON Schema of every contract record")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("inspect", parents=[common], help="print what is extracted from one file, without the database")
    p.add_argument("file")
    p.add_argument("--pretty", action="store_true", help="readable tables instead of JSON")
    p.set_defaults(func=cmd_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except store.DatabaseLockedError as exc:
        print(f"shoko: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:
        if args.debug:
            raise
        print(f"shoko: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shoko: interrupted; documents loaded so far are complete, run again to finish",
              file=sys.stderr)
        return 130
    except Exception as exc:  # the one place a stray error becomes a readable line
        if args.debug:
            raise
        print(f"shoko: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
