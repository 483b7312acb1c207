"""Snapshot publishing: the ingest writes a working file of its own and publishes it whole.

DuckDB lets one process write a file and then no other process read it, so an ingest
that wrote the database itself would lock every dashboard out for its whole run. Instead:

    <db>               the published snapshot. Readers (shoko query/search/export, BI tools,
                       the DuckDB CLI) open it read-only; it is only ever replaced whole
                       (os.replace), never written in place, so a reader never waits and a
                       connection opened before a publish keeps its snapshot until it reconnects
    <db>.ingest        the working file the ingest writes (with DuckDB's own .wal)
    <db>.ingest.json   which published file the working file continues, and whether it holds
                       work not yet published (after a crash the next run publishes it)
    <db>.publishing    the next snapshot while it is copied; renamed over <db> when whole
    <db>.lock          held (flock) by the one writer; names its PID and program

A kill at any point leaves <db> whole (old or new, never half) and the working file
replayable (DuckDB's WAL), so the next run resumes where the last one stopped. The
working file is kept after a publish: the next ingest continues it without copying,
at the cost of the database's size in disk space once more.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import store

DEFAULT_PUBLISH_EVERY_S = 300.0  # a long run (OCR at seconds a page) shows its progress this often
COPY_CHUNK = 8 << 20
_FICLONE = 0x40049409  # Linux ioctl: copy-on-write clone on btrfs / XFS; elsewhere a plain copy


@dataclass(frozen=True)
class Paths:
    published: Path

    @property
    def working(self) -> Path:
        return self.published.with_name(self.published.name + ".ingest")

    @property
    def state(self) -> Path:
        return self.published.with_name(self.published.name + ".ingest.json")

    @property
    def publishing(self) -> Path:
        return self.published.with_name(self.published.name + ".publishing")

    @property
    def lock(self) -> Path:
        return self.published.with_name(self.published.name + ".lock")

    @property
    def seeding(self) -> Path:
        return self.published.with_name(self.published.name + ".ingest.seeding")


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@dataclass
class PublishStats:
    publishes: int = 0
    seconds: float = 0.0
    bytes: int = 0
    seed_seconds: float = 0.0
    seed_bytes: int = 0
    index_seconds: float = 0.0
    resumed: bool = False


# --- who holds a file ------------------------------------------------------------------

def program_of(pid: int) -> str:
    """The command line of a process, as `ps` shows it (for one-line lock messages)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown program"
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    if len(words) >= 3 and words[1] == "-m" and words[2] == "pipeline.cli":
        words = ["shoko", *words[3:]]
    elif words and Path(words[0]).name.startswith("python") and len(words) > 1 and Path(words[1]).name == "shoko":
        words = words[1:]
    if words and Path(words[0]).name == "shoko":
        return " ".join(["shoko", *words[1:2]])
    if len(words) > 1 and words[1] == "-c":
        words = [words[0], "-c", "…"]
    text = " ".join(" ".join(words[:3]).split())  # one line, whatever the command held
    return (text[:77] + "…" if len(text) > 80 else text) or "unknown program"


