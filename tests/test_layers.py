"""The layers read as the data flow: no import cycle, and nothing imports a higher layer.

Order, lowest first: schemas → pipeline.normalize → extractors.layout → extractors.readers
→ extractors (the kinds and their registry) → the rest of pipeline. Every import
statement counts, those inside functions too: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGES = ("schemas", "pipeline", "extractors")
# (module prefix, rank): a module takes the rank of its longest matching prefix.
LAYERS = (
    ("schemas", 0),
    ("pipeline.normalize", 1),
    ("extractors.layout", 2),
    ("extractors.readers", 3),
    ("extractors", 4),  # extractors.kinds and the registry (extractors.base)
    ("pipeline", 5),
)


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _resolve(name: str, known) -> str | None:
    """The project module a dotted name lands in (`pkg.mod.func` → `pkg.mod`)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known) -> set[str]:
    """Project modules imported anywhere in the file (a package's own parent packages left out)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module mod; `from mod import name` the module mod
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(r for r in (_resolve(n, known) for n in names) if r is not None)
    found.discard(module)
    return found


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    files = module_files(root, packages)
    return {module: imports_of(module, path, files) for module, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            nxt = next((w for w in edges if w in graph), None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def rank(module: str, layers=LAYERS) -> int | None:
    best = None
    for prefix, r in layers:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, r)
    return best[1] if best else None


def upward_imports(graph: dict[str, set[str]], layers=LAYERS) -> list[tuple[str, str]]:
    return sorted((a, b) for a, deps in graph.items() for b in deps
                  if rank(a, layers) is not None and rank(b, layers) is not None
                  and rank(b, layers) > rank(a, layers))


# --- the project -----------------------------------------------------------------------

def test_no_import_cycle_in_the_project():
    graph = import_graph(ROOT)
    assert "extractors.layout.rulings" in graph and "pipeline.store" in graph  # the walk saw the tree
    assert cycles(graph) == []


def test_no_import_against_the_layer_order():
    assert upward_imports(import_graph(ROOT)) == []


def test_the_normalisers_import_nothing_else_of_the_project():
    graph = import_graph(ROOT)
    assert "pipeline.normalize.tokenizer" in graph
    assert {m: sorted(d for d in deps if not d.startswith("pipeline.normalize"))
            for m, deps in graph.items() if m.startswith("pipeline.normalize")} == {
        m: [] for m in graph if m.startswith("pipeline.normalize")}


def test_every_project_module_has_a_layer():
    assert [m for m in import_graph(ROOT) if rank(m) is None] == []


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_store_loads_no_extractor():
    loaded = _loaded_after("import pipeline.store")
    assert [m for m in loaded if m.split(".")[0] == "extractors"] == []


def test_the_generic_table_layer_loads_no_plan_reader_and_no_pydantic():
    loaded = _loaded_after("import extractors.layout.rulings, extractors.layout.stream")
    assert "extractors.layout.model" in loaded
    assert [m for m in loaded if m.startswith(("extractors.readers", "extractors.kinds", "pydantic",
                                                "schemas.records"))] == []


def _finding_codes_in_source() -> dict[str, str]:
    """code → module of every `Finding(..., code="...")` in the project."""
    codes = {}
    for module, path in module_files(ROOT).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        codes[kw.value.value] = module
    return codes


def test_finding_code_lists_exactly_the_codes_the_project_uses():
    import typing

    from schemas.types import FindingCode

    used = _finding_codes_in_source()
    assert "grade_mismatch" in used and "extraction_error" in used  # the walk found the calls
    assert sorted(typing.get_args(FindingCode)) == sorted(used)


def test_a_finding_with_an_unlisted_code_is_refused():
    import pydantic
    import pytest

    from schemas.records import Finding

    assert Finding(code="grade_mismatch", message="x").code == "grade_mismatch"
    with pytest.raises(pydantic.ValidationError):
        Finding(code="no_such_check", message="x")


# --- the checker itself, on a tiny synthetic tree ---------------------------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _tree(tmp_path: Path, extra: dict[str, str]) -> dict[str, set[str]]:
    files = {f"{p}/__init__.py": "" for p in ("schemas", "pipeline", "pipeline/normalize", "extractors",
                                                "extractors/layout", "extractors/readers")}
    files |= {
        "schemas/records.py": "import json\n",
        "pipeline/normalize/text.py": "from schemas.records import json\n",
        "extractors/layout/model.py": "from pipeline.normalize import text\n",
        "extractors/readers/tables.py": "from extractors.layout.model import x\n",
        "pipeline/store.py": "from . import views\n",
        "pipeline/views.py": "import schemas.records\n",
    }
    _write(tmp_path, files | extra)
    return import_graph(tmp_path)


def test_the_checker_passes_a_clean_tree(tmp_path):
    graph = _tree(tmp_path, {})
    assert graph["pipeline.normalize.text"] == {"schemas.records"}
    assert graph["pipeline.normalize"] == set()
    assert graph["pipeline.store"] == {"pipeline.views"}  # a relative import is resolved
    assert cycles(graph) == [] and upward_imports(graph) == []


def test_the_checker_finds_an_upward_import_inside_a_function(tmp_path):
    graph = _tree(tmp_path, {"extractors/layout/model.py": (
        "from pipeline.normalize import text\n\ndef f():\n    from extractors.readers.tables import y\n")})
    assert upward_imports(graph) == [("extractors.layout.model", "extractors.readers.tables")]
    assert cycles(graph) == [["extractors.layout.model", "extractors.readers.tables"]]


def test_the_checker_finds_a_cycle_within_one_layer(tmp_path):
    graph = _tree(tmp_path, {"pipeline/views.py": "import pipeline.search\n",
                             "pipeline/search.py": "from pipeline import store\n"})
    assert upward_imports(graph) == []
    assert cycles(graph) == [["pipeline.search", "pipeline.store", "pipeline.views"]]


def test_the_checker_finds_the_normalisers_importing_storage(tmp_path):
    graph = _tree(tmp_path, {"pipeline/normalize/text.py": "import pipeline.store as s\n"})
    assert upward_imports(graph) == [("pipeline.normalize.text", "pipeline.store")]
