"""The PostgreSQL mirror (pipeline/postgres_mirror.py, `shoko publish --to`), against a real
server (tests/pg_server.py): rows, keys and comments; readers while re-publishing; kills."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from conftest import OME_PLAN, PROGRESS_XLSX, ROOT, RUMOI_PLAN
from pg_server import pg_server  # noqa: F401 (the fixture)
from pipeline import cli, store


@pytest.fixture
def small_db(tmp_path):
    db = tmp_path / "plans.duckdb"
    assert cli.main(["ingest", str(PROGRESS_XLSX), str(RUMOI_PLAN), "--db", str(db), "--workers", "0"]) == 0
    return db


def duckdb_counts(db, names) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names}
    finally:
        con.close()


def mirror_counts(pg, schema, names) -> dict[str, int]:
    sql = "select " + ", ".join(f"(select count(*) from {schema}.{n})" for n in names)
    return dict(zip(names, map(int, pg.psql(sql)[0])))


NAMES = list(store.CONTRACT_TABLES) + store.views_for_export()


def test_publish_copies_every_table_and_view_with_keys_and_comments(pg_server, small_db, capsys):
    assert cli.main(["publish", "--to", pg_server.url, "--db", str(small_db), "--schema", "mirror"]) == 0
    tables, views = len(store.CONTRACT_TABLES), len(store.views_for_export())
    assert (tables, views) == (13, 6)  # plan_chambers and document_pages among them, v_corrections a view
    assert f"published {tables} tables and {views} views" in capsys.readouterr().out
    assert mirror_counts(pg_server, "mirror", NAMES) == duckdb_counts(small_db, NAMES)
    # values survive the trip, provenance included
    row = pg_server.psql("select t.metric, t.value, t.page, array_length(t.bbox, 1), pg_typeof(t.bbox) "
                         "from mirror.targets t join mirror.documents d using (doc_id) "
                         "where d.file_name = 'rumoi_cci_2025.pdf' and t.value is not null "
                         "order by t.page, t.metric, t.fiscal_year limit 1")[0]
    con = duckdb.connect(str(small_db), read_only=True)
    expected = con.execute("select t.metric, t.value, t.page from targets t join documents d using (doc_id) "
                           "where d.file_name = 'rumoi_cci_2025.pdf' and t.value is not null "
                           "order by t.page, t.metric, t.fiscal_year limit 1").fetchone()
    con.close()
    assert row[:3] == [expected[0], f"{expected[1]:g}", str(expected[2])] and row[3:] == ["4", "double precision[]"]
    keys = pg_server.psql("select conrelid::regclass::text, contype, confrelid::regclass::text from pg_constraint "
                          "where connamespace = 'mirror'::regnamespace order by 1, 2")
    assert ["mirror.documents", "p", "-"] in keys
    referencing = {table for table, kind, target in keys if kind == "f" and target == "mirror.documents"}
    assert referencing >= {f"mirror.{t}" for t in store.CONTRACT_TABLES if t != "documents"}
    missing = pg_server.psql("select c.table_name, c.column_name from information_schema.columns c "
                             "where c.table_schema = 'mirror' and col_description("
                             "(c.table_schema || '.' || c.table_name)::regclass, c.ordinal_position) is null")
    assert missing == []
    about = pg_server.psql("select obj_description('mirror.targets'::regclass), "
                           "obj_description('mirror.v_plan_overview'::regclass)")[0]
    assert "目標" in about[0] and "materialised" in about[1]
    # no schema left over besides the published one
    assert pg_server.psql("select nspname from pg_namespace where nspname like 'mirror%'") == [["mirror"]]


def test_readers_see_the_old_state_or_the_new_one_never_half(pg_server, small_db):
    schema = "swap"
    assert cli.main(["publish", "--to", pg_server.url, "--db", str(small_db), "--schema", schema]) == 0
    watched = ["documents", "sections", "targets", "progress", "v_plan_overview"]
    old = mirror_counts(pg_server, schema, watched)
    assert cli.main(["ingest", str(OME_PLAN), "--db", str(small_db), "--workers", "0"]) == 0
    new = duckdb_counts(small_db, watched)
    assert new != old
    seen, errors = [], []
    publishing = threading.Thread(target=lambda: errors.append(
        cli.main(["publish", "--to", pg_server.url, "--db", str(small_db), "--schema", schema])))
    publishing.start()
    while publishing.is_alive() or len(seen) < 3:  # one statement each, as a dashboard queries
        seen.append(mirror_counts(pg_server, schema, watched))
    publishing.join()
    assert errors == [0]
    assert all(state in (old, new) for state in seen), [s for s in seen if s not in (old, new)]
    assert seen[-1] == new


def test_a_kill_while_publishing_leaves_the_schema_whole(pg_server, small_db, tmp_path):
    schema = "killed"
    assert cli.main(["publish", "--to", pg_server.url, "--db", str(small_db), "--schema", schema]) == 0
    before = mirror_counts(pg_server, schema, NAMES)
    bigger = tmp_path / "bigger.duckdb"
    assert cli.main(["ingest", str(PROGRESS_XLSX), str(RUMOI_PLAN), str(OME_PLAN), "--db", str(bigger),
                     "--workers", "0"]) == 0
    after = duckdb_counts(bigger, NAMES)
    rng = random.Random(16)
    landed = 0
    for _ in range(6):
        process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "publish", "--to", pg_server.url,
                                    "--db", str(bigger), "--schema", schema], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.6, 1.6))  # about 0.5 s to start, then about a second of publishing
        finished = process.poll() is not None
        landed += not finished
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had finished and its group is gone
            pass
        process.wait()
        state = mirror_counts(pg_server, schema, NAMES)
        assert state in (before, after)  # whole: the old state, or the new one if it committed
        if finished:
            assert state == after
        if state == after:  # it finished: go back to the smaller state for the next kill
            assert cli.main(["publish", "--to", pg_server.url, "--db", str(small_db), "--schema", schema]) == 0
    assert landed >= 3
    assert cli.main(["publish", "--to", pg_server.url, "--db", str(bigger), "--schema", schema]) == 0
    assert mirror_counts(pg_server, schema, NAMES) == after
    assert pg_server.psql(f"select nspname from pg_namespace where nspname like '{schema}%'") == [[schema]]


def test_ingest_publish_to_mirrors_after_the_ingest(pg_server, tmp_path, capsys):
    db = tmp_path / "direct.duckdb"
    assert cli.main(["ingest", str(PROGRESS_XLSX), "--db", str(db), "--workers", "0",
                     "--publish-to", pg_server.url, "--schema", "direct"]) == 0
    assert "schema direct" in capsys.readouterr().out
    assert pg_server.psql("select file_name from direct.documents") == [["akiruno_progress_r7.xlsx"]]


def test_an_unreachable_server_is_one_clear_line(tmp_path, small_db, capsys):
    url = "postgresql://postgres:secret@127.0.0.1:1/postgres"
    assert cli.main(["publish", "--to", url, "--db", str(small_db)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot connect to" in err
    assert "secret" not in err and ":***@" in err
