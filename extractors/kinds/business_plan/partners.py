"""別表4: label/content rows → Partner records."""
from __future__ import annotations

from extractors.kinds.business_plan.common import DEFAULT, PlanSettings, layout_pages
from extractors.layout.model import PdfLayout
from pipeline.normalize.text import collapse_spaced_digits, compact_text, compiled, normalize_text
from schemas.records import Partner



# --- stage: partners (別表4) ------------------------------------------------------------------------------

def _partner_label(text: str, settings: PlanSettings) -> str | None:
    t = compact_text(text)
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
    for page in layout_pages(layout, pages):
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
    names = [l for text in sections.get("name", []) for l in text.splitlines() if compact_text(l)]
    content = "\n".join(sections.get("content", [])) or None
    role = "\n".join(sections.get("role", [])) or None
    partners = []
    for line in names:
        if not compiled(settings.bullet_start).match(normalize_text(line)) and partners and len(names) > 1:
            continue  # a wrapped line of the previous partner
        partner = split_partner_line(line, settings)
        partners.append(partner.model_copy(update={"content": content, "role": role, "page": page_no}))
    return partners
