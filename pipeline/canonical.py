"""Cross-chamber codes: canonical sections and canonical target indicators.

Every chamber numbers and words its plan its own way (post-2019 plans run 1–10,
pre-2019 plans have Ⅰ/Ⅱ/Ⅲ parts with the items in another order, labels say
`②経営分析事業者数` or `経営分析件数`). To compare chambers, each section gets
the code of the standard-form activity it describes (`Section.canonical`) and
each target row the code of what it counts (`Target.indicator`).

text → sudachi word forms → rules (data, first match wins) → codes.

The rules are DATA, kept next to this module so an analyst can extend them
without touching code: `sections_canonical.csv` (section titles) and
`indicators.csv` (target labels). Both are matched on sudachi's normalized
forms (split mode C, each compound also split into its mode-A parts), so
`ＤＸ`/`DX`, `延回数`/`延べ回数`, `売上`/`売り上げ`, `取組`/`取り組み` are the
same words, and a phrase matches only as whole words in sequence (`事業計画` is
not found inside `事業承継計画`).

Rule file format (CSV, UTF-8, `#` in the first column comments a row):

* a *term list* is space-separated terms that must ALL be present; a term is
  `|`-separated alternative phrases, ANY of which may be present:
  `セミナー|講習会 開催|回数` = (セミナー or 講習会) and (開催 or 回数).
* sections_canonical.csv: `canonical, title, not_title, levels, description`;
  `levels` is `top` (parts and items, level ≤ 1: wording like `目標` is only a
  section code at the top) or `any` (also sub-sections). A section whose own
  title matches no rule inherits its parent's code.
* indicators.csv: `indicator, label, not_label, parent, section, unit,
  description`; `label`/`not_label` are term lists on the row label, `parent`
  a term list on parent_metric (for sub-rows such as `頻度（延回数）`),
  `section` the section's canonical code(s) and `unit` the row's unit(s),
  `|`-separated; empty columns match anything.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors import kinds
from pipeline.normalize.tokenizer import prepare, word_spans
from pipeline.terms import section_terms
from schemas.records import Extraction, Section, Target

HERE = Path(__file__).resolve().parent
SECTION_RULES_PATH = HERE / "sections_canonical.csv"
INDICATOR_RULES_PATH = HERE / "indicators.csv"

TOP_LEVEL = 1


@lru_cache(maxsize=8192)
def short_forms(text: str) -> tuple[str, ...]:
    """The text's normalized mode-A word forms in order: the sequence rule phrases are matched in."""
    return tuple(part for (_, parts, _), _, _ in word_spans(prepare(text)) for part in parts)


# --- rules ----------------------------------------------------------------------------

Phrase = tuple[str, ...]
Term = tuple[Phrase, ...]  # alternatives


def _contains(seq: tuple[str, ...], phrase: Phrase) -> bool:
    """Whether the phrase occurs in seq as consecutive words (found from its first word)."""
    n = len(phrase)
    if n <= 1:
        return n == 1 and phrase[0] in seq
    first, i = phrase[0], 0
    try:
        while True:
            i = seq.index(first, i)
            if seq[i:i + n] == phrase:
                return True
            i += 1
    except ValueError:
        return False


def parse_terms(spec: str) -> tuple[Term, ...]:
    """`セミナー|講習会 開催|回数` → ((セミナー), (講習会)), ((開催), (回数))) as word forms."""
    return tuple(tuple(short_forms(alt) for alt in term.split("|") if alt)
                 for term in (spec or "").split())


def _has_term(seq: tuple[str, ...], term: Term) -> bool:
    for alt in term:
        if _contains(seq, alt):
            return True
    return False


def _all_terms(seq: tuple[str, ...], terms: tuple[Term, ...]) -> bool:
    for term in terms:
        if not _has_term(seq, term):
            return False
    return True


def _any_term(seq: tuple[str, ...], terms: tuple[Term, ...]) -> bool:
    for term in terms:
        if _has_term(seq, term):
            return True
    return False


def _choices(spec: str) -> frozenset[str]:
    return frozenset(s.strip() for s in (spec or "").split("|") if s.strip())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    rows = []
    for n, row in enumerate(csv.DictReader(lines), start=2):
        if None in row:  # an unquoted comma in a description shifts every column after it
            raise ValueError(f"{path.name}: rule {n} has more columns than the header "
                             "(quote a value that contains a comma)")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


@dataclass(frozen=True)
class SectionRule:
    canonical: str
    title: tuple[Term, ...]
    not_title: tuple[Term, ...]
    top_only: bool
    description: str = ""

    def matches(self, forms: tuple[str, ...], level: int) -> bool:
        if self.top_only and level > TOP_LEVEL:
            return False
        return _all_terms(forms, self.title) and not _any_term(forms, self.not_title)


@dataclass(frozen=True)
class IndicatorRule:
    indicator: str
    label: tuple[Term, ...]
    not_label: tuple[Term, ...]
    parent: tuple[Term, ...]
    sections: frozenset[str]
    units: frozenset[str]
    description: str = ""

    def matches(self, label: tuple[str, ...], parent: tuple[str, ...] | None,
                section: str | None, unit: str | None) -> bool:
        if self.sections and section not in self.sections:
            return False
        if self.units and unit not in self.units:
            return False
        if self.parent and (parent is None or not _all_terms(parent, self.parent)):
            return False
        return _all_terms(label, self.label) and not _any_term(label, self.not_label)


