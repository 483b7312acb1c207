"""Broken and hostile input files, generated from the fixtures (for tests and `make fuzz`).

Every generator writes into a folder and returns the paths it made. Nothing here is
stored in the repository: the files are cheap to make and some are large once made
(a 2,000-page PDF, a zip bomb). `hostile_corpus(folder)` makes them all and returns
{file name: expectation}, where an expectation names the statuses the file may get.
"""
from __future__ import annotations

import io
import os
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
OME_PLAN = RAW / "ome_cci_2023.pdf"
RUMOI_PLAN = RAW / "rumoi_cci_2025.pdf"
PROMOTION_PLAN = RAW / "akiruno_promotion_plan_ch3.pdf"
PROGRESS_XLSX = RAW / "akiruno_progress_r7.xlsx"
PROGRESS_PDF = RAW / "akiruno_progress_r7.pdf"

VALID_STATUSES = {"ok", "partial", "failed", "needs_ocr", "skipped"}  # skipped: no known kind
NOT_OK = {"partial", "failed", "needs_ocr"}


@dataclass(frozen=True)
class Expect:
    """Statuses a hostile file may end with, and a phrase its error must contain (if any)."""

    statuses: frozenset
    phrase: str = ""


def expect(*statuses: str, phrase: str = "") -> Expect:
    return Expect(frozenset(statuses or VALID_STATUSES), phrase)


# --- byte-level ---------------------------------------------------------------------

def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def truncated(data: bytes, fraction: float) -> bytes:
    return data[: max(1, int(len(data) * fraction))]


def relabelled_pdf(source: Path) -> bytes:
    """The same PDF with a comment after %%EOF: still valid, but other bytes (another doc_id)."""
    return source.read_bytes() + b"\n% a copy saved under another name\n"


def relabelled_zip(source: Path) -> bytes:
    """The same xlsx with a zip comment: still valid, other bytes."""
    buffer = io.BytesIO(source.read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = b"a copy saved under another name"
    return buffer.getvalue()


# --- PDFs -----------------------------------------------------------------------------

def encrypted_pdf(source: Path, target: Path, user_pw: str | None) -> Path:
    doc = pymupdf.open(source)
    permissions = pymupdf.PDF_PERM_PRINT | pymupdf.PDF_PERM_ACCESSIBILITY  # no copy, no edit
    doc.save(target, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner-secret",
             user_pw=user_pw or "", permissions=permissions)
    return target


def many_pages_pdf(target: Path, pages: int) -> Path:
    """`pages` copies of one small page, made by doubling (cheap: pages share their content)."""
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    page.insert_text((20, 100), "page", fontsize=12)
    while doc.page_count < pages:
        copy = pymupdf.open("pdf", doc.tobytes())
        doc.insert_pdf(copy, to_page=min(copy.page_count, pages - doc.page_count) - 1)
    doc.save(target, garbage=1)
    return target


def image_only_pdf(target: Path, kind: str, seed: int = 0) -> Path:
    """A page holding only an image: 'blank' (white) or 'noise' (random grey pixels)."""
    width = height = 120
    if kind == "noise":
        samples = random_bytes(width * height, seed)
    else:
        samples = b"\xff" * (width * height)
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, width, height, samples, False)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(pymupdf.Rect(50, 50, 545, 545), pixmap=pixmap)
    doc.save(target)
    return target


def _fixture_text(source: Path, max_chars: int) -> str:
    text = "".join(page.get_text() for page in pymupdf.open(source))
    return re.sub(r"\s+", "", text)[:max_chars]


def glyph_soup_pdf(target: Path, source: Path, mode: str, seed: int = 0) -> Path:
    """A fixture's text, shuffled, as one very long line ('line') or all glyphs on one spot ('pile')."""
    chars = list(_fixture_text(source, 4000))
    random.Random(seed).shuffle(chars)
    doc = pymupdf.open()
    if mode == "line":
        page = doc.new_page(width=14000, height=200)
        page.insert_text((10, 100), "".join(chars), fontsize=3, fontname="japan")
    else:
        page = doc.new_page(width=595, height=842)
        for ch in chars[:1500]:
            page.insert_text((100, 100), ch, fontsize=10, fontname="japan")
    doc.save(target)
    return target


def deleted_objects_pdf(source: Path, target: Path, what: str) -> Path:
    """A fixture with objects nulled: 'contents' (page content streams) or 'fonts'."""
    doc = pymupdf.open(source)
    for page in list(doc)[::2]:
        if what == "contents":
            xrefs = page.get_contents()
        else:
            xrefs = [font[0] for font in page.get_fonts(full=False)]
        for xref in xrefs:
            doc.update_object(xref, "null")
    doc.save(target)
    return target


