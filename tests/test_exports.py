"""`shoko export`: Parquet that every reader takes, CSV for Excel, a workbook for Excel users."""
from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import openpyxl
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

import formula_payloads as payloads
from conftest import RAW
from pipeline import cli, exports, store, xlsx_export
from pipeline.ingest import IngestOptions, ingest
from schemas.ddl import all_ddl


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    """The sample corpus plus the formula-payload documents (a plan named `=1+1.pdf`)."""
    folder = tmp_path_factory.mktemp("export_corpus")
    for path in RAW.iterdir():
        shutil.copy(path, folder / path.name)
    payloads.write_all(folder)
    db = folder / "plans.duckdb"
    summary = ingest([folder], IngestOptions(db=db, workers=0))
    assert {r.status for r in summary.results} <= {"ok", "partial"}
    return db


@pytest.fixture(scope="module")
def con(corpus_db):
    connection = store.connect(corpus_db, read_only=True)
    yield connection
    connection.close()


def _count(con, name):
    return con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


# --- Parquet -------------------------------------------------------------------------

def test_every_parquet_file_reads_in_pyarrow_pandas_polars_and_duckdb(corpus_db, con, tmp_path, capsys):
    out = tmp_path / "it's here"  # an apostrophe: the path is never pasted into SQL
    assert cli.main(["export", "--format", "parquet", "--out", str(out), "--db", str(corpus_db)]) == 0
    files = sorted(out.glob("*.parquet"))
    assert {p.stem for p in files} == set(exports.export_names(con))
    for path in files:
        n = _count(con, path.stem)
        assert pq.read_table(path).num_rows == n, path.name
        assert len(pd.read_parquet(path)) == n, path.name
        assert pl.read_parquet(path).height == n, path.name
        assert duckdb.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0] == n
    assert not list(out.glob(".*part"))  # no temporary file left
    # progress mixes spreadsheet rows (no bbox) and PDF rows (a bbox): both read back
    progress = pd.read_parquet(out / "progress.parquet")
    assert progress["bbox"].isna().any() and progress["bbox"].notna().any()
    boxes = {tuple(b) for b in progress["bbox"].dropna()}
    assert boxes == {tuple(b) for (b,) in con.execute("SELECT bbox FROM progress WHERE bbox IS NOT NULL").fetchall()}
    assert all(len(b) == 4 for b in boxes)
    assert str(pl.read_parquet(out / "targets.parquet").schema["bbox"]) == "List(Float64)"


