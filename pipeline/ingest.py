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
import stat
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

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
    max_worker_mb: int | None = None  # address-space cap per worker; None: default_max_worker_mb


@dataclass(frozen=True)
class Job:
    path: Path
    source_path: str
    doc_id: str
    size: int
    mtime: float
    replaces: tuple[str, ...] = ()
    in_database: bool = False  # rows of doc_id or of `replaces` may be there to delete first
    retry: bool = False  # it failed last time for a transient reason


@dataclass(frozen=True)
class FileResult:
    source_path: str
    status: str
    kind: str | None = None
    pages: int = 0
    error: str | None = None
    counts: dict = field(default_factory=dict)
    retried: bool = False  # failed last time for a transient reason (worker died, memory, time)


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
    def retried(self) -> int:
        return sum(r.retried for r in self.results)

    @property
    def exit_code(self) -> int:
        # A file of no known kind (skipped, kind unknown) is not a failure, but never counts as ok;
        # one skipped because it could not be read (a FIFO, a device, no permission) is.
        return 0 if all(r.status in ("ok", "unchanged", "duplicate")
                        or (r.status == "skipped" and r.kind == "unknown") for r in self.results) else 1


# --- discover -----------------------------------------------------------------------

def _special_kind(mode: int) -> str | None:
    """What a path is when it is no regular file (never opened: a FIFO would block)."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None


def discover(paths: Iterable[str | Path], skipped: list[FileResult] | None = None) -> list[Path]:
    """Supported files under the given files and folders, sorted, each once.

    A supported name that is not a regular file (a FIFO, a device) or cannot be
    looked at (a folder without permission) is added to `skipped` with the reason.
    """
    found: dict[str, Path] = {}
    skipped = [] if skipped is None else skipped

    def skip(path: Path, reason: str) -> None:
        skipped.append(FileResult(store.readable_text(str(path)), "skipped", error=reason))

    for given in paths:
        root = Path(given)
        if not root.exists():
            raise FileNotFoundError(f"no such file or folder: {given}")
        if root.is_dir():
            candidates = sorted(root.rglob("*"))
        else:
            candidates = [root]
        for path in candidates:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name.startswith("~$"):
                continue
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                skip(path, f"cannot read: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode):
                continue
            special = _special_kind(mode)
            if special:
                skip(path, f"not a regular file: {special}")
                continue
            found.setdefault(str(path), path)
    return list(found.values())


def is_transient(error: str | None) -> bool:
    """A failure of the run, not of the file: retried by the next plain ingest."""
    return bool(error) and any(error.startswith(t) for t in worker.TRANSIENT_ERRORS)


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
        try:
            st = path.stat()
        except OSError as exc:  # vanished since discovery, or its folder lost permission
            unchanged.append(FileResult(source_path, "skipped", error=f"cannot read: {exc.strerror or exc}"))
            continue
        known = by_path.get(source_path)
        current = known is not None and known.extractor_version == EXTRACTOR_VERSION
        retry = known is not None and known.status == "failed" and is_transient(known.error)
        if (not force and current and not retry and known.size == st.st_size and known.mtime == st.st_mtime
                and known.doc_id not in seen):
            seen[known.doc_id] = source_path
            unchanged.append(FileResult(source_path, "unchanged"))
            continue
        try:
            doc_id = sha256_file(path)
        except OSError as exc:  # unreadable (permission), vanished: this file only
            unchanged.append(FileResult(source_path, "skipped", error=f"cannot read: {exc.strerror or exc}"))
            continue
        if doc_id in seen:
            unchanged.append(FileResult(source_path, "duplicate", error=f"same bytes as {seen[doc_id]}"))
            continue
        seen[doc_id] = source_path
        same_bytes = by_id.get(doc_id)
        retry = retry or bool(same_bytes and same_bytes.status == "failed" and is_transient(same_bytes.error))
        if not force and not retry and same_bytes and same_bytes.extractor_version == EXTRACTOR_VERSION:
            store.touch_document(con, doc_id, source_path, st.st_size, st.st_mtime)
            unchanged.append(FileResult(source_path, "unchanged"))
            continue
        replaces = (known.doc_id,) if known and known.doc_id != doc_id else ()
        jobs.append(Job(path, source_path, doc_id, st.st_size, st.st_mtime, replaces,
                        in_database=bool(replaces) or same_bytes is not None, retry=retry))
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


class WorkerPool:
    """Long-lived extraction workers fed paths as they finish them; a dead, hung or
    out-of-memory worker fails its own job only and is replaced.

    Hand-written rather than pebble's ProcessPool, measured on the same warm forkserver
    (2 workers, no-op jobs, a loaded 2-core machine): start-up is the same (both fork from
    it), pebble's dispatch costs ~5 ms a job against ~8 ms here, under 1 % of a 20-page
    plan. What pebble lacks decides: a worker cannot be retired on its own answer (after
    a MemoryError) without looking like a crash, and the address-space limit, the
    per-worker queue and the job-quota recycling would be rebuilt around its futures.
    """

    def __init__(self, workers: int, timeout_s: float, debug: bool = False, handle: Callable = extract_file,
                 limits: Limits = Limits(), max_worker_mb: int | None = None,
                 max_jobs_per_worker: int = 200, queue_depth: int = 2,
                 on_page: Callable[[Job, int, int], None] | None = None):
        self.ctx = _context()
        self.on_page = on_page  # (job, page number, page count) for each page a worker OCRs
        self.size, self.timeout_s, self.debug, self.handle = workers, timeout_s, debug, handle
        self.limits, self.max_worker_mb = limits, max_worker_mb
        self.max_jobs_per_worker, self.queue_depth = max_jobs_per_worker, queue_depth
        self.pending: deque = deque()
        self.slots: list[_Slot] = []

    def start(self) -> _Slot:
        parent, child = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(target=worker.serve, daemon=True,
                                   args=(child, self.debug, self.limits, self.handle, self.max_worker_mb,
                                         self.on_page is not None))
        process.start()
        child.close()
        slot = _Slot(process, parent)
        self.slots.append(slot)
        return slot

    def retire(self, slot: _Slot, kill: bool) -> None:
        """Stop a worker; the jobs it never started go back to the front of the queue."""
        if kill:
            slot.process.kill()
        else:
            try:
                slot.conn.send(None)
            except OSError:
                pass
        slot.process.join(5)
        slot.conn.close()
        self.slots.remove(slot)
        self.pending.extendleft(reversed(slot.jobs))
        slot.jobs.clear()

    def died(self, slot: _Slot) -> Extraction:
        slot.process.join(5)
        code = slot.process.exitcode
        reason = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
        return Extraction(status="failed", error=f"{worker.DIED} while extracting ({reason})")

    def feed(self, slot: _Slot) -> None:
        while (self.pending and len(slot.jobs) < self.queue_depth
               and slot.served + len(slot.jobs) < self.max_jobs_per_worker):
            job = self.pending.popleft()
            try:
                slot.conn.send(str(job.path))
            except OSError:  # it died: the job goes back to the queue, the death is seen below
                self.pending.appendleft(job)
                return
            if not slot.jobs:
                slot.deadline = time.monotonic() + self.timeout_s
            slot.jobs.append(job)

    def _answer(self, slot: _Slot, ready: set) -> tuple[Extraction, bool] | None:
        """(result, replace the worker) for the slot's oldest job, or None while it works."""
        if slot.conn in ready or slot.process.sentinel in ready:
            while True:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    return self.died(slot), True
                if isinstance(message[0], str):  # ("page", number, total): still working
                    if self.on_page is not None:
                        self.on_page(slot.jobs[0], message[1], message[2])
                    if slot.conn.poll():
                        continue
                    if slot.process.is_alive():
                        return None
                    return self.died(slot), True
                result, keep_going = message
                return result, not keep_going
        if time.monotonic() >= slot.deadline:
            return Extraction(status="failed",
                              error=f"{worker.TIMED_OUT} after {self.timeout_s:g} s (per-document limit)"), True
        return None

    def run(self, jobs: Iterable[Job], stop: threading.Event | None = None) -> Iterator[tuple[Job, Extraction]]:
        """Extractions in completion order. Setting `stop` ends the run early (its workers are killed)."""
        self.pending.extend(jobs)
        try:
            while (self.pending or any(s.jobs for s in self.slots)) and not (stop is not None and stop.is_set()):
                for slot in [s for s in self.slots if not s.jobs and s.served >= self.max_jobs_per_worker]:
                    self.retire(slot, kill=False)
                while self.pending and len(self.slots) < self.size:
                    self.start()
                for slot in self.slots:
                    self.feed(slot)
                busy = [s for s in self.slots if s.jobs]
                if not busy:
                    continue
                wait_s = max(0.0, min(s.deadline for s in busy) - time.monotonic())
                ready = set(multiprocessing.connection.wait(  # short waits when a stop may come
                    [s.conn for s in busy] + [s.process.sentinel for s in busy],
                    timeout=min(wait_s, 0.2) if stop is not None else wait_s))
                for slot in busy:
                    answer = self._answer(slot, ready)
                    if answer is None:
                        continue
                    result, replace = answer
                    job = slot.jobs.popleft()
                    slot.served += 1
                    slot.deadline = time.monotonic() + self.timeout_s  # the next job starts now
                    if replace:
                        self.retire(slot, kill=True)
                    yield job, result
        finally:
            for slot in list(self.slots):
                self.retire(slot, kill=bool(slot.jobs))


