"""Japanese full-text search over section bodies (DuckDB fts, BM25).

sections → sudachi word forms (pipeline.terms.search_forms, cut in the workers) → `section_tokens`
→ fts index → ranked hits with a highlighted snippet.

DuckDB's fts tokeniser splits on spaces and knows nothing about Japanese, so
the words are cut by sudachi beforehand and stored space-separated; the query
is cut the same way, which is what makes `ＤＸ`/`DX`, `取組み`/`取り組み` or
`売り上げ`/`売上` find each other. The fts extension comes from the
`duckdb-ext-fts` wheel (loaded from its folder, never downloaded), so search
works offline.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pipeline.extensions import load_bundled
from pipeline.normalize.tokenizer import prepare, words
from pipeline.terms import search_forms, section_terms

TABLE = "section_tokens"
STATE_TABLE = "section_tokens_index_state"
INDEX_SCHEMA = f"fts_main_{TABLE}"
HIGHLIGHT = ("【", "】")
SNIPPET_BEFORE = 40
SNIPPET_AFTER = 80

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id BIGINT PRIMARY KEY,
    doc_id VARCHAR,
    section_no VARCHAR,
    source_hash VARCHAR,
    tokens VARCHAR
)"""


SEQUENCE = f"{TABLE}_ids"
SOURCE_HASH_SQL = "md5(coalesce(s.title, '') || chr(10) || coalesce(s.body, ''))"
# The loader inserts a batch of sections and, from the same Arrow batch (`_shoko_batch`,
# which carries the terms cut in the extraction worker), their tokens: in one
# transaction, so tokens are as atomic as every other row.
TOKENS_FROM_BATCH_SQL = f"""
    INSERT INTO {TABLE}
    SELECT nextval('{SEQUENCE}'), s.doc_id, s.section_no, {SOURCE_HASH_SQL}, s.search_terms
      FROM _shoko_batch s WHERE s.search_terms IS NOT NULL"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """section_tokens and its id sequence (started past any id already used)."""
    con.execute(DDL)
    # a literal, not a bound parameter: DuckDB imports pandas (0.4 s) on the first bound
    # parameter, which should not delay the start of every ingest
    if not con.execute(f"SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = '{SEQUENCE}'").fetchone()[0]:
        start = con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {TABLE}").fetchone()[0]
        con.execute(f"CREATE SEQUENCE {SEQUENCE} START {start}")


class SearchUnavailable(RuntimeError):
    """The fts extension cannot be loaded or the index was never built."""


@dataclass(frozen=True)
class Hit:
    file_name: str
    chamber: str | None
    section_no: str
    title: str
    score: float
    snippet: str


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD fts from the installed wheel; a readable error when it is missing."""
    try:
        load_bundled(con, "fts")
    except duckdb.Error as exc:
        raise SearchUnavailable(
            f"DuckDB's fts extension is not available ({exc}); install the "
            f"duckdb-ext-fts wheel matching duckdb {duckdb.__version__}") from None


def sync_tokens(con: duckdb.DuckDBPyConnection) -> int:
    """Bring section_tokens in line with sections (cheap: the words were cut in the workers).

    Incremental: rows of changed or deleted sections go, new ones come. Returns the
    number of sections with tokens. The loader keeps tokens in step with each document
    it loads; this catches sections changed by hand or loaded by an older shoko.
    """
    ensure_tables(con)
    source_hash = SOURCE_HASH_SQL
    stale = con.execute(f"""
        SELECT t.id FROM {TABLE} t
         WHERE NOT EXISTS (SELECT 1 FROM sections s WHERE s.doc_id = t.doc_id
                             AND s.section_no = t.section_no AND {source_hash} = t.source_hash)
    """).fetchall()
    if stale:
        con.execute(f"DELETE FROM {TABLE} WHERE id IN (SELECT unnest(?))", [[i for (i,) in stale]])
    missing = f"""NOT EXISTS (SELECT 1 FROM {TABLE} t WHERE t.doc_id = s.doc_id
                                AND t.section_no = s.section_no AND t.source_hash = {source_hash})"""
    # Sections without tokens (changed by hand, or loaded without terms): cut them here.
    older = con.execute(f"""SELECT s.doc_id, s.section_no, {source_hash}, s.title, s.body
                              FROM sections s WHERE {missing}""").fetchall()
    if older:
        ids = con.execute(f"SELECT nextval('{SEQUENCE}') FROM range(?)", [len(older)]).fetchall()
        batch = pa.table({
            "id": [i for (i,) in ids],
            "doc_id": [r[0] for r in older],
            "section_no": [r[1] for r in older],
            "source_hash": [r[2] for r in older],
            "tokens": [section_terms(r[3], r[4]) for r in older],
        })
        con.register("_shoko_tokens", batch)
        try:
            con.execute(f"INSERT INTO {TABLE} SELECT * FROM _shoko_tokens")
        finally:
            con.unregister("_shoko_tokens")
    return con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    n, top, mix = con.execute(f"SELECT count(*), coalesce(max(id), 0), coalesce(bit_xor(hash(source_hash)), 0) "
                              f"FROM {TABLE}").fetchone()
    return f"{n}:{top}:{mix}"


