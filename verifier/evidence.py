"""The evidence store: every fetched body once by its SHA-256, and the exchange log.

Layout inside a report directory::

    captures/<sha256>        the body's bytes (content-addressed: no name from the web
                             ever becomes a path)
    captures/index.json      every exchange: URL asked, hops, final URL, status, kept
                             headers, time, attempts, sha256, or the error that ended it

Files are written atomically (temporary file, fsync, rename), so a crash never leaves a
half-written capture or index behind.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

CAPTURES = "captures"
INDEX = "index.json"
INDEX_SCHEMA = "finops-verifier/captures/v1"
_SHA = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(text: str) -> bool:
    """Whether ``text`` is a SHA-256 hex digest: the only names a capture may have (data
    from a bundle or the web never becomes a path unless it is one)."""
    return bool(_SHA.match(text))


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        # Clean the temporary file whatever interrupted us, then let it propagate.
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, no NaN, UTF-8, trailing newline.

    Text from hostile pages may hold lone surrogates, which UTF-8 cannot encode. They can
    only stand inside JSON strings, where ``backslashreplace`` writes them as the JSON
    escape ``\\udXXX``: the file stays valid UTF-8 and valid JSON, and reads back the same.
    """
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8", errors="backslashreplace")


class EvidenceStore:
    """Stores captures and exchanges under ``root`` (a report directory)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / CAPTURES
        self.exchanges: list[dict[str, Any]] = []
        """Every exchange of the run, in the order they ended."""
        self._stored: set[str] = set()

    def put(self, sha256: str, body: bytes) -> Path:
        """Store ``body`` under its hash (once) and return its path."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        path = self.dir / sha256
        if sha256 not in self._stored and not path.exists():
            atomic_write(path, body)
        self._stored.add(sha256)
        return path

    def record(self, exchange: dict[str, Any]) -> None:
        """Add one exchange (a :meth:`Page.evidence` data dict, or an error)."""
        self.exchanges.append(exchange)

    def write_index(self) -> Path:
        """Write ``captures/index.json``."""
        path = self.dir / INDEX
        atomic_write(path, dump_json({"schema": INDEX_SCHEMA, "exchanges": self.exchanges}))
        return path


def read_index(root: Path) -> list[dict[str, Any]]:
    """The exchanges recorded in a report directory (empty when there is no index)."""
    path = root / CAPTURES / INDEX
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    exchanges: list[dict[str, Any]] = data.get("exchanges", [])
    return exchanges