def test_a_failed_export_leaves_the_previous_file_and_no_temporary(con, tmp_path, monkeypatch):
    target = tmp_path / "targets.parquet"
    target.write_bytes(b"previous")

    def broken(self, file_name, **kwargs):
        with open(file_name, "wb") as half:
            half.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(duckdb.DuckDBPyRelation, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        exports.write_parquet(con, "targets", target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["targets.parquet"]


def test_a_database_with_the_old_fixed_size_bbox_is_migrated(tmp_path):
    db = tmp_path / "old.duckdb"
    old = duckdb.connect(str(db))
    for statement in all_ddl():  # the DDL shoko 0.2 created
        old.execute(statement.replace("DOUBLE[]", "DOUBLE[4]"))
    old.execute("INSERT INTO progress (doc_id, project, fiscal_year, bbox) VALUES "
                "('a', 'x', 2025, [1, 2, 3, 4]::DOUBLE[4]), ('b', 'y', 2025, NULL)")
    assert old.execute("SELECT data_type FROM information_schema.columns "
                       "WHERE table_name = 'progress' AND column_name = 'bbox'").fetchone()[0] == "DOUBLE[4]"
    old.close()
    con = store.connect(db)  # a newer shoko opening it for writing
    types = dict(con.execute("SELECT table_name, data_type FROM information_schema.columns "
                             "WHERE column_name = 'bbox'").fetchall())
    assert types == {"targets": "DOUBLE[]", "budgets": "DOUBLE[]", "progress": "DOUBLE[]"}
    exports.write_parquet(con, "progress", tmp_path / "progress.parquet")
    con.close()
    assert pd.read_parquet(tmp_path / "progress.parquet")["bbox"].map(
        lambda b: None if b is None else list(b)).tolist() == [[1.0, 2.0, 3.0, 4.0], None]


# --- CSV -----------------------------------------------------------------------------

def test_csv_with_bom_round_trips_through_pandas(corpus_db, con, tmp_path):
    out = tmp_path / "csv"
    assert cli.main(["export", "--format", "csv", "--bom", "--out", str(out), "--db", str(corpus_db)]) == 0
    assert (out / "targets.csv").read_bytes().startswith("\ufeff".encode())
    frame = pd.read_csv(out / "targets.csv", encoding="utf-8-sig")
    want = con.execute("SELECT metric, fiscal_year, value FROM targets").fetchall()
    got = list(frame[["metric", "fiscal_year", "value"]].itertuples(index=False, name=None))
    norm = lambda rows: sorted(((m, None if pd.isna(y) else int(y), None if pd.isna(v) else float(v))  # noqa: E731
                                for m, y, v in rows), key=repr)
    assert norm(got) == norm(want)
    assert set(payloads.PLAN_PAYLOADS) <= set(frame["metric"])  # exact text, no escaping by default
    documents = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert payloads.PLAN_FILE_NAME in set(documents["file_name"])
    plans = pd.read_csv(out / "plans.csv", encoding="utf-8-sig", parse_dates=["period_start"])
    assert set(plans["period_start"].dt.date) == {d for (d,) in con.execute("SELECT period_start FROM plans").fetchall()}


def test_csv_formula_escaping_prefixes_an_apostrophe(con, tmp_path):
    exports.write_csv(con, "progress", tmp_path / "progress.csv", escape_formulas=True)
    projects = set(pd.read_csv(tmp_path / "progress.csv")["project"])
    assert {"'" + p for p in payloads.PROGRESS_PAYLOADS} <= projects
    assert not any(str(p).startswith(exports.FORMULA_PREFIXES) for p in projects)


# --- Excel ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(corpus_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    assert cli.main(["export", "--format", "xlsx", "--out", str(out), "--db", str(corpus_db)]) == 0
    return openpyxl.load_workbook(out / "shoko.xlsx")


def _rows(sheet):
    header = [c.value for c in sheet[1]]
    return header, [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_no_exported_cell_is_a_formula_and_payloads_keep_their_text(workbook):
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    _, targets = _rows(workbook["targets"])
    assert set(payloads.PLAN_PAYLOADS) <= {r["metric"] for r in targets}
    _, progress = _rows(workbook["progress"])
    assert set(payloads.PROGRESS_PAYLOADS) <= {r["project"] for r in progress}
    _, documents = _rows(workbook["documents"])
    assert payloads.PLAN_FILE_NAME in {r["file_name"] for r in documents}
    for sheet in (workbook["targets"], workbook["progress"], workbook["documents"]):
        quoted = [c for row in sheet.iter_rows(min_row=2) for c in row
                  if isinstance(c.value, str) and c.value.startswith(exports.FORMULA_PREFIXES)]
        assert quoted and all(c.data_type == "s" and c.quotePrefix for c in quoted)


def test_every_sheet_is_an_excel_table_with_a_bold_frozen_header(workbook, con):
    expected = set(exports.export_names(con)) | {"contents"}
    assert expected <= set(workbook.sheetnames)
    for sheet in workbook:
        (table,) = sheet.tables.values()
        assert table.ref.startswith("A1:") or sheet.title == "contents"
        if sheet.title == "contents":
            continue
        assert sheet.freeze_panes in ("A2", "C2")
        assert all(c.font.b for c in sheet[1] if c.value is not None)
        assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_detail_sheets_name_chamber_and_file_first_and_doc_id_last(workbook, con):
    for name in ("targets", "budgets", "contacts", "sections", "progress", "findings", "documents"):
        header, rows = _rows(workbook[name])
        assert header[:2] == ["chamber", "file_name"] and header[-1] == "doc_id", name
        assert workbook[name].freeze_panes == "C2"
    header, rows = _rows(workbook["targets"])
    assert header.index("value") < header.index("bbox") < header.index("doc_id")
    ome = [r for r in rows if r["file_name"] == "ome_cci_2023.pdf"]
    assert ome and {r["chamber"] for r in ome} == {"青梅商工会議所"}
    assert len(rows) == _count(con, "targets")


def test_cells_are_typed_dates_numbers_and_text(workbook, con):
    _, plans = _rows(workbook["plans"])
    want = {d for (d,) in con.execute("SELECT period_start FROM plans").fetchall()}
    assert {r["period_start"].date() for r in plans} == want
    assert all(isinstance(r["period_start"], dt.datetime) for r in plans)
    assert workbook["plans"].cell(row=2, column=_col(workbook["plans"], "period_start")).number_format == "yyyy-mm-dd"
    _, documents = _rows(workbook["documents"])
    assert all(isinstance(r["file_mtime"], dt.datetime) and isinstance(r["ingested_at"], dt.datetime)
               for r in documents)
    assert all(isinstance(r["pages"], int) for r in documents)
    _, targets = _rows(workbook["targets"])
    assert all(isinstance(r["value"], (int, float)) for r in targets if r["value"] is not None)
    assert any(isinstance(r["bbox"], str) and r["bbox"].count(",") == 3 for r in targets)


def _col(sheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


def test_column_widths_count_japanese_characters_twice(workbook):
    sheet = workbook["plans"]
    letter = openpyxl.utils.get_column_letter(_col(sheet, "chamber"))
    assert sheet.column_dimensions[letter].width >= xlsx_export.display_width("青梅商工会議所") == 14
    doc_id = openpyxl.utils.get_column_letter(_col(sheet, "doc_id"))
    assert sheet.column_dimensions[doc_id].width < 16  # a 64-character hash does not fill the screen
    goals = openpyxl.utils.get_column_letter(_col(sheet, "goals"))
    assert sheet.column_dimensions[goals].width < xlsx_export.XlsxSettings.max_column_width + 1


def test_display_width():
    assert xlsx_export.display_width("abc") == 3
    assert xlsx_export.display_width("青梅商工会▸") == 11  # ▸ is ambiguous: wide in Japanese fonts
    assert xlsx_export.display_width("ＡＢ\nabc") == 4


# --- Excel's limits: split, never cut ------------------------------------------------

def test_split_text_keeps_every_character():
    text = "あ" * 7 + "😀" + "b" * 3
    parts = xlsx_export.split_text(text, 4)
    assert "".join(parts) == text
    assert all(xlsx_export.utf16_length(p) <= 4 for p in parts)
    assert xlsx_export.split_text("short", 40) == ["short"]


def test_row_chunks_cover_every_row():
    chunks = xlsx_export.row_chunks(10, 3)
    assert chunks == [(0, 3), (3, 6), (6, 9), (9, 10)]
    assert xlsx_export.row_chunks(3, 3) == [(0, 3)]


def test_small_limits_split_sheets_and_long_text(con, tmp_path):
    settings = xlsx_export.XlsxSettings(max_rows=40, max_cell_chars=5000)
    path = xlsx_export.export_xlsx(con, tmp_path, ["targets", "sections"], settings)
    workbook = openpyxl.load_workbook(path)
    n_targets = _count(con, "targets")
    parts = [s for s in workbook.sheetnames if s == "targets" or s.startswith("targets (")]
    assert len(parts) == -(-n_targets // 40)
    assert sum(workbook[s].max_row - 1 for s in parts) == n_targets
    header, _ = _rows(workbook["sections"])
    continued = [h for h in header if h.startswith("body (")]
    assert continued and header.index("body (2)") == header.index("body") + 1
    rows = [r for s in workbook.sheetnames if s.startswith("sections") for r in _rows(workbook[s])[1]]
    bodies = sorted("".join(r[h] or "" for h in ["body", *continued]) for r in rows)
    assert bodies == sorted(b or "" for (b,) in con.execute("SELECT body FROM sections").fetchall())
    sheet = workbook["contents"]
    header = [c.value for c in sheet[3]]
    notes = {r[0]: r[header.index("notes")] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert "split over" in notes["targets"] and "body (2)" in notes["sections"]


def test_every_formula_prefix_and_control_character_stays_exact_text(tmp_path):
    texts = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=2+2", "\r=3+3", "a\r\nb", "=HYPERLINK(\"http://x\",\"click\")",
             "_x000D_ literal", "x\x07bell"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[t] for t in texts])
    path = xlsx_export.export_xlsx(con, tmp_path / "t.xlsx", ["t"])
    sheet = openpyxl.load_workbook(path)["t"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)
    # Control characters are stored as the spec's _xHHHH_ escapes, which Excel and calamine
    # decode; openpyxl leaves them escaped, so it is compared on the other texts only.
    plain = [t for t in texts if not any(ch in t for ch in "\r\x07")]
    assert [c.value for c in cells if c.value in plain] == plain
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("t").to_python()
    assert [r[0] for r in rows[1:]] == texts
    assert [c.quotePrefix for c in cells] == [t.startswith(exports.FORMULA_PREFIXES) for t in texts]
