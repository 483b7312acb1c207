"""notebooks/cross_chamber.ipynb runs top to bottom against the sample corpus; its charts
name the chambers in a Japanese font from a wheel, one unit per axis, legends outside."""
from __future__ import annotations

import json
import re

import nbformat
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "cross_chamber.ipynb"
CHAMBERS = {"青梅商工会議所", "留萌商工会議所"}

# Appended to the notebook in memory: what the test needs to know about the figures it drew.
PROBE = r'''
import json
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
report = {"workdir_exists": workdir.exists(), "charts": {}}
for name, fig in charts.items():
    canvas = FigureCanvasAgg(fig)  # the inline backend closed the figure: draw it again
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = fig.legends[0]
    box = legend.get_window_extent(renderer)
    axes = [a for a in fig.axes if a.has_data()]
    report["charts"][name] = {
        "legend": [t.get_text() for t in legend.get_texts()],
        "legend_fonts": sorted({font_manager.findfont(t.get_fontproperties()) for t in legend.get_texts()}),
        "legend_overlaps_axes": any(box.overlaps(a.get_window_extent(renderer)) for a in axes),
        "axes_legends": sum(a.get_legend() is not None for a in fig.axes),
        "value_labels": [a.get_xlabel() if name == "shared_targets" else a.get_ylabel() for a in axes],
        "title": fig._suptitle.get_text() if fig._suptitle else "",
    }
print("PROBE" + json.dumps(report, ensure_ascii=False))
'''


def test_notebook_runs_and_its_charts_are_readable():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    committed = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert committed, "the notebook is committed with its outputs"
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "Glyph" not in stderr and "missing from" not in stderr  # every Japanese label has its glyphs
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(images) >= 3, "a chart per question"
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "management_analyses" in text and all(c in text for c in CHAMBERS)
    assert "【事業承継】" in text

    probe = next(o["text"] for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    report = json.loads(probe.split("PROBE", 1)[1])
    assert report["workdir_exists"] is False  # the temporary database is gone
    charts = report["charts"]
    assert set(charts) == {"shared_targets", "budget", "grades"}
    for name in ("shared_targets", "budget"):
        assert set(charts[name]["legend"]) == CHAMBERS, name  # chamber names, not file names
    assert charts["grades"]["legend"] == ["S", "A", "B", "C"]
    for name, chart in charts.items():
        assert not chart["legend_overlaps_axes"] and chart["axes_legends"] == 0, name
        assert chart["legend_fonts"] and all("matplotlib_fontja" in f for f in chart["legend_fonts"]), name
        for label in chart["value_labels"]:  # exactly one unit per value axis
            assert re.fullmatch(r"[^（）]+（[^（）・/、,]+）", label), (name, label)
    units = [re.search(r"（(.+)）", label).group(1) for label in charts["shared_targets"]["value_labels"]]
    assert len(units) == len(set(units)) >= 2  # one chart per unit, not 件 and 者 on one axis
