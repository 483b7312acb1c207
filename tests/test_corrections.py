"""Corrections are data: applied on top of every load, kept when their row is gone, undoable."""
from __future__ import annotations

import json
import shutil

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline import corrections, ingest, store
from pipeline.cli import main
from pipeline.extract import extract_file

from conftest import OME_PLAN, PROGRESS_XLSX

METRIC = "①地域の経済動向調査の公表回数"
KEY = ["--key", f"metric={METRIC}", "--key", "fiscal_year=2024"]


@pytest.fixture(scope="module")
def ingested_plan(tmp_path_factory):
    db = tmp_path_factory.mktemp("ingested") / "plans.duckdb"
    assert main(["ingest", str(OME_PLAN), "--db", str(db), "--workers", "0"]) == 0
    return db


@pytest.fixture
def plan_db(ingested_plan, tmp_path):
    """A database with the plan loaded (a copy of one ingest: each test changes its own)."""
    db = tmp_path / "plans.duckdb"
    shutil.copy(ingested_plan, db)
    return db


def query(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def target_2024(db):
    return query(db, "SELECT value, corrected FROM targets WHERE metric = ? AND fiscal_year = 2024", [METRIC])


def test_a_correction_survives_a_forced_reingest_and_shows_in_query_and_export(plan_db, tmp_path, capsys):
    assert target_2024(plan_db) == [(4.0, False)]
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "value=5",
                 "--note", "4 is a typo", "--db", str(plan_db)]) == 0
    assert "targets.value 4 → 5" in capsys.readouterr().out
    assert target_2024(plan_db) == [(5.0, True)]
    assert main(["ingest", str(OME_PLAN), "--db", str(plan_db), "--workers", "0", "--force"]) == 0
    assert target_2024(plan_db) == [(5.0, True)]
    # the other years of the row are as extracted
    assert query(plan_db, "SELECT fiscal_year, value, corrected FROM targets WHERE metric = ? AND "
                          "fiscal_year IN (2023, 2025) ORDER BY 1", [METRIC]) == [(2023, 4.0, False), (2025, 4.0, False)]
    stored = query(plan_db, 'SELECT "table", "column", extracted_value, corrected_value, note, row_key FROM corrections')
    assert stored[0][:5] == ("targets", "value", "4", "5", "4 is a typo")
    assert json.loads(stored[0][5]) == {"section_no": "3", "metric": METRIC, "parent_metric": None,
                                        "fiscal_year": 2024, "is_baseline": False}
    capsys.readouterr()
    assert main(["query", f"select value, corrected from targets where metric = '{METRIC}' and fiscal_year = 2024",
                 "--db", str(plan_db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"value": 5.0, "corrected": True}]
    out = tmp_path / "export"
    assert main(["export", "--out", str(out), "--db", str(plan_db)]) == 0
    targets = pq.read_table(out / "targets.parquet").to_pylist()
    assert [(t["value"], t["corrected"]) for t in targets if t["metric"] == METRIC and t["fiscal_year"] == 2024] \
        == [(5.0, True)]
    changes = pq.read_table(out / "v_corrections.parquet").to_pylist()
    assert [(c["file_name"], c["extracted_value"], c["corrected_value"], c["status"]) for c in changes] \
        == [("ome_cci_2023.pdf", "4", "5", "applied")]


def test_a_new_extractor_version_reextracts_and_keeps_the_correction(plan_db, monkeypatch):
    assert main(["correct", "ome_cci_2023.pdf", "--table", "plans", "--set", "chamber=青梅商工会議所（訂正）",
                 "--db", str(plan_db)]) == 0
    monkeypatch.setattr(ingest, "EXTRACTOR_VERSION", "99.0.0")
    summary = ingest.ingest([OME_PLAN], ingest.IngestOptions(db=plan_db, workers=0))
    assert [r.status for r in summary.results] == ["ok"]  # re-extracted, not unchanged
    assert query(plan_db, "SELECT chamber, corrected FROM plans") == [("青梅商工会議所（訂正）", True)]
    assert query(plan_db, "SELECT extractor_version FROM documents") == [("99.0.0",)]


def test_an_ambiguous_or_unknown_key_is_a_clear_error_and_writes_nothing(plan_db, capsys):
    cases = [
        (["--key", f"metric={METRIC}"], "matches 4 targets rows"),
        (["--key", "colour=red"], "not by colour"),
        (["--key", "metric=存在しない指標"], "no targets row of this document has metric=存在しない指標"),
    ]
    for key, message in cases:
        assert main(["correct", str(OME_PLAN), "--table", "targets", *key, "--set", "value=5",
                     "--db", str(plan_db)]) == 2
        assert message in capsys.readouterr().err
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "value=many",
                 "--db", str(plan_db)]) == 2
    assert "targets.value is DOUBLE: 'many' is not one" in capsys.readouterr().err
    assert main(["correct", str(OME_PLAN), "--table", "targets", "--key", "fiscal_year=R6", "--set", "value=5",
                 "--db", str(plan_db)]) == 2
    assert "targets.fiscal_year is INTEGER: 'R6' is not one" in capsys.readouterr().err
    assert main(["correct", str(OME_PLAN), "--table", "documents", "--set", "status=ok", "--db", str(plan_db)]) == 2
    assert "cannot be corrected" in capsys.readouterr().err
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "bbox=1", "--db", str(plan_db)]) == 2
    assert "targets.bbox cannot be corrected" in capsys.readouterr().err
    assert main(["correct", "nothing.pdf", "--table", "plans", "--set", "chamber=x", "--db", str(plan_db)]) == 2
    assert "no document 'nothing.pdf'" in capsys.readouterr().err
    assert main(["correct", str(OME_PLAN), "--table", "progress", "--set", "actual=1", "--db", str(plan_db)]) == 2
    assert "this document has no progress row" in capsys.readouterr().err
    assert query(plan_db, "SELECT count(*) FROM corrections") == [(0,)]
    assert target_2024(plan_db) == [(4.0, False)]


