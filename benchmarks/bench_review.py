"""How fast `shoko review` answers on a national-size database.

Ingests data/raw, then copies every row of it under new doc_ids until the database
holds `--documents` documents (the national corpus is about 2,200 chambers' plans plus
their municipalities' plans and progress reports), and times the review's pages through
Flask's test client (the server's own work, without the network): the documents list
with its filters and one page of it, a 16-page plan's page, and a page image, rendered
and then cached.

    .venv/bin/python benchmarks/bench_review.py [--documents 10000] [--workdir DIR]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import store  # noqa: E402
from pipeline.cli import main as shoko  # noqa: E402
from pipeline.review.app import create_app  # noqa: E402


def build(db: Path, documents: int) -> dict:
    assert shoko(["ingest", str(ROOT / "data" / "raw"), "--db", str(db), "--workers", "0"]) == 0
    con = store.connect(db)
    con.execute("SET memory_limit = '1GB'")  # the copy, not the review, needs it
    base = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    copies = max(1, -(-documents // base))
    con.execute(f"CREATE TEMP TABLE n AS SELECT range AS i FROM range(1, {copies})")

    def columns(table, skip=("doc_id",)):
        return [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall() if c[0] not in skip]

    named = ("doc_id", "source_path", "file_name")
    con.execute(f"INSERT INTO documents SELECT doc_id || '-' || i, source_path || '-' || i, file_name || '-' || i, "
                f"{', '.join(columns('documents', named))} FROM documents, n")
    for table in store.CONTRACT_TABLES:
        if table != "documents":
            con.execute(f"INSERT INTO {table} SELECT doc_id || '-' || i, {', '.join(columns(table))} FROM {table}, n")
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "targets", "progress")}
    plan = con.execute("SELECT doc_id FROM documents WHERE file_name = 'ome_cci_2023.pdf'").fetchone()[0]
    con.close()
    return {"counts": counts, "plan": plan}


def timed(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="shoko-bench-review-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "review.duckdb"
    db.unlink(missing_ok=True)
    built = build(db, args.documents)
    client = create_app(db, work / "cache").test_client()
    plan = built["plan"]
    started = time.perf_counter()
    assert client.get(f"/doc/{plan}/page/5.png").status_code == 200
    first_render = time.perf_counter() - started
    results = {
        "database": built["counts"],
        "documents list": timed(client, "/", args.repeat),
        "documents list, to review only": timed(client, "/?needs_review=1", args.repeat),
        "documents list, a kind, page 3": timed(client, "/?kind=progress_report&page=3", args.repeat),
        "plan page (16 pages, 104 values)": timed(client, f"/doc/{plan}", args.repeat),
        "page image, first render": first_render,
        "page image, cached": timed(client, f"/doc/{plan}/page/5.png", args.repeat),
    }
    for name, value in results.items():
        print(f"{name:40} {value if isinstance(value, dict) else f'{value * 1000:.0f} ms'}")
    (ROOT / "benchmarks" / "out").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "out" / "review.json").write_text(json.dumps(results, indent=1))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
