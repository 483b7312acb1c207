"""At national scale nothing is lost: bombs refused before they expand, memory bounded per
worker, unreadable and special files skipped with a reason, transient failures retried,
reconciliation never skipped, a full disk named. (Timings and memory are in `make bench`.)"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

import hostile
from pipeline import cli, ingest, store
from pipeline.ingest import IngestOptions, Job
from extractors.layout.workbook import WorkbookTooLargeError, read_workbook

from conftest import RAW

PROMOTION = RAW / "akiruno_promotion_plan_ch3.pdf"
PROGRESS = RAW / "akiruno_progress_r7.xlsx"


def _jobs(paths):
    return [Job(p, str(p), ingest.sha256_file(p), p.stat().st_size, p.stat().st_mtime) for p in paths]


def rows(db: Path, sql: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- bombs refused before a library expands them --------------------------------------

@pytest.mark.parametrize("make, phrase", [
    (hostile.far_corner_xlsx, "spans 1,048,576 rows × 16,384 columns"),
    (hostile.merge_bomb_xlsx, "merges 17,159,946,240 cells"),
])
def test_an_11_kb_workbook_reaching_the_last_cell_is_refused_unread(tmp_path, make, phrase):
    bomb = make(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 12_000
    with pytest.raises(WorkbookTooLargeError, match=phrase):
        read_workbook(bomb)


def test_a_csv_row_of_25_million_fields_is_refused_while_reading(tmp_path):
    wide = hostile.wide_row_csv(tmp_path / "wide.csv", megabytes=50)
    with pytest.raises(WorkbookTooLargeError, match="a row with more than 16,384 fields"):
        read_workbook(wide)


def test_bombs_fail_alone_in_a_batch_and_the_real_sheet_loads(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    hostile.far_corner_xlsx(folder / "corner.xlsx")
    hostile.merge_bomb_xlsx(folder / "merge.xlsx")
    hostile.wide_row_csv(folder / "wide.csv", megabytes=5)
    shutil.copy(PROGRESS, folder)
    summary = ingest.ingest([folder], IngestOptions(db=tmp_path / "db.duckdb", workers=1))
    by_name = {Path(r.source_path).name: r for r in summary.results}
    assert by_name[PROGRESS.name].status == "ok"
    for name, phrase in [("corner.xlsx", "16,384 columns"), ("merge.xlsx", "merges"),
                         ("wide.csv", "16,384 fields")]:
        assert by_name[name].status == "failed" and phrase in by_name[name].error, by_name[name]


# --- memory bounded per worker ------------------------------------------------------

def test_a_document_over_the_worker_memory_limit_fails_alone_and_poisons_nothing():
    from worker_probe import exhaust_memory_on_xlsx

    # one worker holding two paths: the second must reach a fresh worker, not the poisoned one
    paths = [PROGRESS, RAW / "akiruno_progress_r7.pdf", PROGRESS]
    results = list(ingest.run_in_workers(_jobs(paths), 1, 60, handle=exhaust_memory_on_xlsx,
                                         queue_depth=2, max_worker_mb=2048))
    by_path = [(job.path.name, ext) for job, ext in results]
    failed = [ext for name, ext in by_path if name.endswith(".xlsx")]
    assert [ext.error for ext in failed] == ["ran out of memory (limit 2048 MB)"] * 2
    pdf = next(ext for name, ext in by_path if name.endswith(".pdf"))
    assert pdf.status == "ok" and pdf.progress


def test_the_default_worker_memory_limit_is_sized_to_the_machine():
    one, two = ingest.default_max_worker_mb(1), ingest.default_max_worker_mb(2)
    assert 1536 <= two <= one <= 8192
    assert one <= store.physical_memory_bytes() / 2**20


def test_the_cli_passes_max_worker_mb(tmp_path, monkeypatch):
    seen = {}

    def fake_ingest(paths, options, report):
        seen["o"] = options
        return ingest.IngestSummary()
    monkeypatch.setattr(cli.ingest_mod, "ingest", fake_ingest)
    cli.main(["ingest", str(PROGRESS), "--db", str(tmp_path / "x.duckdb"), "--max-worker-mb", "3000"])
    assert seen["o"].max_worker_mb == 3000


# --- nothing lost: special, unreadable, vanishing files ------------------------------

def test_a_fifo_a_device_and_an_unreadable_file_are_skipped_and_the_batch_goes_on(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PROGRESS, folder)
    os.mkfifo(folder / "pipe.pdf")
    device = folder / "device.xlsx"
    try:
        os.mknod(device, 0o644 | __import__("stat").S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        device.symlink_to("/dev/null")  # a character device all the same
    locked = folder / "locked.pdf"
    shutil.copy(RAW / "akiruno_progress_r7.pdf", locked)
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads a mode-000 file: make its read fail the way a user's would
        real = ingest.sha256_file

        def sha256_file(path):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        monkeypatch.setattr(ingest, "sha256_file", sha256_file)
    summary = ingest.ingest([folder], IngestOptions(db=tmp_path / "db.duckdb", workers=1))
    by_name = {Path(r.source_path).name: r for r in summary.results}
    assert by_name[PROGRESS.name].status == "ok"
    assert by_name["pipe.pdf"].status == "skipped" and "FIFO" in by_name["pipe.pdf"].error
    assert by_name["device.xlsx"].status == "skipped" and "character device" in by_name["device.xlsx"].error
    assert by_name["locked.pdf"].status == "skipped" and "Permission denied" in by_name["locked.pdf"].error
    assert summary.exit_code == 1
    assert rows(tmp_path / "db.duckdb", "select file_name, status from documents") == [(PROGRESS.name, "ok")]


def test_a_file_vanishing_after_discovery_is_skipped(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (PROGRESS, PROMOTION):
        shutil.copy(source, folder)
    real = ingest.discover

    def discover_then_delete(paths, skipped=None):
        found = real(paths, skipped)
        (folder / PROMOTION.name).unlink()
        return found
    monkeypatch.setattr(ingest, "discover", discover_then_delete)
    summary = ingest.ingest([folder], IngestOptions(db=tmp_path / "db.duckdb", workers=1))
    by_name = {Path(r.source_path).name: r for r in summary.results}
    assert by_name[PROGRESS.name].status == "ok"
    assert by_name[PROMOTION.name].status == "skipped" and "No such file" in by_name[PROMOTION.name].error


# --- transient failures retried -------------------------------------------------------

def test_a_document_whose_worker_was_killed_is_retried_by_the_next_plain_ingest(tmp_path, monkeypatch, capsys):
    from test_ingest import killing_worker

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PROGRESS, folder)
    db = tmp_path / "db.duckdb"
    real = ingest.run_in_workers
    monkeypatch.setattr(ingest, "run_in_workers", functools.partial(real, handle=killing_worker))
    first = ingest.ingest([folder], IngestOptions(db=db, workers=1))
    assert first.results[0].status == "failed" and "worker died" in first.results[0].error
    monkeypatch.setattr(ingest, "run_in_workers", real)
    assert cli.main(["ingest", str(folder), "--db", str(db), "--workers", "1"]) == 0
    out = capsys.readouterr()
    assert "1 files retried" in out.out and "1 retried" in out.err
    assert rows(db, "select status, error from documents") == [("ok", None)]
    again = ingest.ingest([folder], IngestOptions(db=db, workers=1))
    assert [r.status for r in again.results] == ["unchanged"]


def test_a_file_that_fails_for_its_own_reason_is_not_retried(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.merge_bomb_xlsx(folder / "merge.xlsx")
    db = tmp_path / "db.duckdb"
    assert ingest.ingest([folder], IngestOptions(db=db, workers=0)).results[0].status == "failed"
    assert [r.status for r in ingest.ingest([folder], IngestOptions(db=db, workers=0)).results] == ["unchanged"]


# --- reconciliation survives a crash at the worst point ------------------------------

def _mismatches(db: Path) -> list:
    return rows(db, f"select doc_id, message from findings where code = '{store.PLAN_MISMATCH_CODE}' order by all")


def test_a_crash_between_the_last_load_and_the_reconciliation_is_made_good_next_run(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PROMOTION, folder)
    # the progress sheet's 年間目標 differs from the plan's in one row: a finding to lose
    workbook = openpyxl.load_workbook(PROGRESS)
    cell = next(c for row in workbook.active.iter_rows() for c in row
                if isinstance(c.value, (int, float)) and c.coordinate == "H5")
    cell.value += 1
    workbook.save(folder / PROGRESS.name)
    reference = tmp_path / "reference.duckdb"
    ingest.ingest([folder], IngestOptions(db=reference, workers=0))
    expected = _mismatches(reference)
    assert expected
    db = tmp_path / "db.duckdb"

    def crash(con):
        raise KeyboardInterrupt  # the process dies right after the last commit
    monkeypatch.setattr(store, "reconcile_progress_with_plans", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest.ingest([folder], IngestOptions(db=db, workers=0))
    monkeypatch.undo()
    # nothing was published (the crash came before the snapshot), or a snapshot without them
    assert not db.exists() or _mismatches(db) == []
    again = ingest.ingest([folder], IngestOptions(db=db, workers=0))
    assert {r.status for r in again.results} == {"unchanged"}
    assert _mismatches(db) == expected
    con = store.connect(db)
    assert not store.reconcile_pending(con)
    con.close()


def test_reconciliation_compares_a_sheet_with_one_plan_only(tmp_path):
    """Two promotion plans sharing the project names: each row is matched once, not per plan."""
    import pymupdf

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PROGRESS, folder)
    shutil.copy(PROMOTION, folder)
    other = pymupdf.open(PROMOTION)
    other.set_metadata({**other.metadata, "subject": "another municipality"})
    other.save(folder / "other_plan.pdf")
    db = tmp_path / "db.duckdb"
    ingest.ingest([folder], IngestOptions(db=db, workers=0))
    n_progress = rows(db, "select count(*) from progress")[0][0]
    assert rows(db, "select count(*) from progress_vs_plan")[0][0] == n_progress
    assert rows(db, "select count(distinct plan_doc_id) from progress_vs_plan")[0][0] == 1


# --- a full disk ------------------------------------------------------------------------

def _mount_tmpfs(target: Path, size: str) -> str | None:
    """Mount a small tmpfs (root only); the reason when this machine cannot."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return "mounting a tmpfs needs root and mount(8)"
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else f"mount -t tmpfs refused here: {done.stderr.strip()}"


