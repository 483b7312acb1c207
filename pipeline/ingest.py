"""Batch ingestion: discover files → skip unchanged → extract in workers → load in batches.

Extraction runs in long-lived worker processes, forked from a forkserver that has
the extractors already imported (pipeline/worker.py is their loop). The parent reads
their results on a thread of its own and loads them, a batch of documents per
transaction. A worker that crashes, is killed or exceeds the time limit fails its
document only.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import queue
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline import publish, store, worker
from pipeline.extract import EXTRACTOR_VERSION, SUPPORTED_SUFFIXES, Limits, extract_file
from schemas.records import Document, Extraction

STATUSES = ("ok", "partial", "failed", "needs_ocr", "skipped", "unchanged", "duplicate")


@dataclass(frozen=True)
class IngestOptions:
    db: Path = store.DEFAULT_DB
    workers: int = max(1, os.cpu_count() or 1)  # 0 = extract in this process (debugging)
    force: bool = False
    timeout_s: float = 600.0  # OCR reads a dense scanned page in 4–8 s: a 40-page scan fits
    debug: bool = False
    limits: Limits = Limits()
    publish_every_s: float = publish.DEFAULT_PUBLISH_EVERY_S  # snapshots during a long run


@dataclass(frozen=True)
class Job:
    path: Path
    source_path: str
    doc_id: str
    size: int
    mtime: float
    replaces: tuple[str, ...] = ()
    in_database: bool = False  # rows of doc_id or of `replaces` may be there to delete first


@dataclass(frozen=True)
class FileResult:
    source_path: str
    status: str
    kind: str | None = None
    pages: int = 0
    error: str | None = None
    counts: dict = field(default_factory=dict)


@dataclass
class IngestSummary:
    results: list[FileResult] = field(default_factory=list)
    elapsed_s: float = 0.0
    table_rows: dict = field(default_factory=dict)
    publish: publish.PublishStats = field(default_factory=publish.PublishStats)

    @property
    def status_counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results if r.status != "unchanged")

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def exit_code(self) -> int:
        # skipped (no known kind) is not a failure, but is never counted as ok
        return 0 if all(r.status in ("ok", "skipped", "unchanged", "duplicate") for r in self.results) else 1


# --- discover -----------------------------------------------------------------------

def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Supported files under the given files and folders, sorted, each once."""
    found: dict[str, Path] = {}
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise FileNotFoundError(f"no such file or folder: {given}")
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in candidates:
            if path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith("~$"):
                found.setdefault(str(path), path)
    return list(found.values())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- plan: skip unchanged ------------------------------------------------------------

def plan_jobs(con, files: list[Path], force: bool) -> tuple[list[Job], list[FileResult]]:
    """Jobs to extract, and files already loaded as they are (checked by stat, then by hash).

    A file with the same bytes as one met before in this batch is a `duplicate`: doc_id
    is the hash, so the documents row keeps the first path (in sorted order) only.
    """
    by_path = store.known_files(con)
    by_id = store.known_doc_ids(con)
    jobs: list[Job] = []
    unchanged: list[FileResult] = []
    seen: dict[str, str] = {}  # doc_id -> first source_path in this batch
    for path in files:
        source_path = store.readable_text(str(path))  # the form stored and shown
        stat = path.stat()
        known = by_path.get(source_path)
        current = known is not None and known.extractor_version == EXTRACTOR_VERSION
        if (not force and current and known.size == stat.st_size and known.mtime == stat.st_mtime
                and known.doc_id not in seen):
            seen[known.doc_id] = source_path
            unchanged.append(FileResult(source_path, "unchanged"))
            continue
        doc_id = sha256_file(path)
        if doc_id in seen:
            unchanged.append(FileResult(source_path, "duplicate", error=f"same bytes as {seen[doc_id]}"))
            continue
        seen[doc_id] = source_path
        same_bytes = by_id.get(doc_id)
        if not force and same_bytes and same_bytes.extractor_version == EXTRACTOR_VERSION:
            store.touch_document(con, doc_id, source_path, stat.st_size, stat.st_mtime)
            unchanged.append(FileResult(source_path, "unchanged"))
            continue
        replaces = (known.doc_id,) if known and known.doc_id != doc_id else ()
        jobs.append(Job(path, source_path, doc_id, stat.st_size, stat.st_mtime, replaces,
                        in_database=bool(replaces) or same_bytes is not None))
    return jobs, unchanged


# --- extract in workers --------------------------------------------------------------

def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pipeline.warm"])
    return ctx


@dataclass
class _Slot:
    """One worker process and the jobs sent to it, oldest (the one it is working on) first."""

    process: object
    conn: object
    jobs: deque = field(default_factory=deque)
    deadline: float = 0.0  # of the oldest job: the time limit counts from when it started
    served: int = 0


