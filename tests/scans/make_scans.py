"""Dev material for scanned documents: deterministic (seeded) scans of the dev plans.

From each business development plan in data/raw (gold: tests/fixtures/gold) it makes
four documents, and a gold file for each, copied from the source's gold (never from
the extractor):

  <stem>_scan.pdf       image-only scan: 200 dpi grayscale, rotated up to 0.5°, noise, JPEG
  <stem>_ocrlayer.pdf   the same images with an invisible text layer, as Tesseract's PDF
                        output makes it (`tesseract img out -l jpn pdf`, what ocrmypdf does)
  <stem>_pictures.pdf   born-digital, but the budget table and the largest target table
                        pasted as 150-dpi pictures (their text and rulings removed)
  <stem>_overview.pdf   the one-page 概要 (page 1), scanned; gold: the plan fields

    python tests/scans/make_scans.py OUT_DIR [--only ome_cci_2023] [--kinds scan,ocrlayer,...]

Deterministic: the same seed (from the file name) gives the same pixels.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "fixtures" / "gold"
PLANS = ("ome_cci_2023", "rumoi_cci_2025")
KINDS = ("scan", "ocrlayer", "pictures", "overview")


def seed_of(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def scanned_image(page, rng: np.random.Generator, dpi: int = 200, quality: int = 80) -> bytes:
    """One page as a scanner gives it: grayscale, slightly rotated, noisy, JPEG-compressed."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    angle = float(rng.uniform(-0.5, 0.5))
    image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * 0.92 + 12 + rng.normal(0, 9, pixels.shape)          # grey paper, sensor noise
    specks = rng.random(pixels.shape) < 0.0004                             # dust
    pixels[specks] = rng.uniform(0, 120, int(specks.sum()))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return out.getvalue()


def image_pdf(source: Path, pages: list[int], rng) -> tuple[pymupdf.Document, list[bytes]]:
    src = pymupdf.open(source)
    out = pymupdf.open()
    jpegs = []
    for index in pages:
        page = src[index]
        jpeg = scanned_image(page, rng)
        jpegs.append(jpeg)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=jpeg)
    return out, jpegs


def with_tesseract_layer(jpegs: list[bytes], target: Path) -> None:
    """Tesseract's own PDF renderer: the page image with an invisible (glyphless) text layer."""
    merged = pymupdf.open()
    with tempfile.TemporaryDirectory() as tmp:
        for n, jpeg in enumerate(jpegs):
            image = Path(tmp) / f"p{n}.jpg"
            image.write_bytes(jpeg)
            subprocess.run(["tesseract", str(image), str(Path(tmp) / f"p{n}"), "-l", "jpn", "pdf"],
                           check=True, capture_output=True)
            with pymupdf.open(Path(tmp) / f"p{n}.pdf") as part:
                merged.insert_pdf(part)
    merged.save(target, garbage=3, deflate=True)


def table_boxes(page) -> list[tuple[pymupdf.Rect, int]]:
    """Ruled tables of a born-digital page, with their cell counts (pymupdf's finder)."""
    return [(pymupdf.Rect(t.bbox), t.row_count * t.col_count) for t in page.find_tables().tables]


def paste_as_picture(page, rect: pymupdf.Rect, dpi: int = 150) -> None:
    """Replace what is drawn in rect by a picture of it, as when a table is pasted from Excel."""
    rect = rect + (-2, -2, 2, 2)
    pix = page.get_pixmap(dpi=dpi, clip=rect, alpha=False)
    png = pix.tobytes("png")
    page.add_redact_annot(rect, fill=(1, 1, 1))
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                          graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)
    page.insert_image(rect, stream=png)


