"""OCR bench: build the scanned dev documents, ingest them, score them against their gold.

    .venv/bin/python scripts/score_scans.py [--workdir DIR] [--only ome_cci_2023] [--kinds scan,...]

For each of the four kinds of tests/scans/make_scans.py (image-only scan, scan with an
invisible Tesseract text layer, born-digital with tables as pictures, one-page scanned
概要), and for `other` and `other_ocrlayer` (scans of other producers' documents, without and
with an invisible layer: the synthetic plans and six synthetic 概要 pages, scored against their
generators' gold) it prints score_gold's F1 per entity, the CPU seconds per page of the ingest (one
process, one core: `--workers 0`; also net of the fixed cost of a process, measured as an
ingest of an empty folder), the character error rate of the OCR'd text against
the born-digital page's text (and of the invisible layer itself, for comparison), and the
engine. Writes the figures to WORKDIR/results.json. The scans are cached in WORKDIR.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "scans"))

import make_scans  # noqa: E402

SCORER = Path("/work/shared/tools/score_gold.py")
if not SCORER.is_file():
    SCORER = ROOT / "tests" / "fixtures" / "score_gold.py"
SHOKO = Path(sys.executable).parent / "shoko"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (pages are a few thousand characters):
    insertions along a row are a running minimum of (best - j) + j."""
    if not a or not b:
        return max(len(a), len(b))
    codes = np.array([ord(c) for c in b])
    index = np.arange(len(b) + 1)
    row = index.copy()
    for i, ch in enumerate(a, 1):
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + (codes != ord(ch)))
        row = np.minimum.accumulate(best - index) + index
    return int(row[-1])


def page_text(lines) -> str:
    ordered = sorted(lines, key=lambda ln: (round(ln.bbox[1] / 6), ln.bbox[0]))
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(ln.text for ln in ordered)))


def cer_of(scanned: Path, source: Path) -> dict:
    """CER of the OCR'd pages (and of an invisible layer, when the PDF has one)."""
    import pymupdf

    from extractors.layout.pdf import read_pdf_layout

    truth = read_pdf_layout(source)
    read = read_pdf_layout(scanned)
    errors = chars = layer_errors = 0
    with pymupdf.open(scanned) as doc:
        for page in read.pages:
            if page.read_as not in ("ocr", "ocr+text_layer"):
                continue
            ref = page_text(truth.pages[page.number - 1].lines)
            errors += edit_distance(ref, page_text(page.lines))
            chars += len(ref)
            layer = re.sub(r"\s+", "", unicodedata.normalize("NFKC", doc[page.number - 1].get_text()))
            if layer:
                layer_errors += edit_distance(ref, layer)
    out = {"cer": round(errors / chars, 4) if chars else None}
    if layer_errors:
        out["cer_text_layer"] = round(layer_errors / chars, 4)
    return out


def classifier_ms_per_page() -> float:
    """The page classifier's cost on the born-digital sample corpus (words already read)."""
    import time

    import pymupdf

    from extractors.layout.pdf import classify_page

    pages = elapsed = 0
    for path in sorted(make_scans.RAW.glob("*.pdf")):
        with pymupdf.open(path) as doc:
            words = [page.get_text("words") for page in doc]
            started = time.perf_counter()
            for page in doc:
                classify_page(page, words[page.number])
            elapsed += time.perf_counter() - started
            pages += doc.page_count
    return round(1000 * elapsed / pages, 3)


def overall(output: str) -> str:
    return next((line for line in output.splitlines() if line.startswith("overall")), output[-300:])