def run_in_workers(jobs: list[Job], workers: int, timeout_s: float, debug: bool = False,
                   handle: Callable = extract_file, limits: Limits = Limits(),
                   max_jobs_per_worker: int = 200, queue_depth: int = 2,
                   stop: threading.Event | None = None) -> Iterator[tuple[Job, Extraction]]:
    """Extractions in completion order; a dead or hung worker fails its own job only.

    Workers are long-lived (forked once from a warm forkserver, then fed paths as they
    finish them) and replaced when they die, time out, or have served `max_jobs_per_worker`
    documents (a bound on whatever memory a library leaks). Each worker holds up to
    `queue_depth` paths, so it starts the next document while its last result is in
    transit. `handle(path, debug=, limits=)` runs in the worker and returns one
    Extraction. Setting `stop` ends the run early (its workers are killed).
    """
    if workers <= 0:
        for job in jobs:
            if stop is not None and stop.is_set():
                return
            yield job, handle(str(job.path), debug=debug, limits=limits)
        return
    ctx = _context()
    pending = deque(jobs)
    slots: list[_Slot] = []

    def start() -> _Slot:
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=worker.serve, args=(child, debug, limits, handle), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def retire(slot: _Slot, kill: bool) -> None:
        if kill:
            slot.process.kill()
        else:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        slot.process.join(5)
        slot.conn.close()
        slots.remove(slot)
        pending.extendleft(reversed(slot.jobs))  # jobs it never started go back to the queue
        slot.jobs.clear()

    def died(slot: _Slot) -> Extraction:
        slot.process.join(5)
        code = slot.process.exitcode
        reason = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        return Extraction(status="failed", error=f"worker died while extracting ({reason})")

    def feed(slot: _Slot) -> None:
        while pending and len(slot.jobs) < queue_depth and slot.served + len(slot.jobs) < max_jobs_per_worker:
            job = pending.popleft()
            try:
                slot.conn.send(str(job.path))
            except OSError:  # it died: the job goes back to the queue, the death is seen below
                pending.appendleft(job)
                return
            if not slot.jobs:
                slot.deadline = time.monotonic() + timeout_s
            slot.jobs.append(job)

    try:
        while (pending or any(slot.jobs for slot in slots)) and not (stop is not None and stop.is_set()):
            for slot in [s for s in slots if not s.jobs and s.served >= max_jobs_per_worker]:
                retire(slot, kill=False)
            while pending and len(slots) < workers:
                slots.append(start())
            for slot in slots:
                feed(slot)
            busy = [s for s in slots if s.jobs]
            if not busy:
                continue
            nearest = min(s.deadline for s in busy)
            # short waits when a stop may come from another thread
            wait_s = max(0.0, nearest - time.monotonic())
            ready = set(multiprocessing.connection.wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy],
                timeout=min(wait_s, 0.2) if stop is not None else wait_s))
            for slot in busy:
                result, replace = None, False
                if slot.conn in ready or slot.process.sentinel in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result, replace = died(slot), True
                elif time.monotonic() >= slot.deadline:
                    result = Extraction(status="failed",
                                        error=f"timed out after {timeout_s:g} s (per-document limit)")
                    replace = True
                if result is None:
                    continue
                job = slot.jobs.popleft()
                slot.served += 1
                slot.deadline = time.monotonic() + timeout_s  # the next job starts now
                if replace:
                    retire(slot, kill=True)
                yield job, result
    finally:
        for slot in list(slots):
            retire(slot, kill=bool(slot.jobs))


def start_forkserver() -> None:
    """Start the warm forkserver now, so it imports the extractors while the parent
    opens the database and plans; the first worker then forks at once."""
    _context()
    multiprocessing.forkserver.ensure_running()


