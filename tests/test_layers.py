"""The package's import graph: no cycle, and the layers in one direction only.

The graph is grimp's (import-linter's engine): every ``import`` statement of every module
of ``verifier``, those inside functions included, so a cycle cannot hide behind an import
made late. :data:`LAYERS` is the intended flow, lowest first; a module may import from its
own layer or a lower one, never from a higher one. Each failure names the importing
module, its line and what to do.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "verifier"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Words and rules every part shares; they import nothing of the package.
    (
        "base",
        (
            "verifier._version",
            "verifier.clock",
            "verifier.errors",
            "verifier.models",
            "verifier.urls",
            "verifier.names",
            "verifier.safetext",
        ),
    ),
    # What comes in and what is kept: the files a person writes, fetching pages, the
    # bundle's storage (captures, files, WARC, review decisions), the local fixture server.
    (
        "inputs, fetch and bundle storage",
        (
            "verifier.inputs",
            "verifier.fetch",
            "verifier.bundle",
            "verifier.bundle.store",
            "verifier.bundle.files",
            "verifier.bundle.warc",
            "verifier.bundle.decisions",
            "verifier.bundle.textview",
            "verifier.bundle.memo",
            "verifier.sites",
        ),
    ),
    # What a plugin author imports: the package's facade, the check contract, the hooks.
    (
        "plugin API",
        ("verifier", "verifier.checks", "verifier.hookspecs", "verifier.demo", "verifier.toolkit"),
    ),
    ("plugin host", ("verifier.host",)),
    ("engine", ("verifier.engine",)),
    # The report writers and the registry of report formats.
    ("reports", ("verifier.report",)),
    # The renewal re-check's summary, its diff against a baseline and its pages.
    ("recheck summaries", ("verifier.recheck",)),
    # The JSON Schemas are made from the input models, report.json's and recheck.json's.
    ("schemas", ("verifier.schemas",)),
    # Checking a bundle re-derives its human reports, so it sits above them.
    ("bundle check", ("verifier.bundle.check", "verifier.bundle.chain")),
    # The history of runs reads finished folders (their manifest, report and re-check
    # models); the runs and the command line record into it.
    ("history", ("verifier.history",)),
    # The runs compose everything below: verify, replay, review.
    # ... and the renewal re-check composes runs.
    # `plugins new` writes a plugin package from templates: a command's work, like a run.
    ("runs", ("verifier.run", "verifier.run.recheck", "verifier.scaffold")),
    (
        "command line",
        ("verifier.cli", "verifier.cli.recheck", "verifier.cli.history", "verifier.__main__"),
    ),
    # The pytest plugin for check authors drives the engine and the host like a run.
    ("testing", ("verifier.testing",)),
)
"""The layers, lowest first; a name covers that module and, unless it is the package
itself, everything below it (the longest name wins: ``verifier.bundle.check`` is not in
the layer of ``verifier.bundle``)."""


def layer_of(module: str, layers: Iterable[tuple[str, tuple[str, ...]]] = LAYERS) -> int | None:
    """The index of ``module``'s layer in ``layers``; ``None`` when no name covers it."""
    best: tuple[int, int] | None = None  # (length of the name, layer index)
    for index, (_title, names) in enumerate(layers):
        for name in names:
            covers = module == name or (name != PACKAGE and module.startswith(name + "."))
            if covers and (best is None or len(name) > best[0]):
                best = (len(name), index)
    return None if best is None else best[1]


@pytest.fixture(scope="module")
def full_graph() -> grimp.ImportGraph:
    """Every import, those only for type checkers included: the cycle rule's graph."""
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=False, cache_dir=None)


@pytest.fixture(scope="module")
def runtime_graph() -> grimp.ImportGraph:
    """The imports that run: the layer rule's graph. An import under ``if TYPE_CHECKING:``
    names a type for mypy and loads nothing, so it may point up a layer."""
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=True, cache_dir=None)


