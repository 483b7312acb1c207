"""What the layout says about how it was read: table parsing reports and damaged pages.

Shared by every kind (the pipeline adds these to each PDF's extraction): each table's
typed parsing report (method, accuracy, whitespace, rows × cols), a finding for a table
that read too few of its words into cells, and one for each page whose content the PDF
library reported as damaged (its words after the error may be lost: never a silent drop).
"""
from __future__ import annotations

from extractors.layout.model import LayoutSettings, PdfLayout
from extractors.layout.strategies import parsing_reports
from extractors.layout.workbook import WorkbookLayout
from schemas.records import Finding, TableReport


def layout_reports(layout: object, settings: LayoutSettings = LayoutSettings()
                   ) -> tuple[list[TableReport], list[Finding]]:
    if isinstance(layout, WorkbookLayout):
        return [], workbook_findings(layout)
    if not isinstance(layout, PdfLayout):
        return [], []
    reports = [TableReport(page=r.page, order=r.order, method=r.method, accuracy=r.accuracy,
                           whitespace=r.whitespace, n_rows=r.n_rows, n_cols=r.n_cols, bbox=r.bbox)
               for r in parsing_reports(layout.pages)]
    findings = [Finding(severity="warning", code="low_accuracy_table",
                        message=f"table {r.order + 1} of page {r.page} ({r.method}, {r.n_rows}×{r.n_cols}) "
                                f"has {r.accuracy:.0f}% of its words inside cells; its values may be misplaced",
                        location=f"page {r.page}")
                for r in reports if r.accuracy < settings.min_table_accuracy]
    for page in layout.pages:
        if page.errors:
            findings.append(Finding(severity="warning", code="pdf_content_errors",
                                    message=f"page {page.number}: the PDF's content is damaged "
                                            f"({'; '.join(page.errors[:3])}); text after the error may be lost",
                                    location=f"page {page.number}"))
    return reports, findings


def workbook_findings(layout: WorkbookLayout) -> list[Finding]:
    """A finding (error: values are lost) for each sheet with formula cells stored without a value."""
    out = []
    for sheet in layout.sheets:
        if sheet.computed_formulas:
            done = sheet.computed_formulas
            out.append(Finding(severity="info", code="formula_values_computed",
                               message=f"sheet {sheet.name}: formula cells stored without a value were computed "
                                       f"from the workbook ({', '.join(done[:12])}"
                                       + (f" … {len(done)} cells)" if len(done) > 12 else ")"),
                               location=f"{sheet.name}!{done[0]}"))
        refs = sheet.uncached_formulas
        if refs:
            shown = ", ".join(refs[:12]) + (f" … ({len(refs)} cells)" if len(refs) > 12 else "")
            out.append(Finding(severity="error", code="formula_without_value",
                               message=f"sheet {sheet.name}: formula cells without a computed value ({shown}); "
                                       "their values are missing — open and save the file in a spreadsheet "
                                       "program to compute them",
                               location=f"{sheet.name}!{refs[0]}"))
    return out