def in_background(results: Iterator, stop: threading.Event, max_batch: int = 16,
                  max_waiting: int = 8, linger_s: float = 0.5) -> Iterator[list]:
    """The items of `results`, produced by a thread of their own, in batches.

    The workers' results are read while this process loads earlier ones into DuckDB
    (which releases the GIL), so a worker never waits for the loader. A batch is what
    arrives within `linger_s` of its first item (up to `max_batch`): loading costs
    about a third as much per document in batches of eight as one at a time, and the
    end of the run is never waited for. At most `max_waiting` results wait in memory.
    Leaving the loop early (an error, Ctrl-C) sets `stop` and waits for the thread.
    """
    waiting: queue.Queue = queue.Queue(maxsize=max_waiting)
    done = object()

    def produce() -> None:
        outcome = done
        try:
            for item in results:
                while not stop.is_set():
                    try:
                        waiting.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # re-raised in the consumer
            outcome = exc
        finally:
            try:
                if hasattr(results, "close"):  # a generator: ends run_in_workers, which retires its workers
                    results.close()
            except BaseException as exc:
                outcome = exc if outcome is done else outcome
            waiting.put(outcome)  # always: the consumer waits for it

    thread = threading.Thread(target=produce, name="shoko-extract", daemon=True)
    thread.start()
    try:
        finished = False
        while not finished:
            batch = [waiting.get()]
            until = time.monotonic() + linger_s
            while len(batch) < max_batch and batch[-1] is not done and not isinstance(batch[-1], BaseException):
                try:
                    batch.append(waiting.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            if batch[-1] is done or isinstance(batch[-1], BaseException):
                finished, outcome = True, batch.pop()
                if isinstance(outcome, BaseException):
                    if batch:
                        yield batch
                    raise outcome
            if batch:
                yield batch
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                waiting.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


# --- load ----------------------------------------------------------------------------

def document_row(job: Job, extraction: Extraction) -> Document:
    return Document(
        doc_id=job.doc_id, source_path=job.source_path, file_name=Path(job.source_path).name,
        kind=extraction.kind, status=extraction.status, error=store.readable_text(extraction.error),
        pages=extraction.pages, ingested_at=store.now(), extractor_version=EXTRACTOR_VERSION,
        file_size=job.size, file_mtime=job.mtime)


Reporter = Callable[[str, object], None]


def ingest(paths: Iterable[str | Path], options: IngestOptions = IngestOptions(),
           report: Reporter = lambda event, payload: None) -> IngestSummary:
    """Ingest files and folders into the database; `report` hears 'planned', 'file',
    'publishing' and 'published' events.

    The work happens on the working file (pipeline/publish.py), published over the
    database path at the end and every `publish_every_s` during the run, so readers
    are never locked out.
    """
    started = time.perf_counter()
    files = discover(paths)
    summary = IngestSummary()
    stop = threading.Event()
    if files and options.workers > 0:
        start_forkserver()
    with publish.Snapshots(options.db, "shoko ingest", options.publish_every_s) as snapshots:
        summary.publish = snapshots.stats
        con = snapshots.connect()
        try:
            before = store.known_files(con)
            con.execute("BEGIN TRANSACTION")  # moved files are recorded with the dirty mark, or not at all
            jobs, unchanged = plan_jobs(con, files, options.force)
            moved = store.known_files(con) != before
            if jobs or moved:
                snapshots.mark_dirty()  # before the first change: a crash's next run publishes it
            con.execute("COMMIT")
            summary.results.extend(unchanged)
            report("planned", {"total": len(files), "to_extract": len(jobs),
                               "unchanged": sum(r.status == "unchanged" for r in unchanged)})
            for result in unchanged:
                report("file", result)
            try:
                extractions = run_in_workers(jobs, options.workers, options.timeout_s, options.debug,
                                             limits=options.limits, stop=stop)
                # in-process (workers=0, for debugging) stays on this thread, one document at a time
                for batch in (in_background(extractions, stop) if options.workers > 0
                              else ([item] for item in extractions)):
                    rows = [(document_row(job, extraction), extraction, list(job.replaces)) for job, extraction in batch]
                    snapshots.mark_dirty()  # again after a snapshot: a crash's next run publishes this
                    counts = store.load_documents(con, rows, known=any(job.in_database for job, _ in batch))
                    for (job, extraction), count in zip(batch, counts):
                        result = FileResult(job.source_path, extraction.status, extraction.kind,
                                            extraction.pages or 0, store.readable_text(extraction.error), count)
                        summary.results.append(result)
                        report("file", result)
                    if snapshots.due():  # a snapshot of what is loaded so far (search: the last index,
                        # or a first one, so that search works on the first snapshot of a new database)
                        _publish(con, snapshots, report, index=not _search().index_exists(con))
            except BaseException:  # Ctrl-C, an error: what is loaded (whole documents) is published
                if snapshots.dirty:
                    try:
                        _publish(con, snapshots, report, index=False)
                    except Exception:
                        pass  # the first error is the one to report; the next run publishes
                raise
            if snapshots.dirty or not _search().index_is_current(con):
                _publish(con, snapshots, report, index=True)
            summary.table_rows = store.table_counts(con)
        finally:
            con.close()
    summary.elapsed_s = time.perf_counter() - started
    return summary


def _publish(con, snapshots: publish.Snapshots, report: Reporter, index: bool) -> None:
    """Derived data first (search index), then the snapshot, so readers see them together."""
    report("publishing", str(snapshots.paths.published))
    if snapshots.dirty:  # findings that compare documents, for every snapshot
        store.reconcile_progress_with_plans(con)
    if index:  # DuckDB's fts has no incremental update: rebuilt when anything changed
        started = time.perf_counter()
        con.execute(f"SET memory_limit = '{store.INDEX_MEMORY_LIMIT}'")
        try:
            _search().ensure_index(con)
        finally:
            con.execute(f"SET memory_limit = '{store.WRITER_MEMORY_LIMIT}'")
        snapshots.stats.index_seconds = round(snapshots.stats.index_seconds + time.perf_counter() - started, 3)
    snapshots.publish(con)
    report("published", snapshots.stats)


def _search():
    from pipeline import search  # imported when needed: the loader starts without Sudachi

    return search
