"""Views over the contract tables (reconciliation, dashboards).

Each view is a `CREATE OR REPLACE VIEW` statement; `store.ensure_schema` creates
them all, so a database opened by any version of shoko has the views of that
version.
"""
from __future__ import annotations

VIEWS: dict[str, str] = {
    "v_plan_overview": """
        CREATE OR REPLACE VIEW v_plan_overview AS
        SELECT p.doc_id, d.file_name, p.chamber, p.chamber_corporate_number,
               p.period_start, p.period_end,
               (SELECT string_agg(m.name, '・' ORDER BY m.local_gov_code)
                  FROM plan_municipalities m WHERE m.doc_id = p.doc_id) AS municipalities,
               (SELECT count(*) FROM targets t WHERE t.doc_id = p.doc_id) AS n_targets,
               (SELECT sum(b.amount_thousand_yen) FROM budgets b
                 WHERE b.doc_id = p.doc_id AND b.is_total) AS total_budget_thousand_yen
          FROM plans p JOIN documents d USING (doc_id)
    """,
    "v_budget_by_year": """
        CREATE OR REPLACE VIEW v_budget_by_year AS
        SELECT p.chamber, b.fiscal_year, b.amount_thousand_yen, b.doc_id
          FROM budgets b JOIN plans p USING (doc_id)
         WHERE b.is_total
    """,
}


def all_views() -> list[str]:
    return list(VIEWS.values())
