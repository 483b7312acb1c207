"""The review application's pages and API (Flask's test client; the browser tests drive the JS)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipeline.cli import main
from pipeline.review.app import create_app

from conftest import OME_PLAN, PROGRESS_XLSX, PROMOTION_PLAN

METRIC = "①地域の経済動向調査の公表回数"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """Three documents ingested once: (corpus, database) for the tests to copy."""
    root = tmp_path_factory.mktemp("review")
    corpus = root / "corpus"
    corpus.mkdir()
    for source in (OME_PLAN, PROGRESS_XLSX, PROMOTION_PLAN):
        shutil.copy(source, corpus / source.name)
    db = root / "plans.duckdb"
    assert main(["ingest", str(corpus), "--db", str(db), "--workers", "0"]) == 0
    return corpus, db


@pytest.fixture
def loaded(ingested, tmp_path):
    corpus, ingested_db = ingested
    db = tmp_path / "plans.duckdb"
    shutil.copy(ingested_db, db)
    con = duckdb.connect(str(db), read_only=True)
    ids = dict(con.execute("SELECT file_name, doc_id FROM documents").fetchall())
    con.close()
    app = create_app(db, tmp_path / "cache")
    return app.test_client(), db, ids, corpus


def test_documents_list_shows_counts_and_filters(loaded):
    client, db, ids, _ = loaded
    page = client.get("/").get_data(as_text=True)
    assert "3 documents" in page
    for name in ids:
        assert name in page
    assert "青梅商工会議所" in page
    page = client.get("/?kind=progress_report").get_data(as_text=True)
    assert "1 documents" in page and "akiruno_progress_r7.xlsx" in page and "ome_cci_2023.pdf" not in page
    page = client.get("/?status=failed").get_data(as_text=True)
    assert "0 documents" in page
    page = client.get("/?q=青梅").get_data(as_text=True)
    assert "1 documents" in page and "ome_cci_2023.pdf" in page
    # the plan has a finding (budget years outside the period): it is the one to review
    page = client.get("/?needs_review=1").get_data(as_text=True)
    assert "ome_cci_2023.pdf" in page and "akiruno_progress_r7.xlsx" not in page


def test_plan_page_has_a_box_per_located_value_and_renders_pages(loaded):
    client, db, ids, _ = loaded
    doc_id = ids["ome_cci_2023.pdf"]
    con = duckdb.connect(str(db), read_only=True)
    located = con.execute("SELECT (SELECT count(*) FROM targets WHERE doc_id = $1 AND bbox IS NOT NULL) + "
                          "(SELECT count(*) FROM budgets WHERE doc_id = $1 AND bbox IS NOT NULL)", [doc_id]).fetchone()[0]
    page_no, bbox = con.execute("SELECT page, bbox FROM targets WHERE metric = ? AND fiscal_year = 2024",
                                [METRIC]).fetchone()
    con.close()
    html = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert html.count('class="box') == located
    assert html.count('<div class="page"') == 16
    assert "period_budget_years_mismatch" in html
    # the box of one target sits at its bbox, in percent of the page
    width, height = map(float, re.search(rf'id="page-{page_no}" data-page="{page_no}" data-width="([\d.]+)" '
                                         r'data-height="([\d.]+)"', html).groups())
    box = re.search(r'data-bbox="' + ",".join(str(v) for v in bbox) + r'"\s+style="left: ([\d.]+)%; top: ([\d.]+)%',
                    html)
    assert box and abs(float(box.group(1)) - bbox[0] / width * 100) < 1e-6
    assert abs(float(box.group(2)) - bbox[1] / height * 100) < 1e-6
    image = client.get(f"/doc/{doc_id}/page/{page_no}.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/doc/{doc_id}/page/99.png").status_code == 404


def test_spreadsheet_page_shows_sheet_and_cell_instead_of_images(loaded):
    client, db, ids, _ = loaded
    doc_id = ids["akiruno_progress_r7.xlsx"]
    con = duckdb.connect(str(db), read_only=True)
    sheet, cell = con.execute("SELECT sheet, cell FROM progress WHERE doc_id = ? ORDER BY sheet, cell LIMIT 1",
                              [doc_id]).fetchone()
    con.close()
    html = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert '<div class="page"' not in html and "A spreadsheet" in html
    assert f"{sheet}!{cell}" in html


def test_correct_and_undo_through_the_api(loaded):
    client, db, ids, _ = loaded
    doc_id = ids["ome_cci_2023.pdf"]
    key = {"section_no": "3", "metric": METRIC, "parent_metric": None, "fiscal_year": 2024, "is_baseline": False}
    answer = client.post("/api/corrections", json={"doc_id": doc_id, "table": "targets", "key": key,
                                                   "column": "value", "value": "5"})
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()
    assert (result["extracted"], result["value"]) == ("4", "5")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value, corrected FROM targets WHERE metric = ? AND fiscal_year = 2024",
                       [METRIC]).fetchall() == [(5.0, True)]
    con.close()
    html = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert f'data-correction="{result["id"]}" data-extracted="4"' in html
    # corrected rows come first in their table, and the list counts the correction
    assert "undo value" in html
    bad = client.post("/api/corrections", json={"doc_id": doc_id, "table": "targets", "key": {"metric": METRIC},
                                                "column": "value", "value": "5"})
    assert bad.status_code == 400 and "add --key for" in bad.get_json()["error"]
    undone = client.post(f"/api/corrections/{result['id']}/undo").get_json()
    assert undone["value"] == "4"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value, corrected FROM targets WHERE metric = ? AND fiscal_year = 2024",
                       [METRIC]).fetchall() == [(4.0, False)]
    con.close()


def test_a_database_locked_by_a_writer_is_said_so_and_a_moved_file_too(loaded):
    client, db, ids, corpus = loaded
    holder = subprocess.Popen(  # an ingest holding the file for writing
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        response = client.get("/")
        assert response.status_code == 503
        text = response.get_data(as_text=True)
        assert "cannot be read right now" in text and f"open for writing by PID {holder.pid}" in text
        answer = client.post("/api/corrections", json={"doc_id": "x", "table": "plans", "key": {},
                                                       "column": "chamber", "value": "y"})
        assert answer.status_code == 503 and f"PID {holder.pid}" in answer.get_json()["error"]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert client.get("/").status_code == 200  # and works again once the writer is gone
    (corpus / "ome_cci_2023.pdf").rename(corpus / "moved.pdf")
    try:
        html = client.get(f"/doc/{ids['ome_cci_2023.pdf']}").get_data(as_text=True)
        assert "is not there any more" in html
        assert client.get(f"/doc/{ids['ome_cci_2023.pdf']}/page/1.png").status_code == 410
    finally:
        (corpus / "moved.pdf").rename(corpus / "ome_cci_2023.pdf")


def test_other_sites_cannot_post_corrections(loaded):
    client, db, ids, _ = loaded
    body = {"doc_id": ids["ome_cci_2023.pdf"], "table": "plans", "key": {}, "column": "chamber", "value": "x"}
    assert client.post("/api/corrections", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    # a form or text/plain post (which a foreign page may send without asking) is refused
    assert client.post("/api/corrections", data='{"doc_id": "x"}', content_type="text/plain").status_code == 415
    client.application.config["SHOKO_LOCAL_ONLY"] = True
    assert client.get("/", headers={"Host": "rebound.example:8765"}).status_code == 403
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT chamber, corrected FROM plans").fetchall() == [("青梅商工会議所", False)]
    con.close()


def test_pages_render_sharper_for_the_zoom_control(loaded):
    client, db, ids, _ = loaded
    doc_id = ids["ome_cci_2023.pdf"]
    import pymupdf

    with pymupdf.open(OME_PLAN) as pdf:
        width = pdf[0].rect.width
    for zoom, expected in (("", 1.5), ("3", 3.0), ("7", 1.5)):  # an unknown zoom gets the default
        png = client.get(f"/doc/{doc_id}/page/1.png" + (f"?zoom={zoom}" if zoom else "")).data
        assert int.from_bytes(png[16:20], "big") == round(width * expected)


def test_review_without_a_database_says_how_to_make_one(tmp_path, capsys):
    assert main(["review", "--db", str(tmp_path / "none.duckdb"), "--port", "0"]) == 2
    assert "no database at" in capsys.readouterr().err


def test_the_documents_list_is_paged(loaded, monkeypatch):
    client, db, ids, _ = loaded
    from pipeline.review import data

    monkeypatch.setattr(data, "PAGE_SIZE", 2)
    monkeypatch.setattr("pipeline.review.app.PAGE_SIZE", 2)
    first = client.get("/?order=file").get_data(as_text=True)
    assert "page 1 of 2" in first and 'id="next" href="/?order=file&amp;page=2"' in first
    second = client.get("/?order=file&page=2").get_data(as_text=True)
    names = sorted(ids)
    assert names[2] in second and names[0] not in second and 'id="previous"' in second


def test_values_to_check_come_first_and_are_counted(loaded):
    client, db, ids, _ = loaded
    doc_id = ids["ome_cci_2023.pdf"]
    con = duckdb.connect(str(db))
    con.execute("UPDATE targets SET confidence = 0.4 WHERE metric = ? AND fiscal_year = 2025", [METRIC])
    con.execute("UPDATE targets SET confidence = 0.6 WHERE metric = ? AND fiscal_year = 2023", [METRIC])
    con.close()
    html = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    targets = html[html.index('id="table-targets"'):]
    first_rows = re.findall(r'<tr id="row-[^"]+"[^>]*data-key="([^"]+)"[^>]*class="([^"]*)"', targets)[:3]
    years = [re.search(r"&#34;fiscal_year&#34;: (\w+)", key).group(1) for key, _ in first_rows]
    assert years[:2] == ["2025", "2023"]  # least confident first
    assert [("look" in cls.split()) for _, cls in first_rows] == [True, True, False]
    listing = client.get("/").get_data(as_text=True)
    row = listing[listing.index("ome_cci_2023.pdf"):].split("</tr>")[0]
    assert re.findall(r'<td class="n[^"]*">(\d+)</td>', row)[-2:] == ["2", "0"]  # low confidence, corrections
