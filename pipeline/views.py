"""Views over the contract tables (reconciliation, dashboards).

Numeric columns are INTEGER, BIGINT or DOUBLE: DuckDB's sum() of BIGINT is a HUGEINT,
which BI drivers (JDBC, PostgreSQL) do not know, so such sums are cast back.

Each view is a `CREATE OR REPLACE VIEW` statement; `store.ensure_schema` creates
them all, so a database opened by any version of shoko has the views of that
version.
"""
from __future__ import annotations

from pipeline.corrections import V_CORRECTIONS_SQL

VIEWS: dict[str, str] = {
    "v_plan_overview": """
        CREATE OR REPLACE VIEW v_plan_overview AS
        SELECT p.doc_id, d.file_name, p.chamber, p.chamber_corporate_number,
               p.period_start, p.period_end,
               (SELECT string_agg(m.name, '・' ORDER BY m.local_gov_code)
                  FROM plan_municipalities m WHERE m.doc_id = p.doc_id) AS municipalities,
               (SELECT count(*) FROM targets t WHERE t.doc_id = p.doc_id) AS n_targets,
               CAST((SELECT sum(b.amount_thousand_yen) FROM budgets b
                 WHERE b.doc_id = p.doc_id AND b.is_total) AS BIGINT) AS total_budget_thousand_yen
          FROM plans p JOIN documents d USING (doc_id)
    """,
    "v_budget_by_year": """
        CREATE OR REPLACE VIEW v_budget_by_year AS
        SELECT p.chamber, b.fiscal_year, b.amount_thousand_yen, b.doc_id
          FROM budgets b JOIN plans p USING (doc_id)
         WHERE b.is_total
    """,
    # Cross-chamber comparison by canonical indicator (pipeline/indicators.csv). A sub-row
    # that breaks its parent row down by the same indicator (公表回数 per 公務員 office) is
    # left out so totals do not count it twice.
    "v_targets_by_indicator": """
        CREATE OR REPLACE VIEW v_targets_by_indicator AS
        WITH main_rows AS (
            SELECT DISTINCT doc_id, section_no, metric, indicator FROM targets
             WHERE parent_metric IS NULL AND indicator IS NOT NULL
        )
        SELECT coalesce(p.chamber, d.file_name) AS chamber, d.kind, t.indicator,
               t.fiscal_year, t.is_baseline,
               count(*) AS n_cells, count(t.value) AS n_values,
               sum(t.value) AS total_value, avg(t.value) AS mean_value,
               string_agg(DISTINCT t.unit, '・') AS units,
               string_agg(DISTINCT t.metric, ' / ') AS metrics, t.doc_id
          FROM targets t
          JOIN documents d USING (doc_id)
          LEFT JOIN (SELECT doc_id, any_value(chamber) AS chamber FROM plans GROUP BY doc_id) p
                 USING (doc_id)
          LEFT JOIN main_rows m
                 ON m.doc_id = t.doc_id AND m.section_no IS NOT DISTINCT FROM t.section_no
                AND m.metric = t.parent_metric AND m.indicator = t.indicator
         WHERE t.indicator IS NOT NULL AND m.metric IS NULL
         GROUP BY ALL
    """,
    # Progress reports: how many projects reached which grade, per document, direction, year.
    "v_progress_status": """
        CREATE OR REPLACE VIEW v_progress_status AS
        SELECT d.file_name, pr.doc_id, pr.fiscal_year, pr.direction,
               count(*) AS n_projects,
               count(pr.target) AS n_with_target, count(pr.actual) AS n_with_actual,
               count(*) FILTER (WHERE pr.grade = 'S') AS n_grade_s,
               count(*) FILTER (WHERE pr.grade = 'A') AS n_grade_a,
               count(*) FILTER (WHERE pr.grade = 'B') AS n_grade_b,
               count(*) FILTER (WHERE pr.grade = 'C') AS n_grade_c,
               count(*) FILTER (WHERE pr.grade IS NOT NULL AND pr.grade_computed IS NOT NULL
                                  AND pr.grade <> pr.grade_computed) AS n_grade_mismatch,
               avg(pr.actual / pr.target) FILTER (WHERE pr.target > 0 AND pr.actual IS NOT NULL)
                   AS mean_achievement
          FROM progress pr JOIN documents d USING (doc_id)
         GROUP BY ALL
    """,
}


def all_views() -> list[str]:
    return list(VIEWS.values())


# --- reconciliation with the promotion plan -------------------------------------------

def _sql_key(expr: str) -> str:
    """SQL for a comparable label: lower case, full-width brackets folded, spaces, leading
    bullets and a `(仮称)` prefix removed (values are NFKC-normalised at extraction already)."""
    folded = f"translate(lower({expr}), '（）［］【】〔〕　・', '()[][]() ・')"
    return rf"regexp_replace({folded}, '\s+|^・+|^\(仮称\)', '', 'g')"


_PLAN_KEY = _sql_key("t.metric")

