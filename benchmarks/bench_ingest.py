"""`make bench`: how fast and how big shoko is on a national-scale corpus, on this machine.

The corpus comes from benchmarks/make_corpus.py (seeded: distinct plans written as
PDFs, progress sheets, promotion plans, gold for a sample). On the same files:

  (a) floor      pymupdf words for every page of the plans
  (a2)           the same plus Sudachi over each page's text (what a Japanese word index costs)
  (b) baseline   pdfplumber extract_words + extract_tables (the first --baseline-pages pages)
  (c) ingest     `shoko ingest` end to end, 1 worker and 2 (fresh database each): pages/s,
                 CPU seconds of the loading process and of the workers
  (d) re-ingest  a second `shoko ingest` over the unchanged corpus
  (e) peak PSS   of the ingest process tree at three corpus sizes (a quarter, a half, all)
  (f) search     search postings built from the stored terms, as for a database of an older
                 shoko (time, peak PSS), then a first and a warm search and a dashboard query
  (g) accuracy   score_gold.py on the generated gold sample
  (h) bombs      the far-corner and merge-range xlsx and a 50 MB one-row CSV: time and
                 peak memory until refused
  (i) publish    snapshot publishing of the whole corpus's database: seeding the working file
                 (a copy), syncing the search postings after a changed section, publishing
                 (checkpoint, copy, rename):
                 seconds and bytes; with --publish-to URL, the PostgreSQL mirror too
  (j) ocr        the scanned dev documents of one dev plan (tests/scans/make_scans.py, made once
                 and kept in WORKDIR/scans: image-only scan, scan with an invisible text layer,
                 born-digital with pictured tables, one-page scanned 概要) ingested with one
                 process each (scripts/score_scans.py): CPU seconds per page, CER, F1, engine.
                 `make bench-ocr` runs the same on both dev plans

Default: 150 plans + 40 progress sheets + 10 promotion plans (a few minutes);
`--national`: 2,200 plans + 1,700 progress sheets + 200 promotion plans, one run each.
Prints each figure, the ratios, the machine's load average, and writes JSON.
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
SHOKO = Path(sys.executable).parent / "shoko"
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402

PSS_EVERY_S = 1.0  # how often a sampled run's memory is read
FLOOR_CPU: list[float] = []  # pages per CPU-second of each floor run (a shared machine's wall time lies)


def measure_publish(db: Path, publish_to: str | None) -> dict:
    """Seed a working file from `db`, change one section, sync the search postings, publish."""
    from pipeline import publish, search, store

    out: dict = {}
    with publish.Snapshots(db, "bench") as snapshots:
        out["seed_seconds"], out["seed_bytes"] = snapshots.stats.seed_seconds, snapshots.stats.seed_bytes
        con = snapshots.connect()
        try:
            snapshots.mark_dirty()
            con.execute("UPDATE sections SET body = body || '。事業承継を支援する。' WHERE rowid = 0")
            started = time.perf_counter()
            search.ensure_index(con)  # the changed section's terms cut again, its postings replaced
            out["index_seconds"] = round(time.perf_counter() - started, 4)
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


def remove_database(db: Path) -> None:
    """A fresh start for a run: the database and every file an ingest keeps beside it."""
    from pipeline import publish

    paths = publish.Paths(db)
    for stale in (db, publish.wal(db), paths.working, publish.wal(paths.working), paths.state, paths.lock):
        stale.unlink(missing_ok=True)


def floor_pymupdf_words(files: list[Path]) -> float:
    cpu_started = time.process_time()
    started = time.perf_counter()
    pages = 0
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text("words")
                pages += 1
    FLOOR_CPU.append(pages / max(1e-9, time.process_time() - cpu_started))
    return pages / (time.perf_counter() - started)


def floor_with_sudachi(files: list[Path]) -> float:
    """Pages per CPU-second of pymupdf words plus Sudachi (split mode C) over each page's text:
    what any Japanese word index of these pages pays before shoko reads a table."""
    from pipeline.normalize.tokenizer import MAX_CHUNK_CHARS, prepare, tokenizer

    tokenize = tokenizer().tokenize
    cpu_started = time.process_time()
    pages = 0
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                text = prepare("\n".join(w[4] for w in page.get_text("words")))
                for start in range(0, len(text), MAX_CHUNK_CHARS):  # Sudachi's input limit
                    tokenize(text[start:start + MAX_CHUNK_CHARS])
                pages += 1
    return pages / max(1e-9, time.process_time() - cpu_started)


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


def run_ingest(corpus: list[Path], db: Path, workers: int) -> dict:
    """One `shoko ingest` run: wall time, the peak PSS of its process tree, and the CPU
    time of the loading process and of the rest of the tree (forkserver and workers, as
    last sampled: a worker's final tenth of a second may be missed)."""
    return _sampled([str(SHOKO), "ingest", *map(str, corpus), "--db", str(db), "--workers", str(workers)])


def _sampled(command: list[str]) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample():
        nonlocal peak
        last_pss = 0.0
        while not done.is_set():
            pids = descendants(process.pid)
            # CPU times every 0.1 s (a worker's are lost when it exits); PSS every second:
            # reading smaps_rollup costs ~12 ms for a 700 MB process, and ten times a second
            # that took 16 % of a core from the 2-worker run it measured (11 % slower)
            if time.monotonic() - last_pss >= PSS_EVERY_S:
                peak = max(peak, tree_pss_bytes(pids))
                last_pss = time.monotonic()
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:2])} failed ({process.returncode}):\n{err[-3000:]}")
    loader = cpu.pop(process.pid, 0.0)
    return {"seconds": round(elapsed, 3), "peak_pss_mb": round(peak / 1e6, 1), "exit": process.returncode,
            "cpu_s": {"loader": round(loader, 2), "workers": round(sum(cpu.values()), 2)},
            "stdout_tail": out.strip().splitlines()[-1] if out.strip() else "", "stderr_tail": err[-500:]}


