"""The SDK's module structure (issue 14, item 8): no import cycles between labbook's modules —
counting imports inside functions too, which only hide a cycle — and one sink per mode instead of
online/offline branches in run.py."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

import labbook

PACKAGE = Path(labbook.__file__).parent


def _imports(path: Path) -> Set[str]:
    """labbook modules a file imports anywhere (functions included), except under
    `if TYPE_CHECKING:` (annotations only) and the generated labbook.v1 stubs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: Set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "labbook":
            if node.module == "labbook":
                found.update(f"labbook.{a.name}" for a in node.names if (PACKAGE / f"{a.name}.py").exists())
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "labbook")
        for child in ast.iter_child_nodes(node):
            visit(child)
    visit(tree)
    return {m for m in found if not m.startswith("labbook.v1")}


def _graph() -> Dict[str, Set[str]]:
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = "labbook" if path.stem == "__init__" else f"labbook.{path.stem}"
        graph[name] = _imports(path) - {name}
    return graph


def test_no_module_of_the_sdk_imports_itself_back():
    graph = _graph()
    graph.pop("labbook")  # the package's __init__ imports everything by design; nothing imports it
    cycles: List[List[str]] = []

    def walk(start: str, node: str, path: List[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                cycles.append(path + [nxt])
            elif nxt not in path and nxt in graph:
                walk(start, nxt, path + [nxt])
    for module in graph:
        walk(module, module, [module])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_run_has_no_online_offline_branches():
    source = (PACKAGE / "run.py").read_text(encoding="utf-8")
    assert source.count("self.offline is not None") + source.count("self.offline is None") <= 1
