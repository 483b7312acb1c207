"""Readers and the ingest side by side (pipeline/publish.py): real reader processes hold
read-only connections through an ingest, `shoko query/search/export/indicators` run during
one, and a second writer is refused with the holder's PID."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import duckdb
import pymupdf
import pytest

from conftest import OME_PLAN, PROGRESS_XLSX, ROOT, RUMOI_PLAN
from pipeline import cli, search

READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)   # as a BI tool or a notebook holds it
for line in sys.stdin:                               # each line: query again, or reconnect first
    if line.strip() == "reconnect":
        con.close()
        con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from documents").fetchone()[0], flush=True)
"""


class Reader:
    """A second Python process with a read-only DuckDB connection (pip's duckdb has no CLI)."""

    def __init__(self, db):
        self.process = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def documents(self, reconnect: bool = False) -> int:
        self.process.stdin.write("reconnect\n" if reconnect else "count\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()
        return int(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(10)


def shoko(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def published(tmp_path):
    db = tmp_path / "plans.duckdb"
    assert cli.main(["ingest", str(PROGRESS_XLSX), "--db", str(db), "--workers", "0"]) == 0
    return db


def test_a_reader_held_open_through_an_ingest_neither_blocks_it_nor_sees_half_of_it(published):
    reader = Reader(published)
    try:
        assert reader.documents() == 1
        done = shoko("ingest", RUMOI_PLAN, OME_PLAN, "--db", published, "--workers", "0")
        assert done.returncode == 0, done.stderr
        assert reader.documents() == 1  # its connection keeps the snapshot it opened
        assert reader.documents(reconnect=True) == 3  # and sees the new one on reconnect
    finally:
        reader.close()


COPIES = 100  # a copy takes ~0.1 s (its sentences are cut once): 30 ended before the readers ran


@pytest.fixture
def slow_corpus(tmp_path):
    """Enough distinct plans that an ingest with one worker runs for several seconds."""
    folder = tmp_path / "many"
    folder.mkdir()
    source = pymupdf.open(RUMOI_PLAN)
    for copy in range(COPIES):
        source.set_metadata({**source.metadata, "subject": f"copy {copy}"})
        (folder / f"plan_{copy:02d}.pdf").write_bytes(source.tobytes())
    return folder


def test_readers_work_during_an_ingest_on_the_last_snapshot(published, slow_corpus, tmp_path):
    assert cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published), "--workers", "0"]) == 0
    ingest = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(slow_corpus), "--db",
                               str(published), "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while not line.startswith("ok "):  # the ingest is loading documents now
            line = ingest.stderr.readline()
            assert line, "the ingest ended before it loaded anything"
        query = shoko("query", "select count(*) as n from documents", "--db", published, "--format", "json")
        search = shoko("search", "事業承継", "--db", published, "--limit", "1", "--format", "json")
        export = shoko("export", "--out", tmp_path / "out", "--db", published)
        indicators = shoko("indicators", "--db", published, "--format", "json")
        reader = Reader(published)
        try:
            in_cli = reader.documents()
        finally:
            reader.close()
        still_running = ingest.poll() is None
    finally:
        _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    assert still_running, "the ingest finished before the readers ran: make the corpus larger"
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 2}]  # the snapshot published before the ingest
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)[0]["file_name"] == "rumoi_cci_2025.pdf"
    assert export.returncode == 0, export.stderr
    assert (tmp_path / "out" / "documents.parquet").exists()
    assert indicators.returncode == 0 and json.loads(indicators.stdout), indicators.stderr
    assert in_cli == 2
    after = shoko("query", "select count(*) as n from documents", "--db", published, "--format", "json")
    assert json.loads(after.stdout) == [{"n": COPIES + 2}]


def on_read_only_mount(folder, *args) -> subprocess.CompletedProcess:
    """Run shoko with `folder` read-only: as root (whom file modes do not stop) a read-only bind
    mount in a mount namespace of the command's own; otherwise the folder's modes suffice."""
    command = [sys.executable, "-m", "pipeline.cli", *map(str, args)]
    if os.geteuid() == 0 and shutil.which("unshare"):
        script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        return subprocess.run(["unshare", "-m", "sh", "-c", script, str(folder), *command], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    folder.chmod(0o555)
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)


def test_search_and_query_work_on_a_read_only_mount(published, tmp_path):
    assert cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published), "--workers", "0"]) == 0
    mount = tmp_path / "ro"
    mount.mkdir()
    copy = mount / "plans.duckdb"
    shutil.copy2(published, copy)
    copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    probe = on_read_only_mount(mount, "query", f"copy (select 1) to '{mount}/x.csv'", "--db", copy)
    assert probe.returncode != 0 and "Read-only file system" in probe.stderr or "ermission" in probe.stderr
    search = on_read_only_mount(mount, "search", "事業承継", "--db", copy, "--limit", "2", "--format", "json")
    assert search.returncode == 0, search.stderr
    assert [h["file_name"] for h in json.loads(search.stdout)] == ["rumoi_cci_2025.pdf"] * 2
    query = on_read_only_mount(mount, "query", "select count(*) as n from sections", "--db", copy,
                               "--format", "json")
    assert query.returncode == 0 and json.loads(query.stdout)[0]["n"] > 50, query.stderr


