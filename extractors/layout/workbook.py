"""Spreadsheet layout layer: sheets → cell grid with values, display text, formats, merges.

file → WorkbookLayout (sheets → cells, merged ranges), the spreadsheet twin of
extractors/layout/pdf.py. Extractors read only this, never openpyxl or calamine, so
.xlsx/.xlsm (openpyxl: number formats and merges), .xls/.ods (python-calamine) and
CSV (cp932 or UTF-8) all look the same downstream. Rows and columns are 1-based.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


XLSX_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".ods", ".xlsb")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = XLSX_SUFFIXES + CALAMINE_SUFFIXES + CSV_SUFFIXES


def column_letter(number: int) -> str:
    """`1` → `A`; openpyxl imported here, not at the top, so PDF workers never load it."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(number)


class WorkbookReadError(ValueError):
    """The file is not a readable spreadsheet (corrupt, encrypted, unknown encoding)."""


class WorkbookTooLargeError(WorkbookReadError):
    """The spreadsheet would take too much memory to load (zip bomb or giant sheet)."""


@dataclass(frozen=True)
class WorkbookSettings:
    """Every limit and fallback of the layout layer in one place."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024
    # cells holding a value, counted in the sheet XML (a progress sheet has a few thousand;
    # openpyxl and the readers take ~0.1 ms and ~0.5 kB per cell)
    max_cells: int = 500_000
    # above this many cells without a value (formatted but empty), they are dropped before
    # openpyxl builds a Cell object for each
    max_empty_cells: int = 50_000
    # the sheet's extent (last row × last column referenced by a cell or a merge): readers
    # and Sheet.grid() walk that rectangle, so one cell at XFD1048576 would mean 17 billion
    max_extent_cells: int = 2_000_000
    # cells inside merge ranges: openpyxl makes an object for each (T1:XFD1048576 → 16 billion)
    max_merged_cells: int = 500_000
    # fields in one CSV row (Excel's own column limit); counted per line before csv parses it
    max_row_cells: int = 16_384
    csv_encodings: tuple[str, ...] = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class SheetCell:
    row: int
    col: int
    value: object
    text: str
    number_format: str | None = None

    @property
    def ref(self) -> str:
        return f"{column_letter(self.col)}{self.row}"


@dataclass(frozen=True)
class MergedRange:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def ref(self) -> str:
        return (f"{column_letter(self.min_col)}{self.min_row}:"
                f"{column_letter(self.max_col)}{self.max_row}")

    def covers(self, row: int, col: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: tuple[SheetCell, ...]
    merged: tuple[MergedRange, ...] = ()
    n_rows: int = 0
    n_cols: int = 0
    # Formula cells the file stores without a computed value (written by a tool that does not
    # calculate): computed from the workbook where the formula engine can (`computed_formulas`),
    # else unknown (`uncached_formulas`), so readers say so rather than read a blank.
    uncached_formulas: tuple[str, ...] = ()
    computed_formulas: tuple[str, ...] = ()

    def grid(self) -> list[list[SheetCell | None]]:
        """n_rows × n_cols slots; a merged range's top-left cell stands in every slot it covers."""
        slots: list[list[SheetCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            slots[cell.row - 1][cell.col - 1] = cell
        for merge in self.merged:
            anchor = slots[merge.min_row - 1][merge.min_col - 1] if (
                merge.min_row <= self.n_rows and merge.min_col <= self.n_cols) else None
            for r in range(merge.min_row, min(merge.max_row, self.n_rows) + 1):
                for c in range(merge.min_col, min(merge.max_col, self.n_cols) + 1):
                    slots[r - 1][c - 1] = anchor
        return slots

    def merge_at(self, row: int, col: int) -> MergedRange | None:
        return next((m for m in self.merged if m.covers(row, col)), None)

    @property
    def text(self) -> str:
        rows: dict[int, list[str]] = {}
        for cell in self.cells:
            rows.setdefault(cell.row, []).append(cell.text)
        return "\n".join(" ".join(texts) for _, texts in sorted(rows.items()))


@dataclass(frozen=True)
class WorkbookLayout:
    path: Path | None
    sheets: tuple[Sheet, ...]
    format: str = "xlsx"
    metadata: dict = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return "\n".join(sheet.text for sheet in self.sheets)


# --- display text -----------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"|\\(.)')
_BRACKETS = re.compile(r"\[[^\]]*\]")


def _format_sections(number_format: str) -> str:
    """The positive-number section of an Excel number format, without [colour]/[locale] tags."""
    return _BRACKETS.sub("", number_format.split(";")[0])


def _literals(section: str) -> str:
    return "".join(a or b for a, b in _QUOTED.findall(section))


def _split_format(number_format: str) -> tuple[str, str, str]:
    """(prefix literal, digit placeholders, suffix literal) of the positive section."""
    section = _format_sections(number_format)
    bare = _QUOTED.sub(lambda m: "\0" * len(m.group(0)), section)  # mask quoted text
    spots = [i for i, ch in enumerate(bare) if ch in "#0?"]
    if not spots:
        return "", "", _literals(section)
    first, last = spots[0], spots[-1] + 1
    suffix = _literals(section[last:]) + ("%" if "%" in bare[last:] else "")
    return _literals(section[:first]), bare[first:last], suffix


def format_literal(number_format: str | None) -> str:
    """The literal text a number format prints after the number (`#,##0"人"` → `人`)."""
    if not number_format or number_format == "General":
        return ""
    return _split_format(number_format)[2].strip()


def is_percent_format(number_format: str | None) -> bool:
    """Whether Excel shows the value ×100 with a %: only a bare % does; a quoted "%"
    (`0"%"`) is a literal unit after the number."""
    return bool(number_format) and "%" in _QUOTED.sub("", _format_sections(number_format))


def format_number(value: float | int, number_format: str | None) -> str:
    """Display text of a number under a simple Excel number format.

    Hand-written because openpyxl does not render formats and no maintained library
    does; it covers what progress sheets use (thousands separator, fixed decimals,
    percent, quoted prefixes and unit suffixes), not dates or scientific formats.
    """
    if not number_format or _format_sections(number_format) in ("General", "@", ""):
        return _general(value)
    prefix, digits, suffix = _split_format(number_format)
    if is_percent_format(number_format):
        value = value * 100
    match = re.search(r"\.([0#?]+)", digits)
    decimals = len(match.group(1)) if match else 0
    body = f"{value:,.{decimals}f}" if "," in digits else f"{value:.{decimals}f}"
    return f"{prefix}{body}{suffix}"


def _general(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return "" if value is None else str(value)


def display_text(value: object, number_format: str | None = None) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, number_format)
    return _general(value).strip()


# --- guards -----------------------------------------------------------------------

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)>")  # a cached value or an inline string
_ATTRS = rb'(?:\s+[\w:]+="[^"]*")*\s*'
# Hand-written because openpyxl has no option to skip formatted-but-empty cells and
# builds an object per cell: a sheet with a million bordered empty rows takes 20 s and 500 MB.
_EMPTY_CELL = re.compile(rb"<(?:\w+:)?c" + _ATTRS + rb"/>")
_EMPTY_ROW = re.compile(rb"<((?:\w+:)?row)" + _ATTRS + rb"(?:/>|>\s*</\1>)")
_SHEET_XML = re.compile(r"xl/worksheets/[^/]+\.xml$")
_CHUNK = 1 << 20
# the reference of a cell with content (<c r="XFD1048576" …>…</c>; a self-closed <c …/> is
# formatting only, dropped before reading) and a merge range (<mergeCell ref="T1:XFD1048576"/>)
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="\$?([A-Z]{1,3})\$?([0-9]{1,7})"[^>]*(?<!/)>')
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="\$?([A-Z]{1,3})\$?([0-9]{1,7})'
                        rb'(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?"')