def test_a_correction_whose_row_is_gone_becomes_a_finding_and_applies_again_when_it_returns(plan_db):
    con = store.connect(plan_db)
    doc_id = con.execute("SELECT doc_id FROM documents").fetchone()[0]
    [cid] = corrections.add_correction(con, doc_id, "targets", {"metric": METRIC, "fiscal_year": "2024"},
                                       {"value": "5"})
    document = store.Document(**dict(zip(
        [d[0] for d in con.execute("SELECT * FROM documents").description],
        con.execute("SELECT * FROM documents").fetchone())))
    full = extract_file(OME_PLAN)
    # a re-extraction that no longer finds the 2024 cell of the row
    without = full.model_copy(update={"targets": [t for t in full.targets
                                                  if not (t.metric == METRIC and t.fiscal_year == 2024)]})
    store.load_documents(con, [(document, without, [])])
    assert con.execute("SELECT count(*) FROM targets WHERE corrected").fetchone() == (0,)
    [(code, message, location)] = con.execute(
        "SELECT code, message, location FROM findings WHERE code = 'correction_orphaned'").fetchall()
    assert location == f"correction #{cid}"
    assert "value: 4 → 5 matches no row after re-extraction" in message
    assert con.execute("SELECT status FROM v_corrections").fetchall() == [("orphaned",)]
    store.load_documents(con, [(document, full, [])])
    assert con.execute("SELECT value, corrected FROM targets WHERE metric = ? AND fiscal_year = 2024",
                       [METRIC]).fetchall() == [(5.0, True)]
    assert con.execute("SELECT count(*) FROM findings WHERE code = 'correction_orphaned'").fetchone() == (0,)
    assert con.execute("SELECT status FROM v_corrections").fetchall() == [("applied",)]
    con.close()


def test_undo_restores_the_extracted_value(plan_db, capsys):
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "value=5", "--db", str(plan_db)]) == 0
    [(cid,)] = query(plan_db, "SELECT id FROM corrections")
    assert main(["correct", "--undo", str(cid), "--db", str(plan_db)]) == 0
    assert f"undone correction #{cid}: targets.value is 4 again" in capsys.readouterr().out
    assert target_2024(plan_db) == [(4.0, False)]
    assert query(plan_db, "SELECT count(*) FROM corrections") == [(0,)]
    assert main(["correct", "--undo", str(cid), "--db", str(plan_db)]) == 2
    assert f"no correction #{cid}" in capsys.readouterr().err


def test_correcting_a_key_column_then_another_column_of_the_row_replays_in_order(plan_db):
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "fiscal_year=2026",
                 "--db", str(plan_db)]) == 0
    assert main(["correct", str(OME_PLAN), "--table", "targets", "--key", f"metric={METRIC}",
                 "--key", "fiscal_year=2026", "--set", "value=7", "--db", str(plan_db)]) == 0
    after = "SELECT fiscal_year, value, corrected FROM targets WHERE metric = ? AND NOT is_baseline ORDER BY 1"
    expected = [(2023, 4.0, False), (2025, 4.0, False), (2026, 7.0, True)]
    assert query(plan_db, after, [METRIC]) == expected
    assert main(["ingest", str(OME_PLAN), "--db", str(plan_db), "--workers", "0", "--force"]) == 0
    assert query(plan_db, after, [METRIC]) == expected
    # a second correction of the same cell replaces the first and keeps the extracted value
    assert main(["correct", str(OME_PLAN), "--table", "targets", "--key", f"metric={METRIC}",
                 "--key", "fiscal_year=2026", "--set", "value=8", "--db", str(plan_db)]) == 0
    assert query(plan_db, 'SELECT "column", extracted_value, corrected_value FROM corrections ORDER BY id') \
        == [("fiscal_year", "2024", "2026"), ("value", "4", "8")]


