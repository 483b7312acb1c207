"""経営発達支援計画 (business development plan): layout → Plan, budgets, contacts, partners, findings.

Stages, each reading only the PdfLayout and returning new records:

* `appendix_pages`: where each (別表N) starts and ends (page ranges);
* `read_overview`: the 概要 label/value table → implementer (chamber, its 法人番号,
  municipalities and their 地方公共団体コード), 実施期間, 目標, 連絡先 text;
* `read_budget`: the 別表3 grid → item × fiscal year in 千円 (header cells parsed
  as fiscal years, the table's declared unit converted, ditto marks resolved),
  and the 調達方法 text → funding sources;
* `read_contacts`: one Contact per organisation from the 概要 連絡先 and 別表2,
  merged by organisation;
* `read_partners`: 別表4 label/content rows → Partner records;
* `plan_findings`: budget sums, budget years vs 実施期間, check digits.

Structure is found from labels and grids (label cells, year headers, unit
captions), never from positions or a fixture's names. Each part is run on its
own in `BusinessPlanExtractor.extract`: one failing part becomes an error
Finding and status `partial`, and the rest is kept.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from extractors.base import register
from extractors.layout.model import Cell, Line, PdfLayout, Table, per_layout
from extractors.readers.plan_sections import find_sections, section_findings
from extractors.readers.target_tables import find_targets
from pipeline.normalize.contacts import (find_labelled_phones, parse_contact_block, parse_email,
                                         parse_postal_code)
from pipeline.normalize.ditto import fill_down_dittos, is_ditto
from pipeline.normalize.identifiers import (find_corporate_number, find_local_gov_codes, valid_corporate_number,
                                            valid_local_gov_code)
from pipeline.normalize.numbers import parse_quantity, table_unit, yen_factor
from pipeline.normalize.text import clean_label, collapse_spaced_digits, compiled, normalize_text
from pipeline.normalize.wareki import parse_fiscal_year, parse_period
from schemas.records import Budget, Contact, Extraction, Finding, FundingSource, Partner, Plan, PlanMunicipality


@dataclass(frozen=True)
class PlanSettings:
    """Every label and pattern of the extractor (patterns see normalize_text output without spaces)."""

    # (別表3) / （別表 ３） at the start of a line.
    appendix_heading: str = r"^[(（\[［【]?別表(?P<no>\d+)[)）\]］】]?"
    overview_title: str = "概要"
    implementer_label: str = "実施者"
    period_label: str = "実施期間"
    goals_label: str = "目標"
    contact_label: str = "連絡先"
    chamber_words: tuple[str, ...] = ("商工会議所", "商工会")
    # Where an entity's name ends inside an implementer line: a bracket or an id label.
    name_end: str = r"[(（\[［]|法人番号|地方公共団体コード|団体コード"
    total_labels: tuple[str, ...] = ("必要な資金", "合計")
    budget_label: str = "資金"
    funding_label: str = "調達方法"
    default_budget_unit: str = "千円"
    same_as_left: tuple[str, ...] = ("同左",)
    # Separators between funding sources: outside brackets only.
    funding_separators: str = "、,， /／;；"
    # A note under a table or list: (備考) …, ※ …, or the page number footer.
    note_start: str = r"^(?:[(（]備考[)）]|※|-\d+-$)"
    bullet_start: str = r"^(?:[・･●○◆◇■□\-‐－]|[①-⑳]|\(\d+\))\s*"
    partner_name_labels: tuple[str, ...] = ("氏名", "名称")
    partner_content_labels: tuple[str, ...] = ("内容",)
    partner_role_labels: tuple[str, ...] = ("役割",)
    partner_other_labels: tuple[str, ...] = ("体制図",)
    partner_label_max_chars: int = 80
    representative_titles: str = (r"(?:代表取締役|代表理事|代表社員|代表者|理事長|会長|社長|頭取|学長|総長|所長|"
                                  r"支店長|センター長|局長|市長|町長|村長|区長|知事|会頭|組合長|代表)")
    prefecture_suffixes: tuple[str, ...] = ("都", "道", "府", "県")
    # Contacts: only the part of 別表2 under a heading containing this word, when present.
    contact_heading_word: str = "連絡先"


DEFAULT = PlanSettings()


# --- small text helpers ----------------------------------------------------------------------------

def compact(text: str) -> str:
    """normalize_text without any whitespace: for matching labels written spaced (`実 施 期 間`)."""
    return normalize_text(text or "").replace(" ", "")  # normalize_text leaves single spaces only


def cell_text(cell: Cell | None) -> str:
    return cell.text if cell else ""


_CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"


def item_label(text: str) -> str:
    """clean_label, and no space next to a Japanese character (`BIZ ミル利用料` → `BIZミル利用料`)."""
    return re.sub(rf"(?<={_CJK})\s+|\s+(?={_CJK})", "", clean_label(text))


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "(（[［【「『":
            depth += 1
        elif ch in ")）]］】」』":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def fiscal_year_of(day: dt.date) -> int:
    """Japanese fiscal year (April–March) of a date."""
    return day.year if day.month >= 4 else day.year - 1


# --- stage: appendix page ranges ---------------------------------------------------------------------

def appendix_pages(layout: PdfLayout, settings: PlanSettings = DEFAULT) -> dict[int, list[int]]:
    """{N: [page numbers]} of each (別表N), from its heading to the page before the next one."""
    return {no: list(pages) for no, pages in _appendix_pages(layout, settings).items()}


@per_layout
def _appendix_pages(layout: PdfLayout, settings: PlanSettings) -> dict[int, list[int]]:
    # detect and extract both need these: read once per document.
    heading = compiled(settings.appendix_heading)
    starts: list[tuple[int, int]] = []
    for page in layout.pages:
        for line in page.lines:
            m = heading.match(compact(line.text))
            if m and (not starts or starts[-1][0] != int(m["no"])):
                starts.append((int(m["no"]), page.number))
                break
    out: dict[int, list[int]] = {}
    for i, (no, first) in enumerate(starts):
        last = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(layout.pages)
        out.setdefault(no, list(range(first, max(last, first) + 1)))
    return out


def _pages(layout: PdfLayout, numbers: list[int]):
    return [layout.pages[n - 1] for n in numbers if 0 < n <= len(layout.pages)]


# --- stage: overview -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverviewField:
    label: str
    text: str
    page: int
    bbox: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Overview:
    fields: dict[str, OverviewField] = field(default_factory=dict)

    def get(self, key: str) -> OverviewField | None:
        return self.fields.get(key)


def _label_key(label: str, settings: PlanSettings) -> str | None:
    text = compact(label)
    for key, word in (("implementer", settings.implementer_label), ("period", settings.period_label),
                      ("contact", settings.contact_label), ("goals", settings.goals_label)):
        if text.startswith(word) or (word in text and len(text) <= len(word) + 8):
            return key
    return None


def read_overview(layout: PdfLayout, settings: PlanSettings = DEFAULT) -> Overview:
    """Label/value rows of the first table that has an 実施期間 and an 実施者 label."""
    for page in layout.pages:
        for table in page.tables:
            fields: dict[str, OverviewField] = {}
            for row in table.grid():
                cells = [c for i, c in enumerate(row) if c and (i == 0 or c is not row[i - 1])]
                if len(cells) < 2:
                    continue
                key = _label_key(cells[0].text, settings)
                if key and key not in fields:
                    value = "\n".join(c.text for c in cells[1:] if c.text)
                    fields[key] = OverviewField(cells[0].text, value, page.number, cells[1].bbox)
            if "period" in fields and "implementer" in fields:
                return Overview(fields)
    return _overview_from_lines(layout, settings)


def _overview_from_lines(layout: PdfLayout, settings: PlanSettings) -> Overview:
    """Fallback for an overview without rulings: a label line starts a field that runs to the next label."""
    for page in layout.pages:
        if settings.overview_title not in compact(page.text):
            continue
        fields: dict[str, list[Line]] = {}
        current = None
        for line in page.lines:
            key = _label_key(line.words[0].text if line.words else line.text, settings)
            if key and key not in fields:
                current = key
                fields[key] = []
                rest = " ".join(w.text for w in line.words[1:])
                if rest:
                    fields[key].append(Line(rest, line.bbox, line.page))
            elif current:
                fields[current].append(line)
        if "period" in fields and "implementer" in fields:
            return Overview({k: OverviewField(k, "\n".join(l.text for l in v), page.number,
                                              v[0].bbox if v else None) for k, v in fields.items()})
    return Overview()


@dataclass(frozen=True)
class Entity:
    name: str
    number: str | None  # the 13- or 6-digit id as written (checked later)


def _digit_runs(text: str) -> list[str]:
    # Digits only after the normaliser made them half-width and joined spaced ones.
    return re.findall(r"\d+", collapse_spaced_digits(normalize_text(text)))


def implementer_entities(text: str, settings: PlanSettings = DEFAULT) -> list[Entity]:
    """Chamber and municipalities of the 実施者名 cell, each with the id written after it.

    The cell wraps freely, so lines are joined and split again after each id; an id
    wrapped in the middle (`３０００００５００` / `９８７６）`) is joined back first.
    """
    joined = clean_label(re.sub(r"(?<=\d)[ \t]*\n\s*(?=\d)", "", unicodedata.normalize("NFKC", text)))
    entities: list[Entity] = []
    pos = 0
    for m in re.finditer(r"\d{6,13}\s*[)）]?", collapse_spaced_digits(joined)):
        chunk = collapse_spaced_digits(joined)[pos:m.end()]
        pos = m.end()
        name = compiled(settings.name_end).split(chunk, maxsplit=1)[0].strip(" 、,")
        if name:
            entities.append(Entity(name, _digit_runs(m.group())[0]))
    rest = collapse_spaced_digits(joined)[pos:].strip()
    for piece in re.split(r"[\s、,]+", rest):
        name = compiled(settings.name_end).split(piece, maxsplit=1)[0].strip(" 、,")
        if name:
            entities.append(Entity(name, None))
    return entities


def read_plan(overview: Overview, settings: PlanSettings = DEFAULT
              ) -> tuple[Plan, list[PlanMunicipality], list[Finding]]:
    findings: list[Finding] = []
    implementer = overview.get("implementer")
    entities = implementer_entities(implementer.text, settings) if implementer else []
    chamber = next((e for e in entities if any(w in e.name for w in settings.chamber_words)), None)
    page = implementer.page if implementer else None
    location = f"page {page}" if page else None
    corporate = None
    if chamber and chamber.number:
        corporate = find_corporate_number(chamber.number) or chamber.number
        if not valid_corporate_number(corporate):
            findings.append(Finding(severity="error", code="invalid_corporate_number",
                                    message=f"法人番号 {corporate} of {chamber.name} fails its check digit",
                                    location=location))
    municipalities = []
    for entity in entities:
        if entity is chamber:
            continue
        code = entity.number
        if code is not None:
            code = (find_local_gov_codes(f"地方公共団体コード {code}") or [code])[0]
            if not valid_local_gov_code(code):
                findings.append(Finding(severity="error", code="invalid_local_gov_code",
                                        message=f"地方公共団体コード {code} of {entity.name} fails its check digit",
                                        location=location))
        municipalities.append(PlanMunicipality(name=entity.name, local_gov_code=code, page=page))
    period = overview.get("period")
    start_end = parse_period(period.text) if period else None
    goals = overview.get("goals")
    plan = Plan(
        chamber=chamber.name if chamber else None,
        chamber_corporate_number=corporate,
        period_start=start_end[0] if start_end else None,
        period_end=start_end[1] if start_end else None,
        goals="\n".join(normalize_text(l) for l in goals.text.splitlines() if l.strip()) if goals else None,
        page=page,
    )
    if period and not start_end:
        findings.append(Finding(severity="warning", code="period_unreadable",
                                message=f"実施期間 not understood: {normalize_text(period.text)!r}",
                                location=f"page {period.page}"))
    return plan, municipalities, findings


# --- stage: budget (別表3) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetTable:
    table: Table
    header_row: int
    year_cols: dict[int, int]  # column → fiscal year
    unit: str
    continued: tuple[Table, ...] = ()  # the same grid continued on the next pages, without a header

    def body(self) -> list[tuple[int, list[Cell | None]]]:
        """(page, grid row) of every row under the header, continuation tables included."""
        rows = [(self.table.page, row) for row in self.table.grid()[self.header_row + 1:]]
        for table in self.continued:
            rows += [(table.page, row) for row in table.grid()]
        return rows


def header_years(cells: list[str], period: tuple[dt.date, dt.date] | None = None) -> dict[int, int]:
    """Column → fiscal year for every header cell that names one (`令和5年度`, `R5`, `５年度`, `2025年度`).

    A bare `５年度` names no era: it takes the era of its neighbours or of the 実施期間.
    """
    # Spaces inside a header cell mean nothing (`令 和 ６ 年 度`).
    years = {i: parse_fiscal_year(compact(t)) for i, t in enumerate(cells) if t.strip()}
    known = [y for y in years.values() if y]
    for i, y in list(years.items()):
        if y is not None or not _digit_runs(cells[i]):
            continue
        options = [parse_fiscal_year(era + compact(cells[i])) for era in ("令和", "平成")]
        options = [o for o in options if o]
        anchor = known[0] if known else (fiscal_year_of(period[0]) if period else None)
        if options:
            years[i] = min(options, key=lambda o: abs(o - anchor)) if anchor else options[0]
    return {i: y for i, y in years.items() if y}


def _table_unit(table: Table, lines_above: list[Line], default: str) -> str:
    for text in [c.text for c in table.cells] + [l.text for l in reversed(lines_above)]:
        unit = table_unit(text)
        if unit and yen_factor(unit):
            return unit
    return default


def find_budget_table(layout: PdfLayout, pages: list[int], period=None,
                      settings: PlanSettings = DEFAULT) -> BudgetTable | None:
    """The 別表3 grid: the table with a row of ≥2 fiscal-year cells and a 資金 label (別表3 pages first)."""
    order = _pages(layout, pages) + [p for p in layout.pages if p.number not in pages]
    for page in order:
        for table in page.tables:
            rows = table.rows_text()
            if not any(settings.budget_label in compact(t) for row in rows for t in row):
                continue
            for r, row in enumerate(rows):
                years = header_years(row, period)
                if len(years) >= 2 or (len(years) == 1 and page.number in pages):
                    above = [l for l in page.lines if l.bbox[3] <= table.bbox[1] + 1]
                    return BudgetTable(table, r, years, _table_unit(table, above[-5:], settings.default_budget_unit),
                                       _continuations(layout, table, period))
    return None


def _continuations(layout: PdfLayout, table: Table, period) -> tuple[Table, ...]:
    """Tables at the top of the following pages with the same columns and no year header."""
    out: list[Table] = []
    for page in layout.pages[table.page:]:
        first = page.tables[0] if page.tables else None
        if (first is None or first.n_cols != table.n_cols
                or any(len(header_years(row, period)) >= 2 for row in first.rows_text())
                or any(l.bbox[3] <= first.bbox[1] and compact(l.text) for l in page.lines[:3]
                       if compiled(DEFAULT.appendix_heading).match(compact(l.text)))):
            break
        out.append(first)
        if len(page.tables) > 1:
            break
    return tuple(out)


def read_budget(budget: BudgetTable, settings: PlanSettings = DEFAULT) -> list[Budget]:
    first_year_col = min(budget.year_cols)
    pages_rows = budget.body()
    body = [row for _, row in pages_rows]
    labels = []
    for row in body:
        label_cells = [c for c in row[:first_year_col] if c and c.text.strip()]
        labels.append(item_label(label_cells[-1].text) if label_cells else "")
    labels = fill_down_dittos(labels)
    factor = yen_factor(budget.unit) or 1000.0
    out: list[Budget] = []
    above: dict[int, int | None] = {}  # column → amount of the row above, for a 〃 in an amount cell
    for (page, row), label in zip(pages_rows, labels):
        if not label:
            continue
        is_total = any(w in compact(label) for w in settings.total_labels)
        left: int | None = None  # amount of the previous year column, for 同左
        for col, year in sorted(budget.year_cols.items()):
            cell = row[col] if col < len(row) else None
            raw = normalize_text(cell.text) if cell else ""
            if is_ditto(raw):
                amount = above.get(col)
            elif compact(raw) in settings.same_as_left:
                amount = left
            else:
                quantity = parse_quantity(raw)
                amount = (None if quantity.value is None
                          else round(quantity.value * (yen_factor(quantity.unit) or factor) / 1000))
            above[col], left = amount, amount
            if amount is None:
                continue
            out.append(Budget(item=label, is_total=is_total, fiscal_year=year, amount_thousand_yen=amount,
                              raw=cell.text.strip(), page=page, bbox=cell.bbox, source="text"))
    return out


def _is_funding_label(text: str, settings: PlanSettings) -> bool:
    t = compact(text)
    return t.startswith(settings.funding_label) and len(t) <= len(settings.funding_label) + 6


def read_funding_sources(layout: PdfLayout, pages: list[int], settings: PlanSettings = DEFAULT
                         ) -> list[FundingSource]:
    """The text under (or beside) the 調達方法 label, split into sources."""
    for page in _pages(layout, pages):
        for table in page.tables:
            grid = table.grid()
            for r, row in enumerate(grid):
                for c, cell in enumerate(row):
                    if not cell or not _is_funding_label(cell.text, settings):
                        continue
                    right = next((x for x in row[c + 1:] if x and x is not cell and x.text.strip()), None)
                    below = next((grid[k][c] for k in range(r + 1, len(grid))
                                  if grid[k][c] and grid[k][c] is not cell and grid[k][c].text.strip()), None)
                    target = right or below
                    if target:
                        return [FundingSource(source=s, page=page.number)
                                for s in split_funding(target.text, settings)]
    # No ruled box: the lines after a 調達方法 line, up to a note or the page end.
    for page in _pages(layout, pages):
        texts = [l.text for l in page.lines]
        start = next((i for i, t in enumerate(texts) if _is_funding_label(t, settings)), None)
        if start is not None:
            body = []
            for t in texts[start + 1:]:
                if compiled(settings.note_start).match(compact(t)):
                    break
                body.append(t)
            return [FundingSource(source=s, page=page.number) for s in split_funding("\n".join(body), settings)]
    return []


def split_funding(text: str, settings: PlanSettings = DEFAULT) -> list[str]:
    """Sources separated by 、 , spaces or bullets, never inside brackets; wrapped lines are rejoined."""
    pieces = []
    for line in text.splitlines():
        line = normalize_text(line)
        if compiled(settings.note_start).match(compact(line)):
            break
        if compiled(settings.bullet_start).match(line):
            pieces.append("\n")
            line = compiled(settings.bullet_start).sub("", line)
        pieces.append(line)
    joined = clean_label("".join(pieces).replace("\n", " "))
    return _split_outside_brackets(joined, settings.funding_separators)


# --- stage: contacts (概要 連絡先 + 別表2) ----------------------------------------------------------------

def _org_of(line: str, names: list[str]) -> str | None:
    text = compact(line)
    return next((n for n in sorted(names, key=len, reverse=True) if text.startswith(compact(n))), None)


@dataclass
class _Block:
    """Lines of one organisation's contact entry while they are being collected (local, mutable)."""

    org: str | None
    lines: list[str]
    kinds: set[str]
    plain: list[str]  # lines with no field: the organisation line when its name is not known


