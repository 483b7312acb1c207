"""`make bench`: how fast shoko ingests a national-scale corpus of plan PDFs, on this machine.

Builds a corpus by copying the plan fixtures N times with distinct bytes (a changed
metadata field, so every copy has its own doc_id), then measures on the same files:

  (a) floor      pymupdf words for every page
  (b) baseline   pdfplumber extract_words + extract_tables (on the first --baseline-pages
                 pages: at ~10 pages/s the whole corpus would take minutes)
  (c) ingest     `shoko ingest` end to end, 1 worker and all cores (fresh database each)
  (d) re-ingest  a second `shoko ingest` over the unchanged corpus
  (e) peak RSS   of (c), the ingest process tree sampled from /proc, at two corpus sizes
  (f) publish    snapshot publishing at national size: the database of (c) replicated to
                 --national-docs documents; seeding the working file (a copy), rebuilding
                 the search index, publishing (checkpoint, copy, rename): seconds and bytes;
                 with --publish-to URL, the PostgreSQL mirror too

Prints pages/s for each, the ratios c/a and c/b, and writes the figures to JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
PLANS = [ROOT / "data" / "raw" / "ome_cci_2023.pdf", ROOT / "data" / "raw" / "rumoi_cci_2025.pdf"]
SHOKO = Path(sys.executable).parent / "shoko"


def build_corpus(folder: Path, min_pages: int) -> tuple[list[Path], int]:
    """Copies of the plan fixtures, each with its own bytes, until the corpus has min_pages."""
    folder.mkdir(parents=True, exist_ok=True)
    files, pages, copy = [], 0, 0
    sources = [(p, pymupdf.open(p)) for p in PLANS]
    while pages < min_pages:
        for path, doc in sources:
            doc.set_metadata({**doc.metadata, "subject": f"benchmark copy {copy}"})
            target = folder / f"{path.stem}_copy{copy:04d}.pdf"
            target.write_bytes(doc.tobytes())
            files.append(target)
            pages += doc.page_count
        copy += 1
    return files, pages


def national_database(source: Path, target: Path, documents: int) -> dict:
    """The database of (c) replicated (new doc_ids, labels tagged per copy, so the copies
    do not all match each other in cross-document views) to about `documents` documents."""
    import duckdb

    from pipeline import store

    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = store.connect(target)
    con.execute("SET memory_limit = '1GB'")
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    have = con.execute("SELECT count(*) FROM src.documents").fetchone()[0]
    copies = max(1, -(-documents // max(1, have)))
    tagged = {"progress": ("project", "measure", "metric"), "targets": ("metric",)}
    con.execute("BEGIN")
    for table in [*store.CONTRACT_TABLES, "section_tokens"]:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' AND table_name = ? "
            "ORDER BY column_index", [table]).fetchall()]
        exprs = []
        for c in columns:
            if c == "doc_id":
                exprs.append("CASE WHEN k = 0 THEN doc_id ELSE md5(doc_id || k::VARCHAR) END")
            elif table == "section_tokens" and c == "id":
                exprs.append("row_number() OVER ()")
            elif c in tagged.get(table, ()):
                exprs.append(f"CASE WHEN k = 0 THEN {c} ELSE 'c' || k || '_' || {c} END")
            else:
                exprs.append(c)
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
                    f"FROM src.{table}, range({copies}) r(k)")
    con.execute("COMMIT")
    start = con.execute("SELECT coalesce(max(id), 0) + 1 FROM section_tokens").fetchone()[0]
    con.execute(f"DROP SEQUENCE section_tokens_ids; CREATE SEQUENCE section_tokens_ids START {start}")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "sections", "targets")}
    con.close()
    duckdb.connect(str(target)).execute("CHECKPOINT").close()
    return counts


def measure_publish(db: Path, publish_to: str | None) -> dict:
    """Seed a working file from `db`, change one row, rebuild the index, publish."""
    from pipeline import publish, search, store

    out: dict = {}
    with publish.Snapshots(db, "bench") as snapshots:
        out["seed_seconds"], out["seed_bytes"] = snapshots.stats.seed_seconds, snapshots.stats.seed_bytes
        con = snapshots.connect()
        try:
            snapshots.mark_dirty()
            con.execute("UPDATE documents SET file_mtime = file_mtime + 1 WHERE rowid = 0")
            con.execute(f"SET memory_limit = '{store.INDEX_MEMORY_LIMIT}'")
            started = time.perf_counter()
            search.ensure_index(con)
            out["index_seconds"] = round(time.perf_counter() - started, 2)
            snapshots.publish(con)
        finally:
            con.close()
        out["publish_seconds"], out["publish_bytes"] = snapshots.stats.seconds, snapshots.stats.bytes
    out["copy_mb_per_s"] = round(out["publish_bytes"] / 1e6 / max(out["publish_seconds"], 1e-6), 1)
    if publish_to:
        from pipeline import postgres_mirror

        mirror = postgres_mirror.publish(db, publish_to, "shoko_bench")
        out["postgres_seconds"], out["postgres_rows"] = mirror.seconds, mirror.rows
    return out


def floor_pymupdf_words(files: list[Path]) -> float:
    started = time.perf_counter()
    pages = 0
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text("words")
                pages += 1
    return pages / (time.perf_counter() - started)


def baseline_pdfplumber(files: list[Path], max_pages: int) -> float:
    import pdfplumber

    started = time.perf_counter()
    pages = 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
                page.extract_tables()
                pages += 1
                if pages >= max_pages:
                    return pages / (time.perf_counter() - started)
    return pages / (time.perf_counter() - started)


def _pss_kb(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """The process and everything it started, from /proc/<pid>/task/*/children (Linux)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                stack.extend(int(child) for child in task.read_text().split())
            except OSError:
                pass
    return found


def tree_pss_bytes(pids: list[int]) -> int:
    """Memory of a process tree: the sum of its processes' proportional set sizes (PSS),
    so pages the forked workers share with the forkserver (the Sudachi dictionary,
    imported modules) are counted once, not once per process. Only the ingest's own
    process tree is read, so sampling takes little of the CPU it measures."""
    return sum(_pss_kb(str(pid)) * 1024 for pid in pids)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc/<pid>/stat (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_ingest(corpus: Path, db: Path, workers: int) -> dict:
    """One `shoko ingest` run: wall time, the peak memory of its process tree, and the CPU
    time of the loading process and of the rest of the tree (forkserver and workers, as
    last sampled: a worker's final tenth of a second may be missed)."""
    started = time.perf_counter()
    process = subprocess.Popen([str(SHOKO), "ingest", str(corpus), "--db", str(db), "--workers", str(workers)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            pids = descendants(process.pid)
            peak = max(peak, tree_pss_bytes(pids))
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"shoko ingest failed ({process.returncode}):\n{out}")
    loader = cpu.pop(process.pid, 0.0)
    return {"seconds": round(elapsed, 3), "peak_rss_mb": round(peak / 1e6, 1),
            "cpu_s": {"loader": round(loader, 2), "workers": round(sum(cpu.values()), 2)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="corpus size in pages (default: %(default)s)")
    parser.add_argument("--baseline-pages", type=int, default=150,
                        help="pages for the pdfplumber baseline (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "results.json")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpus here (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of (a) and (c), the best kept: a shared machine's noise only ever slows "
                             "a run down (default: %(default)s)")
    parser.add_argument("--national-docs", type=int, default=2000,
                        help="documents in the national-size database of (f) (default: %(default)s)")
    parser.add_argument("--publish-to", default=None, metavar="URL",
                        help="also time the PostgreSQL mirror of (f) into this server (schema shoko_bench)")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    work = args.workdir or Path(tempfile.mkdtemp(prefix="shoko-bench-"))
    try:
        results: dict = {"cores": cores, "python": sys.version.split()[0], "pymupdf": pymupdf.VersionBind}
        small_files, small_pages = build_corpus(work / "small", max(1, args.pages // 4))
        files, pages = build_corpus(work / "corpus", args.pages)
        results.update(files=len(files), pages=pages)
        print(f"corpus: {len(files)} files, {pages} pages; {cores} cores", flush=True)

        results["a_floor_pymupdf_words_pps"] = round(max(floor_pymupdf_words(files) for _ in range(args.repeat)), 1)
        print(f"(a) pymupdf words floor      {results['a_floor_pymupdf_words_pps']:8.1f} pages/s", flush=True)
        results["b_pdfplumber_baseline_pps"] = round(baseline_pdfplumber(files, args.baseline_pages), 1)
        print(f"(b) pdfplumber baseline      {results['b_pdfplumber_baseline_pps']:8.1f} pages/s "
              f"(first {args.baseline_pages} pages)", flush=True)

        runs: dict[int, list[dict]] = {1: [], cores: []}
        for _ in range(args.repeat):  # alternated, so a slow spell of the machine hits both
            for workers in runs:
                db = work / f"ingest_{workers}.duckdb"
                for suffix in ("", ".wal", ".ingest", ".ingest.wal", ".ingest.json"):
                    db.with_name(db.name + suffix).unlink(missing_ok=True)
                runs[workers].append(run_ingest(work / "corpus", db, workers))
        one = min(runs[1], key=lambda r: r["seconds"])
        many = min(runs[cores], key=lambda r: r["seconds"])
        many["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs[cores])
        one["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs[1])
        results["c_ingest_1_worker"] = {**one, "pps": round(pages / one["seconds"], 1),
                                        "all_seconds": [r["seconds"] for r in runs[1]]}
        print(f"(c) shoko ingest, 1 worker   {results['c_ingest_1_worker']['pps']:8.1f} pages/s "
              f"(best of {[r['seconds'] for r in runs[1]]} s, peak RSS {one['peak_rss_mb']} MB, "
              f"CPU s {one['cpu_s']})", flush=True)
        results["c_ingest_all_cores"] = {**many, "pps": round(pages / many["seconds"], 1), "workers": cores,
                                         "all_seconds": [r["seconds"] for r in runs[cores]]}
        print(f"(c) shoko ingest, {cores} workers  {results['c_ingest_all_cores']['pps']:8.1f} pages/s "
              f"(best of {[r['seconds'] for r in runs[cores]]} s, peak RSS {many['peak_rss_mb']} MB, "
              f"CPU s {many['cpu_s']})", flush=True)

        again = run_ingest(work / "corpus", work / f"ingest_{cores}.duckdb", cores)
        results["d_reingest_unchanged_seconds"] = again["seconds"]
        print(f"(d) re-ingest unchanged      {again['seconds']:8.2f} s for {len(files)} files", flush=True)

        small = run_ingest(work / "small", work / "small.duckdb", cores)
        results["e_peak_rss_mb"] = {f"{small_pages} pages": small["peak_rss_mb"],
                                    f"{pages} pages": many["peak_rss_mb"]}
        print(f"(e) peak RSS                 {small['peak_rss_mb']} MB at {small_pages} pages, "
              f"{many['peak_rss_mb']} MB at {pages} pages", flush=True)

        national = work / "national.duckdb"
        counts = national_database(work / f"ingest_{cores}.duckdb", national, args.national_docs)
        results["f_publish"] = {**counts, **measure_publish(national, args.publish_to)}
        f = results["f_publish"]
        print(f"(f) publish at {counts['documents']} documents ({counts['sections']} sections): seed copy "
              f"{f['seed_seconds']:.2f} s / {f['seed_bytes'] / 1e6:.0f} MB, search index {f['index_seconds']:.1f} s, "
              f"publish {f['publish_seconds']:.2f} s / {f['publish_bytes'] / 1e6:.0f} MB "
              f"({f['copy_mb_per_s']} MB/s)"
              + (f", PostgreSQL mirror {f['postgres_seconds']:.1f} s" if "postgres_seconds" in f else ""), flush=True)

        c1 = results["c_ingest_1_worker"]["pps"]
        results["ratio_floor_over_c1"] = round(results["a_floor_pymupdf_words_pps"] / c1, 2)
        results["ratio_c1_over_baseline"] = round(c1 / results["b_pdfplumber_baseline_pps"], 1)
        results["scaling_all_cores_over_1"] = round(results["c_ingest_all_cores"]["pps"] / c1, 2)
        print(f"floor/c(1) = {results['ratio_floor_over_c1']}×   c(1)/pdfplumber = "
              f"{results['ratio_c1_over_baseline']}×   c({cores})/c(1) = {results['scaling_all_cores_over_1']}×")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))
        print(f"figures written to {args.out}")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
