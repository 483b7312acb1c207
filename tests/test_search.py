"""Japanese full-text search over plan sections (pipeline/search.py, `shoko search`)."""
from __future__ import annotations

import json

import duckdb
import pytest

from conftest import OME_PLAN, PROMOTION_PLAN, RUMOI_PLAN
from pipeline import cli, search, store
from pipeline.ingest import IngestOptions, ingest
from pipeline.terms import SKIP_POS


@pytest.fixture(scope="module")
def plans_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("search") / "plans.duckdb"
    summary = ingest([OME_PLAN, RUMOI_PLAN], IngestOptions(db=db, workers=2))
    assert summary.exit_code == 0
    return db


@pytest.fixture
def con(plans_db):
    connection = store.connect(plans_db, read_only=True)
    yield connection
    connection.close()


def _bodies(con, hits) -> list[str]:
    return [con.execute("SELECT s.body FROM sections s JOIN documents d USING (doc_id) "
                        "WHERE d.file_name = ? AND s.section_no = ?", [h.file_name, h.section_no]).fetchone()[0]
            for h in hits]


def fts_scores(plans_db, queries: list[str]) -> list[dict[int, float]]:
    """DuckDB fts's match_bm25 for each query, over a copy of the database's section_tokens
    (what shoko searched with before the postings; the wheel is loaded offline)."""
    from pipeline.extensions import load_bundled

    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        load_bundled(con, "fts")
        con.execute(f"ATTACH '{plans_db}' AS src (READ_ONLY)")
        con.execute("CREATE TABLE section_tokens AS SELECT id, tokens FROM src.section_tokens")
        con.execute("PRAGMA create_fts_index('section_tokens', 'id', 'tokens', stemmer = 'none', "
                    "stopwords = 'none', ignore = '\\s+', strip_accents = 0, lower = 0)")
        return [dict(con.execute("SELECT id, score FROM (SELECT id, fts_main_section_tokens.match_bm25(id, ?) "
                                 "AS score FROM section_tokens) WHERE score IS NOT NULL",
                                 [" ".join(search.query_terms(q))]).fetchall()) for q in queries]
    finally:
        con.close()


QUERIES = ["事業承継 DX", "ＤＸ", "売り上げ 取組み", "経営状況の分析", "販路開拓 商談会 展示会", "青梅", "補助金 申請 支援"]


def test_scores_equal_fts_match_bm25_on_every_section(con, plans_db):
    expected = fts_scores(plans_db, QUERIES)
    for query, fts in zip(QUERIES, expected):
        ours = search.bm25_scores(con, search.query_terms(query))
        assert len(fts) > 3, query
        assert ours.keys() == fts.keys(), query
        for row_id, score in fts.items():
            assert ours[row_id] == pytest.approx(score, rel=1e-12, abs=1e-12), (query, row_id)
    # and so the ranking `shoko search` shows
    hits = search.search(con, "事業承継 DX", limit=5)
    best = sorted(expected[0].items(), key=lambda kv: (-kv[1], kv[0]))
    assert hits[0].score == round(best[0][1], 4)


def _postings(con, where: str = "true") -> list[tuple]:
    return con.execute(f"SELECT p.term, p.id, p.tf FROM search_postings p JOIN section_tokens t USING (id) "
                       f"WHERE {where} ORDER BY ALL").fetchall()


def _postings_from_tokens(con) -> list[tuple]:
    """The postings counted afresh from the stored tokens, in Python."""
    from collections import Counter

    out = []
    for row_id, tokens in con.execute("SELECT id, tokens FROM section_tokens").fetchall():
        out += [(term, row_id, tf) for term, tf in Counter(tokens.split()).items()]
    return sorted(out)


def test_the_loader_writes_one_posting_per_distinct_term_of_each_section(con):
    assert _postings(con) == _postings_from_tokens(con)
    assert con.execute("SELECT count(*) FROM section_tokens WHERE n_terms IS DISTINCT FROM "
                       "len(string_split(tokens, ' ')) * (tokens <> '')::INT").fetchone()[0] == 0
    assert search.pending_postings(con) == 0


def test_ingest_fills_section_tokens(con):
    n_sections = con.execute("SELECT count(*) FROM sections").fetchone()[0]
    n_tokens = con.execute("SELECT count(*) FROM section_tokens").fetchone()[0]
    assert n_sections > 50 and n_tokens == n_sections
    tokens = con.execute("SELECT tokens FROM section_tokens WHERE tokens LIKE '%dx%' LIMIT 1").fetchone()[0]
    assert " " in tokens and "dx" in tokens.split()