def _field_kinds(line: str, names: list[str]) -> set[str]:
    kinds = set()
    if _org_of(line, names):
        kinds.add("org")
    if parse_postal_code(line) and "〒" in normalize_text(line):
        kinds.add("postal")
    phones = find_labelled_phones(line)
    kinds |= {k for k in ("tel", "fax") if phones[k]}
    if parse_email(line):
        kinds.add("email")
    return kinds


def contact_blocks(lines: list[str], names: list[str]) -> list[tuple[str | None, list[str]]]:
    """Lines → (known organisation or None, the entry's lines, organisation line first).

    An entry ends where a field it already has appears again, so both orders
    (name, 〒, TEL) and (〒, name, TEL) split right. An entry whose organisation
    is not among `names` keeps the plain line before it and those inside it, and
    parse_contact_block reads the organisation from them.
    """
    blocks: list[_Block] = []
    previous_plain: str | None = None
    for line in lines:
        kinds = _field_kinds(line, names)
        if not kinds:
            if blocks:
                blocks[-1].plain.append(line)
            previous_plain = line
            continue
        if not blocks or kinds & blocks[-1].kinds:
            blocks.append(_Block(None, [], set(), [previous_plain] if previous_plain else []))
        block = blocks[-1]
        block.kinds |= kinds
        if "org" in kinds:
            block.org = _org_of(line, names)
            block.lines.insert(0, line)
        else:
            block.lines.append(line)
        previous_plain = None
    out: list[tuple[str | None, list[str]]] = []
    for block in blocks:
        if block.org:
            out.append((block.org, block.lines))
        elif len(block.kinds) >= 2:
            out.append((None, block.plain[:1] + block.lines + block.plain[1:]))
    return out


