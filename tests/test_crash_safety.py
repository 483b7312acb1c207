"""`shoko ingest` killed with SIGKILL at random points: the published database always opens,
every document in it is whole (or absent), and a normal run afterwards reaches the clean result.

The ingest writes its working file (pipeline/publish.py), whose WAL the next run replays;
each document is one transaction (pipeline/store.load_document), so a replay can never
surface half of one; the published file is only ever replaced whole.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from pipeline import search, store

from conftest import PROGRESS_PDF, PROGRESS_XLSX, ROOT, RUMOI_PLAN

KILLS = 20
IGNORED = {"ingested_at"}


def shoko_ingest(folder, db, *extra) -> subprocess.Popen:
    # a session of its own, so the workers it starts can be reaped with it
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db", str(db),
                             "--workers", "2", *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the ingest, then anything it left running (forkserver, workers)."""
    process.send_signal(signal.SIGKILL)
    process.wait()
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def per_document_counts(con) -> dict[tuple[str, str], int]:
    counts = {}
    for table in store.CONTRACT_TABLES:
        for doc_id, n in con.execute(f"select doc_id, count(*) from {table} group by doc_id").fetchall():
            counts[table, doc_id] = n
    return counts


def contents(con) -> dict[str, list]:
    out = {}
    for table in store.CONTRACT_TABLES:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = ? "
            "order by ordinal_position", [table]).fetchall() if c not in IGNORED]
        out[table] = sorted(map(repr, con.execute(f"select {', '.join(columns)} from {table}").fetchall()))
    return out


def hits(con) -> list:
    return [(h.file_name, h.section_no, round(h.score, 6)) for h in search.search(con, "事業承継 創業", 10)]


def finish_ingest(corpus, db) -> str:
    """Run the same ingest again after the kills; it must succeed. Its stderr."""
    final = shoko_ingest(corpus, db)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    return err


def assert_holds(db, expected, expected_hits) -> None:
    """The database holds exactly what an uninterrupted ingest gave, search hits included."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert contents(con) == expected
        assert hits(con) == expected_hits
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    folder.mkdir()
    for path in (PROGRESS_XLSX, PROGRESS_PDF, RUMOI_PLAN):
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def clean(small_corpus, tmp_path_factory):
    """(per-document counts, contents, search hits, seconds) of an uninterrupted run."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    started = time.monotonic()
    process = shoko_ingest(small_corpus, db)
    _, err = process.communicate(timeout=120)
    elapsed = time.monotonic() - started
    assert process.returncode == 0, err
    con = duckdb.connect(str(db), read_only=True)
    try:
        return per_document_counts(con), contents(con), hits(con), elapsed
    finally:
        con.close()


def check_whole_or_absent(db, reference: dict) -> set[str]:
    """The doc_ids present; fails if any document has rows missing, extra, or orphaned."""
    assert not (db.parent / (db.name + ".wal")).exists()  # the published file needs no replay
    con = duckdb.connect(str(db), read_only=True)  # as a dashboard opens it
    try:
        present = {d for (d,) in con.execute("select doc_id from documents").fetchall()}
        for (table, doc_id), n in per_document_counts(con).items():
            assert doc_id in present, f"{table} holds rows of {doc_id[:12]}, which has no documents row"
            assert reference.get((table, doc_id)) == n, (table, doc_id[:12], n, reference.get((table, doc_id)))
        for (table, doc_id), n in reference.items():
            if doc_id in present:
                assert per_document_counts(con).get((table, doc_id)) == n, (table, doc_id[:12])
        return present
    finally:
        con.close()