def default_max_worker_mb(workers: int) -> int:
    """Address-space cap per worker: half the machine's memory shared by the workers, between
    1.5 and 8 GB (a worker's address space starts near 1 GB: libraries and the dictionary)."""
    total_mb = store.physical_memory_bytes() / 2**20
    return int(min(8192, max(1536, total_mb / 2 / max(1, workers))))


def run_in_workers(jobs: list[Job], workers: int, timeout_s: float, debug: bool = False,
                   handle: Callable = extract_file, limits: Limits = Limits(),
                   max_jobs_per_worker: int = 200, queue_depth: int = 2,
                   stop: threading.Event | None = None,
                   max_worker_mb: int | None = None,
                   on_page: Callable[[Job, int, int], None] | None = None) -> Iterator[tuple[Job, Extraction]]:
    """Extractions in completion order (WorkerPool); `workers=0` extracts in this process.

    `handle(path, debug=, limits=)` runs in the worker and returns one Extraction.
    Workers are replaced when they die, time out, run out of memory, or have served
    `max_jobs_per_worker` documents (a bound on whatever memory a library leaks).
    `on_page(job, number, total)` hears each page a worker reads by OCR (`handle` must
    then take `on_page`, as extract_file does).
    """
    if workers <= 0:
        for job in jobs:
            if stop is not None and stop.is_set():
                return
            if on_page is None or not worker.accepts_on_page(handle):
                yield job, handle(str(job.path), debug=debug, limits=limits)
            else:
                hear = worker.ocr_pages(lambda number, total, job=job: on_page(job, number, total))
                yield job, handle(str(job.path), debug=debug, limits=limits, on_page=hear)
        return
    pool = WorkerPool(workers, timeout_s, debug, handle, limits, max_worker_mb,
                      max_jobs_per_worker, queue_depth, on_page)
    yield from pool.run(jobs, stop)