def test_full_width_query_finds_half_width_text(con):
    hits = search.search(con, "ＤＸ", limit=5)
    assert hits and all("【DX】" in h.snippet for h in hits)
    # the bodies write DX (or `D X`, spaced by the PDF layout), never ＤＸ
    assert all("DX" in body.replace(" ", "") and "ＤＸ" not in body for body in _bodies(con, hits))
    assert {h.file_name for h in hits} == {"ome_cci_2023.pdf", "rumoi_cci_2025.pdf"}


def test_okurigana_variants_find_each_other(con):
    # the plans write 取組, 取組み and 取り組み: one query finds all three spellings
    hits = search.search(con, "取組み", limit=20)
    marked = {h.snippet[h.snippet.index("【") + 1:h.snippet.index("】")] for h in hits if "【" in h.snippet}
    assert {"取組", "取組み", "取り組み"} <= marked
    again = search.search(con, "取り組み", limit=20)
    assert [h.section_no for h in again] == [h.section_no for h in hits]


def test_a_variant_spelling_finds_the_plan_wording(con):
    # the plans write 売上 / 引き継ぎ
    assert any("【売上" in h.snippet for h in search.search(con, "売り上げ", limit=3))
    assert any("引き継ぎ" in b or "引継ぎ" in b for b in _bodies(con, search.search(con, "引継", limit=3)))


def test_hits_are_ranked_and_carry_provenance(con):
    hits = search.search(con, "事業承継 DX", limit=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    first = hits[0]
    assert first.chamber in ("青梅商工会議所", "留萌商工会議所")
    assert first.section_no and first.title
    assert "【事業承継】" in " ".join(h.snippet for h in hits)


def test_query_with_no_words_returns_nothing(con):
    assert search.search(con, "、。 ", limit=5) == []


def test_rebuilding_the_index_is_idempotent(plans_db):
    con = store.connect(plans_db)
    try:
        before = con.execute("SELECT id, tokens, n_terms FROM section_tokens ORDER BY id").fetchall()
        postings = _postings(con)
        assert search.build_search_index(con) == len(before)
        assert con.execute("SELECT id, tokens, n_terms FROM section_tokens ORDER BY id").fetchall() == before
        assert _postings(con) == postings
    finally:
        con.close()


def test_changed_sections_are_reindexed(tmp_path):
    db = tmp_path / "small.duckdb"
    con = store.connect(db)
    try:
        con.execute("INSERT INTO documents (doc_id, source_path, file_name) VALUES ('d1', 'x.pdf', 'x.pdf')")
        con.execute("INSERT INTO sections (doc_id, section_no, title, body) VALUES "
                    "('d1', '1', '目標', '事業承継を支援する'), ('d1', '2', '方針', 'ＩＴ導入を支援する')")
        assert search.build_search_index(con) == 2
        assert [h.section_no for h in search.search(con, "IT", 5)] == ["2"]
        con.execute("UPDATE sections SET body = 'デジタル化を進める' WHERE section_no = '2'")
        con.execute("DELETE FROM sections WHERE section_no = '1'")
        assert search.build_search_index(con) == 1
        assert search.search(con, "IT", 5) == []
        assert [h.section_no for h in search.search(con, "デジタル", 5)] == ["2"]
    finally:
        con.close()


def _as_written_by_the_fts_era_shoko(db) -> None:
    """Turn a database into what shoko wrote before the postings: section_tokens without
    n_terms, no search_postings, DuckDB's fts index and its fingerprint table."""
    from pipeline.extensions import load_bundled

    con = duckdb.connect(str(db))
    try:
        con.execute("DROP TABLE search_postings")
        con.execute("ALTER TABLE section_tokens DROP COLUMN n_terms")
        load_bundled(con, "fts")
        con.execute("PRAGMA create_fts_index('section_tokens', 'id', 'tokens', stemmer = 'none', "
                    "stopwords = 'none', ignore = '\\s+', strip_accents = 0, lower = 0, overwrite = 1)")
        con.execute("CREATE TABLE section_tokens_index_state AS SELECT 'x' AS fingerprint")
    finally:
        con.close()


def test_an_fts_era_database_gets_its_postings_from_the_next_ingest(plans_db, tmp_path, capsys):
    db = tmp_path / "old.duckdb"
    import shutil

    shutil.copy(plans_db, db)
    with store.connect(plans_db, read_only=True) as fresh:
        expected = [(h.file_name, h.section_no, h.score) for h in search.search(fresh, "事業承継 DX", 10)]
        postings = _postings(fresh)
    _as_written_by_the_fts_era_shoko(db)
    # read-only, as `shoko search` opens it: a clear message, not a wrong (empty) answer
    with store.connect(db, read_only=True) as old:
        with pytest.raises(search.SearchUnavailable, match=r"older shoko.*shoko ingest"):
            search.search(old, "DX", 5)
    assert cli.main(["search", "DX", "--db", str(db)]) != 0
    assert "shoko ingest" in capsys.readouterr().err
    # the next ingest, with nothing new to load, builds the postings once and publishes them
    summary = ingest([OME_PLAN, RUMOI_PLAN], IngestOptions(db=db, workers=0))
    assert summary.exit_code == 0 and {r.status for r in summary.results} == {"unchanged"}
    with store.connect(db, read_only=True) as migrated:
        assert search.pending_postings(migrated) == 0
        assert _postings(migrated) == postings
        assert [(h.file_name, h.section_no, h.score) for h in search.search(migrated, "事業承継 DX", 10)] == expected
        left = migrated.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name LIKE 'fts_main%' "
                                "OR table_name = 'section_tokens_index_state'").fetchone()[0]
        assert left == 0  # the old index is gone with its space


