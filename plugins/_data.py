"""Where the bundled data folders are: the repository's, else the wheel's copy.

Its own module so that checks can find their data (a taxonomy under ``policies/``)
without importing :mod:`plugins` itself, which imports every check.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """A data folder (``policies``, ``fixtures``): the repository's, else the wheel's copy."""
    in_repo = _HERE.parent / name
    return in_repo if in_repo.is_dir() else _HERE / "_data" / name