def test_sigkill_at_random_points_leaves_whole_documents(small_corpus, clean, tmp_path):
    reference, expected, expected_hits, elapsed = clean
    db = tmp_path / "killed.duckdb"
    rng = random.Random(1234)
    killed_mid_run = 0
    for attempt in range(KILLS):
        # --force on every other run: kills then also land in the delete-and-reload of documents
        process = shoko_ingest(small_corpus, db, *(["--force"] if attempt % 2 else []))
        time.sleep(rng.uniform(0.1, elapsed))
        if process.poll() is None:
            killed_mid_run += 1
        kill_group(process)
        present = check_whole_or_absent(db, reference) if db.exists() else set()
    assert killed_mid_run >= KILLS // 2  # most kills landed inside a run
    err = finish_ingest(small_corpus, db)
    assert "Traceback" not in err
    assert_holds(db, expected, expected_hits)


def group_alive_after(group: int, seconds: float) -> bool:
    """Whether any process of the group still runs after `seconds` (the forkserver and
    resource tracker exit on their own once they see the parent gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_ctrl_c_stops_workers_at_once_and_keeps_what_was_loaded(tmp_path):
    import pymupdf

    folder = tmp_path / "many"
    folder.mkdir()
    source = pymupdf.open(RUMOI_PLAN)
    for copy in range(40):  # distinct bytes, so each copy is a document of its own
        source.set_metadata({**source.metadata, "subject": f"copy {copy}"})
        (folder / f"plan_{copy:02d}.pdf").write_bytes(source.tobytes())
    db = tmp_path / "interrupted.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db", str(db), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal's Ctrl-C
    first = ""
    while not first.startswith("ok "):  # interrupt once a first document is loaded
        first = process.stderr.readline()
        assert first, "the ingest ended before it loaded anything"
    assert process.poll() is None, "the ingest ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)  # the whole process group, as a terminal does
    started = time.monotonic()
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 10
    assert process.returncode == 130
    assert err.strip().splitlines()[-1].startswith("shoko: interrupted")
    assert "Traceback" not in err
    assert not group_alive_after(process.pid, seconds=5)  # no worker or forkserver left behind
    con = duckdb.connect(str(db), read_only=True)
    documents, plans, sections, tokens = con.execute(
        "select (select count(*) from documents), (select count(distinct doc_id) from plans), "
        "(select count(*) from sections), (select count(*) from section_tokens)").fetchone()
    con.close()
    assert 0 < documents < 40 and plans == documents and sections == tokens


PUBLISH_KILLS = 20


def test_sigkill_while_publishing_leaves_the_published_file_whole(small_corpus, clean, tmp_path):
    """SIGKILL at seeded random points after the ingest says `publishing` (search index,
    checkpoint, copy, rename, state): the published file is always the old or the new
    snapshot, whole, with a usable index; the next run publishes the finished state."""
    reference, expected, expected_hits, _ = clean
    db = tmp_path / "published.duckdb"
    first = shoko_ingest(PROGRESS_XLSX, db)  # something published to begin with
    assert first.wait(timeout=120) == 0
    quick = tmp_path / "quick"  # two of the corpus's documents: each run reaches publishing soon
    quick.mkdir()
    for name in (PROGRESS_XLSX.name, RUMOI_PLAN.name):
        shutil.copy2(small_corpus / name, quick / name)
    rng = random.Random(20261201)
    landed = 0
    for attempt in range(PUBLISH_KILLS):
        process = shoko_ingest(quick, db, "--workers", "0", "--force")  # always a publish
        line = ""
        while not line.startswith("publishing"):
            line = process.stderr.readline()
            assert line, f"run {attempt} ended before it published"
        time.sleep(rng.uniform(0.0, 0.5))  # index build ~0.2 s, then checkpoint, copy, rename
        if process.poll() is None:
            landed += 1
        kill_group(process)
        present = check_whole_or_absent(db, reference)
        assert present  # never an empty or missing snapshot
        con = duckdb.connect(str(db), read_only=True)
        try:
            search.search(con, "事業承継", 3)  # the index always comes with the snapshot
        finally:
            con.close()
    assert landed >= PUBLISH_KILLS // 2
    finish_ingest(small_corpus, db)
    assert not (db.parent / (db.name + ".publishing")).exists()
    assert_holds(db, expected, expected_hits)