def _department(first_line: str, org: str) -> str | None:
    """The rest of the organisation line, up to a postal code written on the same line."""
    rest = normalize_text(first_line)[len(org):].split("〒")[0]
    return normalize_text(rest) or None


def contacts_from_lines(lines: list[str], names: list[str], page: int | None) -> list[Contact]:
    out = []
    for org, block in contact_blocks(lines, names):
        fields = parse_contact_block("\n".join(block))
        first = normalize_text(block[0])
        if org and first.startswith(org):
            department = _department(first, org)
        else:
            org, department = org or fields["organization"], fields["department"]
        if not org:
            continue
        out.append(Contact(organization=org, department=department,
                           postal_code=fields["postal_code"], address=fields["address"], tel=fields["tel"],
                           fax=fields["fax"], email=fields["email"], url=fields["url"], page=page))
    return out


def merge_contacts(primary: list[Contact], secondary: list[Contact]) -> list[Contact]:
    """One Contact per organisation: the 概要's values first, gaps filled from 別表2."""
    merged: dict[str, Contact] = {}
    for contact in primary + secondary:
        key = compact(contact.organization or "")
        if key not in merged:
            merged[key] = contact
            continue
        have = merged[key]
        merged[key] = have.model_copy(update={
            name: getattr(contact, name) for name in Contact.model_fields
            if getattr(have, name) is None and getattr(contact, name) is not None})
    return list(merged.values())