def _edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One cycle per strongly connected group of modules, as a closed chain of module
    names (``[a, b, a]``), sorted; empty when the graph has none."""
    edges = _edges(graph)
    found = []
    for group in _strongly_connected(edges):
        start = min(group)
        if len(group) == 1 and start not in edges[start]:
            continue
        found.append(_shortest_loop(start, edges))
    return sorted(found)


def _shortest_loop(start: str, edges: dict[str, set[str]]) -> list[str]:
    # Breadth first from ``start`` back to it: the shortest cycle through it.
    came_from: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                return [*reversed(chain), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{start} is on no cycle")


def _strongly_connected(edges: dict[str, set[str]]) -> Iterator[set[str]]:
    # Tarjan's algorithm, iterative: the package is small, but recursion depth should not
    # depend on the length of an import chain.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                yield group


def _where(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(str(d["line_number"]) for d in details)
    return f"{importer} (line {lines or '?'}) imports {imported}"


def upward_imports(
    graph: grimp.ImportGraph, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS
) -> list[str]:
    """Each import from a module into a higher layer than its own, for a person."""
    out = []
    for importer in sorted(graph.modules):
        mine = layer_of(importer, layers)
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            theirs = layer_of(imported, layers)
            if mine is not None and theirs is not None and theirs > mine:
                out.append(
                    f"{_where(graph, importer, imported)}: layer {layers[mine][0]!r} may not "
                    f"import from the higher layer {layers[theirs][0]!r}"
                )
    return out


def test_the_package_has_no_import_cycle(full_graph: grimp.ImportGraph) -> None:
    found = cycles(full_graph)
    described = [
        " -> ".join(chain)
        + "\n    "
        + "\n    ".join(_where(full_graph, a, b) for a, b in itertools.pairwise(chain))
        for chain in found
    ]
    tangles = [
        ", ".join(sorted(group))
        for group in _strongly_connected(_edges(full_graph))
        if len(group) > 1
    ]
    assert not found, (
        "import cycles (break each: move the shared name down a layer, or pass it in as an "
        "argument):\n" + "\n".join(described) + "\nmodules tangled together: " + "; ".join(tangles)
    )


def test_every_module_is_placed_in_a_layer(full_graph: grimp.ImportGraph) -> None:
    unplaced = sorted(m for m in full_graph.modules if layer_of(m) is None)
    assert not unplaced, (
        "modules in no layer: add each to LAYERS in tests/test_layers.py (and to the "
        "layer list of docs/architecture.md): " + ", ".join(unplaced)
    )


def test_no_module_imports_from_a_higher_layer(runtime_graph: grimp.ImportGraph) -> None:
    found = upward_imports(runtime_graph)
    assert not found, (
        "imports against the flow (move the name down, pass it in as an argument, or "
        "import it under `if TYPE_CHECKING:` when it is only a type):\n" + "\n".join(found)
    )


def _late_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of the package made anywhere but at module level (or under a module-level
    ``if TYPE_CHECKING:``), without a comment on that line or the one above saying why."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    parent: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            ours = node.level > 0 or (node.module or "").split(".")[0] == PACKAGE
        elif isinstance(node, ast.Import):
            ours = any(a.name.split(".")[0] == PACKAGE for a in node.names)
        else:
            continue
        up = parent[node]
        if not ours or isinstance(up, ast.Module) or _type_checking_block(up, parent):
            continue
        said = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
        if not said:
            out.append(f"{path.relative_to(root)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return out


def _type_checking_block(node: ast.AST, parent: dict[ast.AST, ast.AST]) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING" and isinstance(parent.get(node), ast.Module)


def test_no_import_of_the_package_is_made_late_without_saying_why() -> None:
    found = [hit for path in sorted((ROOT / PACKAGE).rglob("*.py")) for hit in _late_imports(path)]
    assert not found, (
        "imports inside a function hide the import graph (and cycles) from a reader: move "
        "each to the top of its module, or say on the line above why it must be late:\n"
        + "\n".join(found)
    )


# The rules themselves, on graphs made for the purpose: each test above can fail.
def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
    return graph


def test_a_cycle_through_a_late_import_is_found() -> None:
    graph = _graph(
        ("verifier.a", "verifier.b"),
        ("verifier.b", "verifier.c"),
        ("verifier.c", "verifier.a"),
        ("verifier.c", "verifier.d"),
        ("verifier.d", "verifier.d"),
    )
    assert cycles(graph) == [
        ["verifier.a", "verifier.b", "verifier.c", "verifier.a"],
        ["verifier.d", "verifier.d"],
    ]
    assert cycles(_graph(("verifier.a", "verifier.b"), ("verifier.b", "verifier.c"))) == []


def test_an_import_into_a_higher_layer_is_named() -> None:
    layers = (("low", ("verifier.low",)), ("high", ("verifier.high", "verifier")))
    graph = _graph(
        ("verifier.high.x", "verifier.low"), ("verifier.low.y", "verifier.high"), ("verifier", "z")
    )
    assert upward_imports(graph, layers) == [
        "verifier.low.y (line 1) imports verifier.high: layer 'low' may not import from the "
        "higher layer 'high'"
    ]
    # The package itself covers only itself: a module nobody placed stays unplaced.
    assert layer_of("verifier.unplaced", layers) is None
    assert layer_of("verifier.bundle.check") != layer_of("verifier.bundle.store")


def test_a_late_import_without_a_reason_is_found(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from verifier.host import PluginHost\n"
        "def f() -> None:\n"
        "    from verifier import errors\n"
        "def g() -> None:\n"
        "    # late: a reason\n"
        "    from verifier import models\n"
        "def h() -> None:\n"
        "    from . import sibling\n"
        "    import json\n"
    )
    assert _late_imports(module, tmp_path) == [
        "probe.py:6: from verifier import errors",
        "probe.py:11: from . import sibling",
    ]
