"""docs/plugins.md, the plugin authors' guide and reference, says what the code does.

- Each hook's reference text is generated from its docstring in ``verifier/hookspecs.py``
  between markers; the committed page must be what the generator writes. Regenerate it
  with ``python -m tests.test_docs_plugins`` (from the repository's root).
- Every hook has its section and a ``@hookimpl`` example; every public name of
  ``verifier``, ``verifier.testing`` and ``verifier.toolkit`` has its row in the
  reference, and the reference has no row for a name that is not public.
- Every ``verifier.x.y`` and ``Class.attribute`` the page names exists; every Python
  block compiles.
- The page's code, and the example plugin's, import only public names (so does a
  generated plugin: tests/test_plugins_new.py); the guide's check and test run.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import verifier
import verifier.testing
import verifier.toolkit
from verifier import hookspecs

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "finops-verifier-example"
REGENERATE = "python -m tests.test_docs_plugins"

HOOKS = [
    n
    for n, f in vars(hookspecs).items()
    if inspect.isfunction(f) and hasattr(f, f"{hookspecs.PROJECT}_spec")
]
"""The hooks, in the order hookspecs.py defines them."""

REFERENCED: dict[str, ModuleType] = {
    "verifier": verifier,
    "verifier.testing": verifier.testing,
    "verifier.toolkit": verifier.toolkit,
}
"""The modules whose every public name has a row in the reference, by section heading."""

PUBLIC_MODULES = {
    "verifier",
    "verifier.testing",
    "verifier.toolkit",
    "verifier.toolkit.pages",
    "verifier.toolkit.names",
    "verifier.toolkit.text",
    "verifier.toolkit.directory",
    # The type a register_report_formats hook registers (hookspecs.py names the import).
    "verifier.report.formats",
}
"""Modules a plugin may import from, each through its ``__all__`` (or the names below)."""
PUBLIC_EXTRA = {"verifier.report.formats": {"ReportFormat"}}


# ---------------------------------------------------------------- the generator
def _markdown(doc: str) -> str:
    """A hookspec docstring as Markdown: roles and double backticks to code spans, the
    ``:param:`` and ``:return:`` fields to a list."""
    doc = re.sub(r":\w+:`~[\w.]*?\.(\w+)`", r"`\1`", doc)  # :class:`~a.b.C` -> `C`
    doc = re.sub(r":\w+:`([\w.]+)`", r"`\1`", doc)
    doc = doc.replace("``", "`")
    out: list[str] = []
    in_field = False
    for line in doc.splitlines():
        field = re.match(r":param (\w+):\s*(.*)", line)
        if field:
            out.append(f"- **`{field.group(1)}`**: {field.group(2)}")
        elif line.startswith(":return:"):
            out.append(f"- **returns**: {line.removeprefix(':return:').strip()}")
        elif in_field and line.startswith("    "):
            out.append("  " + line.strip())  # a field's continuation line
        else:
            out.append(line)
        in_field = bool(field) or line.startswith(":return:") or (in_field and line != "")
    return "\n".join(out).strip()


def hook_block(name: str) -> str:
    """The generated reference text of hook ``name``: its signature and its docstring."""
    function = getattr(hookspecs, name)
    signature = f"@hookimpl\ndef {name}{inspect.signature(function)}: ..."
    signature = signature.replace("'", "")  # annotations are strings under __future__
    return f"```python\n{signature}\n```\n\n{_markdown(inspect.getdoc(function) or '')}"


def _markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- hook {name}: generated from verifier/hookspecs.py by {REGENERATE} -->",
        f"<!-- end hook {name} -->",
    )


def regenerate(text: str) -> str:
    """``text`` (the page) with every hook's marked section written anew."""
    for name in HOOKS:
        start, end = _markers(name)
        if start not in text:
            continue  # test_every_hook_has_a_generated_section names it
        head, rest = text.split(start, 1)
        _old, tail = rest.split(end, 1)
        text = f"{head}{start}\n{hook_block(name)}\n{end}{tail}"
    return text


# ---------------------------------------------------------------- helpers
def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    level = heading.split(" ")[0]
    nxt = re.search(rf"^#{{1,{len(level)}}} ", text[start + len(heading) :], re.M)
    return text[start : start + len(heading) + nxt.start()] if nxt else text[start:]


def reference_rows(module: str) -> list[str]:
    """The names of the rows of the reference table of ``module`` (first cell, in code)."""
    section = _section(page(), f"### `{module}`")
    tables = re.findall(r"^\| name \| what \|\n((?:\|.*\n?)*)", section, re.M)
    return [name for table in tables for name in re.findall(r"^\| `(\w+)`", table, re.M)]


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _has(owner: object, attribute: str) -> bool:
    if hasattr(owner, attribute):
        return True
    if dataclasses.is_dataclass(owner) and attribute in {f.name for f in dataclasses.fields(owner)}:
        return True
    fields = getattr(owner, "model_fields", None)
    return isinstance(fields, dict) and attribute in fields


