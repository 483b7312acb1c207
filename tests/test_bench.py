"""`make bench` runs end to end (on a tiny generated corpus: this checks the script, not the speed)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_script_measures_every_figure(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_ingest.py"), "--plans", "4",
                           "--progress", "4", "--promotion", "1", "--gold-sample", "4", "--baseline-pages", "2",
                           "--repeat", "1", "--out", str(out),
                           "--ocr-kinds", "pictures"],  # (j) on its fast kind: the scans take minutes
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert results["corpus"]["plans"] == 4 and results["corpus"]["plan_pages"] >= 4 * 15
    for key in ("a_floor_pymupdf_words_pps", "a_floor_pages_per_cpu_s", "b_pdfplumber_baseline_pps"):
        assert results[key] > 0
    for run in ("c_ingest_1_worker", "c_ingest_2_workers"):
        assert results[run]["pps"] > 0 and results[run]["peak_pss_mb"] > 50
        assert results[run]["cpu_s"]["loader"] > 0 and results[run]["cpu_s"]["workers"] > 0
        assert results[run]["statuses"] == {"ok": 4}
    sizes = results["e_whole_corpus_2_workers"]
    assert len(sizes) == 3 and all(size["exit"] == 0 for size in sizes.values())
    assert 0 < results["d_reingest_unchanged_seconds"] < 60
    assert results["f_search"]["search_hits"] > 0 and results["f_search"]["dashboard_rows"] > 0
    assert results["g_score_gold_sample"].startswith("overall: F1=")
    for bomb in results["h_bombs"].values():
        assert "over the limit" in bomb["outcome"] or "the limit of a row" in bomb["outcome"]
    assert "floor/c(1)" in done.stdout
    publish = results["i_publish"]  # the bench's own search-index build changed the published file
    assert publish["seed_bytes"] > 0 and publish["publish_bytes"] >= publish["seed_bytes"] * 0.5
    assert publish["publish_seconds"] > 0 and publish["index_seconds"] > 0
    ocr = results["j_ocr"]  # the pictured tables of a dev plan, OCR'd and scored
    assert ocr["engine"].startswith("tesseract") and ocr["process_cpu_s"] > 0
    pictures = ocr["kinds"]["pictures"]
    assert pictures["overall"].startswith("overall: F1=1.0000") and pictures["pages"] == 16
    assert 0 < pictures["cpu_s_per_page"] and len(pictures["load_average"]) == 3
    assert "(j) pictures" in done.stdout
