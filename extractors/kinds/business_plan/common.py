"""Settings and small helpers shared by the parts of the business-plan extractor, and where each 別表 is."""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.layout.model import Cell, PdfLayout, per_layout
from pipeline.normalize.text import clean_label, collapse_spaced_digits, compact_text, compiled, normalize_text



@dataclass(frozen=True)
class PlanSettings:
    """Every label and pattern of the extractor (patterns see normalize_text output without spaces)."""

    # (別表3) / （別表 ３） at the start of a line.
    appendix_heading: str = r"^[(（\[［【]?別表(?P<no>\d+)[)）\]］】]?"
    overview_title: str = "概要"
    # 概要 label words: each form prints one of them (実施者名 / 申請者名 / 計画の実施者, 実施期間 / 計画期間).
    implementer_labels: tuple[str, ...] = ("実施者", "申請者", "実施主体")
    period_labels: tuple[str, ...] = ("実施期間", "計画期間", "事業期間")
    goals_label: str = "目標"
    contact_label: str = "連絡先"
    contents_labels: tuple[str, ...] = ("事業内容", "事業の内容")   # the 概要's list of the plan's sections
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
    # The 概要, besides the labels above: a 法人番号 row of its own (some pre-2019 forms), and how
    # a municipality's name ends (an implementer printed with no id).
    corporate_label: str = "法人番号"
    contact_other_labels: tuple[str, ...] = ("問合せ先", "問い合わせ先", "問合わせ先")  # besides 連絡先
    municipality_end: str = r"[市町村区]$"
    # A 事業内容 item numbered with a space and no full stop (`３　地域の…に関すること`).
    spaced_item: str = r"^(\d{1,2}) +(?=[^\d\s.．、,(（].*(?:こと|取組|[】)）])$)"


DEFAULT = PlanSettings()


# --- small text helpers ----------------------------------------------------------------------------

def cell_text(cell: Cell | None) -> str:
    return cell.text if cell else ""


_CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"


def item_label(text: str) -> str:
    """clean_label, and no space next to a Japanese character (`BIZ ミル利用料` → `BIZミル利用料`)."""
    return re.sub(rf"(?<={_CJK})\s+|\s+(?={_CJK})", "", clean_label(text))


def split_outside_brackets(text: str, separators: str) -> list[str]:
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


def digit_runs(text: str) -> list[str]:
    # Digits only after the normaliser made them half-width and joined spaced ones.
    return re.findall(r"\d+", collapse_spaced_digits(normalize_text(text)))


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
            m = heading.match(compact_text(line.text))
            if m and (not starts or starts[-1][0] != int(m["no"])):
                starts.append((int(m["no"]), page.number))
                break
    out: dict[int, list[int]] = {}
    for i, (no, first) in enumerate(starts):
        last = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(layout.pages)
        out.setdefault(no, list(range(first, max(last, first) + 1)))
    return out


def layout_pages(layout: PdfLayout, numbers: list[int]):
    return [layout.pages[n - 1] for n in numbers if 0 < n <= len(layout.pages)]