def foreign_writer(path: Path) -> int | None:
    """PID of another process holding `path` open for writing (DuckDB's fcntl lock), or None.

    Publishing replaces the file; what such a writer (a notebook's read-write connection)
    wrote since would be lost with the old inode, so the publish refuses instead.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        probe = struct.pack("@hhqqi4x", fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack("@hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, probe))
        return pid if kind != fcntl.F_UNLCK else None
    except OSError:
        return None
    finally:
        os.close(fd)


class WriterLock:
    """The one-writer rule: an flock on <db>.lock (released by the kernel if we die)."""

    def __init__(self, published: Path, program: str):
        self.paths = Paths(published)
        self.program = program
        self.fd: int | None = None

    def __enter__(self) -> "WriterLock":
        path = self.paths.lock
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 512, 0).decode(errors="replace").strip()
            os.close(fd)
            pid, _, program = holder.partition(" ")
            who = f"PID {pid} ({program})" if pid.isdigit() else "another process"
            raise store.DatabaseLockedError(
                f"{self.paths.published} is being written by {who}; wait for it to finish "
                f"(readers are not blocked) or stop it, then run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self.program}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # releases the flock
            self.fd = None


# --- copies ------------------------------------------------------------------------------

def copy_file(source: Path, target: Path) -> int:
    """Copy `source` to `target` durably (clone where the file system can, else copy), fsynced."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
        except OSError:
            shutil.copyfileobj(src, dst, COPY_CHUNK)  # sendfile is not used: it cannot be fsynced mid-way
        dst.flush()
        os.fsync(dst.fileno())
    return target.stat().st_size


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def identity(path: Path) -> list | None:
    """What tells one published file from another: inode, size, mtime (None: no file)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _read_state(paths: Paths) -> dict | None:
    try:
        return json.loads(paths.state.read_text())
    except (OSError, ValueError):
        return None


def _write_state(paths: Paths, state: dict) -> None:
    tmp = paths.state.with_name(paths.state.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, paths.state)


# --- the writer's side -------------------------------------------------------------------

class Snapshots:
    """A writer's session: lock, working file seeded from the published one, publishes.

    Use as a context manager around the ingest; `connect()` opens the working file.
    """

    def __init__(self, published: str | Path, program: str = "shoko ingest",
                 publish_every_s: float = DEFAULT_PUBLISH_EVERY_S):
        self.paths = Paths(Path(published))
        self.lock = WriterLock(self.paths.published, program)
        self.publish_every_s = publish_every_s
        self.stats = PublishStats()
        self.dirty = False  # the working file holds work the published file lacks
        self._last_publish = time.monotonic()

    def __enter__(self) -> "Snapshots":
        self.lock.__enter__()
        try:
            self._refuse_foreign_writer()
            self._seed()
        except BaseException:
            self.lock.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.lock.__exit__()

    def _refuse_foreign_writer(self) -> None:
        pid = foreign_writer(self.paths.published)
        if pid is not None:
            raise store.DatabaseLockedError(
                f"{self.paths.published} is open for writing by PID {pid} ({program_of(pid)}), not by "
                "shoko: publishing would discard what it writes; close that connection (BI tools and "
                "notebooks should open the file read_only) and run again")

    def _seed(self) -> None:
        """Continue the working file of the last run, or start one from the published file."""
        paths = self.paths
        _unlink(paths.publishing, paths.seeding, wal(paths.seeding))  # a kill during a copy
        state = _read_state(paths)
        published = identity(paths.published)
        if paths.working.exists() and state is not None and state.get("published") == published:
            self.dirty = bool(state.get("dirty"))
            self.stats.resumed = self.dirty
            return
        # no working file, or one the published file no longer matches (replaced or edited by
        # hand since): it is stale, and the published file is the truth
        _unlink(paths.working, wal(paths.working), paths.state)
        if published is None:
            _write_state(paths, {"published": None, "dirty": True})
            self.dirty = True  # a first run publishes even with nothing to load
            return
        started = time.perf_counter()
        size = copy_file(paths.published, paths.seeding)
        if wal(paths.published).exists():  # left by an older shoko's crash: replayed on open
            size += copy_file(wal(paths.published), wal(paths.seeding))
            os.replace(wal(paths.seeding), wal(paths.working))
        os.replace(paths.seeding, paths.working)
        _write_state(paths, {"published": published, "dirty": False})
        self.stats.seed_seconds = round(time.perf_counter() - started, 3)
        self.stats.seed_bytes = size

    def connect(self, memory_limit_mb: int | None = None) -> duckdb.DuckDBPyConnection:
        return store.connect(self.paths.working, memory_limit_mb=memory_limit_mb)

    def mark_dirty(self) -> None:
        """Call before the first change: after a crash the next run knows to publish it."""
        if not self.dirty:
            state = _read_state(self.paths) or {"published": identity(self.paths.published)}
            _write_state(self.paths, {**state, "dirty": True})
            self.dirty = True

    def due(self) -> bool:
        return self.dirty and time.monotonic() - self._last_publish >= self.publish_every_s

    def _carry_corrections(self, con: duckdb.DuckDBPyConnection) -> None:
        """Corrections made in the published file during this run (`shoko review`, `shoko
        correct`) go into the working file first, so publishing never undoes them."""
        from pipeline import corrections

        con.execute("BEGIN TRANSACTION")
        try:
            corrections.sync_from(con, self.paths.published)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def publish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Checkpoint the working file and put a copy of it in place of the published one."""
        paths = self.paths
        started = time.perf_counter()
        if paths.published.exists():
            self._carry_corrections(con)
        con.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
        self._refuse_foreign_writer()
        size = copy_file(paths.working, paths.publishing)
        # an older shoko's WAL beside the published file would be replayed onto the new one
        _unlink(wal(paths.published))
        os.replace(paths.publishing, paths.published)
        _fsync_dir(paths.published.parent)
        _write_state(paths, {"published": identity(paths.published), "dirty": False})
        self.dirty = False
        self._last_publish = time.monotonic()
        self.stats.publishes += 1
        self.stats.seconds = round(self.stats.seconds + time.perf_counter() - started, 3)
        self.stats.bytes = size