def test_a_full_disk_is_named_and_the_database_stays_consistent(tmp_path, capsys):
    disk = tmp_path / "disk"
    reason = _mount_tmpfs(disk, "24m")  # room for the working file and its published copy
    if reason:
        pytest.skip(reason)
    try:
        folder = tmp_path / "in"
        folder.mkdir()
        for source in (PROGRESS, PROMOTION, RAW / "ome_cci_2023.pdf", RAW / "rumoi_cci_2025.pdf"):
            shutil.copy(source, folder)
        db = disk / "plans.duckdb"
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (23 << 20))  # leaves ~1 MB: the schema fits, the plans do not
        code = cli.main(["ingest", str(folder), "--db", str(db), "--workers", "0"])
        err = capsys.readouterr().err
        assert code == 1
        last = [line for line in err.splitlines() if line.startswith("shoko:")]
        assert len(last) == 1 and "no space left on device" in last[0], err
        filler.unlink()
        assert cli.main(["ingest", str(folder), "--db", str(db), "--workers", "0"]) == 0
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("select count(*) from documents").fetchone()[0] == 4
            orphans = con.execute("select count(*) from sections where doc_id not in "
                                  "(select doc_id from documents)").fetchone()[0]
            assert orphans == 0
        finally:
            con.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_the_writer_memory_is_sized_to_the_machine_and_spills_next_to_the_database(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    try:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
        spill = con.execute("select current_setting('temp_directory')").fetchone()[0]
    finally:
        con.close()
    expected = store.writer_memory_limit_mb()
    assert 256 <= expected <= 1024
    number, unit = limit.split()
    limit_bytes = float(number) * {"MiB": 2**20, "GiB": 2**30}[unit]
    assert abs(limit_bytes - expected * 1e6) < 0.01 * expected * 1e6, limit  # DuckDB's MB are 10^6 bytes
    assert spill == str(tmp_path / "db.duckdb") + ".tmp"