def read_contacts(layout: PdfLayout, overview: Overview, names: list[str], appendix2: list[int],
                  settings: PlanSettings = DEFAULT) -> list[Contact]:
    field_ = overview.get("contact")
    primary = contacts_from_lines(field_.text.splitlines(), names, field_.page) if field_ else []
    secondary = []
    for page in _pages(layout, appendix2):
        lines = [l.text for l in page.lines]
        heading = next((i for i, t in enumerate(lines) if settings.contact_heading_word in compact(t)), None)
        secondary += contacts_from_lines(lines[heading + 1:] if heading is not None else lines, names, page.number)
    return merge_contacts(primary, secondary)


# --- stage: partners (別表4) ------------------------------------------------------------------------------

def _partner_label(text: str, settings: PlanSettings) -> str | None:
    t = compact(text)
    if "\n" in text.strip() or len(t) > settings.partner_label_max_chars:
        return None
    for kind, words in (("name", settings.partner_name_labels), ("role", settings.partner_role_labels),
                        ("content", settings.partner_content_labels), ("other", settings.partner_other_labels)):
        if any(w in t for w in words):
            return kind
    return None


def split_partner_line(line: str, settings: PlanSettings = DEFAULT) -> Partner:
    """`・ 青梅信用金庫 東京都青梅市… 理事長 平岡治房` → name, address, representative."""
    text = compiled(settings.bullet_start).sub("", normalize_text(line)).strip()
    tokens = text.split(" ")
    name = tokens[0] if tokens else None
    rest = tokens[1:]
    rep_at = next((i for i, t in enumerate(rest) if compiled(settings.representative_titles).match(t)), len(rest))
    address = "".join(rest[:rep_at]) or None
    representative = " ".join(rest[rep_at:]) or None
    return Partner(name=name, address=collapse_spaced_digits(address) if address else None,
                   representative=representative)