def test_an_interrupted_postings_build_goes_on_where_it_stopped(plans_db, tmp_path, monkeypatch):
    db = tmp_path / "old.duckdb"
    import shutil

    shutil.copy(plans_db, db)
    with store.connect(plans_db, read_only=True) as fresh:
        postings = _postings(fresh)
    _as_written_by_the_fts_era_shoko(db)
    monkeypatch.setattr(search, "MIGRATION_CHUNK", 40)
    con = store.connect(db)
    try:
        total = search.pending_postings(con)
        assert total > 80
        calls = []
        real = con.execute

        class Stop(Exception):
            pass

        class Interrupting:  # dies in the middle of the second chunk's transaction
            def execute(self, sql, *args):
                if sql.lstrip().startswith("UPDATE section_tokens"):
                    calls.append(sql)
                    if len(calls) == 2:
                        raise Stop
                return real(sql, *args)

        with pytest.raises(Stop):
            search.build_pending_postings(Interrupting())
        assert search.pending_postings(con) == total - 40  # the first chunk is whole, the second absent
        assert search.build_pending_postings(con) == total - 40
        assert _postings(con) == postings
    finally:
        con.close()


def test_changing_one_document_changes_only_its_postings(tmp_path):
    import shutil

    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(RUMOI_PLAN, folder / "a.pdf")
    shutil.copy(OME_PLAN, folder / "b.pdf")
    db = tmp_path / "inc.duckdb"
    assert ingest([folder], IngestOptions(db=db, workers=0)).exit_code == 0
    with store.connect(db, read_only=True) as con:
        b_id = con.execute("SELECT doc_id FROM documents WHERE file_name = 'b.pdf'").fetchone()[0]
        b_postings = _postings(con, f"t.doc_id = '{b_id}'")
        assert [h.file_name for h in search.search(con, "留萌", 3)][0] == "a.pdf"
        a_ids = {i for (i,) in con.execute("SELECT id FROM section_tokens t JOIN documents d USING (doc_id) "
                                           "WHERE d.file_name = 'a.pdf'").fetchall()}
    # a.pdf now holds other bytes (the promotion plan): its sections, tokens and postings change
    shutil.copy(PROMOTION_PLAN, folder / "a.pdf")
    summary = ingest([folder], IngestOptions(db=db, workers=0))
    assert sorted(r.status for r in summary.results) == ["ok", "unchanged"]
    with store.connect(db, read_only=True) as con:
        assert _postings(con, f"t.doc_id = '{b_id}'") == b_postings  # the other document untouched
        assert _postings(con) == _postings_from_tokens(con)  # and nothing of the old a.pdf is left
        assert not a_ids & {i for (i,) in con.execute("SELECT id FROM search_postings").fetchall()}
        assert all(h.file_name == "b.pdf" for h in search.search(con, "留萌", 3))
        hits = search.search(con, "あきる野", 3)
        assert hits and hits[0].file_name == "a.pdf"