def pictures_pdf(source: Path, target: Path) -> None:
    doc = pymupdf.open(source)
    budget_page = next(i for i, p in enumerate(doc) if "必要な資金" in p.get_text() and "調達方法" in p.get_text())
    budget = max(table_boxes(doc[budget_page]), key=lambda t: t[0].height)[0]
    # target tables: a baseline column (現状 / 現行) beside the years
    targets = [(i, rect, cells) for i, p in enumerate(doc) if i != budget_page
               for rect, cells in table_boxes(p) if re.search("現状|現行", p.get_text(clip=rect))]
    t_page, t_rect, _ = max(targets, key=lambda t: t[2])
    paste_as_picture(doc[budget_page], budget)
    paste_as_picture(doc[t_page], t_rect)
    doc.save(target, garbage=3, deflate=True)


def write_gold(source_stem: str, name: str, out: Path, overview_only: bool = False,
               gold_file: Path | None = None) -> None:
    """OUT/NAME.json: the source's gold (a dev plan's, or `gold_file`) renamed to NAME."""
    gold = json.loads((gold_file or GOLD / f"{source_stem}.pdf.json").read_text(encoding="utf-8"))
    gold["document"] = name
    if overview_only:
        gold = {"document": name, "kind": gold["kind"], "plan": gold["plan"]}
    (out / f"{name}.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")


def make(out: Path, plans=PLANS, kinds=KINDS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(exist_ok=True)
    made = []
    for stem in plans:
        source = RAW / f"{stem}.pdf"
        count = pymupdf.open(source).page_count
        if "scan" in kinds or "ocrlayer" in kinds:
            rng = np.random.default_rng(seed_of(stem))
            doc, jpegs = image_pdf(source, list(range(count)), rng)
            if "scan" in kinds:
                doc.save(out / f"{stem}_scan.pdf", garbage=3, deflate=True)
                made.append(out / f"{stem}_scan.pdf")
            if "ocrlayer" in kinds:
                with_tesseract_layer(jpegs, out / f"{stem}_ocrlayer.pdf")
                made.append(out / f"{stem}_ocrlayer.pdf")
        if "pictures" in kinds:
            pictures_pdf(source, out / f"{stem}_pictures.pdf")
            made.append(out / f"{stem}_pictures.pdf")
        if "overview" in kinds:
            doc, _ = image_pdf(source, [0], np.random.default_rng(seed_of(stem + "overview")))
            doc.save(out / f"{stem}_overview.pdf", garbage=3, deflate=True)
            made.append(out / f"{stem}_overview.pdf")
    for path in made:
        stem = next(s for s in plans if path.name.startswith(s))
        write_gold(stem, path.name, out / "gold", overview_only=path.name.endswith("_overview.pdf"))
    return made


# Documents of other producers (the synthetic plans' HTML-to-PDF and the synthetic 概要
# pages' own layouts, each with its generator's gold), scanned the same way: a check on
# scans the OCR rules were not written against.
OTHER_PRODUCERS = tuple(sorted((ROOT / "tests" / "synthetic_plans").glob("*.pdf"))) + tuple(
    ROOT / "tests" / "synthetic_overviews" / f"{name}.pdf"
    for name in ("ov_unruled", "ov_joint_side_by_side", "ov_stacked_labels", "ov_tight_narrow_contacts",
                 "ov_pre2019_years", "ov_hrules"))


def make_other_producers(out: Path, layer: bool = False) -> list[Path]:
    """Image-only scans of OTHER_PRODUCERS in OUT (with Tesseract's invisible text layer:
    `layer`), with their gold in OUT/gold."""
    (out / "gold").mkdir(parents=True, exist_ok=True)
    made = []
    for source in OTHER_PRODUCERS:
        count = pymupdf.open(source).page_count
        doc, jpegs = image_pdf(source, list(range(count)), np.random.default_rng(seed_of(source.stem)))
        name = f"{source.stem}_{'ocrlayer' if layer else 'scan'}.pdf"
        if layer:
            with_tesseract_layer(jpegs, out / name)
        else:
            doc.save(out / name, garbage=3, deflate=True)
        write_gold(source.stem, name, out / "gold", gold_file=source.parent / "gold" / f"{source.name}.json")
        made.append(out / name)
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", action="append", choices=PLANS)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args(argv)
    for path in make(args.out, tuple(args.only or PLANS), tuple(args.kinds.split(","))):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