def read_partners(layout: PdfLayout, pages: list[int], settings: PlanSettings = DEFAULT) -> list[Partner]:
    sections: dict[str, list[str]] = {}
    page_no = None
    for page in _pages(layout, pages):
        for table in page.tables:
            current = None
            for row in table.grid():
                cells = [c for i, c in enumerate(row) if c and (i == 0 or c is not row[i - 1])]
                for cell in cells:
                    kind = _partner_label(cell.text, settings)
                    if kind:
                        current = kind
                    elif current and cell.text.strip():
                        sections.setdefault(current, []).append(cell.text)
                        page_no = page_no or page.number
    names = [l for text in sections.get("name", []) for l in text.splitlines() if compact(l)]
    content = "\n".join(sections.get("content", [])) or None
    role = "\n".join(sections.get("role", [])) or None
    partners = []
    for line in names:
        if not compiled(settings.bullet_start).match(normalize_text(line)) and partners and len(names) > 1:
            continue  # a wrapped line of the previous partner
        partner = split_partner_line(line, settings)
        partners.append(partner.model_copy(update={"content": content, "role": role, "page": page_no}))
    return partners


# --- stage: findings ---------------------------------------------------------------------------------------

def _top_level_sum(amounts: list[int]) -> int:
    """Sum of the items, where a row equal to the sum of the rows right under it is their subtotal."""
    total, i = 0, 0
    while i < len(amounts):
        total += amounts[i]
        run, j = 0, i + 1
        while j < len(amounts) and run < amounts[i]:
            run += amounts[j]
            j += 1
        i = j if run == amounts[i] and j > i + 1 else i + 1
    return total


