"""Batch ingest: idempotent reloads, replacement of changed files, atomic loads, dead workers."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline import ingest, store
from pipeline.extract import extract_file
from pipeline.ingest import IngestOptions, Job
from schemas.records import Extraction

from conftest import RAW


def snapshot(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(map(str, con.execute(f"select * exclude (ingested_at) from {t}"
                                                if t == "documents" else f"select * from {t}").fetchall()))
                for t in store.CONTRACT_TABLES}
    finally:
        con.close()


def test_discover_walks_folders_for_supported_files(corpus):
    (corpus / "notes.txt").write_text("not a plan")
    (corpus / "~$lock.xlsx").write_bytes(b"owner file of an open workbook")
    found = ingest.discover([corpus])
    assert sorted(p.name for p in found) == sorted(p.name for p in RAW.iterdir())


def test_discover_reports_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        ingest.discover([tmp_path / "absent"])


def test_second_run_reports_every_file_unchanged_and_changes_no_row(corpus, db_path):
    first = ingest.ingest([corpus], IngestOptions(db=db_path, workers=2))
    assert first.status_counts["unchanged"] == 0
    assert len(first.results) == 5
    before = snapshot(db_path)
    second = ingest.ingest([corpus], IngestOptions(db=db_path, workers=2))
    assert second.status_counts == {"unchanged": 5}
    assert second.exit_code == 0
    assert snapshot(db_path) == before


def test_changed_file_at_the_same_path_replaces_its_rows(corpus, db_path):
    sheet_path = corpus / "akiruno_progress_r7.xlsx"
    ingest.ingest([sheet_path], IngestOptions(db=db_path, workers=0))
    con = duckdb.connect(str(db_path), read_only=True)
    (old_id,) = con.execute("select doc_id from documents").fetchone()
    con.close()
    book = openpyxl.load_workbook(sheet_path)
    book.active.title = book.active.title + "_v2"
    book.save(sheet_path)
    result = ingest.ingest([sheet_path], IngestOptions(db=db_path, workers=0))
    assert [r.status for r in result.results] != ["unchanged"]
    con = duckdb.connect(str(db_path), read_only=True)
    ids = [r[0] for r in con.execute("select doc_id from documents").fetchall()]
    stale = sum(con.execute(f"select count(*) from {t} where doc_id = ?", [old_id]).fetchone()[0]
                for t in store.CONTRACT_TABLES)
    con.close()
    assert ids == [ingest.sha256_file(sheet_path)] and old_id not in ids
    assert stale == 0


def test_touched_but_identical_file_is_recognised_by_its_hash(corpus, db_path):
    path = corpus / "akiruno_progress_r7.xlsx"
    ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    os.utime(path, (time.time() + 100, time.time() + 100))
    again = ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    assert again.status_counts == {"unchanged": 1}


def test_force_re_extracts_unchanged_files(corpus, db_path):
    path = corpus / "akiruno_progress_r7.xlsx"
    ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    again = ingest.ingest([path], IngestOptions(db=db_path, workers=0, force=True))
    assert again.status_counts["unchanged"] == 0


def test_failure_while_loading_leaves_none_of_the_document(corpus, db_path, monkeypatch):
    path = corpus / "akiruno_progress_r7.xlsx"
    real_insert = store._insert
    calls = []

    def failing_insert(con, table, arrow):
        calls.append(table)
        real_insert(con, table, arrow)
        if len(calls) == 2:
            raise RuntimeError("injected failure after two inserts")

    monkeypatch.setattr(store, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="injected"):
        ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    con = duckdb.connect(str(db_path), read_only=True)
    held = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in store.CONTRACT_TABLES}
    con.close()
    assert set(held.values()) == {0}, held
    monkeypatch.setattr(store, "_insert", real_insert)
    done = ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    assert done.results[0].status != "unchanged"
    assert done.table_rows["documents"] == 1


def _jobs(paths):
    return [Job(p, str(p), ingest.sha256_file(p), p.stat().st_size, p.stat().st_mtime) for p in paths]


def killing_worker(path, debug, limits):
    if path.endswith(".xlsx"):
        os.kill(os.getpid(), signal.SIGKILL)
    return extract_file(path, debug=debug, limits=limits)


def hanging_worker(path, debug, limits):
    if path.endswith(".xlsx"):
        time.sleep(60)
    return extract_file(path, debug=debug, limits=limits)


def test_a_killed_worker_fails_its_document_only():
    paths = [RAW / "akiruno_progress_r7.xlsx", RAW / "akiruno_progress_r7.pdf"]
    results = {job.path.name: ext for job, ext in
               ingest.run_in_workers(_jobs(paths), 2, 60, handle=killing_worker)}
    assert results["akiruno_progress_r7.xlsx"].status == "failed"
    assert "killed by signal 9" in results["akiruno_progress_r7.xlsx"].error
    assert results["akiruno_progress_r7.pdf"].status in ("ok", "partial")


def test_a_hung_worker_is_killed_at_the_time_limit():
    paths = [RAW / "akiruno_progress_r7.xlsx", RAW / "akiruno_progress_r7.pdf"]
    started = time.monotonic()
    results = {job.path.name: ext for job, ext in
               ingest.run_in_workers(_jobs(paths), 2, 15, handle=hanging_worker)}
    assert time.monotonic() - started < 50
    assert results["akiruno_progress_r7.xlsx"].status == "failed"
    assert "timed out after 15 s" in results["akiruno_progress_r7.xlsx"].error
    assert results["akiruno_progress_r7.pdf"].status in ("ok", "partial")


def test_document_rows_carry_identity_and_provenance(corpus, db_path):
    ingest.ingest([corpus / "akiruno_progress_r7.xlsx"], IngestOptions(db=db_path, workers=0))
    con = duckdb.connect(str(db_path), read_only=True)
    row = con.execute("select doc_id, file_name, source_path, pages, extractor_version, ingested_at "
                      "from documents").fetchone()
    con.close()
    assert row[0] == ingest.sha256_file(corpus / "akiruno_progress_r7.xlsx")
    assert row[1] == "akiruno_progress_r7.xlsx"
    assert row[2].endswith("akiruno_progress_r7.xlsx")
    assert row[3] >= 1 and row[4] and row[5] is not None


def test_workers_are_recycled_after_their_job_quota():
    paths = [RAW / "akiruno_progress_r7.xlsx", RAW / "akiruno_progress_r7.pdf", RAW / "akiruno_progress_r7.xlsx"]
    results = list(ingest.run_in_workers(_jobs(paths), 1, 60, max_jobs_per_worker=1))
    assert len(results) == 3
    assert all(ext.status == "ok" and ext.progress for _, ext in results)


def test_a_job_queued_behind_a_killed_worker_is_still_extracted():
    # one worker holding two paths: the first kills it, the second must not be lost with it
    paths = [RAW / "akiruno_progress_r7.xlsx", RAW / "akiruno_progress_r7.pdf"]
    results = {job.path.name: ext for job, ext in
               ingest.run_in_workers(_jobs(paths), 1, 60, handle=killing_worker, queue_depth=2)}
    assert "killed by signal 9" in results["akiruno_progress_r7.xlsx"].error
    assert results["akiruno_progress_r7.pdf"].status in ("ok", "partial")
    assert results["akiruno_progress_r7.pdf"].progress


def test_a_batch_loads_the_same_rows_as_one_document_at_a_time(tmp_path):
    paths = [RAW / "akiruno_progress_r7.xlsx", RAW / "akiruno_promotion_plan_ch3.pdf", RAW / "ome_cci_2023.pdf"]
    rows = [(ingest.document_row(job, extraction), extraction, []) for job, extraction in
            ingest.run_in_workers(_jobs(paths), 0, 60)]
    one_by_one, batched = tmp_path / "one.duckdb", tmp_path / "batch.duckdb"
    con = store.connect(one_by_one)
    for document, extraction, replaces in rows:
        store.load_document(con, document, extraction, replaces)
    con.close()
    con = store.connect(batched)
    counts = store.load_documents(con, rows, known=False)
    con.close()
    assert snapshot(batched) == snapshot(one_by_one)
    assert [c["progress"] for c in counts] == [len(extraction.progress) for _, extraction, _ in rows]
    assert sum(len(v) for v in snapshot(batched).values()) > 100


def test_workers_and_in_process_extraction_load_the_same_database(corpus, tmp_path):
    in_process, with_workers = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest.ingest([corpus], IngestOptions(db=in_process, workers=0))
    summary = ingest.ingest([corpus], IngestOptions(db=with_workers, workers=2))
    assert summary.status_counts["ok"] >= 4
    assert snapshot(with_workers) == snapshot(in_process)


def test_background_results_come_in_order_and_errors_reach_the_loader():
    import threading

    def produce():
        yield from range(5)
        raise ValueError("extraction loop broke")

    seen = []
    with pytest.raises(ValueError, match="extraction loop broke"):
        for batch in ingest.in_background(produce(), threading.Event()):
            seen.extend(batch)
    assert seen == [0, 1, 2, 3, 4]


def test_leaving_the_loader_early_stops_the_extraction_thread():
    import threading

    stop = threading.Event()
    produced = []

    def produce():
        for n in range(10_000):
            produced.append(n)
            yield n

    for batch in ingest.in_background(produce(), stop, max_waiting=4):
        break
    assert stop.is_set()
    assert len(produced) < 100  # the producer stopped instead of running to the end


def test_a_worker_extracting_a_plan_pdf_loads_no_database_or_spreadsheet_library():
    from worker_probe import extract_and_list_modules

    (job, extraction), = ingest.run_in_workers(_jobs([RAW / "rumoi_cci_2025.pdf"]), 1, 120,
                                               handle=extract_and_list_modules)
    assert extraction.plans and extraction.targets
    assert extraction.error == "loaded: "


def test_results_arriving_together_are_loaded_as_one_batch_and_late_ones_apart():
    import threading

    def produce():
        yield from range(5)  # at once: one batch
        time.sleep(0.4)
        yield 5  # after the linger: a batch of its own

    batches = list(ingest.in_background(produce(), threading.Event(), max_batch=16, linger_s=0.1))
    assert batches == [[0, 1, 2, 3, 4], [5]]


def test_a_batch_never_exceeds_its_limit():
    import threading

    batches = list(ingest.in_background(iter(range(40)), threading.Event(), max_batch=16, linger_s=0.2))
    assert [n for batch in batches for n in batch] == list(range(40))
    assert max(len(batch) for batch in batches) == 16


def test_a_load_failure_with_workers_running_stops_them_and_loads_nothing(corpus, db_path, monkeypatch):
    import multiprocessing

    real_insert = store._insert

    def failing_insert(con, table, arrow, **kwargs):
        if table == "targets":
            raise RuntimeError("injected failure while loading targets")
        real_insert(con, table, arrow, **kwargs)

    monkeypatch.setattr(store, "_insert", failing_insert)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="injected failure"):
        ingest.ingest([corpus], IngestOptions(db=db_path, workers=2))
    assert time.monotonic() - started < 60
    assert not [p for p in multiprocessing.active_children() if "forkserver" not in p.name.lower()]
    con = duckdb.connect(str(db_path), read_only=True)
    held = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in store.CONTRACT_TABLES}
    plans = con.execute("select count(*) from documents where kind = 'business_development_plan'").fetchone()[0]
    con.close()
    # a plan's batch failed at its targets: the plan is absent as a whole, never half there
    assert held["targets"] == 0 and held["sections"] == 0 and plans == 0


def test_documents_loaded_by_another_extractor_version_are_re_extracted(corpus, db_path, monkeypatch):
    path = corpus / "akiruno_progress_r7.xlsx"
    ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    assert ingest.ingest([path], IngestOptions(db=db_path, workers=0)).status_counts == {"unchanged": 1}
    monkeypatch.setattr(ingest, "EXTRACTOR_VERSION", "9.9.9")
    again = ingest.ingest([path], IngestOptions(db=db_path, workers=0))
    assert again.status_counts == {"ok": 1}
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("select extractor_version from documents").fetchall() == [("9.9.9",)]
    con.close()