def statuses(db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("select status, count(*) from documents group by all order by all").fetchall())
    finally:
        con.close()


def subset(folder: Path, files: list[Path], name: str) -> Path:
    """A folder of hard links to `files` (cheap: no bytes copied)."""
    target = folder / name
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = target / path.name
        if not link.exists():
            os.link(path, link)
    return target


def search_figures(db: Path) -> dict:
    """(f): build the search postings from the stored terms in a process of its own (time, peak
    PSS: what the first ingest of an older database does, the whole corpus at once), then time
    a search and a dashboard query on a read-only connection."""
    from pipeline import search, store

    con = store.connect(db)
    try:  # the ingest wrote the postings with the sections: forgotten, to be built again
        con.execute(f"DELETE FROM {search.POSTINGS}")
        con.execute(f"UPDATE {search.TABLE} SET n_terms = NULL")
        con.execute(f"DELETE FROM {search.STATE_TABLE} WHERE key = '{search.SORTED_KEY}'")
    finally:
        con.close()
    build = _sampled([sys.executable, "-c", "import sys; from pipeline import store, search; "
                      "con = store.connect(sys.argv[1], memory_limit_mb=store.ingest_memory_limit_mb()); "
                      "print(search.ensure_index(con), con.execute(f'SELECT count(*) FROM {search.POSTINGS}')"
                      ".fetchone()[0]); con.close()", str(db)])
    con = store.connect(db, read_only=True)
    try:
        started = time.perf_counter()
        hits = search.search(con, "事業承継 支援", limit=10)
        first_s = time.perf_counter() - started  # loads the Sudachi dictionary, reads the postings
        started = time.perf_counter()
        hits = search.search(con, "販路開拓 商談会", limit=10)
        search_s = time.perf_counter() - started
        started = time.perf_counter()
        rows = con.execute("SELECT indicator, fiscal_year, count(*), sum(total_value) FROM v_targets_by_indicator "
                           "GROUP BY ALL ORDER BY ALL").fetchall()
        dashboard_s = time.perf_counter() - started
    finally:
        con.close()
    return {"index_build_seconds": build["seconds"], "index_build_peak_pss_mb": build["peak_pss_mb"],
            "sections_and_postings": build["stdout_tail"], "first_search_seconds": round(first_s, 3),
            "search_seconds": round(search_s, 3),
            "search_hits": len(hits), "dashboard_query_seconds": round(dashboard_s, 3),
            "dashboard_rows": len(rows)}