def ingest_cpu_seconds(folder: Path, db: Path) -> tuple[float, subprocess.CompletedProcess]:
    """CPU seconds of `shoko ingest FOLDER --workers 0` (one process: its threads included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([str(SHOKO), "ingest", str(folder), "--db", str(db), "--workers", "0"],
                         capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), run


def process_cpu_seconds(work: Path) -> float:
    """The fixed cost of one ingest process (start-up, imports, a new database, publishing),
    paid once per process and not per page: an ingest of an empty folder."""
    folder = work / "empty"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    cpu, _ = ingest_cpu_seconds(folder, work / "empty.duckdb")
    return round(cpu, 2)


# scans of other producers' documents, made afresh in their kind's folder (make_other_producers)
OTHER_KINDS = ("other", "other_ocrlayer")


def ensure_docs(work: Path, plans: tuple[str, ...], kinds: tuple[str, ...]) -> Path:
    """The scanned documents of `plans`, made once (tests/scans/make_scans.py) and kept in WORK/docs."""
    docs = work / "docs"
    missing = [k for k in kinds for p in plans if k not in OTHER_KINDS and not (docs / f"{p}_{k}.pdf").is_file()]
    if missing:
        make_scans.make(docs, plans, tuple(sorted(set(missing), key=kinds.index)))
    return docs


def score_kinds(work: Path, plans: tuple[str, ...], kinds: tuple[str, ...], cer: bool = True,
                log=print) -> dict:
    """Per kind: score_gold's F1, CPU seconds per page of the ingest (whole process, and net
    of the process's fixed cost), CER; with the engine and the load average."""
    import pymupdf

    from extractors.layout import ocr

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core: also the tesseract command making the layers
    docs = ensure_docs(work, plans, kinds)
    fixed = process_cpu_seconds(work)
    results = {"engine": ocr.engine_name(), "classifier_ms_per_born_digital_page": classifier_ms_per_page(),
               "process_cpu_s": fixed, "plans": list(plans), "kinds": {}}
    log(f"page classifier: {results['classifier_ms_per_born_digital_page']} ms a born-digital page; "
        f"one ingest process costs {fixed} CPU s before its first page")
    for kind in kinds:
        folder = work / kind
        shutil.rmtree(folder, ignore_errors=True)
        if kind in OTHER_KINDS:
            files = make_scans.make_other_producers(folder, layer=kind == "other_ocrlayer")
            sources = {f: next(s for s in make_scans.OTHER_PRODUCERS if f.name.startswith(f"{s.stem}_")) for f in files}
        else:
            (folder / "gold").mkdir(parents=True)
            files, sources = [], {}
            for stem in plans:
                path = docs / f"{stem}_{kind}.pdf"
                shutil.copy(path, folder / path.name)
                make_scans.write_gold(stem, path.name, folder / "gold", overview_only=kind == "overview")
                files.append(path)
                sources[path] = make_scans.RAW / f"{stem}.pdf"
        db = folder / "scans.duckdb"
        cpu, run = ingest_cpu_seconds(folder, db)
        pages = sum(pymupdf.open(f).page_count for f in files)
        scored = subprocess.run([sys.executable, str(SCORER), "--db", str(db), "--gold", str(folder / "gold"),
                                 "--min-f1", "0"], capture_output=True, text=True)
        figures = {"overall": overall(scored.stdout), "pages": pages,
                   "cpu_s_per_page": round(cpu / pages, 2),
                   "net_cpu_s_per_page": round(max(cpu - fixed, 0) / pages, 2),
                   "load_average": [round(x, 2) for x in os.getloadavg()],
                   "ingest": run.stderr.strip().splitlines()[-12:]}
        if kind in ("scan", "ocrlayer", "overview", *OTHER_KINDS) and cer:
            measured = [cer_of(f, sources[f]) for f in files]
            figures["cer"] = [c.get("cer") for c in measured]
            if any("cer_text_layer" in c for c in measured):
                figures["cer_text_layer"] = [c.get("cer_text_layer") for c in measured]
        results["kinds"][kind] = figures
        (folder / "score.txt").write_text(scored.stdout, encoding="utf-8")
        log(f"{kind:9} {figures['overall']}")
        log(f"{'':9} {pages} pages, {figures['cpu_s_per_page']} CPU s/page "
            f"({figures['net_cpu_s_per_page']} net of the process's fixed cost), engine {results['engine']}"
            + (f", CER {figures['cer']}" if "cer" in figures else "")
            + (f", CER of the invisible layer {figures['cer_text_layer']}" if "cer_text_layer" in figures else "")
            + f", load average {figures['load_average']}")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "out" / "scans")
    parser.add_argument("--only", action="append", choices=make_scans.PLANS)
    parser.add_argument("--kinds", default=",".join((*make_scans.KINDS, *OTHER_KINDS)))
    parser.add_argument("--no-cer", action="store_true")
    args = parser.parse_args(argv)
    plans = tuple(args.only or make_scans.PLANS)
    results = score_kinds(args.workdir, plans, tuple(args.kinds.split(",")), cer=not args.no_cer)
    (args.workdir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
