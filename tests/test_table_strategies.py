"""Table strategies by name, the parsing report of every table, and findings from the layout."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pymupdf
import pytest

from extractors.layout.model import LayoutSettings
from extractors.layout.pdf import read_pdf_layout
from extractors.layout.strategies import STRATEGIES, parsing_report
from extractors.readers.table_reports import layout_reports
from pipeline.cli import main
from pipeline.extract import extract_file

LAYOUTS = Path(__file__).resolve().parent / "synthetic_layouts"


def test_strategies_are_chosen_by_name_and_unknown_names_refused():
    assert set(STRATEGIES) == set(LayoutSettings().table_strategies) == {"rulings", "pdfplumber", "stream"}
    with pytest.raises(ValueError, match="unknown table strategies"):
        LayoutSettings(table_strategies=("rulings", "lattice"))


def test_without_the_stream_strategy_a_horizontal_rules_only_table_is_not_read():
    pdf = LAYOUTS / "html_hrules_shokokai.pdf"
    methods = lambda layout: [t.method for t in layout.pages[1].tables]  # noqa: E731
    assert "stream" in methods(read_pdf_layout(pdf))
    assert methods(read_pdf_layout(pdf, LayoutSettings(table_strategies=("rulings",)))) == []


def test_every_table_has_a_typed_parsing_report():
    layout = read_pdf_layout(LAYOUTS / "html_tight_cci.pdf")
    table = layout.pages[1].tables[0]
    report = parsing_report(table)
    assert (report.method, report.accuracy, report.n_rows, report.n_cols) == ("rulings", 100.0, 2, 7)
    reports, findings = layout_reports(layout)
    assert len(reports) == sum(len(p.tables) for p in layout.pages) and findings == []


def test_inspect_shows_the_table_reports(capsys):
    assert main(["inspect", str(LAYOUTS / "html_hrules_shokokai.pdf")]) == 0
    reports = json.loads(capsys.readouterr().out)["table_reports"]
    assert {"rulings", "stream"} <= {r["method"] for r in reports}
    assert all(r["accuracy"] >= 80 and r["n_rows"] >= 1 for r in reports)


def test_a_low_accuracy_table_becomes_a_finding():
    layout = read_pdf_layout(LAYOUTS / "html_tight_cci.pdf")
    page = layout.pages[1]
    bad = dataclasses.replace(page.tables[0], report={**page.tables[0].report, "accuracy": 55.0})
    pages = (layout.pages[0], dataclasses.replace(page, tables=(bad, *page.tables[1:])), *layout.pages[2:])
    _, findings = layout_reports(dataclasses.replace(layout, pages=pages))
    assert [(f.code, f.location) for f in findings] == [("low_accuracy_table", "page 2")]
    assert "55%" in findings[0].message


def _damaged(src: Path, out: Path, page_index: int) -> Path:
    doc = pymupdf.open(src)
    xref = doc[page_index].get_contents()[0]
    doc.update_stream(xref, b"q ] ] } 0 0 m S Q\n" + doc.xref_stream(xref) + b"\n] } BT (x) Tj")
    doc.save(out)
    return out


def test_a_page_with_a_damaged_content_stream_gives_a_finding(tmp_path):
    pdf = _damaged(LAYOUTS / "html_transposed_cci.pdf", tmp_path / "damaged.pdf", 1)
    assert read_pdf_layout(pdf).pages[1].errors
    ex = extract_file(pdf)
    found = [f for f in ex.findings if f.code == "pdf_content_errors"]
    assert [f.location for f in found] == ["page 2"] and "syntax error" in found[0].message
    clean = extract_file(LAYOUTS / "html_transposed_cci.pdf")
    assert not [f for f in clean.findings if f.code == "pdf_content_errors"]


def test_workbook_formulas_without_values_are_computed_or_reported(tmp_path):
    import openpyxl

    from conftest import RAW
    from extractors.layout.workbook import read_workbook

    wb = openpyxl.load_workbook(RAW / "akiruno_progress_r7.xlsx")
    ws = wb.worksheets[0]
    numbers = [c for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))]
    for cell in numbers[10:14]:           # as a tool that writes formulas without computing them
        cell.value = f"={cell.value}+0"
    refs = tuple(c.coordinate for c in numbers[10:14])
    wb.save(tmp_path / "formulas.xlsx")
    sheet = read_workbook(tmp_path / "formulas.xlsx").sheets[0]
    assert sheet.computed_formulas == refs and sheet.uncached_formulas == ()
    ex = extract_file(tmp_path / "formulas.xlsx")
    clean = extract_file(RAW / "akiruno_progress_r7.xlsx")
    rows = lambda e: sorted((p.project, p.fiscal_year, p.target, p.actual, p.grade) for p in e.progress)  # noqa: E731
    assert ex.status == "ok" and rows(ex) == rows(clean)
    assert [(f.code, f.location) for f in ex.findings if f.code.startswith("formula")] == [
        ("formula_values_computed", f"{ws.title}!{refs[0]}")]
    # A formula the engine cannot compute (#DIV/0!) stays unknown: a finding naming it, status partial.
    numbers[20].value = "=1/0"
    wb.save(tmp_path / "broken.xlsx")
    ex = extract_file(tmp_path / "broken.xlsx")
    assert ex.status == "partial"
    lost = [f for f in ex.findings if f.code == "formula_without_value"]
    assert [f.location for f in lost] == [f"{ws.title}!{numbers[20].coordinate}"]
    assert not [f for f in clean.findings if f.code.startswith("formula")]