def deleted_pages_tree_pdf(source: Path, target: Path) -> bytes:
    """Raw bytes of a fixture with the page tree object removed (renamed `obj` → `xbj`)."""
    doc = pymupdf.open(source)
    pages_xref = doc.pdf_catalog()
    root = doc.xref_get_key(pages_xref, "Pages")[1]  # e.g. '3 0 R'
    data = doc.tobytes(garbage=0, use_objstms=0, deflate=False)
    number = root.split()[0].encode()
    data = re.sub(rb"(?m)^" + number + rb" 0 obj", number + b" 0 xbj", data, count=1)
    target.write_bytes(data)
    return target


def zero_pages_pdf() -> bytes:
    """A syntactically valid PDF whose page tree is empty (pymupdf refuses to save one)."""
    body = [b"%PDF-1.4\n"]
    offsets = []
    for obj in (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"):
        offsets.append(sum(map(len, body)))
        body.append(f"{len(offsets)} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref_at = sum(map(len, body))
    body.append(b"xref\n0 3\n0000000000 65535 f \n")
    body.extend(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body.append(f"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return b"".join(body)


def huge_page_pdf(target: Path) -> Path:
    """One 14,400 pt square page (the largest PDF allows), with a line of text in a corner."""
    doc = pymupdf.open()
    page = doc.new_page(width=14400, height=14400)
    page.insert_text((14000, 14300), "目標 令和5年度 10件", fontsize=8, fontname="japan")
    doc.save(target)
    return target


# --- spreadsheets ---------------------------------------------------------------------

_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _replace_sheet(source: Path, target: Path, write_sheet) -> Path:
    """A copy of an xlsx whose first worksheet XML is streamed by `write_sheet(handle)`."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        sheets = sorted(n for n in src.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
        for info in src.infolist():
            if info.filename == sheets[0]:
                entry = zipfile.ZipInfo(info.filename)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with out.open(entry, "w", force_zip64=True) as handle:
                    write_sheet(handle)
            else:
                out.writestr(info, src.read(info.filename))
    return target


def _write_rows(handle, rows, batch: int = 20000) -> None:
    """Stream row XML in batches, so a million-row sheet never sits in memory whole."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            handle.write("".join(chunk).encode())
            chunk = []
    handle.write("".join(chunk).encode())


def empty_formatted_rows_xlsx(target: Path, rows: int = 1_000_000, source: Path = PROGRESS_XLSX) -> Path:
    """A header row, then `rows` rows of cells with a style (a border, a format) but no value."""
    def write(handle):
        handle.write(_SHEET_HEAD)
        handle.write(f'<dimension ref="A1:C{rows + 1}"/><sheetData>'.encode())
        handle.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>header</t></is></c></row>')
        _write_rows(handle, (f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
                             for r in range(2, rows + 2)))
        handle.write(b"</sheetData></worksheet>")
    return _replace_sheet(source, target, write)


def zip_bomb_xlsx(target: Path, megabytes: int = 300, source: Path = PROGRESS_XLSX) -> Path:
    """A sheet whose XML inflates to `megabytes` MB (blank padding compresses ~1000:1)."""
    def write(handle):
        handle.write(_SHEET_HEAD + b"<sheetData>")
        block = b" " * (1 << 20)
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</sheetData></worksheet>")
    return _replace_sheet(source, target, write)


def no_dimension_bomb_xlsx(target: Path, rows: int = 400_000, source: Path = PROGRESS_XLSX) -> Path:
    """Many valued cells and no <dimension> element, so the size check cannot read a span."""
    def write(handle):
        handle.write(_SHEET_HEAD + b"<sheetData>")
        _write_rows(handle, (f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'
                             for r in range(1, rows + 1)))
        handle.write(b"</sheetData></worksheet>")
    return _replace_sheet(source, target, write)


def far_corner_xlsx(target: Path, source: Path = PROGRESS_XLSX) -> Path:
    """The progress workbook (11 KB) with one more cell, at the sheet's last corner XFD1048576:
    a reader that walks the sheet's extent meets 17 billion cells."""
    def write(handle):
        handle.write(_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>header</t></is></c></row>'
                     b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    return _replace_sheet(source, target, write)


def merge_bomb_xlsx(target: Path, source: Path = PROGRESS_XLSX) -> Path:
    """The progress workbook with a single merge range T1:XFD1048576 (openpyxl makes an
    object for each of the 17 billion cells it covers)."""
    def write(handle):
        handle.write(_SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>header</t></is></c></row>'
                     b'</sheetData><mergeCells count="1"><mergeCell ref="T1:XFD1048576"/></mergeCells></worksheet>')
    return _replace_sheet(source, target, write)


def wide_row_csv(target: Path, megabytes: int = 50) -> Path:
    """One CSV row of `megabytes` MB: 25 million one-digit fields for 50 MB."""
    with target.open("wb") as handle:
        handle.write("方向性,実施事業\n".encode())
        block = b"1," * (1 << 19)  # 1 MB
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"1\n")
    return target


def cp932_csv() -> bytes:
    text = ("方向性,個別施策,実施事業,単位,令和5年度目標,令和5年度実績\n"
            "産業振興,創業支援,創業セミナー（参加者数）,人,30,25\n"
            "産業振興,販路開拓,商談会（件数）,件,10,12\n")
    return text.encode("cp932")


# --- the corpus -------------------------------------------------------------------------

def _write(folder: Path, name: str | bytes, data: bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name if isinstance(name, bytes)
                                         else os.fsencode(name))))
    path.write_bytes(data)
    return path


# A cp932-encoded file name (not valid UTF-8): Python sees it with surrogate escapes.
CP932_NAME = "進捗_令和5年度.csv".encode("cp932")


def hostile_corpus(folder: Path) -> dict[str, Expect]:
    """Make every hostile file in `folder`; {file name as listed by os.listdir: expectation}."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, Expect] = {}

    def add(name: str | bytes, data: bytes | None, expectation: Expect):
        if data is not None:
            _write(folder, name, data)
        made[os.fsdecode(name) if isinstance(name, bytes) else name] = expectation

    pdf, xlsx = PROMOTION_PLAN.read_bytes(), PROGRESS_XLSX.read_bytes()
    add("empty.pdf", b"", expect("failed", phrase="empty file"))
    add("empty.xlsx", b"", expect("failed", phrase="empty file"))
    add("empty.csv", b"", expect("failed", phrase="empty file"))
    for fraction in (0.02, 0.25, 0.5, 0.75, 0.98):
        add(f"truncated_{int(fraction * 100):02d}.pdf", truncated(pdf, fraction), expect())
    # the same cuts in a PDF without object streams: MuPDF's repair recovers the early pages
    flat = pymupdf.open(OME_PLAN).tobytes(garbage=0, use_objstms=0)
    for fraction in (0.6, 0.9):
        add(f"truncated_flat_{int(fraction * 100):02d}.pdf", truncated(flat, fraction), expect())
    add("spliced.pdf", flat[: len(flat) * 4 // 10] + flat[len(flat) // 2:], expect())  # a tenth cut out
    for fraction in (0.3, 0.9):
        add(f"truncated_{int(fraction * 100):02d}.xlsx", truncated(xlsx, fraction),
            expect("failed", phrase="zip"))
    add("random.pdf", random_bytes(50_000, 1), expect("failed", phrase="not a PDF"))
    add("random.xlsx", random_bytes(50_000, 2), expect("failed", phrase="not an Excel"))
    add("random.xls", random_bytes(50_000, 3), expect("failed"))
    add("random_pdf_header.pdf", b"%PDF-1.7\n" + random_bytes(50_000, 4), expect("failed"))
    add("ole_header.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(5000, 5),
        expect("failed", phrase="not an Excel"))
    encrypted_pdf(PROGRESS_PDF, folder / "encrypted_user_pw.pdf", user_pw="secret")
    add("encrypted_user_pw.pdf", None, expect("failed", phrase="password"))
    encrypted_pdf(PROGRESS_PDF, folder / "encrypted_owner_only.pdf", user_pw=None)
    add("encrypted_owner_only.pdf", None, expect("ok"))  # opens without a password: read normally
    image_only_pdf(folder / "image_blank.pdf", "blank")
    add("image_blank.pdf", None, expect("needs_ocr", phrase="no text layer"))
    image_only_pdf(folder / "image_noise.pdf", "noise", seed=6)
    add("image_noise.pdf", None, expect())
    many_pages_pdf(folder / "pages_2000.pdf", 2000)
    add("pages_2000.pdf", None, expect("failed", phrase="too many pages"))
    add("zero_pages.pdf", zero_pages_pdf(), expect())
    huge_page_pdf(folder / "huge_page.pdf")
    add("huge_page.pdf", None, expect())
    glyph_soup_pdf(folder / "soup_line.pdf", OME_PLAN, "line", seed=7)
    add("soup_line.pdf", None, expect())
    glyph_soup_pdf(folder / "soup_pile.pdf", OME_PLAN, "pile", seed=8)
    add("soup_pile.pdf", None, expect())
    deleted_objects_pdf(PROMOTION_PLAN, folder / "deleted_contents.pdf", "contents")
    add("deleted_contents.pdf", None, expect())
    deleted_objects_pdf(PROMOTION_PLAN, folder / "deleted_fonts.pdf", "fonts")
    add("deleted_fonts.pdf", None, expect())
    deleted_pages_tree_pdf(PROGRESS_PDF, folder / "deleted_page_tree.pdf")
    add("deleted_page_tree.pdf", None, expect())
    zip_bomb_xlsx(folder / "zip_bomb.xlsx")
    add("zip_bomb.xlsx", None, expect("failed", phrase="uncompressed"))
    empty_formatted_rows_xlsx(folder / "empty_rows_1m.xlsx")
    add("empty_rows_1m.xlsx", None, expect("skipped"))  # read fast (empty cells dropped); of no known kind
    no_dimension_bomb_xlsx(folder / "no_dimension_cells.xlsx")
    add("no_dimension_cells.xlsx", None, expect("failed", phrase="cells with values"))
    add("really_a_pdf.xlsx", relabelled_pdf(PROGRESS_PDF), expect("ok"))  # read by its bytes
    add("really_an_xlsx.pdf", relabelled_zip(PROGRESS_XLSX), expect("failed", phrase="not a PDF"))
    add("cp932.csv", cp932_csv(), expect())
    add(CP932_NAME, cp932_csv() + b"\n", expect())
    add("nul_bytes.csv", b"a,b\x00,c\n" * 1000, expect())
    add("UPPER_CASE.PDF", relabelled_pdf(PROGRESS_PDF) + b"%2\n", expect("ok"))
    return made


# --- fuzzing: seeded mutations of the fixtures ---------------------------------------------

def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def cut_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, max(1, len(data) // 10)):]


def truncate_at_random(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def delete_pages(data: bytes, rng: random.Random) -> bytes:
    doc = pymupdf.open("pdf", data)
    if doc.page_count > 1:
        doc.delete_pages(sorted(rng.sample(range(doc.page_count), rng.randint(1, doc.page_count - 1))))
    return doc.tobytes()


def null_objects(data: bytes, rng: random.Random) -> bytes:
    """Random objects replaced by `null` (a dangling reference wherever they were used)."""
    doc = pymupdf.open("pdf", data)
    for xref in rng.sample(range(1, doc.xref_length()), min(doc.xref_length() - 1, rng.randint(1, 8))):
        try:
            doc.update_object(xref, "null")
        except Exception:  # a stream or a compressed object MuPDF will not replace: leave it
            continue
    return doc.tobytes()


def mutate_zip_member(data: bytes, rng: random.Random) -> bytes:
    """A valid zip whose one XML member has flipped or cut bytes (corrupt XML, not a corrupt zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        names = src.namelist()
        victim = rng.choice([n for n in names if n.endswith(".xml")])
        for name in names:
            body = src.read(name)
            if name == victim:
                body = rng.choice((flip_bytes, cut_chunk, truncate_at_random))(body, rng)
            out.writestr(name, body)
    return buffer.getvalue()


PDF_MUTATIONS = (flip_bytes, cut_chunk, truncate_at_random, delete_pages, null_objects)
XLSX_MUTATIONS = (flip_bytes, cut_chunk, truncate_at_random, mutate_zip_member, mutate_zip_member)
FUZZ_SOURCES = ((PROGRESS_PDF, PDF_MUTATIONS), (PROMOTION_PLAN, PDF_MUTATIONS), (PROGRESS_XLSX, XLSX_MUTATIONS))


def fuzz_cases(seed: int, n: int, sources=FUZZ_SOURCES):
    """`n` (name, bytes) mutants of the fixtures, the same for the same seed."""
    rng = random.Random(seed)
    originals = {path: path.read_bytes() for path, _ in sources}
    for index in range(n):
        path, mutations = sources[index % len(sources)]
        mutation = rng.choice(mutations)
        try:
            data = mutation(originals[path], rng)
        except Exception:  # pymupdf could not even rewrite it: fall back to flipping bytes
            mutation, data = flip_bytes, flip_bytes(originals[path], rng)
        yield f"{index:04d}_{mutation.__name__}_{path.stem}{path.suffix}", data
