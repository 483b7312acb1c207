"""The 概要 table → Overview fields → Plan and its municipalities (implementer, 実施期間, ids)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from extractors.kinds.business_plan.common import DEFAULT, PlanSettings, digit_runs
from extractors.layout.model import Line, PdfLayout
from pipeline.normalize.identifiers import (find_corporate_number, find_local_gov_codes, local_gov_check_digit,
                                            valid_corporate_number, valid_local_gov_code)
from pipeline.normalize.text import clean_label, collapse_spaced_digits, compact_text, compiled, normalize_text
from pipeline.normalize.wareki import parse_date, parse_period
from schemas.records import Finding, Plan, PlanChamber, PlanMunicipality



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
    text = compact_text(label)
    for key, words in (("implementer", settings.implementer_labels), ("period", settings.period_labels),
                       ("contact", (settings.contact_label, *settings.contact_other_labels)),
                       ("goals", (settings.goals_label,)),
                       ("contents", settings.contents_labels), ("corporate", (settings.corporate_label,))):
        for word in words:
            if text.startswith(word) or (word in text and len(text) <= len(word) + 8):
                return key
    return None


def _table_fields(page_number: int, table, settings: PlanSettings) -> tuple[dict[str, OverviewField], str]:
    """Label → value of one table's rows, and the text of rows before its first label.

    Rows under one label cell spanning them (each entity a row of its own, an id column
    beside the names) and rows whose label cell is empty (a row broken where the page or
    the form's lines break it) go on with the field above, row by row, cells of a row on one
    line. Rows before any label continue the field the previous table ended with.
    """
    fields: dict[str, OverviewField] = {}
    lead: list[str] = []
    label_cell, last_key = None, None
    for row in table.grid():
        cells = [c for i, c in enumerate(row) if c and (i == 0 or c is not row[i - 1])]
        if len(cells) < 2:
            continue
        key = _label_key(cells[0].text, settings)
        value_cells = [c for c in cells[1:] if c.text]
        value = " ".join(c.text for c in value_cells) if len(value_cells) > 1 and all(
            "\n" not in c.text for c in value_cells) else "\n".join(c.text for c in value_cells)
        if (cells[0] is label_cell or not compact_text(cells[0].text)) and last_key in fields:
            have = fields[last_key]
            fields[last_key] = OverviewField(have.label, "\n".join(t for t in (have.text, value) if t),
                                             have.page, have.bbox)
            continue
        if not compact_text(cells[0].text) and not fields:
            lead.append(value)
            continue
        label_cell = None
        if key and key not in fields:
            label_cell, last_key = cells[0], key
            fields[key] = OverviewField(cells[0].text, value, page_number, cells[1].bbox)
        else:
            last_key = None
    return fields, "\n".join(t for t in lead if t)


def _finished(fields: dict[str, OverviewField], settings: PlanSettings) -> Overview:
    """The Overview, its 事業内容 items numbered `３　…に関すること` (number, space, title) written
    `3. …`, the form the list reader takes as an item."""
    have = fields.get("contents")
    if have:
        text = "\n".join(compiled(settings.spaced_item).sub(r"\1. ", normalize_text(line))
                         for line in have.text.splitlines())
        fields = {**fields, "contents": OverviewField(have.label, text, have.page, have.bbox)}
    return Overview(fields)


def read_overview(layout: PdfLayout, settings: PlanSettings = DEFAULT) -> Overview:
    """Label/value rows of the first table that has an 実施期間 and an 実施者 label.

    A 概要 drawn as several tables (連絡先 in one of its own below, or on the next page) goes
    on in the tables after it, on that page and at the top of the next, while each brings
    label rows the 概要 has not had yet.
    """
    for i, page in enumerate(layout.pages):
        for j, table in enumerate(page.tables):
            fields, _ = _table_fields(page.number, table, settings)
            if "period" in fields and "implementer" in fields:
                following = [(page.number, t) for t in page.tables[j + 1:]]
                following += [(more.number, t) for more in layout.pages[i + 1:i + 2] for t in more.tables[:1]]
                for number, next_table in following:
                    extra, lead = _table_fields(number, next_table, settings)
                    if not (extra or lead) or set(extra) & set(fields):
                        break
                    if lead:  # the last row of the table before, broken across the page
                        last = list(fields)[-1]
                        have = fields[last]
                        fields[last] = OverviewField(have.label, f"{have.text}\n{lead}", have.page, have.bbox)
                    fields.update(extra)
                return _finished(fields, settings)
    return _overview_from_lines(layout, settings)


def _after_label(word: str, settings: PlanSettings) -> str:
    """What follows the label in a word that starts with one (its value, joined by tight text)."""
    words = [*settings.implementer_labels, *settings.period_labels, settings.goals_label, settings.contact_label,
             *settings.contact_other_labels, *settings.contents_labels]
    labels = [re.escape(w) + ("名?" if w in settings.implementer_labels else "") for w in words]
    labels.sort(key=len, reverse=True)
    m = re.match(rf"^(?:{'|'.join(labels)})(?:\s*[(（][^)）]{{0,8}}[)）])?(?P<tail>.*)$", normalize_text(word))
    return m["tail"].strip() if m else ""


def _value_rows(values: list[Line]) -> list[list[Line]]:
    """Value lines grouped into the rows of the form: a new row where the gap above a line
    is wider than about half a line (lines of one value are set tighter than that)."""
    ordered = sorted(values, key=lambda l: l.bbox[1])
    heights = sorted(l.bbox[3] - l.bbox[1] for l in ordered)
    if not heights:
        return []
    gap = 0.45 * heights[len(heights) // 2]
    rows: list[list[Line]] = []
    for line in ordered:
        if rows and line.bbox[1] - max(l.bbox[3] for l in rows[-1]) <= gap:
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


LABEL_COLUMN_SLACK_PT = 12.0


def _split_between_labels(rows: list[list[Line]], labels: list[Line]) -> list[list[Line]]:
    """A row that two labels stand beside is split at its widest gap between their middles
    (rows set close together look like one to _value_rows)."""
    out: list[list[Line]] = []
    centres = sorted((l.bbox[1] + l.bbox[3]) / 2 for l in labels)
    for row in rows:
        inside = [c for c in centres if row[0].bbox[1] <= c <= max(l.bbox[3] for l in row)]
        pieces = [row]
        for upper, lower in zip(inside, inside[1:]):
            last = pieces.pop()
            cuts = [(last[k + 1].bbox[1] - last[k].bbox[3], k + 1) for k in range(len(last) - 1)
                    if upper <= last[k].bbox[3] and last[k + 1].bbox[1] <= lower]
            if not cuts:
                pieces.append(last)
                continue
            _, at = max(cuts)
            pieces += [last[:at], last[at:]]
        out += pieces
    return out


def labels_before_their_rows(lines: list[Line], settings: PlanSettings) -> list[Line]:
    """The lines with each bare label (a line that is only a label, left of the values) put
    before the first line of the row it stands in. A label set in the middle of its row's
    lines (as a scan's lines come, top to bottom) would otherwise take only the lines below
    it, and leave those above it to the field before. A row that holds two labels, or none,
    is left as it is."""
    def bare(line: Line) -> bool:
        first = line.words[0].text if line.words else line.text
        return len(line.words) <= 1 and _label_key(first, settings) is not None and not _after_label(first, settings)

    labels = [l for l in lines if bare(l)]
    if not labels:
        return lines
    # the label column: a value line can name a label too (`経営発達支援事業の内容`)
    left = min(l.bbox[0] for l in labels)
    labels = [l for l in labels if l.bbox[0] <= left + LABEL_COLUMN_SLACK_PT]
    values = [l for l in lines if l.bbox[0] >= max(l.bbox[2] for l in labels)]
    rows = _split_between_labels(_value_rows(values), labels)
    placed: dict[int, Line | None] = {}
    for label in labels:
        centre = (label.bbox[1] + label.bbox[3]) / 2
        holding = [i for i, row in enumerate(rows)
                   if min(l.bbox[1] for l in row) <= centre <= max(l.bbox[3] for l in row)]
        if len(holding) == 1:
            placed[holding[0]] = None if holding[0] in placed else label  # two labels: no telling
    label_of_row = {i: label for i, label in placed.items() if label is not None}
    if not label_of_row:
        return lines
    position = {id(line): n for n, line in enumerate(lines)}
    label_before = {id(min(rows[i], key=lambda l: position[id(l)])): label for i, label in label_of_row.items()}
    moved = {id(label) for label in label_of_row.values()}
    out: list[Line] = []
    for line in lines:
        if id(line) in moved:
            continue
        if id(line) in label_before:
            out.append(label_before[id(line)])
        out.append(line)
    return out


def _overview_from_lines(layout: PdfLayout, settings: PlanSettings) -> Overview:
    """Fallback for an overview without rulings: a label line starts a field that runs to the next label."""
    for page in layout.pages:
        if settings.overview_title not in compact_text(page.text):
            continue
        fields: dict[str, list[Line]] = {}
        current = None
        for line in labels_before_their_rows(list(page.lines), settings):
            key = _label_key(line.words[0].text if line.words else line.text, settings)
            if key and key not in fields:
                current = key
                fields[key] = []
                # Tight text joins the label to its value (`実施者名（法人番号）川口商工会議所（法人番号`).
                tail = _after_label(line.words[0].text, settings) if line.words else ""
                rest = " ".join([tail] * bool(tail) + [w.text for w in line.words[1:]])
                if rest:
                    fields[key].append(Line(rest, line.bbox, line.page))
            elif current:
                fields[current].append(line)
        if "period" in fields and "implementer" in fields:
            return _finished({k: OverviewField(k, "\n".join(l.text for l in v), page.number,
                                               v[0].bbox if v else None) for k, v in fields.items()}, settings)
    return Overview()


_ID_AFTER_LABEL = r"((?:法人番号|コード)\s*[)）]?\s*[:：]?\s*)(\d(?:\s?[-‐]?\s?\d){4,12})(?!\d)"


@dataclass(frozen=True)
class Entity:
    name: str
    number: str | None  # the 13- or 6-digit id as written (checked later)


def implementer_entities(text: str, settings: PlanSettings = DEFAULT) -> list[Entity]:
    """Chamber and municipalities of the 実施者名 cell, each with the id written after it.

    The cell wraps freely, so lines are joined and split again after each id; an id
    wrapped in the middle (`３０００００５００` / `９８７６）`) is joined back first.
    """
    joined = clean_label(re.sub(r"(?<=\d)[ \t]*\n\s*(?=\d)", "", unicodedata.normalize("NFKC", text)))
    # An id printed in groups (`4 3300 0500 6420`) or digit by digit after its label is one number.
    joined = compiled(_ID_AFTER_LABEL).sub(lambda m: m[1] + re.sub(r"[\s\-‐]", "", m[2]), joined)
    joined = collapse_spaced_digits(joined)
    entities: list[Entity] = []
    pos = 0
    # 13-digit 法人番号, 6-digit 地方公共団体コード, or its first five digits printed without the check digit.
    for m in re.finditer(r"(?<!\d)\d{5,13}\s*[)）]?", joined):
        names = _names(joined[pos:m.end()], settings)
        pos = m.end()
        if names:
            entities += [Entity(n, None) for n in names[:-1]] + [Entity(names[-1], digit_runs(m.group())[0])]
    entities += [Entity(n, None) for n in _names(joined[pos:], settings)]
    return entities


def _names(chunk: str, settings: PlanSettings) -> list[str]:
    """Chamber and municipality names in a piece of the cell, up to an id label or bracket.

    Names are apart (spaces, 、); a piece that names neither a chamber nor a municipality
    (a bullet, an empty `（法人番号 ）`'s bracket, a title) is not an entity. When no piece
    qualifies the whole piece is kept, so an id never loses its holder.
    """
    # A bracket holding no id (`（共同申請）`, an empty `（法人番号 ）`) only separates names.
    chunk = re.sub(r"[(（][^()（）\d]*[)）]", " ", chunk)
    pieces: list[str] = []
    for part in re.split(r"\n+", chunk):
        head = _join_spaced_letters(compiled(settings.name_end).split(part, maxsplit=1)[0])
        line_pieces: list[str] = []
        for p in re.split(r"[\s、,・･]+", head):
            p = re.sub(r"^(?:及び|および|並びに|ならびに)", "", p.strip(" 、,・･"))
            if line_pieces and (p in settings.chamber_words or p in ("市", "町", "村", "区")):
                line_pieces[-1] += p   # `北浜 商工会議所`: the kind word printed apart from the place
            else:
                line_pieces.append(p)
        pieces += line_pieces
    # Not names: punctuation, and a sub-label cell naming a kind (`商工会`, `市町村`, `市`).
    pieces = [p for p in pieces if p and not re.fullmatch(r"[\W\d_]+|[市町村区]+", p)
              and p not in settings.chamber_words]
    named = [p for p in pieces if any(w in p for w in settings.chamber_words)
             or compiled(settings.municipality_end).search(p)]
    if named or not re.search(r"\d", chunk):
        return named
    whole = compiled(settings.name_end).split(chunk, maxsplit=1)[0].strip(" 、,\n")
    return [whole] if whole else []


def _join_spaced_letters(text: str) -> str:
    """Runs of three or more single characters apart (`北 浜 商 工 会 議 所`, a justified cell) joined."""
    tokens = text.split(" ")
    out: list[str] = []
    run: list[str] = []
    for tok in tokens + [""]:
        if len(tok) == 1:
            run.append(tok)
            continue
        out += ["".join(run)] if len(run) >= 3 else run
        run = []
        if tok:
            out.append(tok)
    return " ".join(out)


def _period_of_years(text: str) -> tuple[date, date] | None:
    """`令和２年４月１日から５年間`: a start date and a length in years (no end date printed)."""
    t = normalize_text(text)
    m = re.search(r"(\d{1,2})\s*(?:年間|か年|ヵ年|ケ年|カ年)", t)
    start = parse_date(t[:m.start()]) if m else None
    if start is None:
        return None
    years = int(m[1])
    try:
        end = start.replace(year=start.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        end = date(start.year + years, 3, 1) - timedelta(days=1)
    return start, end


def read_plan(overview: Overview, settings: PlanSettings = DEFAULT
              ) -> tuple[Plan, list[PlanMunicipality], list[Finding], list[PlanChamber]]:
    findings: list[Finding] = []
    implementer = overview.get("implementer")
    entities = implementer_entities(implementer.text, settings) if implementer else []
    # Every implementing chamber, in printed order (a joint plan, 共同申請, names several).
    # An implementer with a 13-digit 法人番号 is a corporation (a chamber), never a municipality,
    # even when its name lacks the chamber word (a name cut or spelt otherwise).
    chamber_entities = [e for e in entities if any(w in e.name for w in settings.chamber_words)
                        or (e.number is not None and len(e.number) == 13 and valid_corporate_number(e.number))]
    page = implementer.page if implementer else None
    location = f"page {page}" if page else None
    chambers: list[PlanChamber] = []
    number_row = overview.get("corporate")
    if number_row and len(chamber_entities) == 1 and not chamber_entities[0].number:
        # The 法人番号 in a row of its own (some pre-2019 forms): the one chamber's.
        runs = [r for r in digit_runs(re.sub(r"(?<=\d)[\s\-‐]+(?=\d)", "", normalize_text(number_row.text)))
                if len(r) == 13]
        if runs:
            chamber_entities = [Entity(chamber_entities[0].name, runs[0])]
            entities = chamber_entities + [e for e in entities if not any(w in e.name for w in settings.chamber_words)]
    for entity in chamber_entities:
        corporate = None
        if entity.number:
            corporate = find_corporate_number(entity.number) or entity.number
            if not valid_corporate_number(corporate):
                findings.append(Finding(severity="error", code="invalid_corporate_number",
                                        message=f"法人番号 {corporate} of {entity.name} fails its check digit",
                                        location=location))
        chambers.append(PlanChamber(chamber=entity.name, corporate_number=corporate, page=page))
    chamber = chamber_entities[0] if chamber_entities else None
    corporate = chambers[0].corporate_number if chambers else None
    municipalities = []
    for entity in entities:
        if entity in chamber_entities:
            continue
        code = entity.number
        if code is not None and len(code) == 5 and local_gov_check_digit(code) is not None:
            # The code printed without its check digit (団体コード of five digits): stored whole, 6 digits.
            code = f"{code}{local_gov_check_digit(code)}"
        if code is not None:
            code = (find_local_gov_codes(f"地方公共団体コード {code}") or [code])[0]
            if not valid_local_gov_code(code):
                findings.append(Finding(severity="error", code="invalid_local_gov_code",
                                        message=f"地方公共団体コード {code} of {entity.name} fails its check digit",
                                        location=location))
        municipalities.append(PlanMunicipality(name=entity.name, local_gov_code=code, page=page))
    period = overview.get("period")
    start_end = (parse_period(period.text) or _period_of_years(period.text)) if period else None
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
    return plan, municipalities, findings, chambers