def budget_findings(budgets: list[Budget], plan: Plan | None) -> list[Finding]:
    findings = []
    years = sorted({b.fiscal_year for b in budgets if b.fiscal_year})
    for year in years:
        totals = [b for b in budgets if b.fiscal_year == year and b.is_total]
        items = [b.amount_thousand_yen or 0 for b in budgets if b.fiscal_year == year and not b.is_total]
        if totals and items:
            total = totals[0].amount_thousand_yen
            if total not in (sum(items), _top_level_sum(items)):
                findings.append(Finding(
                    severity="warning", code="budget_sum_mismatch",
                    message=f"{year}年度: items add up to {sum(items)}千円, 必要な資金の額 is {total}千円",
                    location=f"page {totals[0].page}"))
    if plan and plan.period_start and plan.period_end and years:
        expected = set(range(fiscal_year_of(plan.period_start), fiscal_year_of(plan.period_end) + 1))
        extra, missing = sorted(set(years) - expected), sorted(expected - set(years))
        if extra or missing:
            findings.append(Finding(
                severity="warning", code="period_budget_years_mismatch",
                message=(f"実施期間 {plan.period_start}–{plan.period_end} covers fiscal years "
                         f"{min(expected)}–{max(expected)}; budget columns {years[0]}–{years[-1]}"
                         + (f"; extra {extra}" if extra else "") + (f"; missing {missing}" if missing else "")),
                location=f"page {budgets[0].page}"))
    return findings


