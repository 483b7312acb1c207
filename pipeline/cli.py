"""`shoko` command line: a thin shell over pipeline.ingest, pipeline.store and the extractors.

Exit status: 0 success; 1 when any file failed, is partial or needs OCR (ingest)
or a query failed; 2 for usage errors and a database another writer holds.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table as RichTable

from pipeline import ingest as ingest_mod
from pipeline import locate, store
from pipeline.extract import Limits

EPILOG = """exit status: 0 = every file ok, unchanged, a duplicate or of no known kind; 1 = a file failed,
is partial, needs OCR or could not be read (see the summary and the documents/findings tables); 2 = usage error, or
another writer holds the database (readers never do).

database: --db FILE, else $SHOKO_DB, else data/processed/plans.duckdb in the current folder
or the nearest parent folder that has one, else a new one in the current folder (ingest)."""


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
                retry = f" ({payload['retry']} retried: failed last time for a transient reason)" \
                    if payload.get("retry") else ""
                print(f"ingest: {payload['total']} files, {payload['to_extract']} to extract{retry}, "
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
        elif event == "page":  # a page of a scan read by OCR (seconds each): the bar moves inside a file
            where = f"{Path(payload['path']).name} p {payload['page']}/{payload['pages']} (OCR)"
            if self.progress:
                self.progress.update(self.task, rate=where)
            else:
                print(f"reading   {payload['path']}: page {payload['page']} of {payload['pages']} (OCR)",
                      file=sys.stderr, flush=True)
        elif event in ("publishing", "published"):
            line = (f"publishing {payload}" if event == "publishing" else
                    f"published  {payload.bytes / 1e6:.1f} MB snapshot ({payload.publishes} so far, "
                    f"{payload.seconds:.2f} s)")
            if self.progress:
                self.progress.console.print(line)
            else:
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
    if summary.retried:
        console.print(f"{summary.retried} files retried (they failed last time for a transient reason: "
                      "worker died, out of memory, timed out)")
    ocr_line = _ocr_summary(db)
    if ocr_line:
        console.print(ocr_line)
    console.print(f"{len(summary.results)} files, {summary.pages} pages extracted in "
                  f"{summary.elapsed_s:.2f} s ({summary.pages_per_second:.1f} pages/s) → {db}")
    stats = summary.publish
    if stats.publishes:
        console.print(f"published {stats.publishes} snapshot(s) of {stats.bytes / 1e6:.1f} MB in "
                      f"{stats.seconds:.2f} s (search index {stats.index_seconds:.2f} s)"
                      + (", resuming an interrupted run" if stats.resumed else ""))
    else:
        console.print("nothing changed: the published database stays as it was")


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
                                       timeout_s=args.timeout, debug=args.debug, limits=limits,
                                       publish_every_s=args.publish_every,
                                       max_worker_mb=args.max_worker_mb)
    if not Path(args.db).exists():
        print(f"creating a new database at {args.db}", file=sys.stderr)  # a note, not an error
    with IngestReporter(Console(stderr=True)) as reporter:
        summary = ingest_mod.ingest(args.paths, options, reporter)
    print_summary(console, summary, Path(args.db))
    if args.prune:
        walked = {r.source_path for r in summary.results}
        prune_and_report(Path(args.db), roots=args.paths, present=walked, yes=True, console=console)
    if args.publish_to:
        return max(summary.exit_code, _publish_to(args.db, args.publish_to, args.schema, console))
    return summary.exit_code


def _publish_to(db, url: str, schema: str, console: Console) -> int:
    from pipeline import postgres_mirror

    try:
        result = postgres_mirror.publish(db, url, schema)
    except postgres_mirror.MirrorError as exc:
        print(f"shoko: {exc}", file=sys.stderr)
        return 1
    console.print(f"published {result.tables} tables and {result.views} views ({result.rows} rows) to "
                  f"{postgres_mirror.redacted(url)} schema {schema} in {result.seconds:.2f} s")
    return 0


def cmd_publish(args) -> int:
    return _publish_to(args.db, args.to, args.schema, Console(soft_wrap=True))


# --- prune ----------------------------------------------------------------------------

def prune_and_report(db: Path, roots, present, yes: bool, console: Console) -> list:
    from pipeline import prune

    con = store.connect(db, read_only=not yes)  # a dry run changes nothing, not even the schema
    try:
        gone = prune.find_gone(con, roots=roots, present=present)
        if yes:
            prune.delete(con, gone)
    finally:
        con.close()
    verb = "deleted" if yes else "would delete"
    for g in gone:
        console.print(f"{verb}: {g.source_path} ({g.kind}, {g.rows} rows)", highlight=False)
    if not gone:
        console.print("prune: every document's source file exists", highlight=False)
    elif yes:
        console.print(f"prune: deleted {len(gone)} documents whose files are gone "
                      f"({sum(g.rows for g in gone)} rows)", highlight=False)
    else:
        console.print(f"prune: {len(gone)} documents whose files are gone; run again with --yes "
                      "to delete them", highlight=False)
    return gone


def cmd_prune(args) -> int:
    prune_and_report(Path(args.db), roots=args.paths or None, present=None, yes=args.yes,
                     console=Console(soft_wrap=True))
    return 0


# --- query / export / schema / inspect --------------------------------------------------

def cmd_query(args) -> int:
    from pipeline import query_output as qo

    sql = qo.read_sql(args.sql, args.file)
    params = qo.parse_params(args.param or [])
    con = store.connect(args.db, read_only=True)
    try:
        qo.run_script(con, sql, params, sys.stdout,
                      qo.OutputOptions(format=args.format, escape_formulas=args.escape_formulas))
    except qo.QueryError as exc:
        sys.stdout.flush()
        print(f"shoko: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def cmd_export(args) -> int:
    from pipeline import exports

    options = exports.ExportOptions(format=args.format, bom=args.bom, escape_formulas=args.escape_formulas)
    con = store.connect(args.db, read_only=True)
    try:
        written = exports.export(
            con, args.out, options, progress=lambda path: print(path, flush=True),
            on_sheet=lambda e: print(f"xlsx: {e['table']}: {e['rows']} rows → {e['sheets']}"
                                     + (f" ({e['notes']})" if e["notes"] else ""), file=sys.stderr, flush=True))
    finally:
        con.close()
    if not written:
        print("shoko: nothing to export", file=sys.stderr)
    return 0


def cmd_search(args) -> int:
    from pipeline import search
    if not Path(args.db).exists():
        raise FileNotFoundError(f"no database at {args.db}: run `shoko ingest` first")
    con = store.connect(args.db, read_only=True)  # the ingest wrote the postings with the sections
    try:
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
    if args.records:
        from schemas.records import CONTRACT_TABLES
        schema = {name: model.model_json_schema() for name, model in CONTRACT_TABLES.items()}
        print(json.dumps(schema, ensure_ascii=False, indent=1))
        return 0
    from pipeline import catalog
    # the database's own catalog when there is one (read-only), else the shape a new one gets
    con = store.connect(args.db, read_only=True) if Path(args.db).exists() else store.connect(":memory:")
    try:
        listing = catalog.schema(con)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(listing, ensure_ascii=False, indent=1))
        return 0
    console = Console()
    for entry in listing:
        table = RichTable(title=f"{entry['kind']} {entry['name']}: {entry['description'] or ''}",
                          title_justify="left")
        for column in ("column", "type", "key", "description"):
            table.add_column(column, overflow="fold")
        for c in entry["columns"]:
            key = "primary key" if c["primary_key"] else (f"→ {c['references']}" if c["references"] else "")
            table.add_row(c["name"], c["type"], key, c["description"] or "")
        console.print(table)
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


# --- correct / corrections / review ----------------------------------------------------

def cmd_correct(args) -> int:
    from pipeline import corrections
    if args.undo is None and (not args.document or not args.table or not args.set):
        raise corrections.CorrectionError(
            "give FILE|DOC_ID --table TABLE [--key COLUMN=VALUE ...] --set COLUMN=VALUE, or --undo ID")
    if args.undo is not None and (args.document or args.set):
        raise corrections.CorrectionError("--undo ID takes no document, --table, --key or --set")
    if not Path(args.db).exists():
        raise FileNotFoundError(f"no database at {args.db}: run `shoko ingest` first")
    con = store.connect(args.db)
    try:
        if args.undo is not None:
            undone = corrections.undo(con, args.undo)
            print(f"undone correction #{undone.id}: {undone.table}.{undone.column} is "
                  f"{undone.extracted_value if undone.extracted_value is not None else 'NULL'} again")
            return 0
        doc_id = corrections.resolve_document(con, args.document)
        key = corrections.parse_assignments(args.key, "--key")
        values = corrections.parse_assignments(args.set, "--set")
        ids = corrections.add_correction(con, doc_id, args.table, key, values, args.note)
        for row in corrections.listing(con, doc_id):
            if row["id"] in ids:
                print(f"correction #{row['id']}: {row['table']}.{row['column']} "
                      f"{row['extracted_value']} → {row['corrected_value']} ({row['file_name']}, {row['row_key']})")
    finally:
        con.close()
    return 0


def cmd_corrections(args) -> int:
    from pipeline import corrections
    con = store.connect(args.db, read_only=True)
    try:
        if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'v_corrections'").fetchone():
            rows = []  # a database no correcting shoko has written yet
        else:
            doc_id = corrections.resolve_document(con, args.document) if args.document else None
            rows = corrections.listing(con, doc_id)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    elif args.format == "csv":
        import csv
        columns = ["id", "doc_id", "file_name", "table", "row_key", "column", "extracted_value",
                   "corrected_value", "note", "created_at", "status"]
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        print("no corrections")
    else:
        table = RichTable(title=f"{len(rows)} corrections")
        for column in ("id", "file", "table", "row", "column", "extracted → corrected", "note", "status"):
            table.add_column(column, overflow="fold")
        for r in rows:
            key = ", ".join(f"{k}={'NULL' if v is None else v}" for k, v in json.loads(r["row_key"]).items())
            table.add_row(str(r["id"]), r["file_name"] or r["doc_id"][:12], r["table"], key or "-", r["column"],
                          f"{r['extracted_value']} → {r['corrected_value']}", r["note"] or "", r["status"])
        Console().print(table)
    return 0


def cmd_review(args) -> int:
    from pipeline.review.app import serve
    return serve(Path(args.db), host=args.host, port=args.port, cache_dir=args.cache)


def add_review_commands(sub, common) -> None:
    p = sub.add_parser("correct", parents=[common], help="correct one extracted value (kept across re-extraction)")
    p.add_argument("document", nargs="?", help="the file, its name, or its doc_id (or a prefix)")
    p.add_argument("--table", help="contract table: plans, targets, budgets, progress, contacts, …")
    p.add_argument("--key", action="append", metavar="COLUMN=VALUE",
                   help="natural-key column of the row (repeatable; empty value = NULL)")
    p.add_argument("--set", action="append", metavar="COLUMN=VALUE",
                   help="the corrected value (repeatable; empty value = NULL)")
    p.add_argument("--note", help="why (kept with the correction)")
    p.add_argument("--undo", type=int, metavar="ID", help="remove correction ID, restoring the extracted value")
    p.set_defaults(func=cmd_correct)

    p = sub.add_parser("corrections", parents=[common], help="list the corrections and whether each still applies")
    p.add_argument("document", nargs="?", help="only this file / doc_id")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="output format (default: %(default)s)")
    p.set_defaults(func=cmd_corrections)

    p = sub.add_parser("review", parents=[common], help="web page to check every value against its page and correct it")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default: %(default)s; 0 = any free port)")
    p.add_argument("--cache", default=None,
                   help="folder for rendered page images (default: ~/.cache/shoko/pages)")
    p.set_defaults(func=cmd_review)


# --- parser ---------------------------------------------------------------------------

def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shoko")
    except PackageNotFoundError:
        return "unknown"


DB_HELP = "DuckDB file (default: $SHOKO_DB, else data/processed/plans.duckdb here or in a parent folder)"
# Commands that need an existing database (the others create it or use none).
READS_DB = {"query", "export", "search", "indicators", "prune", "correct", "corrections", "review", "publish"}


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--db and --debug, accepted before the command and after it. After it they are
    SUPPRESSed when absent, so they do not reset a value given before the command."""
    default = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--debug", action="store_true", help="print tracebacks instead of one-line errors",
                        **default)
    parser.add_argument("--db", metavar="FILE", help=DB_HELP, **({"default": argparse.SUPPRESS} if suppress
                                                                 else {"default": None}))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shoko", description=__doc__.splitlines()[0], epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"shoko {_version()}",
                        help="print shoko's version and exit")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="extract PDFs and spreadsheets into the database", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders (walked for .pdf .xlsx .xlsm .xls .ods .csv)")
    p.add_argument("--workers", type=int, default=ingest_mod.IngestOptions.workers,
                   help="worker processes (default: one per core; 0 = in this process)")
    p.add_argument("--force", action="store_true", help="re-extract files even when unchanged")
    p.add_argument("--timeout", type=float, default=ingest_mod.IngestOptions.timeout_s,
                   help="per-document time limit in seconds (default: %(default)s)")
    p.add_argument("--max-pages", type=int, default=Limits.max_pages,
                   help="fail PDFs with more pages than this (default: %(default)s)")
    p.add_argument("--max-file-mb", type=float, default=Limits.max_file_bytes / 1024 / 1024,
                   help="fail files larger than this many MiB (default: %(default)s)")
    p.add_argument("--prune", action="store_true",
                   help="afterwards delete the documents under the given paths whose files are gone")
    p.add_argument("--publish-every", type=float, default=ingest_mod.IngestOptions.publish_every_s,
                   metavar="S", help="publish a snapshot of what is loaded this often during a long "
                                     "run, in seconds (default: %(default)s)")
    p.add_argument("--publish-to", metavar="URL", default=None,
                   help="then mirror the database into PostgreSQL (postgresql://user@host/dbname)")
    p.add_argument("--schema", default="shoko", help="PostgreSQL schema for --publish-to (default: %(default)s)")
    p.add_argument("--max-worker-mb", type=int, default=None,
                   help="address-space limit of each worker in MiB; a document needing more fails alone "
                        "with 'ran out of memory' (default: half the machine's memory shared by the "
                        "workers, 1536 to 8192)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("publish", parents=[common],
                       help="mirror every contract table and dashboard view into a PostgreSQL schema")
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://user[:password]@host[:port]/dbname")
    p.add_argument("--schema", default="shoko", help="schema to replace (default: %(default)s)")
    p.set_defaults(func=cmd_publish)


    p = sub.add_parser("query", parents=[common], help="run SQL against the database (read-only)",
                       description="Run SQL statements on a read-only connection and print each result.")
    p.add_argument("sql", nargs="?", metavar="SQL",
                   help="SQL statements separated by ';' (`-`: read them from standard input)")
    p.add_argument("--file", "-f", metavar="FILE", help="read the SQL from this file (`-`: standard input)")
    p.add_argument("--format", choices=["table", "csv", "tsv", "json", "ndjson", "markdown"], default="table",
                   help="output format (default: %(default)s; a table is plain columns when piped)")
    p.add_argument("--param", "-p", action="append", metavar="NAME=VALUE",
                   help="bind $NAME in the SQL to VALUE (repeatable)")
    p.add_argument("--escape-formulas", action="store_true",
                   help="csv/tsv: prefix text starting with = + - @ tab or CR with ' (for spreadsheets)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", parents=[common], help="write every contract table and view as Parquet, CSV or Excel")
    p.add_argument("--format", choices=["parquet", "csv", "xlsx"], default="parquet",
                   help="parquet / csv: one file per table and view; xlsx: one workbook (shoko.xlsx), "
                        "a sheet each (default: %(default)s)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--bom", action="store_true", help="csv: start each file with a UTF-8 BOM (for Excel)")
    p.add_argument("--escape-formulas", action="store_true",
                   help="csv: prefix text starting with = + - @ tab or CR with ' (xlsx always keeps text as text)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("prune", parents=[common], help="delete documents whose source files are gone (dry run by default)")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="only documents under these files or folders, as given to ingest (default: all)")
    p.add_argument("--yes", action="store_true", help="delete them (without it, only list them)")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("search", parents=[common], help="full-text search over plan sections (Japanese, BM25)")
    p.add_argument("query", metavar="WORDS", help="words to look for, e.g. \"事業承継 DX\"")
    p.add_argument("--limit", type=int, default=10, help="number of sections to show (default: %(default)s)")
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: %(default)s)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("indicators", parents=[common], help="targets per canonical indicator, or the labels no rule maps")
    p.add_argument("--unmapped", action="store_true",
                   help="list the distinct unmapped metrics with their section and how often they occur")
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: %(default)s)")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("schema", parents=[common],
                       help="list tables, views and columns with types, keys and descriptions")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="output format (default: %(default)s)")
    p.add_argument("--records", action="store_true", help="print the JSON Schema of every contract record instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("inspect", parents=[common], help="print what is extracted from one file, without the database")
    p.add_argument("file", metavar="FILE", help="a PDF or spreadsheet")
    p.add_argument("--pretty", action="store_true", help="readable tables instead of JSON")
    p.set_defaults(func=cmd_inspect)

    add_review_commands(sub, common)
    return parser


def resolve_db(args) -> None:
    """Fill args.db by the documented rule; a reader without a database is a usage error."""
    path, how = locate.resolve(getattr(args, "db", None))
    args.db = str(path)
    if args.command in READS_DB and not path.exists():
        raise FileNotFoundError(locate.not_found_message(path) if how != "--db"
                                else f"no database at {path}: run `shoko ingest` first")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        resolve_db(args)
        return args.func(args)
    except store.DatabaseLockedError as exc:
        print(f"shoko: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:
        if args.debug:
            raise
        print(f"shoko: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `shoko query … | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
        return 141  # 128 + SIGPIPE, as a shell reports it
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