def start_forkserver() -> None:
    """Start the warm forkserver now, so it imports the extractors while the parent
    opens the database and plans; the first worker then forks at once."""
    _context()
    multiprocessing.forkserver.ensure_running()


def in_background(results: Iterator, stop: threading.Event, max_batch: int = 32,
                  max_waiting: int = 8, linger_s: float = 2.0) -> Iterator[list]:
    """The items of `results`, produced by a thread of their own, in batches.

    The workers' results are read while this process loads earlier ones into DuckDB
    (which releases the GIL), so a worker never waits for the loader. A batch is what
    arrives within `linger_s` of its first item (up to `max_batch`): each statement costs
    DuckDB a few milliseconds whatever its size, so a document costs the loader 1.4 ms a
    page loaded alone, 0.27 in batches of eight and 0.13 in batches of 32, and the end of
    the run is never waited for. At most `max_waiting` results wait in the queue.
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
    are never locked out. Cross-document findings are reconciled before every publish
    of new work, and after any earlier run that loaded documents but died before
    reconciling (a marker kept in the database says so).
    """
    started = time.perf_counter()
    summary = IngestSummary()
    skipped: list[FileResult] = []
    files = discover(paths, skipped)
    stop = threading.Event()
    if files and options.workers > 0:
        start_forkserver()
    with publish.Snapshots(options.db, "shoko ingest", options.publish_every_s) as snapshots:
        summary.publish = snapshots.stats
        con = snapshots.connect(memory_limit_mb=store.ingest_memory_limit_mb())
        try:
            before = store.known_files(con)
            con.execute("BEGIN TRANSACTION")  # moved files are recorded with the dirty mark, or not at all
            jobs, unchanged = plan_jobs(con, files, options.force)
            moved = store.known_files(con) != before
            if jobs or moved or store.reconcile_pending(con):
                snapshots.mark_dirty()  # before the first change: a crash's next run publishes it
            if jobs:
                store.mark_reconcile_pending(con)
            con.execute("COMMIT")
            unchanged = skipped + unchanged
            summary.results.extend(unchanged)
            report("planned", {"total": len(files) + len(skipped), "to_extract": len(jobs),
                               "unchanged": sum(r.status == "unchanged" for r in unchanged),
                               "retry": sum(job.retry for job in jobs)})
            for result in unchanged:
                report("file", result)
            max_mb = options.max_worker_mb or default_max_worker_mb(options.workers)
            try:
                extractions = run_in_workers(
                    jobs, options.workers, options.timeout_s, options.debug, limits=options.limits, stop=stop,
                    max_worker_mb=max_mb, on_page=lambda job, number, total: report(
                        "page", {"path": job.source_path, "page": number, "pages": total}))
                # in-process (workers=0, for debugging) stays on this thread, one document at a time
                for batch in (in_background(extractions, stop) if options.workers > 0
                              else ([item] for item in extractions)):
                    rows = [(document_row(job, extraction), extraction, list(job.replaces)) for job, extraction in batch]
                    snapshots.mark_dirty()  # again after a snapshot: a crash's next run publishes this
                    counts = store.load_documents(con, rows, known=any(job.in_database for job, _ in batch))
                    for (job, extraction), count in zip(batch, counts):
                        result = FileResult(job.source_path, extraction.status, extraction.kind,
                                            extraction.pages or 0, store.readable_text(extraction.error), count,
                                            retried=job.retry)
                        summary.results.append(result)
                        report("file", result)
                    if snapshots.due():  # a snapshot of what is loaded so far, postings included (an
                        # older database gets its postings here, so search works on its first snapshot)
                        _publish(con, snapshots, report, index=_search().pending_postings(con) > 0)
            except BaseException:  # Ctrl-C, an error: what is loaded (whole documents) is published
                if snapshots.dirty:
                    try:
                        _publish(con, snapshots, report, index=False)
                    except Exception:
                        pass  # the first error is the one to report; the next run publishes
                raise
            if snapshots.dirty or _search().pending_postings(con):
                _publish(con, snapshots, report, index=True)
            summary.table_rows = store.table_counts(con)
        except duckdb.Error as exc:
            raise store.disk_full_or(exc) from None
        finally:
            try:
                con.close()  # a checkpoint: it too can find the disk full
            except duckdb.Error as exc:
                if sys.exc_info()[0] is None:
                    raise store.disk_full_or(exc) from None
    summary.elapsed_s = time.perf_counter() - started
    return summary


def _publish(con, snapshots: publish.Snapshots, report: Reporter, index: bool) -> None:
    """Derived data first (cross-document findings, search postings), then the snapshot, so
    readers see them together."""
    report("publishing", str(snapshots.paths.published))
    if snapshots.dirty or store.reconcile_pending(con):  # findings that compare documents
        store.reconcile_progress_with_plans(con)
    if index:  # the loader keeps the postings; this catches hand edits and older databases
        started = time.perf_counter()
        _search().ensure_index(con)
        snapshots.stats.index_seconds = round(snapshots.stats.index_seconds + time.perf_counter() - started, 3)
    snapshots.publish(con)
    report("published", snapshots.stats)


def _search():
    from pipeline import search  # imported when needed: the loader starts without Sudachi

    return search