# --- the extractor ---------------------------------------------------------------------------------------

def _error(part: str, exc: Exception) -> Finding:
    return Finding(severity="error", code="extraction_error",
                   message=f"{part}: {type(exc).__name__}: {exc}", location=part)


class BusinessPlanExtractor:
    kind = "business_development_plan"

    def __init__(self, settings: PlanSettings = DEFAULT):
        self.settings = settings

    def detect(self, layout: object) -> float:
        if not isinstance(layout, PdfLayout) or not layout.pages:
            return 0.0
        head = compact("\n".join(p.text for p in layout.pages[:2]))
        score = 0.0
        if "経営発達支援計画" in head:
            score += 0.6
        if self.settings.period_label in head and self.settings.implementer_label in head:
            score += 0.2
        if 3 in appendix_pages(layout, self.settings):
            score += 0.15
        return min(score, 0.95)

    def extract(self, layout: object) -> Extraction:
        s = self.settings
        findings: list[Finding] = []
        failed: list[str] = []
        result: dict = {}

        def part(name: str, fn):
            try:
                return fn()
            except Exception as exc:  # one part's failure must not lose the others
                failed.append(name)
                findings.append(_error(name, exc))
                return None

        appendix = part("appendix", lambda: appendix_pages(layout, s)) or {}
        overview = part("overview", lambda: read_overview(layout, s)) or Overview()
        plan_parts = part("plan", lambda: read_plan(overview, s))
        plan, municipalities = (plan_parts[0], plan_parts[1]) if plan_parts else (None, [])
        if plan_parts:
            findings += plan_parts[2]
            if plan.chamber is None and plan.period_start is None:
                failed.append("plan")
                findings.append(Finding(severity="error", code="overview_not_found",
                                        message="no 概要 table with 実施者 and 実施期間 labels"))
        period = (plan.period_start, plan.period_end) if plan and plan.period_start else None

        def budgets():
            table = find_budget_table(layout, appendix.get(3, []), period, s)
            if table is None:
                raise LookupError("no 別表3 table with fiscal-year columns")
            return read_budget(table, s)

        result["budgets"] = part("budget", budgets) or []
        result["funding_sources"] = part("funding_sources",
                                         lambda: read_funding_sources(layout, appendix.get(3, []), s)) or []
        names = ([plan.chamber] if plan and plan.chamber else []) + [m.name for m in municipalities]
        result["contacts"] = part("contacts", lambda: read_contacts(layout, overview, names,
                                                                     appendix.get(2, []), s)) or []
        result["partners"] = part("partners", lambda: read_partners(layout, appendix.get(4, []), s)) or []
        sections = part("sections", lambda: find_sections(layout)) or []
        findings += part("section_findings", lambda: section_findings(sections)) or []
        anchor = fiscal_year_of(period[0]) if period else None
        found_targets = part("targets", lambda: find_targets(layout, sections, anchor_year=anchor))
        targets = found_targets[0] if found_targets else []
        findings += found_targets[1] if found_targets else []
        findings += part("budget_findings", lambda: budget_findings(result["budgets"], plan)) or []
        return Extraction(
            kind=self.kind, status="partial" if failed else "ok",
            error=f"failed parts: {', '.join(failed)}" if failed else None,
            pages=len(layout.pages), plans=[plan] if plan else [], plan_municipalities=municipalities,
            sections=sections, targets=targets, findings=findings, **result)


register(BusinessPlanExtractor())