def test_cli_search(plans_db, capsys):
    assert cli.main(["search", "ＤＸ 推進", "--db", str(plans_db), "--limit", "3", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3
    assert {"file_name", "chamber", "section_no", "title", "score", "snippet"} <= set(hits[0])
    assert "【DX" in hits[0]["snippet"]
    assert cli.main(["search", "事業承継", "--db", str(plans_db), "--limit", "2"]) == 0
    assert "事業承継" in capsys.readouterr().out


def test_the_ingest_builds_the_index_so_search_only_reads(tmp_path, capsys):
    db = tmp_path / "built.duckdb"
    ingest([RUMOI_PLAN], IngestOptions(db=db, workers=0))
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM section_tokens").fetchone()[0] > 0
        assert search.pending_postings(con) == 0  # published with the postings of what it holds
        assert _postings(con) == _postings_from_tokens(con)
        assert search.search(con, "DX", 1)[0].file_name == "rumoi_cci_2025.pdf"
    finally:
        con.close()
    # another document: its postings come with it
    ingest([OME_PLAN], IngestOptions(db=db, workers=0))
    assert cli.main(["search", "青梅", "--db", str(db), "--limit", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file_name"] == "ome_cci_2023.pdf"


# --- the terms equal a straightforward cut of the same text ----------------------------

def reference_search_forms(text: str) -> list[str]:
    """search_forms() written the plain way, on the plain words of test_canonical."""
    from test_canonical import reference_prepare, reference_words

    terms, previous = [], None
    for form, parts, pos, begin, end in reference_words(reference_prepare(text)):
        if pos in SKIP_POS:
            previous = None
            continue
        terms.append(form)
        if len(parts) > 1:
            terms.extend(p for p in parts if p != form)
        if previous is not None and previous[1] == begin:
            terms.append(previous[0] + form)
        previous = (form, end)
    return terms


def reference_section_terms(title: str | None, body: str | None) -> str:
    import re

    from test_canonical import reference_prepare

    text = reference_prepare(f"{title or ''}\n{body or ''}")
    return " ".join(t for sentence in re.split(r"(?<=。)", text) if sentence
                    for t in reference_search_forms(sentence))


def test_stored_terms_equal_a_straightforward_cut_of_every_section(con):
    rows = con.execute("SELECT s.title, s.body, t.tokens FROM sections s "
                       "JOIN section_tokens t USING (doc_id, section_no)").fetchall()
    assert len(rows) > 50
    assert len(rows) == con.execute("SELECT count(*) FROM sections").fetchone()[0]
    for title, body, terms in rows:
        assert terms == reference_section_terms(title, body), title


@pytest.mark.parametrize("text", ["事業承継 DX", "ＤＸ　推進", "売り上げ 取組み", "経営状況の分析に関すること",
                                  "D X I", "a b c", "", "。。", "令和５年度\n目標"])
def test_search_forms_equal_a_straightforward_cut(text):
    assert search.search_forms(text) == reference_search_forms(text)
    assert search.section_terms(text, text) == reference_section_terms(text, text)


def test_sorting_the_postings_by_term_keeps_every_posting_and_score(plans_db, tmp_path):
    import shutil

    db = tmp_path / "sorted.duckdb"
    shutil.copy(plans_db, db)
    con = store.connect(db)
    try:
        postings = _postings(con)
        tail, total = search.postings_tail(con)
        assert tail == total == len(postings)  # loaded, never sorted: below the threshold
        assert not search.sort_postings(con)
        expected = search.search(con, "事業承継 DX", 10)
        assert search.sort_postings(con, force=True)
        assert search.postings_tail(con) == (0, total)
        assert _postings(con) == postings
        terms = [t for (t,) in con.execute("SELECT term FROM search_postings").fetchall()]
        assert terms == sorted(terms)  # stored in term order, as the zone maps need
        from pipeline import catalog

        assert catalog.comment_statements(con, only_changed=True) == []  # the new table keeps its comments
        assert search.search(con, "事業承継 DX", 10) == expected
        # a document loaded after the sort is the new tail, and found
        con.execute("INSERT INTO documents (doc_id, source_path, file_name) VALUES ('d9', 'n.pdf', 'n.pdf')")
        con.execute("INSERT INTO sections (doc_id, section_no, title, body) VALUES "
                    "('d9', '1', '目標', '事業承継とDXを支援する')")
        search.ensure_index(con)
        assert search.postings_tail(con)[0] > 0
        assert "n.pdf" in {h.file_name for h in search.search(con, "事業承継 DX", 40)}
    finally:
        con.close()


def test_deleting_a_document_deletes_its_postings_only(plans_db, tmp_path):
    import shutil

    db = tmp_path / "pruned.duckdb"
    shutil.copy(plans_db, db)
    con = store.connect(db)
    try:
        ome, rumoi = (con.execute("SELECT doc_id FROM documents WHERE file_name = ?", [name]).fetchone()[0]
                      for name in ("ome_cci_2023.pdf", "rumoi_cci_2025.pdf"))
        kept = _postings(con, f"t.doc_id = '{rumoi}'")
        assert _postings(con, f"t.doc_id = '{ome}'")
        store.delete_document(con, [ome])  # what `shoko prune --yes` runs
        assert _postings(con) == kept == _postings_from_tokens(con)
        assert {h.file_name for h in search.search(con, "事業承継 DX", 20)} == {"rumoi_cci_2025.pdf"}
    finally:
        con.close()
