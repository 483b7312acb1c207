"""`shoko prune` and `shoko ingest --prune`: documents whose files are gone, deleted whole."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import PROGRESS_PDF, PROGRESS_XLSX
from pipeline import prune, store
from pipeline.cli import main
from schemas.records import CONTRACT_TABLES


@pytest.fixture
def folders(tmp_path):
    """Two folders, each with one progress report, ingested into one database."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(PROGRESS_XLSX, a / PROGRESS_XLSX.name)
    shutil.copy(PROGRESS_PDF, b / PROGRESS_PDF.name)
    db = tmp_path / "p.duckdb"
    assert main(["ingest", str(a), str(b), "--db", str(db), "--workers", "0"]) == 0
    return a, b, db


def rows_of(db, file_name: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        doc_ids = [r[0] for r in con.execute("select doc_id from documents where file_name = ?", [file_name]).fetchall()]
        if not doc_ids:
            return 0
        return sum(con.execute(f"select count(*) from {t} where doc_id = ?", [doc_ids[0]]).fetchone()[0]
                   for t in CONTRACT_TABLES)
    finally:
        con.close()


def test_prune_is_a_dry_run_until_yes(folders, capsys):
    a, b, db = folders
    (a / PROGRESS_XLSX.name).unlink()
    before = rows_of(db, PROGRESS_XLSX.name)
    assert before > 1
    capsys.readouterr()
    assert main(["prune", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"would delete: {a / PROGRESS_XLSX.name} (progress_report, {before} rows)" in out
    assert "--yes" in out and PROGRESS_PDF.name not in out
    assert rows_of(db, PROGRESS_XLSX.name) == before  # nothing deleted
    assert main(["prune", "--yes", "--db", str(db)]) == 0
    assert "deleted 1 documents" in capsys.readouterr().out
    assert rows_of(db, PROGRESS_XLSX.name) == 0
    assert rows_of(db, PROGRESS_PDF.name) > 1  # the other document keeps every row
    assert main(["prune", "--db", str(db)]) == 0
    assert "every document's source file exists" in capsys.readouterr().out


def test_prune_limited_to_paths(folders, capsys):
    a, b, db = folders
    (a / PROGRESS_XLSX.name).unlink()
    (b / PROGRESS_PDF.name).unlink()
    assert main(["prune", str(b), "--yes", "--db", str(db)]) == 0
    assert rows_of(db, PROGRESS_PDF.name) == 0 and rows_of(db, PROGRESS_XLSX.name) > 0


def test_ingest_prune_deletes_only_under_the_walked_paths(folders, capsys):
    a, b, db = folders
    (a / PROGRESS_XLSX.name).unlink()
    (b / PROGRESS_PDF.name).unlink()
    (b / "keep.txt").write_text("the folder stays")
    capsys.readouterr()
    assert main(["ingest", str(a) + "/", "--prune", "--db", str(db), "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert f"deleted: {a / PROGRESS_XLSX.name}" in out
    assert rows_of(db, PROGRESS_XLSX.name) == 0
    assert rows_of(db, PROGRESS_PDF.name) > 0  # gone too, but not under the path walked


def test_a_failed_prune_deletes_nothing(folders, monkeypatch):
    a, b, db = folders
    (a / PROGRESS_XLSX.name).unlink()
    before = rows_of(db, PROGRESS_XLSX.name)
    real = store.delete_document

    def half(con, doc_ids):
        con.execute("DELETE FROM progress WHERE doc_id IN (SELECT unnest(?))", [doc_ids])
        raise RuntimeError("crash in the middle")

    monkeypatch.setattr(store, "delete_document", half)
    con = store.connect(db)
    try:
        gone = prune.find_gone(con)
        with pytest.raises(RuntimeError):
            prune.delete(con, gone)
    finally:
        con.close()
    monkeypatch.setattr(store, "delete_document", real)
    assert rows_of(db, PROGRESS_XLSX.name) == before


def test_a_decoded_non_utf8_name_is_not_taken_for_gone(tmp_path):
    raw = tmp_path.as_posix().encode() + b"/" + "進捗".encode("cp932") + b".xlsx"
    with open(raw, "wb") as handle:
        handle.write(PROGRESS_XLSX.read_bytes())
    stored = store.readable_text(raw.decode("utf-8", "surrogateescape"))
    assert stored.endswith("進捗.xlsx")
    assert prune._exists(stored)