def bomb_figures(work: Path) -> dict:
    """(h): each bomb read in a fresh process: seconds and peak RSS until refused."""
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile

    folder = work / "bombs"
    folder.mkdir(exist_ok=True)
    bombs = {"far_corner_xlsx": hostile.far_corner_xlsx(folder / "corner.xlsx"),
             "merge_range_xlsx": hostile.merge_bomb_xlsx(folder / "merge.xlsx"),
             "wide_row_csv_50mb": hostile.wide_row_csv(folder / "wide.csv", megabytes=50)}
    figures = {}
    code = ("import resource, sys, time; from extractors.layout.workbook import read_workbook\n"
            "t = time.perf_counter()\ntry:\n    read_workbook(sys.argv[1]); outcome = 'read'\n"
            "except Exception as exc:\n    outcome = str(exc)\n"
            # VmHWM, not ru_maxrss: that one keeps the bench's own size across fork + exec
            "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
            "print(round(time.perf_counter() - t, 3), int(hwm) // 1024, outcome, sep='\\t')")
    for name, path in bombs.items():
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT)
        seconds, rss_mb, outcome = done.stdout.strip().split("\t", 2)
        figures[name] = {"bytes": path.stat().st_size, "seconds_to_refuse": float(seconds),
                         "peak_rss_mb": int(rss_mb), "outcome": outcome}
    return figures


def score(db: Path, gold: Path) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fixtures" / "score_gold.py"),
                           "--db", str(db), "--gold", str(gold)], capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else done.stderr.strip()[-300:]