# progress_vs_plan: every progress row with the promotion plan's 年間目標 of the same
# project and fiscal year. A plan metric `事業承継セミナー（参加者数）` is split into the
# project key and the metric key. Rows match on the project key; a row whose project
# is worded differently in the plan (an abbreviation) falls back to the same 個別施策
# (one title a prefix of the other) and the same metric, when that is unambiguous.
# target_matches_plan: does the progress sheet's target equal the plan's (NULL when
# either is missing or no plan row matched).
# A progress sheet is compared with one promotion plan only, its own municipality's: the
# plan that shares most of the sheet's rarest project keys. Generic names (創業セミナー)
# occur in every municipality's plan, so joining rows on them across the nation would
# grow with plans × sheets; pairing first on the rarest keys, and only on keys at most 32
# plans share (a name in more plans than that cannot tell a municipality), keeps every
# join linear in the number of documents.
PROGRESS_VS_PLAN_VIEW_SQL = rf"""
CREATE OR REPLACE VIEW progress_vs_plan AS
WITH p AS (
    SELECT rowid AS progress_row, *,
           {_sql_key("project")} AS project_key,
           {_sql_key("metric")} AS metric_key,
           {_sql_key("measure")} AS measure_key
      FROM progress
),
t AS (
    SELECT t.doc_id, t.section_no, t.metric, t.fiscal_year, t.value, t.unit, t.raw,
           regexp_replace({_PLAN_KEY}, '\([^()]*\)$', '') AS project_key,
           regexp_extract({_PLAN_KEY}, '\(([^()]*)\)$', 1) AS metric_key,
           {_sql_key("s.title")} AS measure_key
      FROM targets t
      JOIN documents d ON d.doc_id = t.doc_id AND d.kind = 'promotion_plan'
      LEFT JOIN sections s ON s.doc_id = t.doc_id AND s.section_no = t.section_no
     WHERE t.section_no IS NOT NULL AND NOT coalesce(t.is_baseline, false)
),
key_df AS (  -- in how many promotion plans each project key occurs
    SELECT project_key, count(DISTINCT doc_id) AS df FROM t GROUP BY project_key
),
p_keys AS (
    SELECT DISTINCT p.doc_id, p.project_key, k.df FROM p JOIN key_df k USING (project_key)
),
rarest AS (  -- each progress sheet's least common project keys, among those few plans share
    SELECT doc_id, project_key FROM p_keys WHERE df <= 32
    QUALIFY df = min(df) OVER (PARTITION BY doc_id)
),
pairing AS (  -- the promotion plan sharing most of them (ties: the smallest doc_id)
    SELECT r.doc_id AS progress_doc, t.doc_id AS plan_doc
      FROM rarest r JOIN (SELECT DISTINCT doc_id, project_key FROM t) t USING (project_key)
     GROUP BY r.doc_id, t.doc_id
    QUALIFY row_number() OVER (PARTITION BY r.doc_id ORDER BY count(*) DESC, t.doc_id) = 1
),
pp AS (SELECT p.*, pairing.plan_doc FROM p JOIN pairing ON pairing.progress_doc = p.doc_id),
by_label AS (
    SELECT p.progress_row, t.*, 'project' AS matched_on
      FROM pp p JOIN t ON t.doc_id = p.plan_doc AND t.project_key = p.project_key
                      AND t.fiscal_year = p.fiscal_year
),
by_measure AS (
    SELECT p.progress_row, t.*, 'measure_metric' AS matched_on
      FROM pp p JOIN t ON t.doc_id = p.plan_doc AND t.fiscal_year = p.fiscal_year
                      AND t.metric_key = p.metric_key
                   AND p.measure_key <> '' AND t.measure_key <> ''
                   AND (starts_with(t.measure_key, p.measure_key) OR starts_with(p.measure_key, t.measure_key))
     WHERE p.progress_row NOT IN (SELECT progress_row FROM by_label)
    QUALIFY count(*) OVER (PARTITION BY p.progress_row) = 1
),
matched AS (SELECT * FROM by_label UNION ALL SELECT * FROM by_measure)
SELECT p.doc_id, p.direction, p.measure, p.project, p.metric, p.fiscal_year,
       p.target, p.actual, p.grade, p.unit, p.sheet, p.cell, p.page,
       m.doc_id AS plan_doc_id, m.section_no AS plan_section_no, m.metric AS plan_metric,
       m.value AS plan_target, m.unit AS plan_unit, m.raw AS plan_raw, m.matched_on,
       CASE WHEN p.target IS NULL OR m.value IS NULL THEN NULL
            ELSE abs(p.target - m.value) < 1e-9 END AS target_matches_plan
  FROM p LEFT JOIN matched m ON m.progress_row = p.progress_row
"""

VIEWS["progress_vs_plan"] = PROGRESS_VS_PLAN_VIEW_SQL
VIEWS["v_corrections"] = V_CORRECTIONS_SQL  # what people corrected, with its status

# Views over every kind's rows rather than one kind's (the others are named by a KindSpec).
CROSS_KIND_VIEWS = ("v_corrections",)
