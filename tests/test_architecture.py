"""Meta-tests that keep the architecture honest; each failure names the offender."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MODULES = sorted((ROOT / "verifier").rglob("*.py"))

# Words that only FinOps knowledge would put into code: tier names, source names, the
# Foundation's sites, requirement ids. The core may mention them in docstrings (as
# examples), never in the strings its code uses.
FINOPS_WORDS = (
    "finops.org",
    "linuxfoundation",
    "practitioner",
    "certified",
    "platform",
    "service-provider",
    "training-partner",
    "finops-members",
    "lf-members",
    "credential-registry",
    "case-stud",
    "framework",
)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
        # Attribute docstrings: a string expression right after an assignment.
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            for stmt in stmts if isinstance(stmts, list) else []:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    docstrings.add(id(stmt.value))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


@pytest.mark.parametrize("module", CORE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_knows_no_finops_specifics(module: Path) -> None:
    offending = [
        f"{module.relative_to(ROOT)}:{line}: {text!r}"
        for line, text in _code_strings(module)
        for word in FINOPS_WORDS
        if word in text.lower() and "finops-verif" not in text.lower()
    ]
    assert not offending, "FinOps knowledge belongs in plugins/ or policies/:\n" + "\n".join(
        offending
    )


@pytest.mark.parametrize("module", CORE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_modules_use_postponed_annotations(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    if module.name == "__main__.py" or not text.strip():
        return
    assert "from __future__ import annotations" in text


def test_reading_visible_text_leaves_the_shared_page_tree_intact() -> None:
    from verifier.fetch.page import Page

    body = (
        b"<html><head><title>T</title><script>var pricing=1</script></head><body>"
        b"<p>Acme <b>Lens</b></p><!-- hidden --><style>p{}</style></body></html>"
    )
    page = Page(
        url="http://x.example/",
        final_url="http://x.example/",
        status=200,
        headers={"content-type": "text/html"},
        body=body,
        sha256="0" * 64,
        fetched_at="2026-01-01T00:00:00Z",
    )
    assert page.visible_text == "T Acme Lens"
    assert page.soup.find("script") is not None  # still there for the next check
    assert page.soup.find("style") is not None


SITES = ROOT / "fixtures" / "sites"
_USERS = [
    ROOT / "tests",
    ROOT / "fixtures" / "demo",
    ROOT / "fixtures" / "registry",
    ROOT / "fixtures" / "sources.yaml",
    ROOT / "examples",
    ROOT / "plugins",
]


def _texts() -> dict[Path, str]:
    files: list[Path] = []
    for base in _USERS:
        files += [base] if base.is_file() else list(base.rglob("*"))
    # Pages reached by following links from other fixture pages count as used too.
    files += list(SITES.rglob("*.html"))
    return {
        f: f.read_text(errors="replace")
        for f in files
        if f.is_file() and f.suffix in (".py", ".yaml", ".csv", ".html")
    }


_TEXTS = _texts()
_FIXTURE_FILES = sorted(p for p in SITES.rglob("*") if p.is_file() and p.name != "robots.txt")


@pytest.mark.parametrize("fixture", _FIXTURE_FILES, ids=lambda p: str(p.relative_to(SITES)))
def test_no_orphan_fixture_page(fixture: Path) -> None:
    rel = fixture.relative_to(SITES)
    host, parts = rel.parts[0], rel.parts[1:]
    segments = [p for p in parts if p != "index.html"]
    last = segments[-1].removesuffix(".redirect").removesuffix(".json") if segments else ""
    others = "\n".join(text for path, text in _TEXTS.items() if path != fixture)
    why = f"fixtures/sites/{rel} is used by no test, demo or other page: remove it or use it"
    assert host in others, why
    assert not last or last in others, why


@pytest.mark.parametrize(
    "module",
    sorted(p for p in (ROOT / "plugins").glob("*.py") if not p.name.startswith("_")),
    ids=lambda p: p.name,
)
def test_every_builtin_check_module_has_its_own_tests(module: Path) -> None:
    tests = ROOT / "tests" / "plugins" / f"test_{module.stem}.py"
    assert tests.is_file(), f"plugins/{module.name} needs tests/plugins/{tests.name}"
    assert f"plugins.{module.stem} import" in tests.read_text()