def ocr_figures(work: Path, plan: str, kinds: tuple[str, ...]) -> dict:
    """(j): scripts/score_scans.py's measurement on one dev plan's scanned documents."""
    import score_scans

    from extractors.layout import ocr

    if not ocr.ocr_available():
        print(f"(j) ocr: skipped ({ocr.INSTALL_HINT})", flush=True)
        return {"skipped": ocr.INSTALL_HINT}
    return score_scans.score_kinds(work, (plan,), kinds, log=lambda line: print(f"(j) {line}", flush=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true",
                        help="the national corpus: 2,200 plans, 1,700 progress sheets, 200 promotion plans")
    parser.add_argument("--plans", type=int, default=150, help="plans in the corpus (default: %(default)s)")
    parser.add_argument("--progress", type=int, default=40, help="progress sheets (default: %(default)s)")
    parser.add_argument("--promotion", type=int, default=10, help="promotion plans (default: %(default)s)")
    parser.add_argument("--gold-sample", type=int, default=40, help="plans with gold, scored in (g)")
    parser.add_argument("--baseline-pages", type=int, default=150,
                        help="pages for the pdfplumber baseline (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "results.json")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the corpus and databases here, and reuse a corpus made there before")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of (a) and (c), the best kept: a shared machine's noise only ever slows "
                             "a run down (default: 2, and 1 with --national)")
    parser.add_argument("--speed-sample", type=int, default=None,
                        help="plans for (a)–(c) (default: all; 400 with --national, whose whole corpus "
                             "is ingested in (e))")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out, e.g. b,h "
                        "(e takes d, f, g and i with it: they read its database)")
    parser.add_argument("--ocr-plan", default="ome_cci_2023",
                        help="the dev plan whose scans (j) reads (default: %(default)s)")
    parser.add_argument("--ocr-kinds", default="scan,ocrlayer,pictures,overview",
                        help="the kinds of scanned documents (j) reads (default: %(default)s)")
    parser.add_argument("--publish-to", default=None, metavar="URL",
                        help="also time the PostgreSQL mirror of (i) into this server (schema shoko_bench)")
    args = parser.parse_args()
    if args.national:
        args.plans, args.progress, args.promotion = 2200, 1700, 200
    repeat = args.repeat or (1 if args.national else 2)
    speed_sample = args.speed_sample or (400 if args.national else None)
    fractions = (8, 3, 1) if args.national else (4, 2, 1)
    skip = set(filter(None, args.skip.split(",")))

    work = args.workdir or Path(tempfile.mkdtemp(prefix="shoko-bench-"))
    corpus = work / "corpus"
    try:
        results: dict = {"cores": os.cpu_count(), "python": sys.version.split()[0], "pymupdf": pymupdf.VersionBind,
                         "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
        stamp = corpus / "made.json"
        wanted = {"plans": args.plans, "progress": args.progress, "promotion": args.promotion,
                  "gold": args.gold_sample, "seed": args.seed}
        if not (stamp.exists() and json.loads(stamp.read_text()).get("wanted") == wanted):
            shutil.rmtree(corpus, ignore_errors=True)
            started = time.perf_counter()
            made = make_corpus.build(corpus, args.plans, args.progress, args.promotion, args.gold_sample, args.seed)
            made["seconds"] = round(time.perf_counter() - started, 1)
            stamp.write_text(json.dumps({"wanted": wanted, "made": made}))
        made = json.loads(stamp.read_text())["made"]
        all_plans = sorted((corpus / "plans").glob("*.pdf"))
        plans = all_plans[:speed_sample] if speed_sample else all_plans
        speed_folder = subset(work, plans, "speed") if speed_sample else corpus / "plans"
        others = sorted((corpus / "progress").iterdir()) + sorted((corpus / "promotion").iterdir())
        everything = all_plans + others
        pages = made["plan_pages"] if not speed_sample else sum(pymupdf.open(p).page_count for p in plans)
        results["corpus"] = made
        print(f"corpus: {len(all_plans)} plans ({made['plan_pages']} pages; (a)–(c) on {len(plans)}: {pages} pages), {made['progress']} progress sheets, "
              f"{made['promotion']} promotion plans; made in {made.get('seconds', '?')} s; "
              f"load average {results['load_average_at_start']}", flush=True)

        results["a_floor_pymupdf_words_pps"] = round(max(floor_pymupdf_words(plans) for _ in range(repeat)), 1)
        results["a_floor_pages_per_cpu_s"] = round(max(FLOOR_CPU), 1)
        print(f"(a) pymupdf words floor      {results['a_floor_pymupdf_words_pps']:8.1f} pages/s "
              f"({results['a_floor_pages_per_cpu_s']} pages per CPU-second)", flush=True)
        results["a2_floor_with_sudachi_pages_per_cpu_s"] = round(max(floor_with_sudachi(plans) for _ in range(repeat)), 1)
        print(f"(a2) words + Sudachi floor   {results['a2_floor_with_sudachi_pages_per_cpu_s']:8.1f} pages per CPU-second",
              flush=True)
        if "b" not in skip:
            results["b_pdfplumber_baseline_pps"] = round(baseline_pdfplumber(plans, args.baseline_pages), 1)
            print(f"(b) pdfplumber baseline      {results['b_pdfplumber_baseline_pps']:8.1f} pages/s "
                  f"(first {args.baseline_pages} pages)", flush=True)

        # (c) on the plans alone (pages/s compares with the floor); the whole corpus below
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for _ in range(repeat):  # alternated, so a slow spell of the machine hits both
            for workers in runs:
                db = work / f"plans_{workers}.duckdb"
                remove_database(db)
                runs[workers].append(run_ingest([speed_folder], db, workers))
        for workers, label in ((1, "c_ingest_1_worker"), (2, "c_ingest_2_workers")):
            best = min(runs[workers], key=lambda r: r["seconds"])
            best["peak_pss_mb"] = max(r["peak_pss_mb"] for r in runs[workers])
            cpu = best["cpu_s"]["loader"] + best["cpu_s"]["workers"]
            results[label] = {**best, "pps": round(pages / best["seconds"], 1),
                              "pages_per_cpu_s": round(pages / max(cpu, 1e-9), 1),
                              "worker_pages_per_cpu_s": round(pages / max(best["cpu_s"]["workers"], 1e-9), 1),
                              "all_seconds": [r["seconds"] for r in runs[workers]],
                              "statuses": statuses(work / f"plans_{workers}.duckdb")}
            print(f"(c) shoko ingest, {workers} worker{'s' if workers > 1 else ' '}  {results[label]['pps']:8.1f} pages/s "
                  f"(best of {results[label]['all_seconds']} s, peak PSS {best['peak_pss_mb']} MB, "
                  f"CPU s {best['cpu_s']}: {results[label]['pages_per_cpu_s']} pages per CPU-second, "
                  f"{results[label]['statuses']})", flush=True)

        # (e) the whole corpus (plans, sheets, promotion plans) at three sizes, 2 workers; (d) after it.
        # Without (e) there is no whole-corpus database, so (d), (f), (g) and (i) go too.
        if "e" in skip:
            skip |= {"d", "f", "g", "i"}
        else:
            sizes = {}
            for fraction in fractions:
                chosen = everything[::fraction] if fraction > 1 else everything
                folder = subset(work, chosen, f"size_1_{fraction}") if fraction > 1 else corpus
                db = work / f"all_1_{fraction}.duckdb"
                remove_database(db)
                run = run_ingest([folder], db, 2)
                sizes[f"{len(chosen)} files"] = {"peak_pss_mb": run["peak_pss_mb"], "seconds": run["seconds"],
                                                 "exit": run["exit"], "statuses": statuses(db),
                                                 "cpu_s": run["cpu_s"]}
                print(f"(e) whole corpus, {len(chosen):5d} files: {run['seconds']:7.1f} s, peak PSS "
                      f"{run['peak_pss_mb']} MB, exit {run['exit']}, {statuses(db)}", flush=True)
            results["e_whole_corpus_2_workers"] = sizes
            full_db = work / "all_1_1.duckdb"

            again = run_ingest([corpus], full_db, 2)
            results["d_reingest_unchanged_seconds"] = again["seconds"]
            print(f"(d) re-ingest unchanged      {again['seconds']:8.2f} s for {len(everything)} files", flush=True)

        if "f" not in skip:
            results["f_search"] = search_figures(full_db)
            print(f"(f) search index             {results['f_search']}", flush=True)
        if "g" not in skip:
            results["g_score_gold_sample"] = score(full_db, corpus / "gold")
            print(f"(g) score_gold on the sample {results['g_score_gold_sample']}", flush=True)
        if "h" not in skip:
            results["h_bombs"] = bomb_figures(work)
            for name, figure in results["h_bombs"].items():
                print(f"(h) {name:18} {figure['bytes']:>10,} bytes: refused in {figure['seconds_to_refuse']} s, "
                      f"peak RSS {figure['peak_rss_mb']} MB", flush=True)
        if "i" not in skip:
            results["i_publish"] = p = measure_publish(full_db, args.publish_to)
            print(f"(i) publish: seed copy {p['seed_seconds']} s / {(p['seed_bytes'] or 0) / 1e6:.0f} MB, "
                  f"index {p['index_seconds']} s, publish {p['publish_seconds']:.2f} s / "
                  f"{p['publish_bytes'] / 1e6:.0f} MB ({p['copy_mb_per_s']} MB/s)"
                  + (f", PostgreSQL mirror {p['postgres_seconds']:.1f} s / {p['postgres_rows']} rows"
                     if "postgres_seconds" in p else ""), flush=True)

        if "j" not in skip:
            results["j_ocr"] = ocr_figures(work / "scans", args.ocr_plan, tuple(args.ocr_kinds.split(",")))

        c1 = results["c_ingest_1_worker"]["pps"]
        results["ratio_floor_over_c1"] = round(results["a_floor_pymupdf_words_pps"] / c1, 2)
        if "b_pdfplumber_baseline_pps" in results:
            results["ratio_c1_over_baseline"] = round(c1 / results["b_pdfplumber_baseline_pps"], 1)
        results["scaling_2_over_1"] = round(results["c_ingest_2_workers"]["pps"] / c1, 2)
        # the same ratio in CPU time: what a quiet machine's wall clock would show
        results["ratio_floor_over_c1_cpu"] = round(results["a_floor_pages_per_cpu_s"]
                                                   / results["c_ingest_1_worker"]["pages_per_cpu_s"], 2)
        results["ratio_sudachi_floor_over_c1_cpu"] = round(results["a2_floor_with_sudachi_pages_per_cpu_s"]
                                                           / results["c_ingest_1_worker"]["pages_per_cpu_s"], 2)
        results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        print(f"floor/c(1) = {results['ratio_floor_over_c1']}× (in CPU time {results['ratio_floor_over_c1_cpu']}×; "
              f"the words + Sudachi floor {results['ratio_sudachi_floor_over_c1_cpu']}×)"
              f"   c(1)/pdfplumber = "
              f"{results.get('ratio_c1_over_baseline', '-')}×   c(2)/c(1) = {results['scaling_2_over_1']}×   "
              f"load average {results['load_average_at_start']} → {results['load_average_at_end']}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"figures written to {args.out}")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