def test_spreadsheet_rows_and_the_corrections_listing(tmp_path, capsys):
    db = tmp_path / "progress.duckdb"
    assert main(["ingest", str(PROGRESS_XLSX), "--db", str(db), "--workers", "0"]) == 0
    project, metric, year, actual = query(db, "SELECT project, metric, fiscal_year, actual FROM progress "
                                              "WHERE actual IS NOT NULL ORDER BY sheet, cell LIMIT 1")[0]
    assert main(["correct", PROGRESS_XLSX.name, "--table", "progress", "--key", f"project={project}",
                 "--key", f"metric={metric or ''}", "--key", f"fiscal_year={year}",
                 "--set", f"actual={actual + 1}", "--db", str(db)]) == 0
    assert query(db, "SELECT actual, corrected FROM progress WHERE project = ? AND fiscal_year = ?"
                     " AND metric IS NOT DISTINCT FROM ?", [project, year, metric]) == [(actual + 1, True)]
    capsys.readouterr()
    assert main(["corrections", "--db", str(db), "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["table"], row["column"], float(row["extracted_value"]), float(row["corrected_value"]),
            row["status"]) == ("progress", "actual", actual, actual + 1, "applied")
    assert main(["corrections", "--db", str(db), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,doc_id,file_name,table,row_key,column,extracted_value,corrected_value")
    assert len(lines) == 2 and "akiruno_progress_r7.xlsx" in lines[1]
    assert main(["corrections", "--db", str(db)]) == 0
    assert "1 corrections" in capsys.readouterr().out


def test_an_older_database_gets_the_corrections_table_and_markers_when_opened_for_writing(plan_db):
    db = plan_db
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW v_corrections")
    con.execute("DROP TABLE corrections")
    con.execute("ALTER TABLE targets DROP COLUMN corrected")
    con.execute("ALTER TABLE targets DROP COLUMN confidence")
    con.close()
    con = store.connect(db)
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE corrected = false), count(confidence) "
                       "FROM targets").fetchone()[1:] == (con.execute("SELECT count(*) FROM targets").fetchone()[0], 0)
    assert con.execute("SELECT count(*) FROM v_corrections").fetchone() == (0,)
    con.close()


def test_a_changed_file_at_the_same_path_keeps_its_corrections(tmp_path):
    plan = tmp_path / OME_PLAN.name
    plan.write_bytes(OME_PLAN.read_bytes())
    db = tmp_path / "plans.duckdb"
    assert main(["ingest", str(plan), "--db", str(db), "--workers", "0"]) == 0
    assert main(["correct", str(plan), "--table", "targets", *KEY, "--set", "value=5", "--db", str(db)]) == 0
    with plan.open("ab") as handle:  # a new version of the file (other bytes, same content)
        handle.write(b"\n% revised\n")
    assert main(["ingest", str(plan), "--db", str(db), "--workers", "0"]) == 0
    [(doc_id,)] = query(db, "SELECT doc_id FROM documents")
    assert query(db, "SELECT doc_id, status FROM v_corrections") == [(doc_id, "applied")]
    assert target_2024(db) == [(5.0, True)]


def test_a_working_copy_takes_the_corrections_made_in_the_published_file_meanwhile(plan_db, tmp_path):
    unit_key = ["--key", f"metric={METRIC}", "--key", "fiscal_year=2023"]
    assert main(["correct", str(OME_PLAN), "--table", "targets", *unit_key, "--set", "unit=件",
                 "--db", str(plan_db)]) == 0
    working = tmp_path / "working.duckdb"
    shutil.copy(plan_db, working)  # the ingest starts from a copy of the published file …
    assert main(["ingest", str(OME_PLAN), "--db", str(working), "--workers", "0", "--force"]) == 0
    # … while the review corrects one value and undoes another in the published file
    assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "value=5", "--db", str(plan_db)]) == 0
    assert main(["correct", "--undo", "1", "--db", str(plan_db)]) == 0
    con = store.connect(working)
    con.execute("BEGIN TRANSACTION")
    [doc_id] = corrections.sync_from(con, plan_db)
    con.execute("COMMIT")
    rows = con.execute("SELECT fiscal_year, value, unit, corrected FROM targets WHERE metric = ? "
                       "AND fiscal_year IN (2023, 2024) ORDER BY 1", [METRIC]).fetchall()
    assert rows == [(2023, 4.0, "回", False), (2024, 5.0, "回", True)]
    assert [(c.id, c.column, c.corrected_value) for c in corrections.corrections_for(con)] == [(2, "value", "5")]
    assert corrections.sync_from(con, plan_db) == []  # nothing left to do
    con.close()


def test_publishing_keeps_a_correction_made_in_the_published_file_during_the_ingest(plan_db):
    from pipeline import publish

    with publish.Snapshots(plan_db) as snapshots:  # an ingest has seeded its working file …
        con = snapshots.connect()
        # … when the review corrects a value in the published file
        assert main(["correct", str(OME_PLAN), "--table", "targets", *KEY, "--set", "value=7",
                     "--db", str(plan_db)]) == 0
        snapshots.mark_dirty()
        snapshots.publish(con)  # the working file, which never saw that correction, goes live
        con.close()
    assert target_2024(plan_db) == [(7.0, True)]
    assert query(plan_db, "SELECT status FROM v_corrections") == [("applied",)]
