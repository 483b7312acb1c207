"""notebooks/cross_chamber.ipynb runs top to bottom against the sample corpus."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "cross_chamber.ipynb"


def test_notebook_runs_and_answers_its_questions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    committed = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert committed, "the notebook is committed with its outputs"
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert len(images) >= 3, "a chart per question"
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "management_analyses" in text and "ome_cci_2023.pdf" in text and "rumoi_cci_2025.pdf" in text
    assert "【事業承継】" in text
