"""Bad files get a documents row with a status and a readable one-line error; the batch goes on."""
from __future__ import annotations

import shutil

import duckdb
import pymupdf
import pytest

from pipeline import ingest
from pipeline.cli import main
from pipeline.ingest import IngestOptions

from conftest import OME_PLAN, PROGRESS_XLSX


@pytest.fixture
def bad_corpus(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(PROGRESS_XLSX, folder / "good.xlsx")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(OME_PLAN.read_bytes()[:4000])
    (folder / "not_a_pdf.pdf").write_text("これはPDFではありません\n" * 50, encoding="utf-8")
    (folder / "not_a_zip.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    source = pymupdf.open(OME_PLAN)
    source.save(folder / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
                owner_pw="owner", user_pw="secret")
    scanned = pymupdf.open()
    pixmap = source[0].get_pixmap(dpi=50)
    page = scanned.new_page(width=source[0].rect.width, height=source[0].rect.height)
    page.insert_image(page.rect, pixmap=pixmap)
    scanned.save(folder / "scanned.pdf")
    return folder


EXPECTED = {
    "empty.pdf": ("failed", "empty file"),
    "truncated.pdf": ("failed", ""),
    "not_a_pdf.pdf": ("failed", "not a PDF"),
    "not_a_zip.xlsx": ("failed", ""),
    "encrypted.pdf": ("failed", "password"),
}


def test_each_bad_file_gets_a_status_and_a_readable_error(bad_corpus, tmp_path):
    db = tmp_path / "bad.duckdb"
    summary = ingest.ingest([bad_corpus], IngestOptions(db=db, workers=2))
    assert summary.exit_code == 1
    con = duckdb.connect(str(db), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute("select file_name, status, error, kind from documents").fetchall()}
    good_rows = con.execute("select count(*) from progress p join documents d using (doc_id) "
                            "where d.file_name = 'good.xlsx'").fetchone()[0]
    con.close()
    assert rows["good.xlsx"][0] == "ok"
    assert good_rows > 0
    for name, (status, phrase) in EXPECTED.items():
        got_status, error, _ = rows[name]
        assert got_status == status, (name, rows[name])
        assert error and "\n" not in error and "Traceback" not in error, (name, error)
        assert phrase.lower() in error.lower(), (name, error)
    # The image-only page is read by OCR (the Makefile installs Tesseract; see test_ocr.py
    # for the needs_ocr answer when it is missing).
    con = duckdb.connect(str(db), read_only=True)
    ocr_findings = con.execute("select count(*) from findings f join documents d using (doc_id) "
                               "where d.file_name = 'scanned.pdf' and f.code = 'ocr_pages'").fetchone()[0]
    con.close()
    # (its words name no known kind of document: skipped, but read)
    assert rows["scanned.pdf"][0] in ("ok", "partial", "skipped") and ocr_findings == 1


def test_truncated_pdf_is_reported_without_a_traceback(bad_corpus, tmp_path, capsys):
    code = main(["ingest", str(bad_corpus / "truncated.pdf"), str(bad_corpus / "good.xlsx"),
                 "--db", str(tmp_path / "t.duckdb"), "--workers", "1"])
    out = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out.out + out.err
    assert "truncated.pdf" in out.out
