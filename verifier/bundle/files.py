"""Reading a bundle someone else may have built: without following links, opening only
regular files, and never more than a cap.

A link, a pipe or a device inside a bundle is reported by :func:`scan`, never opened:
a ``report.json`` linked to ``/dev/zero`` would otherwise hang a check, and one linked
outside the bundle would let it vouch for a file it does not hold.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import BundleError

MANIFEST = "SHA256SUMS"
"""The manifest's name; :func:`scan` does not list it among the files it covers."""
REPORT_JSON = "report.json"
"""The canonical report every bundle holds (its format name is ``json``)."""
MAX_JSON = 256 * 1024 * 1024
"""Largest report.json, captures/index.json or review.jsonl read (bytes)."""
_UNLISTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\\]")


def _open_regular(path: str | os.PathLike[str]) -> int:
    # O_NOFOLLOW: a link is refused, not followed; O_NONBLOCK: opening a FIFO cannot hang.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BundleError(f"{path} is a symbolic link (not followed)") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BundleError(f"{path} is not a regular file")
    return fd


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file (not a link) of at most ``limit`` bytes.

    Raises :class:`BundleError` otherwise, and :class:`OSError` when it cannot be read.
    """
    with os.fdopen(_open_regular(path), "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise BundleError(f"{path} is larger than {limit} bytes")
    return data


def read_json(path: Path, limit: int) -> Any:
    """What the regular file ``path`` (at most ``limit`` bytes) parses to as JSON;
    :class:`BundleError` naming it when it is absent, a link, too large or not JSON."""
    try:
        return json.loads(read_regular(path, limit))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{path} cannot be read as JSON ({exc})") from exc


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a regular file's bytes, read in blocks (a link or device is refused)."""
    digest = hashlib.sha256()
    with os.fdopen(_open_regular(path), "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Tree:
    """What a bundle directory holds, found without following any link."""

    files: list[str] = field(default_factory=list)
    """Regular files, except the manifest, as sorted POSIX paths."""
    odd: dict[str, str] = field(default_factory=dict)
    """Entries that are not regular files or directories (or have unlistable names),
    with what they are."""
    empty_dirs: list[str] = field(default_factory=list)
    """Directories holding nothing."""


def _what(mode: int) -> str:
    kinds = (
        (stat.S_ISLNK, "a symbolic link (not followed)"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((what for test, what in kinds if test(mode)), "not a regular file")


def _shown(rel: str) -> str:
    # A name that cannot be a manifest line is shown escaped, never printed raw.
    return rel.encode("unicode_escape").decode("ascii") if _UNLISTABLE.search(rel) else rel


def scan(root: Path) -> Tree:
    """Every entry under ``root``, by kind; see :class:`Tree`. Iterative (no recursion
    limit to reach) and never following a link."""
    tree = Tree()
    pending = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            tree.odd[prefix.rstrip("/") or "."] = f"a directory that cannot be read ({exc})"
            continue
        if not entries and prefix:
            tree.empty_dirs.append(prefix)
        for entry in entries:
            rel = prefix + entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                tree.odd[_shown(rel)] = f"cannot be examined ({exc.strerror})"
                continue
            if _UNLISTABLE.search(entry.name):
                tree.odd[_shown(rel)] = "a name that SHA256SUMS cannot list"
            elif stat.S_ISDIR(mode):
                pending.append((Path(entry.path), rel + "/"))
            elif not stat.S_ISREG(mode):
                tree.odd[rel] = _what(mode)
            elif rel != MANIFEST:
                tree.files.append(rel)
    tree.files.sort()
    tree.empty_dirs.sort()
    return tree


def bundle_files(root: Path) -> list[str]:
    """Every regular file under ``root`` except the manifest, as sorted POSIX paths.

    Links, pipes and devices are not listed (:func:`check_bundle` reports them).
    """
    return scan(root).files
