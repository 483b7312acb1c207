"""The extraction worker's side of `shoko ingest`: a loop that turns paths into Extractions.

Kept apart from pipeline.ingest so a worker (and the forkserver it is forked from)
never imports what only the loading parent needs: DuckDB, Arrow, rich.

Protocol: the parent sends a path (or None: stop); the worker answers
`(Extraction, keep_going)`, after `("page", number, total)` for each page it read by OCR
when the parent asked for pages (a scanned page takes seconds: the bar moves meanwhile). `keep_going=False` means the worker exits after this answer
(it ran out of memory: the parent starts a fresh one for the next document).
"""
from __future__ import annotations

import resource
import signal
from typing import Callable

from pipeline.extract import Limits, extract_file
from schemas.records import Extraction

# Transient failures, retried by the next plain `shoko ingest` (pipeline.ingest.plan_jobs).
OUT_OF_MEMORY = "ran out of memory"
DIED = "worker died"
TIMED_OUT = "timed out"
TRANSIENT_ERRORS = (OUT_OF_MEMORY, DIED, TIMED_OUT)


def limit_memory(max_mb: int | None) -> None:
    """Cap this process's address space: past it, allocations fail (MemoryError) instead of
    the machine swapping or the kernel killing some other process."""
    if max_mb:
        limit = int(max_mb) * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _ran_out_of_memory(result: Extraction) -> bool:
    """Whether a MemoryError was met (and turned into text by a reader or a part isolation)."""
    texts = [result.error or "", *(f.message or "" for f in result.findings)]
    return any("MemoryError" in t or OUT_OF_MEMORY in t for t in texts)


def serve(conn, debug: bool, limits: Limits, handle: Callable = extract_file,
          max_mb: int | None = None, pages: bool = False) -> None:
    """Receive a path, send back its Extraction; stop on None or a closed pipe. With
    `pages`, `handle` takes `on_page` and each page read by OCR is announced first."""
    # Ctrl-C reaches the whole process group: the parent stops the workers itself, and a
    # worker interrupted while idle would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(max_mb)
    pages = pages and accepts_on_page(handle)
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        keep_going = True
        try:
            if pages:
                result = handle(path, debug=debug, limits=limits,
                                on_page=ocr_pages(lambda number, total: conn.send(("page", number, total))))
            else:
                result = handle(path, debug=debug, limits=limits)
            if _ran_out_of_memory(result):
                raise MemoryError
        except MemoryError:
            # whatever half-built state the failed allocation left (caches, a library's
            # globals) must not meet the next document: answer, then exit to be replaced
            result = Extraction(status="failed", error=f"{OUT_OF_MEMORY} (limit {max_mb} MB)"
                                if max_mb else OUT_OF_MEMORY)
            keep_going = False
        except BaseException as exc:  # last resort: the parent must always hear back
            result = Extraction(status="failed", error=f"worker error: {type(exc).__name__}: {exc}")
        conn.send((result, keep_going))
        if not keep_going:
            return


def accepts_on_page(handle: Callable) -> bool:
    """Whether a document handler takes `on_page` (extract_file does; a test's stand-in may not)."""
    import inspect

    try:
        return "on_page" in inspect.signature(handle).parameters
    except (TypeError, ValueError):
        return False


def ocr_pages(hear: Callable[[int, int], None]) -> Callable:
    """An `on_page` that passes on (number, total) of the pages read by OCR only (seconds
    each); a born-digital page is read in milliseconds."""
    def on_page(page, total: int) -> None:
        if getattr(page, "ocr", False):
            hear(page.number, total)
    return on_page
