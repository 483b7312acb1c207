"""`shoko review` in a real browser (Debian's chromium driven by selenium through chromium-driver).

The Makefile's `browser-deps` installs both; the tests start `shoko review` on a free
port, as a user would, and drive the page: boxes at the stored bboxes, a click that
highlights, a correction typed into the page that survives `shoko ingest --force` and
shows in `shoko query` and `shoko export`.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main

from conftest import OME_PLAN, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
METRIC = "①地域の経済動向調査の公表回数"


def test_chromium_and_its_driver_are_installed():
    # `make browser-deps` (part of `make test`) installs chromium and chromium-driver.
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), \
        "install Debian's chromium and chromium-driver (make browser-deps)"


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("chromium / chromium-driver missing: run `make browser-deps`")
    profile = tempfile.mkdtemp(prefix="shoko-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1500,1000", "--lang=ja"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def review(tmp_path):
    """An ingested plan and `shoko review` serving it on a free port: (db, base url, stop)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    plan = corpus / OME_PLAN.name
    shutil.copy(OME_PLAN, plan)
    db = tmp_path / "plans.duckdb"
    assert main(["ingest", str(plan), "--db", str(db), "--workers", "0"]) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "review", "--db", str(db), "--port", "0",
         "--cache", str(tmp_path / "cache")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("shoko review: http://127.0.0.1:"), line + process.stderr.read()
    url = line.split()[2]

    def stop():
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(10)

    try:
        yield db, plan, url, stop
    finally:
        stop()
        process.stdout.close()
        process.stderr.close()


