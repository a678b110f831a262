"""The README's map ("Where things live") names every module, and only modules that exist.

A newcomer finds a module from the map; a module missing from it, or a row naming a file
that was moved, sends them to the wrong place.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("verifier", "plugins")


def _map_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Where things live")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _named_paths() -> set[str]:
    return set(re.findall(r"`((?:verifier|plugins)/[\w/]*?(?:\.py|/))`", _map_section()))


def _modules() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if path.name == "__init__.py" and path.parent != ROOT / package:
                rel = path.parent.relative_to(ROOT).as_posix() + "/"  # a folder's row
            found.add(rel)
    return found


def test_the_readme_map_names_every_module() -> None:
    missing = sorted(_modules() - _named_paths())
    assert not missing, "README.md 'Where things live' does not list:\n" + "\n".join(missing)


def test_the_readme_map_names_no_module_that_does_not_exist() -> None:
    stale = sorted(p for p in _named_paths() if not (ROOT / p).exists())
    assert not stale, "README.md 'Where things live' names what does not exist:\n" + "\n".join(
        stale
    )
