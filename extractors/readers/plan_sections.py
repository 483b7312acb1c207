"""Numbered headings of a plan's 別表1 as a section tree.

layout → scoped lines → heading candidates → accepted headings → sections.

Headings are recognised by their numbering pattern and their position, never
by a list of titles: a candidate line starts with a number pattern, starts at
the body's left margin (within `max_indent_chars`), is not a wrapped
continuation of a full-width line above, does not itself run to the right
margin, and is not inside a table. Top-level candidates must also form an
increasing sequence, and one that sits inside a running ``(1) (2) (3)``
sequence of sub-headings (the sub-numbering continues across it) is a numbered
list item, not a section.

section_no scheme (docs/sql-contract.md `sections`):

* parts ``Ⅰ.`` ``Ⅱ.`` ``Ⅲ.`` (also written ``I.`` ``II.``): section_no ``Ⅰ``,
  level 0. Items inside a part keep their own number (``3``) when the
  numbering runs through the parts (post-2019 plans); when numbers restart in
  each part (pre-2019 plans: items 1–6 in Ⅰ, 1–3 in Ⅲ) every item gets its
  part as prefix: ``Ⅰ-3``.
* items ``3.`` ``３．`` ``8-1`` ``1-2``: section_no ``3``, ``8-1``; level 1
  (the sections the gold lists). An item ``8-1`` after an item ``8.`` is its
  child (level 2, parent_no ``8``).
* sub-headings ``(2)`` ``（２）``: parent's section_no + ``(2)``, e.g. ``3(2)``.
* circled sub-sub-headings ``①``: parent's section_no + ``①``, e.g. ``3(3)①``.

level is the depth in the tree (items without a part are level 1); body is the
text from the line after the heading up to the next heading of the same or a
higher level.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from extractors.layout.model import Line, PdfLayout, box_within, per_layout
from pipeline.normalize.text import circled_to_int, compiled, normalize_text, roman_value
from schemas.records import Finding, Section

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"  # a part number is written back as one of these

# Heading kinds, outermost first; the rank orders them in the tree.
PART, ITEM, PAREN, CIRCLED = "part", "item", "paren", "circled"
RANK = {PART: 0, ITEM: 1, PAREN: 3, CIRCLED: 4}
SUB_ITEM_RANK = 2


@dataclass(frozen=True)
class SectionSettings:
    """Every pattern and tolerance of the section finder (patterns see normalize_text output)."""

    # Parts: `Ⅰ.` / `II.` (business plans), `第4章` (promotion plans); a numeral character
    # needs no dot (`Ⅲ 経営…`: OCR loses a full-width period), Latin letters do.
    part_pattern: str = (
        r"^(?:(?P<no>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ](?=\s)|(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|IX|IV|V?I{1,3}|V|X)(?=\s*[.．、]))\s*[.．、]?"
        r"|第\s*(?P<chapter>\d{1,2})\s*章)"
        r"\s*(?P<title>[^\d\s.].*)$"
    )
    # None: prefix item numbers with their part only when numbers repeat across parts.
    prefix_items_with_part: bool | None = None
    # `3.` / `３．` need the dot (a wrapped line may start `1 の面積`); `8-1` / `1-2` need not.
    item_pattern: str = (
        r"^(?:(?P<major>\d{1,2})\s*[.．](?!\d)|(?P<dmajor>\d{1,2})\s*[-－‐―]\s*(?P<minor>\d{1,2})(?:\s*[.．])?(?!\d))"
        r"\s*(?P<title>[^\d\s.,、。].*)$"
    )
    # An optional list dash before `(1)` comes from converted Word lists.
    paren_pattern: str = r"^(?:[-‐]\s+)?[(（](?P<no>\d{1,2})[)）]\s*(?P<title>\S.*)$"
    circled_pattern: str = r"^(?P<no>[①-⑳])\s*(?P<title>\S.*)$"
    kinds: tuple[str, ...] = (PART, ITEM, PAREN, CIRCLED)
    # The plan body proper: from the 別表1 marker to the 別表2 marker (None: whole document).
    scope_start: str | None = r"^[(（]?\s*別表\s*1\s*[)）]?"
    scope_end: str | None = r"^[(（]?\s*別表\s*[2-9]\s*[)）]?"
    page_number: str = r"^[-－‐]?\s*\d{1,3}\s*[-－‐]?$"
    max_indent_chars: float = 0.6      # part/item heading x0 - body margin, in body line heights
    max_sub_indent_chars: float = 1.6  # the same for (n) and ① sub-headings
    full_width_chars: float = 2.0      # a line ending this close to the right margin is full width
    sentence_end: str = r"[。．.!！?？」』)）]$"   # a full-width line ending so closes its paragraph
    max_title_chars: int = 60
    # Titles listed in a cell (sections_from_list) end so; a short line ending so after one that
    # does not is the rest of a wrapped title.
    list_title_end: str = r"(?:こと|取組|[】)）])$"
    list_wrap_chars: int = 16


@dataclass(frozen=True)
class Geometry:
    left: float
    right: float
    char: float


@dataclass(frozen=True)
class ScopedLine:
    line: Line
    text: str          # normalize_text(line.text)
    in_table: bool


@dataclass(frozen=True)
class Candidate:
    kind: str
    key: tuple[int, int]          # (number, minor) — minor only for `8-1` items
    no: str                       # as it will appear in section_no (before prefixes)
    title: str
    index: int                    # position in the scoped lines
    part: str | None = None       # filled for items: the part they sit in
    extra: dict = field(default_factory=dict, compare=False)


# ---------------------------------------------------------------- stage 1: lines in scope

def scoped_lines(layout: PdfLayout, settings: SectionSettings = SectionSettings()) -> list[ScopedLine]:
    """Lines in reading order between the scope markers, page numbers dropped."""
    return list(_scoped_lines(layout, settings))


@per_layout
def _scoped_lines(layout: PdfLayout, settings: SectionSettings) -> tuple[ScopedLine, ...]:
    # Sections and heading positions both need these: read once per document.
    page_number = compiled(settings.page_number)
    out: list[ScopedLine] = []
    for page in layout.pages:
        boxes = [t.bbox for t in page.tables]
        for line in page.lines:
            text = normalize_text(line.text)
            if not text or page_number.match(text):
                continue
            in_table = bool(boxes) and any(box_within(line.bbox, box, slack=1.0) for box in boxes)
            out.append(ScopedLine(line, text, in_table))
    start, end = 0, len(out)
    if settings.scope_start:
        scope_start = compiled(settings.scope_start)
        start = next((i for i, s in enumerate(out) if not s.in_table and scope_start.match(s.text)), start)
    if settings.scope_end:
        scope_end = compiled(settings.scope_end)
        end = next((i for i, s in enumerate(out) if i > start and not s.in_table and scope_end.match(s.text)), end)
    return tuple(out[start:end])


def body_geometry(lines: list[ScopedLine]) -> Geometry:
    """Left/right margins of the running text and the size of one character."""
    body = [s.line for s in lines if not s.in_table]
    if not body:
        return Geometry(0.0, 0.0, 10.0)
    left = Counter(round(l.bbox[0]) for l in body).most_common(1)[0][0]
    heights = [l.bbox[3] - l.bbox[1] for l in body if l.bbox[3] > l.bbox[1]]
    char = median(heights) if heights else 10.0
    right = max(l.bbox[2] for l in body)
    return Geometry(float(left), float(right), float(char))


# ---------------------------------------------------------------- stage 2: candidates

def _is_continuation(lines: list[ScopedLine], i: int, geo: Geometry, settings: SectionSettings) -> bool:
    """True when line i carries on a full-width line just above it (a wrapped paragraph)."""
    if i == 0:
        return False
    prev, cur = lines[i - 1].line, lines[i].line
    if prev.page != cur.page or lines[i - 1].in_table:
        return False
    full = prev.bbox[2] >= geo.right - settings.full_width_chars * geo.char
    closed = compiled(settings.sentence_end).search(lines[i - 1].text) is not None
    return full and not closed


def heading_candidates(lines: list[ScopedLine], geo: Geometry,
                       settings: SectionSettings = SectionSettings()) -> list[Candidate]:
    patterns = {PART: settings.part_pattern, ITEM: settings.item_pattern,
                PAREN: settings.paren_pattern, CIRCLED: settings.circled_pattern}
    out: list[Candidate] = []
    for i, s in enumerate(lines):
        if s.in_table:
            continue
        x0, x1 = s.line.bbox[0], s.line.bbox[2]
        if x0 > geo.left + settings.max_sub_indent_chars * geo.char:
            continue
        top_indent = x0 > geo.left + settings.max_indent_chars * geo.char
        if x1 >= geo.right - settings.full_width_chars * geo.char:
            continue
        if _is_continuation(lines, i, geo, settings):
            continue
        for kind in settings.kinds:
            if top_indent and kind in (PART, ITEM):
                continue
            m = compiled(patterns[kind]).match(s.text)
            if not m:
                continue
            title = m["title"].strip()
            if len(title) > settings.max_title_chars:
                break
            if kind == PART:
                if m["chapter"]:
                    n = int(m["chapter"])
                    out.append(Candidate(PART, (n, 0), f"第{n}章", title, i))
                    break
                n = roman_value(m["no"])
                if n is None:
                    continue
                out.append(Candidate(PART, (n, 0), ROMAN[n - 1], title, i))
            elif kind == ITEM:
                if m["major"] is not None:
                    key = (int(m["major"]), 0)
                    no = m["major"]
                else:
                    key = (int(m["dmajor"]), int(m["minor"]))
                    no = f"{key[0]}-{key[1]}"
                out.append(Candidate(ITEM, key, no, title, i))
            elif kind == PAREN:
                n = int(m["no"])
                out.append(Candidate(PAREN, (n, 0), f"({n})", title, i))
            else:
                n = circled_to_int(m["no"]) or 0
                out.append(Candidate(CIRCLED, (n, 0), m["no"], title, i))
            break
    return out


# ---------------------------------------------------------------- stage 3: accepted headings

def _inside_running_sublist(cands: list[Candidate], j: int) -> bool:
    """An item around which the (n) sub-numbering simply continues is a list item, not a section."""
    before = [c for c in cands[:j] if c.kind == PAREN]
    after = [c for c in cands[j + 1:] if c.kind == PAREN]
    if not before or not after:
        return False
    return after[0].key[0] == before[-1].key[0] + 1


def _longest_increasing(items: list[Candidate]) -> list[Candidate]:
    """Longest strictly increasing run of item numbers; ties keep the earliest headings."""
    n = len(items)
    if n == 0:
        return []
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if items[j].key < items[i].key and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    # Prefer the chain that ends last (it reaches the document's final sections).
    end = max(range(n), key=lambda i: (best[i], i))
    chain = []
    while end != -1:
        chain.append(items[end])
        end = prev[end]
    return chain[::-1]


def accept_headings(cands: list[Candidate]) -> list[Candidate]:
    """Drop item headings that break the structure; give items their part."""
    kept = [c for j, c in enumerate(cands) if c.kind != ITEM or not _inside_running_sublist(cands, j)]
    parts = [c for c in kept if c.kind == PART]
    parts = {id(c) for c in _longest_increasing(parts)}
    kept = [c for c in kept if c.kind != PART or id(c) in parts]
    # Items are numbered per part segment (the segment before the first part has none).
    segments: dict[int, list[Candidate]] = {}
    seg_part: dict[int, str | None] = {-1: None}
    current = -1
    for c in kept:
        if c.kind == PART:
            current = c.index
            seg_part[current] = c.no
        elif c.kind == ITEM:
            segments.setdefault(current, []).append(c)
    good: dict[int, Candidate] = {}
    for seg, items in segments.items():
        for c in _longest_increasing(items):
            good[id(c)] = Candidate(c.kind, c.key, c.no, c.title, c.index, seg_part[seg])
    out = []
    for c in kept:
        if c.kind == ITEM:
            if id(c) in good:
                out.append(good[id(c)])
        else:
            out.append(c)
    return out


# ---------------------------------------------------------------- stage 4: the tree

def _item_prefix_needed(heads: list[Candidate]) -> bool:
    """Pre-2019 plans restart item numbers in every part: then the part must be in section_no."""
    seen: dict[tuple[int, int], str | None] = {}
    for c in heads:
        if c.kind == ITEM:
            if c.key in seen and seen[c.key] != c.part:
                return True
            seen[c.key] = c.part
    return False


def build_sections(lines: list[ScopedLine], heads: list[Candidate],
                   settings: SectionSettings = SectionSettings()) -> list[Section]:
    prefix = settings.prefix_items_with_part
    if prefix is None:
        prefix = _item_prefix_needed(heads)
    stack: list[tuple[int, Section, Candidate]] = []   # (rank, section, candidate)
    built: list[tuple[int, Section, Candidate]] = []
    for c in heads:
        rank = RANK[c.kind]
        if c.kind == ITEM and c.key[1] and any(
                s.kind == ITEM and s.key == (c.key[0], 0) for _, _, s in stack):
            rank = SUB_ITEM_RANK
        while stack and stack[-1][0] > rank:
            stack.pop()
        if stack and stack[-1][0] == rank:
            sibling = stack[-1][2]
            # A sub-heading numbered at or below its previous sibling is a list item, not a heading.
            if c.kind in (PAREN, CIRCLED) and c.key <= sibling.key:
                continue
            stack.pop()
        parent = stack[-1][1] if stack else None
        if c.kind == PART:
            no = c.no
        elif c.kind == ITEM:
            no = f"{c.part}-{c.no}" if prefix and c.part else c.no
        else:
            no = (parent.section_no if parent else "") + c.no
        level = 0 if c.kind == PART else (parent.level + 1 if parent else 1)
        line = lines[c.index].line
        section = Section(section_no=no, title=c.title, level=level,
                          parent_no=parent.section_no if parent else None,
                          page_start=line.page, page_end=line.page)
        stack.append((rank, section, c))
        built.append((rank, section, c))
    # Body: up to the next heading of the same or a higher level (rank ≤ this one's).
    out = []
    for k, (rank, section, c) in enumerate(built):
        stop = len(lines)
        for rank2, _, c2 in built[k + 1:]:
            if rank2 <= rank:
                stop = c2.index
                break
        body_lines = lines[c.index + 1:stop]
        page_end = body_lines[-1].line.page if body_lines else section.page_start
        body = "\n".join(s.text for s in body_lines)   # normalised like every stored text
        out.append(section.model_copy(update={"page_end": page_end, "body": body}))
    return out


def find_sections(layout: PdfLayout, settings: SectionSettings = SectionSettings()) -> list[Section]:
    """The section tree of the plan body, in document order (see the module doc for section_no)."""
    lines = scoped_lines(layout, settings)
    geo = body_geometry(lines)
    heads = accept_headings(heading_candidates(lines, geo, settings))
    return build_sections(lines, heads, settings)


def sections_from_list(text: str, page: int | None = None,
                       settings: SectionSettings = SectionSettings()) -> list[Section]:
    """Sections named by a list of numbered headings (the 概要's 事業内容 cell), parts and items only.

    A document that is the 概要 page alone has no body to find headings in; its 事業内容
    cell lists them.
    """
    lines = [normalize_text(raw) for raw in text.splitlines()]
    # Items numbered `(1)` or `①` stand for `1.` in a list that has no `1.` items.
    item_pattern = settings.item_pattern
    if not any(compiled(item_pattern).match(line) for line in lines):
        for pattern in (settings.paren_pattern, settings.circled_pattern):
            if any(compiled(pattern).match(line) for line in lines):
                item_pattern = pattern
                break
    out: list[Section] = []
    part: str | None = None
    for line in lines:
        m = compiled(settings.part_pattern).match(line)
        if m and m["no"] and roman_value(m["no"]):
            part = ROMAN[roman_value(m["no"]) - 1]
            out.append(Section(section_no=part, title=m["title"].strip(), level=0, page_start=page, page_end=page))
            continue
        m = compiled(item_pattern).match(line)
        if not m:
            last = out[-1] if out else None
            # A title wrapped in the cell (`…寄与する事業に関す` / `ること`) goes on on the next line.
            if last is not None and not compiled(settings.list_title_end).search(last.title) \
                    and len(line) <= settings.list_wrap_chars and compiled(settings.list_title_end).search(line):
                out[-1] = last.model_copy(update={"title": last.title + line})
            continue
        groups = m.groupdict()
        if "major" not in groups:      # `(1)` / `①` items
            no = groups["no"] if groups["no"].isascii() else str(circled_to_int(groups["no"]))
        elif m["major"] is not None:
            no = m["major"]
        else:
            no = f"{int(m['dmajor'])}-{int(m['minor'])}"
        out.append(Section(section_no=f"{part}-{no}" if part else no, title=m["title"].strip(),
                           level=1, parent_no=part, page_start=page, page_end=page))
    return out


def heading_positions(layout: PdfLayout, sections: list[Section],
                      settings: SectionSettings = SectionSettings()) -> list[tuple[int, float]]:
    """(page, top) of each section's heading line, for placing tables and notes in sections.

    Recomputed from the layout (Section records carry no bbox): the heading lines are found
    again in the same order; a section not found gets the top of its first page.
    """
    lines = scoped_lines(layout, settings)
    out: list[tuple[int, float]] = []
    j = 0
    for sec in sections:
        pos = (sec.page_start or 1, 0.0)
        for k in range(j, len(lines)):
            s = lines[k]
            if s.line.page == sec.page_start and not s.in_table and s.text.endswith(sec.title):
                pos = (s.line.page, s.line.bbox[1])
                j = k + 1
                break
        out.append(pos)
    return out


def section_findings(sections: list[Section]) -> list[Finding]:
    """`section_number_skipped` when item numbering jumps (e.g. 3 → 5, 8-1 → 8-3)."""
    findings: list[Finding] = []
    last_major: dict[str | None, int] = {}
    last_minor: dict[tuple[str | None, int], int] = {}
    for sec in sections:
        m = re.match(r"^(?:(?P<part>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|第\d+章)-)?(?P<major>\d+)(?:-(?P<minor>\d+))?$", sec.section_no)
        if not m:
            continue
        part = m["part"] or (sec.parent_no if sec.parent_no and re.fullmatch(r"[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|第\d+章", sec.parent_no) else None)
        major, minor = int(m["major"]), int(m["minor"] or 0)
        prev = last_major.get(part)
        if prev is not None and major > prev + 1:
            findings.append(_skip(sec, str(prev), str(major)))
        if minor:
            prev_minor = last_minor.get((part, major))
            if prev_minor is not None and minor > prev_minor + 1:
                findings.append(_skip(sec, f"{major}-{prev_minor}", f"{major}-{minor}"))
            last_minor[(part, major)] = minor
        last_major[part] = max(major, prev or 0)
    return findings


def _skip(sec: Section, before: str, after: str) -> Finding:
    return Finding(severity="warning", code="section_number_skipped",
                   message=f"section {after} follows section {before}: numbering skips",
                   location=f"page {sec.page_start}")