HOLD_WRITER_LOCK = """
import sys, time
from pipeline import publish
with publish.Snapshots(sys.argv[1], "shoko ingest"):
    print("ready", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_with_the_holders_pid_and_program(published, capsys):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER_LOCK, str(published)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        code = cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published), "--workers", "0"])
        err = capsys.readouterr().err
        # readers are not refused meanwhile
        assert cli.main(["query", "select count(*) from documents", "--db", str(published),
                         "--format", "csv"]) == 0
        assert capsys.readouterr().out.splitlines() == ["count_star()", "1"]
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"is being written by PID {holder.pid} (shoko ingest)" in err and "run again" in err
    # once the holder is gone, the same ingest works
    assert cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published), "--workers", "0"]) == 0


HOLD_DUCKDB_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])   # a notebook's read-write connection: not shoko
print("ready", flush=True)
time.sleep(60)
"""


def test_a_foreign_writer_is_named_by_its_pid_for_readers_and_for_the_ingest(published, capsys):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_DUCKDB_WRITER, str(published)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        query_code = cli.main(["query", "select 1", "--db", str(published)])
        query_err = capsys.readouterr().err
        ingest_code = cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published), "--workers", "0"])
        ingest_err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert query_code == 2 and len(query_err.strip().splitlines()) == 1
    assert f"PID {holder.pid}" in query_err and "not a shoko ingest" in query_err
    assert ingest_code == 2 and len(ingest_err.strip().splitlines()) == 1
    assert f"open for writing by PID {holder.pid}" in ingest_err and "read_only" in ingest_err


def test_a_stale_working_file_is_replaced_when_the_published_file_changed(published, capsys):
    working = published.with_name(published.name + ".ingest")
    assert working.exists()  # kept after a publish: the next ingest continues it without a copy
    shutil.copy2(published, published.with_name("other.duckdb"))
    assert cli.main(["ingest", str(RUMOI_PLAN), "--db", str(published.with_name("other.duckdb")),
                     "--workers", "0"]) == 0
    os.replace(published.with_name("other.duckdb"), published)  # restored by hand from elsewhere
    assert cli.main(["ingest", str(PROGRESS_XLSX), "--db", str(published), "--workers", "0"]) == 0
    capsys.readouterr()
    assert cli.main(["query", "select file_name from documents order by 1", "--db", str(published),
                     "--format", "csv"]) == 0
    # the working file was seeded again from the file now published, not from its own past
    assert capsys.readouterr().out.splitlines() == ["file_name", "akiruno_progress_r7.xlsx",
                                                    "rumoi_cci_2025.pdf"]


def test_a_long_run_publishes_snapshots_as_it_goes(tmp_path):
    from pipeline.ingest import IngestOptions, ingest

    db = tmp_path / "growing.duckdb"
    seen = []

    def report(event, payload):
        if event == "published":  # what a reader opening the file now would see
            con = duckdb.connect(str(db), read_only=True)
            try:
                seen.append(con.execute("select count(*) from documents").fetchone()[0])
                if seen[-1]:  # search works on every snapshot, the first one included
                    search.search(con, "事業承継", 1)
            finally:
                con.close()

    summary = ingest([PROGRESS_XLSX, RUMOI_PLAN, OME_PLAN],
                     IngestOptions(db=db, workers=0, publish_every_s=0.0), report)
    assert summary.exit_code == 0 and summary.publish.publishes == len(seen)
    assert seen == sorted(seen) and seen[-1] == 3 and len(seen) >= 3
    assert 0 < seen[0] < 3  # the first snapshot came before the run ended


def test_a_run_that_changes_nothing_publishes_nothing(published, capsys):
    before = os.stat(published)
    assert cli.main(["ingest", str(PROGRESS_XLSX), "--db", str(published), "--workers", "0"]) == 0
    assert "nothing changed: the published database stays as it was" in capsys.readouterr().out
    after = os.stat(published)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    copy = published.parent / "copy.xlsx"
    shutil.copy2(PROGRESS_XLSX, copy)  # same bytes at a new path: the path is recorded
    assert cli.main(["ingest", str(copy), "--db", str(published), "--workers", "0"]) == 0
    assert os.stat(published).st_ino != before.st_ino
    assert cli.main(["query", "select source_path from documents", "--db", str(published), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(copy)