def index_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the fts index was built from exactly the tokens stored now."""
    if not index_exists(con):
        return False
    try:
        stored = con.execute(f"SELECT fingerprint FROM {STATE_TABLE}").fetchone()
        return stored is not None and stored[0] == _fingerprint(con)
    except duckdb.CatalogException:
        return False


def ensure_index(con: duckdb.DuckDBPyConnection) -> int:
    """Sync the tokens and (re)build the fts index when it is missing or out of date.

    Idempotent; needs a writable connection (the ingest calls it on its working file before
    publishing, so `shoko search` only reads). Returns the number of indexed sections.
    Without the fts extension the tokens are still stored and SearchUnavailable is
    raised by search() later.
    """
    indexed = sync_tokens(con)
    if index_is_current(con):
        return indexed
    try:
        load_fts(con)
    except SearchUnavailable:
        return indexed
    # tokens are already cut and case-folded: split on spaces only, no stemming, keep
    # accents (strip_accents would turn ガ into カ)
    con.execute(f"PRAGMA create_fts_index('{TABLE}', 'id', 'tokens', stemmer = 'none', "
                "stopwords = 'none', ignore = '\\s+', strip_accents = 0, lower = 0, overwrite = 1)")
    con.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} AS SELECT ? AS fingerprint", [_fingerprint(con)])
    return indexed


# The name tests and notebooks know.
build_search_index = ensure_index


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?",
                            [INDEX_SCHEMA]).fetchone()[0])


def query_terms(query: str) -> list[str]:
    """The query's terms; whitespace separates words (it is not removed as inside PDF text)."""
    return list(dict.fromkeys(t for part in (query or "").split() for t in search_forms(part)))


def snippet(body: str | None, terms: set[str], before: int = SNIPPET_BEFORE, after: int = SNIPPET_AFTER) -> str:
    """A window of the body where most distinct query words meet, matched words in 【】."""
    text = prepare(body or "")
    matched = []
    for w in words(text):
        hit = {w.form, *w.parts} & terms
        if hit:
            matched.append((w.begin, w.end, frozenset(hit)))
    if not matched:
        return text[:before + after]
    width = before + after

    def variety(i: int) -> int:
        return len(frozenset().union(*(h for b, _, h in matched[i:] if b < matched[i][0] + width)))

    best = max(range(len(matched)), key=lambda i: (variety(i), -i))
    start = max(0, matched[best][0] - before // 2)
    end = min(len(text), start + width)
    spans: list[list[int]] = []
    for b, e, _ in matched:
        if b < start or e > end:
            continue
        if spans and spans[-1][1] == b:  # adjacent words read as one phrase: 【事業承継】
            spans[-1][1] = e
        else:
            spans.append([b, e])
    out, pos = [], start
    for b, e in spans:
        out += [text[pos:b], HIGHLIGHT[0], text[b:e], HIGHLIGHT[1]]
        pos = e
    out.append(text[pos:end])
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[Hit]:
    """Sections ranked by BM25 against the query (words cut and normalised like the index)."""
    terms = query_terms(query)
    if not terms:
        return []
    if not index_exists(con):
        raise SearchUnavailable("the database has no search index: `shoko ingest` builds it before it "
                                "publishes (run it once on this database, even with nothing new)")
    # A snapshot published in the middle of a long ingest keeps the index of the one before:
    # sections loaded since are not found yet, and changed ones are dropped below (`current`).
    load_fts(con)
    rows = con.execute(f"""
        WITH ranked AS (
            SELECT id, doc_id, section_no, source_hash,
                   {INDEX_SCHEMA}.match_bm25(id, ?) AS score
              FROM {TABLE}
        ), top AS (
            SELECT * FROM ranked WHERE score IS NOT NULL ORDER BY score DESC, id LIMIT ?
        )
        SELECT t.id, d.file_name, p.chamber, t.section_no, s.title, t.score, s.body,
               md5(coalesce(s.title, '') || chr(10) || coalesce(s.body, '')) = t.source_hash AS current
          FROM top t
          JOIN documents d USING (doc_id)
          JOIN sections s ON s.doc_id = t.doc_id AND s.section_no = t.section_no
          LEFT JOIN (SELECT doc_id, any_value(chamber) AS chamber FROM plans GROUP BY doc_id) p
                 ON p.doc_id = t.doc_id
         ORDER BY t.score DESC, t.id
    """, [" ".join(terms), limit * 3]).fetchall()
    wanted = set(terms)
    hits, seen, shown = [], set(), set()
    for row_id, file_name, chamber, section_no, title, score, body, current in rows:
        if not current or row_id in seen:
            continue  # a duplicated section_no: keep the sections row the tokens came from
        seen.add(row_id)
        text = snippet(body, wanted)
        if (file_name, text) in shown:
            continue  # a parent section whose best passage is its child's, already listed
        shown.add((file_name, text))
        hits.append(Hit(file_name, chamber, section_no, title, round(float(score), 4), text))
    return hits[:limit]
