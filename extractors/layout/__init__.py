"""Generic layout layer: file → pages, words, lines, rulings, table grids (PDF, OCR, workbooks).

Knows nothing of plans: what names a period in a table header is injected through
LayoutSettings (its defaults come from pipeline.normalize.wareki).
"""
