"""The distribution's version, read once from the installed metadata."""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("finops-verifier")
except importlib.metadata.PackageNotFoundError:  # running from a source tree, uninstalled
    __version__ = "0.0.0+unknown"
