"""Japanese full-text search over plan sections (pipeline/search.py, `shoko search`)."""
from __future__ import annotations

import json

import duckdb
import pytest

from conftest import OME_PLAN, RUMOI_PLAN
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


def test_fts_extension_loads_offline_from_the_wheel():
    from pipeline.extensions import extension_directory

    folder = extension_directory()
    assert folder is not None
    assert list(folder.glob(f"v{duckdb.__version__}/*/fts.duckdb_extension"))
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    search.load_fts(con)
    assert con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()[0]


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
        before = con.execute("SELECT id, tokens FROM section_tokens ORDER BY id").fetchall()
        assert search.build_search_index(con) == len(before)
        assert con.execute("SELECT id, tokens FROM section_tokens ORDER BY id").fetchall() == before
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


def test_search_without_an_index_says_how_to_build_it(tmp_path):
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        with pytest.raises(search.SearchUnavailable, match="shoko ingest"):
            search.search(con, "DX", 5)
    finally:
        con.close()


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
        assert search.index_is_current(con)  # published with the index of what it holds
        assert search.search(con, "DX", 1)[0].file_name == "rumoi_cci_2025.pdf"
    finally:
        con.close()
    # another document: the ingest rebuilds the index before it publishes
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