def column_number(letters: bytes | str) -> int:
    """`A` → 1, `XFD` → 16384 (no openpyxl: this runs before any library opens the file)."""
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(ch) - 64
    return number


@dataclass(frozen=True)
class SheetCount:
    name: str
    cells: int
    valued: int
    max_row: int = 0
    max_col: int = 0
    merged_cells: int = 0

    @property
    def extent(self) -> int:
        return self.max_row * self.max_col


def _count_cells(archive: zipfile.ZipFile, name: str) -> SheetCount:
    """Cells, cells with a value, the farthest row and column referenced and the cells inside
    merge ranges, from a sheet's XML streamed (never the whole XML in memory)."""
    cells = valued = max_row = max_col = merged = 0
    tail = b""
    with archive.open(name) as handle:
        while True:
            data = handle.read(_CHUNK)
            text = tail + data
            # a tag cut at the end is counted next time (a mergeCell tag is < 64 bytes)
            cut = max(0, len(text) - 64) if data else len(text)
            cells += sum(1 for m in _CELL.finditer(text) if m.start() < cut)
            valued += sum(1 for m in _VALUE.finditer(text) if m.start() < cut)
            for m in _CELL_REF.finditer(text):
                if m.start() < cut:
                    max_col, max_row = max(max_col, column_number(m[1])), max(max_row, int(m[2]))
            for m in _MERGE_REF.finditer(text):
                if m.start() >= cut:
                    continue
                c0, r0 = column_number(m[1]), int(m[2])
                c1, r1 = (column_number(m[3]), int(m[4])) if m[3] else (c0, r0)
                merged += (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
                max_col, max_row = max(max_col, c0, c1), max(max_row, r0, r1)
            if not data:
                return SheetCount(name, cells, valued, max_row, max_col, merged)
            tail = text[cut:]


def check_xlsx_size(path: Path, settings: WorkbookSettings = WorkbookSettings()) -> list[SheetCount]:
    """Refuse zip bombs and giant sheets before openpyxl inflates them into memory.

    Counts the cells in the XML itself: the <dimension> element may be missing or
    span formatted empty cells. Also the far corner (a cell's or a merge range's
    reference) and the cells merge ranges cover: openpyxl expands both.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise WorkbookReadError(f"{path.name}: not an xlsx (zip) file: {exc}") from exc
    with archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > settings.max_uncompressed_bytes:
            raise WorkbookTooLargeError(
                f"{path.name}: {total:,} bytes uncompressed, over the limit of "
                f"{settings.max_uncompressed_bytes:,}")
        counts = []
        for info in archive.infolist():
            if not _SHEET_XML.match(info.filename):
                continue
            count = _count_cells(archive, info.filename)
            if count.valued > settings.max_cells:
                raise WorkbookTooLargeError(
                    f"{path.name}: sheet {info.filename} has {count.valued:,} cells with values, "
                    f"over the limit of {settings.max_cells:,}")
            if count.merged_cells > settings.max_merged_cells:
                raise WorkbookTooLargeError(
                    f"{path.name}: sheet {info.filename} merges {count.merged_cells:,} cells, "
                    f"over the limit of {settings.max_merged_cells:,}")
            if count.extent > settings.max_extent_cells:
                raise WorkbookTooLargeError(
                    f"{path.name}: sheet {info.filename} spans {count.max_row:,} rows × "
                    f"{count.max_col:,} columns, over the limit of {settings.max_extent_cells:,} cells")
            counts.append(count)
    return counts


def _strip_empty(data: bytes) -> bytes:
    return _EMPTY_ROW.sub(b"", _EMPTY_CELL.sub(b"", data))


def without_empty_cells(path: Path, sheets: list[str]) -> io.BytesIO:
    """The workbook, in memory, with the valueless cells and rows of `sheets` removed.

    A value-less cell only carries formatting, which no extractor reads; merged ranges
    are separate elements and stay.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            if info.filename not in sheets:
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with src.open(info) as handle, dst.open(info.filename, "w", force_zip64=True) as target:
                tail = b""
                while data := handle.read(_CHUNK):
                    text = tail + data
                    cut = text.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
                    target.write(_strip_empty(text[:cut]))
                    tail = text[cut:]
                target.write(_strip_empty(tail))
    out.seek(0)
    return out


# --- readers ----------------------------------------------------------------------

def _sheet(name: str, cells: list[SheetCell], merged: list[MergedRange]) -> Sheet:
    n_rows = max([c.row for c in cells] + [m.max_row for m in merged] + [0])
    n_cols = max([c.col for c in cells] + [m.max_col for m in merged] + [0])
    return Sheet(name=name, cells=tuple(cells), merged=tuple(merged), n_rows=n_rows, n_cols=n_cols)


def layout_from_openpyxl(workbook, path: Path | None = None, fmt: str = "xlsx") -> WorkbookLayout:
    """A WorkbookLayout from an openpyxl Workbook (also for workbooks built in memory)."""
    sheets = []
    for ws in workbook.worksheets:
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                    continue
                cells.append(SheetCell(row=cell.row, col=cell.column, value=cell.value,
                                       text=display_text(cell.value, cell.number_format),
                                       number_format=cell.number_format))
        merged = [MergedRange(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        sheets.append(_sheet(ws.title, cells, merged))
    return WorkbookLayout(path=path, sheets=tuple(sheets), format=fmt)


def _read_xlsx(path: Path, settings: WorkbookSettings) -> WorkbookLayout:
    import openpyxl

    counts = check_xlsx_size(path, settings)
    padded = [c.name for c in counts if c.cells - c.valued > settings.max_empty_cells]
    source = without_empty_cells(path, padded) if padded else path
    try:
        # not read_only: merged ranges are only parsed in the full mode
        workbook = openpyxl.load_workbook(source, data_only=True)
    except MemoryError:
        raise  # not a property of the file: the worker reports it and is replaced
    except Exception as exc:  # openpyxl raises many types for corrupt/encrypted files
        raise WorkbookReadError(f"{path.name}: cannot open as xlsx: {exc}") from exc
    layout = layout_from_openpyxl(workbook, path, path.suffix.lower().lstrip("."))
    if not _has_uncached_formula(path):
        return layout
    if isinstance(source, io.BytesIO):
        source.seek(0)
    formulas = openpyxl.load_workbook(source, data_only=False)
    missing = {ws.title: [cell for row in ws.iter_rows() for cell in row
                          if cell.data_type == "f" and ws_values[cell.coordinate].value is None]
               for ws, ws_values in zip(formulas.worksheets, workbook.worksheets)}
    values = computed_values(path, {name: [c.coordinate for c in cells] for name, cells in missing.items() if cells})
    sheets = []
    for sheet in layout.sheets:
        cells = missing.get(sheet.name) or []
        if not cells:
            sheets.append(sheet)
            continue
        computed = [c for c in cells if (sheet.name, c.coordinate) in values]
        added = [SheetCell(row=c.row, col=c.column, value=values[sheet.name, c.coordinate],
                           text=display_text(values[sheet.name, c.coordinate], c.number_format),
                           number_format=c.number_format) for c in computed]
        sheet = _sheet(sheet.name, sorted([*sheet.cells, *added], key=lambda c: (c.row, c.col)), list(sheet.merged))
        sheets.append(dataclasses.replace(
            sheet, computed_formulas=tuple(c.coordinate for c in computed),
            uncached_formulas=tuple(c.coordinate for c in cells if (sheet.name, c.coordinate) not in values)))
    return dataclasses.replace(layout, sheets=tuple(sheets))


_SOLUTION_KEY = re.compile(r"^'?\[[^\]]*\](?P<sheet>.+?)'?!(?P<ref>[A-Z]+\d+)$")


def computed_values(path: Path, wanted: dict[str, list[str]]) -> dict[tuple[str, str], object]:
    """(sheet, ref) → value of the wanted formula cells, computed from the workbook's own cells by
    `formulas` (a maintained Excel formula engine: it evaluates formulas only, never a macro or
    an external link); a cell it cannot compute (an error, an unsupported function) is left out."""
    if not wanted:
        return {}
    try:
        import contextlib

        import formulas

        with contextlib.redirect_stderr(io.StringIO()):   # its progress bars
            solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    except Exception:  # noqa: BLE001 - any engine failure leaves the cells unknown (and reported)
        return {}
    by_key = {}
    for key, ranges in solution.items():
        m = _SOLUTION_KEY.match(str(key))
        if m:
            by_key[m["sheet"].upper(), m["ref"]] = ranges
    out: dict[tuple[str, str], object] = {}
    for sheet, refs in wanted.items():
        for ref in refs:
            ranges = by_key.get((sheet.upper(), ref))
            try:
                value = ranges.value[0][0] if ranges is not None else None
            except Exception:  # noqa: BLE001
                continue
            value = value.item() if hasattr(value, "item") else value
            if type(value) not in (int, float, str):
                continue   # errors (#DIV/0!, a str subclass), empty results, booleans
            out[sheet, ref] = value
    return out


# A formula cell whose value element is missing or empty (`<c r="B3"><f>SUM(B1:B2)</f></c>`).
_UNCACHED = re.compile(rb"<c\b[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def _has_uncached_formula(path: Path) -> bool:
    """Whether any sheet stores a formula without its value (a cheap scan; the cells are found after)."""
    with zipfile.ZipFile(path) as archive:
        return any(_UNCACHED.search(archive.read(info.filename))
                   for info in archive.infolist() if _SHEET_XML.match(info.filename))


def _read_calamine(path: Path, settings: WorkbookSettings) -> WorkbookLayout:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises its own error types per format
        raise WorkbookReadError(f"{path.name}: cannot open as spreadsheet: {exc}") from exc
    sheets = []
    for index, name in enumerate(workbook.sheet_names):
        ws = workbook.get_sheet_by_index(index)
        if ws.total_height * ws.total_width > settings.max_cells:
            raise WorkbookTooLargeError(
                f"{path.name}: sheet {name} spans {ws.total_height:,} × {ws.total_width:,} cells")
        cells = []
        for r, values in enumerate(ws.to_python(skip_empty_area=False)):
            for c, value in enumerate(values):
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                cells.append(SheetCell(row=r + 1, col=c + 1,
                                       value=value, text=display_text(value)))
        merged = [MergedRange(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1)
                  for a, b in (ws.merged_cell_ranges or [])]
        sheets.append(_sheet(name, cells, merged))
    return WorkbookLayout(path=path, sheets=tuple(sheets), format=path.suffix.lower().lstrip("."))


def decode_csv(data: bytes, settings: WorkbookSettings = WorkbookSettings()) -> tuple[str, str]:
    """(text, encoding): the first of settings.csv_encodings that decodes strictly, else a guess."""
    for encoding in settings.csv_encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise WorkbookReadError("CSV: cannot detect the text encoding")
    return str(best), best.encoding


def _bounded_lines(text: str, delimiter: str, path: Path, settings: WorkbookSettings):
    """The lines of a CSV, refusing one with more fields than a row may hold before the csv
    module builds a list of them (25 million fields of one line would take gigabytes).
    A quoted delimiter counts too: the bound only ever errs on the safe side."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        if text.count(delimiter, start, end) >= settings.max_row_cells:
            raise WorkbookTooLargeError(
                f"{path.name}: a row with more than {settings.max_row_cells:,} fields "
                f"(the limit of a row)")
        yield text[start:end]
        start = end


def _read_csv(path: Path, settings: WorkbookSettings) -> WorkbookLayout:
    if path.stat().st_size > settings.max_uncompressed_bytes:
        raise WorkbookTooLargeError(f"{path.name}: {path.stat().st_size:,} bytes, over the limit")
    data = path.read_bytes()
    text, encoding = decode_csv(data, settings)
    del data
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    cells = []
    lines = _bounded_lines(text, dialect.delimiter, path, settings)
    for r, values in enumerate(csv.reader(lines, dialect), start=1):
        for c, value in enumerate(values, start=1):
            if value.strip():
                cells.append(SheetCell(row=r, col=c, value=value, text=value.strip()))
        if len(cells) > settings.max_cells:
            raise WorkbookTooLargeError(f"{path.name}: more than {settings.max_cells:,} cells")
    sheet = _sheet(path.stem, cells, [])
    return WorkbookLayout(path=path, sheets=(sheet,), format="csv", metadata={"encoding": encoding})


def read_workbook(path: str | Path, settings: WorkbookSettings = WorkbookSettings()) -> WorkbookLayout:
    """Read .xlsx/.xlsm (openpyxl), .xls/.ods/.xlsb (calamine) or .csv into a WorkbookLayout."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, settings)
    if suffix in CALAMINE_SUFFIXES:
        return _read_calamine(path, settings)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, settings)
    raise WorkbookReadError(f"{path.name}: not a spreadsheet file type ({suffix or 'no suffix'})")
