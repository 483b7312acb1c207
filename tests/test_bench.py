"""`make bench` runs end to end (on a tiny corpus: this checks the script, not the speed)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_script_measures_every_figure(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_ingest.py"), "--pages", "40",
                           "--baseline-pages", "2", "--repeat", "1", "--national-docs", "40", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert results["pages"] >= 40 and results["files"] == 4
    for key in ("a_floor_pymupdf_words_pps", "b_pdfplumber_baseline_pps"):
        assert results[key] > 0
    for run in ("c_ingest_1_worker", "c_ingest_all_cores"):
        assert results[run]["pps"] > 0 and results[run]["peak_rss_mb"] > 50
        assert results[run]["cpu_s"]["loader"] > 0 and results[run]["cpu_s"]["workers"] > 0
    assert 0 < results["d_reingest_unchanged_seconds"] < 60
    assert len(results["e_peak_rss_mb"]) == 2
    assert results["scaling_all_cores_over_1"] > 0
    assert "floor/c(1)" in done.stdout
    publish = results["f_publish"]
    assert publish["documents"] >= 40 and publish["sections"] > publish["documents"]
    assert publish["seed_bytes"] > 0 and publish["publish_bytes"] >= publish["seed_bytes"] * 0.5
    assert publish["publish_seconds"] > 0 and publish["index_seconds"] > 0