def _wait(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def test_review_draws_boxes_at_the_bboxes_links_them_and_keeps_a_correction(review, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    db, plan, url, stop = review
    con = duckdb.connect(str(db), read_only=True)
    doc_id, = con.execute("SELECT doc_id FROM documents").fetchone()
    page, bbox = con.execute("SELECT page, bbox FROM targets WHERE metric = ? AND fiscal_year = 2024",
                             [METRIC]).fetchone()
    n_boxes, = con.execute("SELECT count(*) FROM (SELECT bbox FROM targets WHERE doc_id = ? AND bbox IS NOT NULL "
                           "UNION ALL SELECT bbox FROM budgets WHERE doc_id = ? AND bbox IS NOT NULL)",
                           [doc_id, doc_id]).fetchone()
    con.close()

    # the documents list links to the plan
    browser.get(url)
    link = browser.find_element(By.LINK_TEXT, plan.name)
    row_text = link.find_element(By.XPATH, "./ancestor::tr").text
    assert "青梅商工会議所" in row_text and "business_development_plan" in row_text
    link.click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table.vals"))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".box")) == n_boxes

    # the value's row, its box, and the page image under it
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table[data-table=targets] tbody tr")
               if json.loads(r.get_attribute("data-key")) == {
                   "section_no": "3", "metric": METRIC, "parent_metric": None, "fiscal_year": 2024,
                   "is_baseline": False})
    uid = row.get_attribute("data-uid")
    row.click()
    box = browser.find_element(By.ID, f"box-{uid}")
    assert "active" in box.get_attribute("class").split()
    assert "active" in row.get_attribute("class").split()
    image = browser.find_element(By.CSS_SELECTOR, f"#page-{page} img")
    _wait(browser, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image))
    # the image is rendered at 1.5 × the page's points; the box sits at the bbox, scaled alike
    page_width = float(browser.find_element(By.ID, f"page-{page}").get_attribute("data-width"))
    scale = image.rect["width"] / page_width
    assert browser.execute_script("return arguments[0].naturalWidth", image) == round(page_width * 1.5)
    drawn = box.rect
    expected = {"x": image.rect["x"] + bbox[0] * scale, "y": image.rect["y"] + bbox[1] * scale,
                "width": (bbox[2] - bbox[0]) * scale, "height": (bbox[3] - bbox[1]) * scale}
    for edge in expected:
        assert abs(drawn[edge] - expected[edge]) <= 2.5, (edge, drawn, expected)
    # the box is scrolled into view: inside the pages pane
    pane = browser.find_element(By.ID, "pages").rect
    assert pane["y"] <= drawn["y"] and drawn["y"] + drawn["height"] <= pane["y"] + pane["height"]

    # clicking another box highlights its row (the reverse link)
    other = next(b for b in browser.find_elements(By.CSS_SELECTOR, f"#page-{page} .box")
                 if b.get_attribute("data-uid") != uid)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", other)
    other.click()
    other_row = browser.find_element(By.ID, f"row-{other.get_attribute('data-uid')}")
    assert "active" in other_row.get_attribute("class").split()
    assert "active" not in row.get_attribute("class").split()

    # hovering a value on another page highlights its box and, after a short dwell, scrolls to it
    budget_row = browser.find_element(By.CSS_SELECTOR, "table[data-table=budgets] tbody tr.has-box")
    budget_box = browser.find_element(By.ID, f"box-{budget_row.get_attribute('data-uid')}")
    in_pane = "const r = arguments[0].getBoundingClientRect(), p = document.getElementById('pages')" \
              ".getBoundingClientRect(); return r.top >= p.top && r.bottom <= p.bottom"
    assert not browser.execute_script(in_pane, budget_box)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", budget_row)
    ActionChains(browser).move_to_element(budget_row).perform()
    assert "hover" in budget_box.get_attribute("class").split()
    _wait(browser, lambda d: d.execute_script(in_pane, budget_box), timeout=3)

    # correct the value in the page: double-click, type, Enter
    cell = row.find_element(By.CSS_SELECTOR, "td[data-col=value]")
    assert cell.text == "4"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    ActionChains(browser).double_click(cell).perform()
    field = cell.find_element(By.TAG_NAME, "input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("5", Keys.ENTER)
    _wait(browser, lambda d: "fixed" in cell.get_attribute("class").split())
    assert cell.text == "5" and "extracted: 4" in cell.get_attribute("title")
    assert "saved correction #1" in browser.find_element(By.ID, "banner").text
    if os.environ.get("SHOKO_SCREENSHOT"):  # docs/review.png: SHOKO_SCREENSHOT=docs/review.png pytest …
        row.click()
        browser.execute_script("document.getElementById('values').scrollLeft = 0")
        time.sleep(0.3)
        browser.save_screenshot(os.environ["SHOKO_SCREENSHOT"])
    # the page shows it as corrected after a reload too
    browser.refresh()
    cell = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f"#row-{uid} td[data-col=value]"))
    assert "fixed" in cell.get_attribute("class").split() and cell.text == "5"
    assert browser.find_element(By.ID, f"row-{uid}").find_elements(By.CSS_SELECTOR, "button.undo-btn")

    # the review reads the database per request, so an ingest can run beside it
    assert main(["ingest", str(plan), "--db", str(db), "--workers", "0", "--force"]) == 0
    out = tmp_path / "export"
    assert main(["export", "--out", str(out), "--db", str(db)]) == 0
    exported = [(t["value"], t["corrected"]) for t in pq.read_table(out / "targets.parquet").to_pylist()
                if t["metric"] == METRIC and t["fiscal_year"] == 2024]
    assert exported == [(5.0, True)]
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "query",
                             f"select value, corrected from targets where metric = '{METRIC}' and fiscal_year = 2024",
                             "--db", str(db), "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(result.stdout) == [{"value": 5.0, "corrected": True}]
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "query",
                             "select extracted_value, corrected_value, status from v_corrections",
                             "--db", str(db), "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(result.stdout) == [{"extracted_value": "4", "corrected_value": "5", "status": "applied"}]

    # undo in the page puts the extracted value back
    browser.refresh()
    row = _wait(browser, lambda d: d.find_element(By.ID, f"row-{uid}"))
    row.find_element(By.CSS_SELECTOR, "button.undo-btn").click()
    cell = row.find_element(By.CSS_SELECTOR, "td[data-col=value]")
    _wait(browser, lambda d: "fixed" not in cell.get_attribute("class").split())
    assert cell.text == "4"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT value, corrected FROM targets WHERE metric = ? AND fiscal_year = 2024",
                       [METRIC]).fetchall() == [(4.0, False)]
    con.close()

    # at 200 % page width the boxes stay on their values (and a sharper image is loaded)
    from selenium.webdriver.support.ui import Select

    width_at_100 = browser.find_element(By.CSS_SELECTOR, f"#page-{page} img").rect["width"]
    Select(browser.find_element(By.ID, "zoom")).select_by_value("200")
    image = browser.find_element(By.CSS_SELECTOR, f"#page-{page} img")
    _wait(browser, lambda d: "zoom=3" in image.get_attribute("src") and d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", image))
    assert browser.execute_script("return arguments[0].naturalWidth", image) == round(page_width * 3)
    scale = image.rect["width"] / page_width
    assert abs(image.rect["width"] - 2 * width_at_100) <= 2
    drawn = browser.find_element(By.ID, f"box-{uid}").rect
    assert abs(drawn["x"] - (image.rect["x"] + bbox[0] * scale)) <= 2.5
    assert abs(drawn["y"] - (image.rect["y"] + bbox[1] * scale)) <= 2.5
    assert abs(drawn["width"] - (bbox[2] - bbox[0]) * scale) <= 2.5
