"""The extraction worker's side of `shoko ingest`: a loop that turns paths into Extractions.

Kept apart from pipeline.ingest so a worker (and the forkserver it is forked from)
never imports what only the loading parent needs: DuckDB, Arrow, rich.
"""
from __future__ import annotations

import signal
from typing import Callable

from pipeline.extract import Limits, extract_file
from schemas.records import Extraction


def serve(conn, debug: bool, limits: Limits, handle: Callable = extract_file) -> None:
    """Receive a path, send back its Extraction; stop on None or a closed pipe."""
    # Ctrl-C reaches the whole process group: the parent stops the workers itself, and a
    # worker interrupted while idle would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            result = handle(path, debug=debug, limits=limits)
        except BaseException as exc:  # last resort: the parent must always hear back
            result = Extraction(status="failed", error=f"worker error: {type(exc).__name__}: {exc}")
        conn.send(result)