def _resolve(dotted: str) -> bool:
    """Whether ``verifier.a.b`` is a module, or a module's attribute (and so on)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not _has(obj, attribute):
                return False
            obj = getattr(obj, attribute, None)
        return True
    return False


def imported_names_outside_the_api(path: Path) -> list[str]:
    """Every ``verifier`` name the Python file ``path`` imports that is not public."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "verifier":
            assert node.module is not None
            if node.module not in PUBLIC_MODULES:
                found += [f"{node.module}.{a.name} (line {node.lineno})" for a in node.names]
                continue
            module = importlib.import_module(node.module)
            public = set(getattr(module, "__all__", ())) | PUBLIC_EXTRA.get(node.module, set())
            found += [
                f"{node.module}.{a.name} (line {node.lineno})"
                for a in node.names
                if a.name not in public
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"{a.name} (line {node.lineno})"
                for a in node.names
                if a.name.split(".")[0] == "verifier" and a.name not in PUBLIC_MODULES
            ]
    return found


# ---------------------------------------------------------------- the tests
def test_the_generated_hook_reference_is_up_to_date() -> None:
    assert page() == regenerate(page()), (
        f"docs/plugins.md differs from verifier/hookspecs.py's docstrings: run {REGENERATE}"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_generated_section_and_an_example(hook: str) -> None:
    text = page()
    start, end = _markers(hook)
    assert start in text, f"docs/plugins.md: add the markers of {hook}"
    assert end in text, f"docs/plugins.md: add the end marker of {hook}"
    after = text.split(end, 1)[1]
    example = after[: after.find("<!-- hook ")] if "<!-- hook " in after else after
    assert re.search(rf"```python\n(?:.*\n)*?@hookimpl\ndef {hook}\(register", example), (
        f"docs/plugins.md: give {hook} an example (a ```python block with @hookimpl def "
        f"{hook}(register...) right after its generated section"
    )


def test_the_page_documents_no_hook_that_does_not_exist() -> None:
    named = set(re.findall(r"<!-- hook (\w+):", page()))
    assert named <= set(HOOKS), f"no such hook: {sorted(named - set(HOOKS))}"


@pytest.mark.parametrize("module", REFERENCED)
def test_every_public_name_has_a_row_and_no_row_names_a_private_one(module: str) -> None:
    rows = reference_rows(module)
    public = [n for n in REFERENCED[module].__all__ if n != "__version__"]
    assert sorted(set(public) - set(rows)) == [], f"docs/plugins.md: no row for {module} names"
    assert sorted(set(rows) - set(public)) == [], f"docs/plugins.md: not public in {module}"
    assert len(rows) == len(set(rows)), f"docs/plugins.md: a {module} name has two rows"


def test_every_name_the_page_gives_exists() -> None:
    text = page()
    dotted = set(re.findall(r"`(verifier(?:\.\w+)+)", text))
    missing = sorted(d for d in dotted if not _resolve(d))
    public = {n: getattr(m, n) for m in REFERENCED.values() for n in m.__all__}
    members = set(re.findall(r"`([A-Z]\w+)\.(\w+)", text))
    missing += sorted(
        f"{owner}.{attribute}"
        for owner, attribute in members
        if owner in public and not _has(public[owner], attribute)
    )
    assert missing == [], "docs/plugins.md names what does not exist"


def test_every_python_block_of_the_page_compiles() -> None:
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", page(), re.S)):
        compile(block, f"docs/plugins.md python block {i + 1}", "exec")


def test_the_page_imports_only_public_names(tmp_path: Path) -> None:
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", page(), re.S)):
        path = tmp_path / f"block_{i + 1}.py"
        path.write_text(block, encoding="utf-8")
        assert imported_names_outside_the_api(path) == [], f"docs/plugins.md python block {i + 1}"


def test_the_guides_check_and_its_test_run_as_written(
    tmp_path: Path, fake_sites: Callable[..., object]
) -> None:
    # The guide's check (section 2) and its test (section 3), run as an author would copy
    # them: the test's own assertions (status and summary) are the ones that must hold.
    blocks = {
        heading: re.findall(r"```python\n(.*?)```", _section(page(), heading), re.S)[0]
        for heading in ("### 2. Write the check", "### 3. Test it")
    }
    site = tmp_path / "sites" / "says.example"
    site.mkdir(parents=True)
    (site / "index.html").write_text(
        "<!doctype html><title>Lens</title><h1>Lens</h1><p>Lens is licensed under the "
        "Apache-2.0 licence, like the rest of our open source work.</p>",
        encoding="utf-8",
    )
    namespace: dict[str, object] = {"__file__": str(tmp_path / "test_guide.py")}
    exec(compile(blocks["### 2. Write the check"], "guide check", "exec"), namespace)
    exec(compile(blocks["### 3. Test it"], "guide test", "exec"), namespace)
    test = namespace["test_a_page_naming_the_licence_passes"]
    assert callable(test)
    test(fake_sites)


def test_the_readme_points_plugin_authors_to_the_page() -> None:
    section = _section((ROOT / "README.md").read_text(encoding="utf-8"), "## Writing a plugin")
    assert "docs/plugins.md" in section


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLE.rglob("*.py")),
    ids=lambda p: str(Path(p).relative_to(EXAMPLE)),
)
def test_the_example_plugin_imports_only_public_names(path: Path) -> None:
    assert imported_names_outside_the_api(path) == []


def test_the_testing_plugin_exports_are_unique_and_documented() -> None:
    # Their order is ruff's (RUF022, isort-style: constants first), checked by `make lint`.
    names = verifier.testing.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert inspect.getdoc(getattr(verifier.testing, name)), f"verifier.testing.{name}"


if __name__ == "__main__":
    PAGE.write_text(regenerate(page()), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