@lru_cache(maxsize=4)
def section_rules(path: Path = SECTION_RULES_PATH) -> tuple[SectionRule, ...]:
    return tuple(SectionRule(r["canonical"], parse_terms(r["title"]), parse_terms(r.get("not_title", "")),
                             r.get("levels", "any") == "top", r.get("description", ""))
                 for r in _rows(path))


@lru_cache(maxsize=4)
def indicator_rules(path: Path = INDICATOR_RULES_PATH) -> tuple[IndicatorRule, ...]:
    return tuple(IndicatorRule(r["indicator"], parse_terms(r["label"]), parse_terms(r.get("not_label", "")),
                               parse_terms(r.get("parent", "")), _choices(r.get("section", "")),
                               _choices(r.get("unit", "")), r.get("description", ""))
                 for r in _rows(path))


def section_codes() -> list[str]:
    return list(dict.fromkeys(r.canonical for r in section_rules()))


def indicator_codes() -> list[str]:
    return list(dict.fromkeys(r.indicator for r in indicator_rules()))


def indicator_descriptions() -> dict[str, str]:
    """indicator → its description (the first rule of an indicator that has one)."""
    out: dict[str, str] = {}
    for rule in indicator_rules():
        if rule.description and rule.indicator not in out:
            out[rule.indicator] = rule.description
    return out


# --- sections -------------------------------------------------------------------------

def section_code(title: str, level: int = 1, rules: tuple[SectionRule, ...] | None = None) -> str | None:
    """The canonical code a section title says by itself (None: inherit the parent's)."""
    forms = short_forms(title or "")
    for rule in rules if rules is not None else section_rules():
        if rule.matches(forms, level):
            return rule.canonical
    return None


def section_canonicals(sections: list[Section]) -> list[str | None]:
    """Each section's canonical code, in order: own title first, else the nearest parent's."""
    own = {s.section_no: section_code(s.title, s.level) for s in sections}
    parent_of = {s.section_no: s.parent_no for s in sections}

    def resolved(no: str | None, seen: frozenset = frozenset()) -> str | None:
        if no is None or no in seen:
            return None
        return own.get(no) or resolved(parent_of.get(no), seen | {no})

    return [own[s.section_no] or resolved(s.parent_no, frozenset({s.section_no})) for s in sections]


def canonical_sections(sections: list[Section]) -> list[Section]:
    """New sections with `canonical` set: own title first, else the nearest parent's code."""
    return [s.model_copy(update={"canonical": code}) for s, code in zip(sections, section_canonicals(sections))]


# --- indicators -----------------------------------------------------------------------

def indicator_for(metric: str, parent_metric: str | None = None, section: str | None = None,
                  unit: str | None = None, rules: tuple[IndicatorRule, ...] | None = None) -> str | None:
    """The indicator a target row counts, or None (first matching rule wins)."""
    label = short_forms(metric or "")
    parent = short_forms(parent_metric) if parent_metric else None
    for rule in rules if rules is not None else indicator_rules():
        if rule.matches(label, parent, section, unit):
            return rule.indicator
    return None


def _row_key(t: Target) -> tuple:
    return (t.section_no, t.metric, t.parent_metric)


def row_units(targets: list[Target]) -> dict[tuple, str | None]:
    """Each table row's unit: the most common unit of its cells (a `—` cell has none)."""
    counts: dict[tuple, Counter] = {}
    for t in targets:
        counts.setdefault(_row_key(t), Counter())
        if t.unit:
            counts[_row_key(t)][t.unit] += 1
    return {key: (c.most_common(1)[0][0] if c else None) for key, c in counts.items()}


def canonical_targets(targets: list[Target], section_canonical: dict[str, str | None]) -> list[Target]:
    """New targets with `indicator` set, one decision per table row (all its cells agree)."""
    units = row_units(targets)
    decided: dict[tuple, str | None] = {}
    out = []
    for t in targets:
        key = _row_key(t)
        if key not in decided:
            decided[key] = indicator_for(t.metric, t.parent_metric,
                                         section_canonical.get(t.section_no or ""), units[key])
        out.append(t.model_copy(update={"indicator": decided[key]}))
    return out


def enrich(extraction: Extraction) -> Extraction:
    """A new Extraction with sections' canonical codes and targets' indicators filled."""
    if not extraction.sections and not extraction.targets:
        return extraction
    # Cut the words for full-text search here, in the worker, so the parent's index build
    # (serial) only copies them: tokenising there was the slowest stage of an ingest.
    spec = kinds.load().get(extraction.kind)
    if spec is None or spec.canonical_sections:  # unknown kind: the standard form is the best guess
        codes = section_canonicals(extraction.sections)
        updates = [{"canonical": code} for code in codes]
    else:  # e.g. promotion plans: their own chapters, not the standard form
        codes = [s.canonical for s in extraction.sections]
        updates = [{} for _ in codes]
    by_no = {s.section_no: code for s, code in zip(extraction.sections, codes)}
    targets = canonical_targets(extraction.targets, by_no)
    # one copy per section with everything it gains
    sections = [s.model_copy(update={**update, "search_terms": section_terms(s.title, s.body)})
                for s, update in zip(extraction.sections, updates)]
    return extraction.model_copy(update={"sections": sections, "targets": targets})
