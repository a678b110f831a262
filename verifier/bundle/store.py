"""The evidence store: every fetched body once by its SHA-256, and the exchange log.

Layout inside a report directory::

    captures/<sha256>        the body's bytes (content-addressed: no name from the web
                             ever becomes a path)
    captures/index.json      every exchange: URL asked, hops, final URL, status, kept
                             headers, time, attempts, sha256, or the error that ended it

Files are written atomically (temporary file, fsync, rename), so a crash never leaves a
half-written capture or index behind. A run writing a whole bundle writes its files
:func:`unsynced` and makes the bundle durable once it is sealed (:func:`sync_tree`).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import re
import secrets
from collections.abc import Iterator
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


_UNSYNCED: contextvars.ContextVar[bool] = contextvars.ContextVar("unsynced", default=False)


@contextlib.contextmanager
def unsynced() -> Iterator[None]:
    """Within this block, :func:`atomic_write` does not fsync each file.

    For the files of a bundle being written, which is made durable as a whole once sealed
    (:func:`sync_tree`): a re-check's bundle writer spent as long waiting for some forty
    fsyncs a bundle, one after the other, as on all of its CPU work, and was the last to
    finish. Readers still see a file whole or not at all (the rename); only a crash of the
    machine before the bundle is synced can leave one of its files short, and then
    ``bundle check`` (which ``recheck --resume`` runs on every bundle it keeps) says so.
    A context variable: it holds for this thread, and on an event loop for this task
    only (another task of the loop writes synced as before).
    """
    token = _UNSYNCED.set(True)
    try:
        yield
    finally:
        _UNSYNCED.reset(token)


def sync_tree(root: Path) -> None:
    """fsync every file and folder under ``root`` (and ``root``): the bundle written there
    :func:`unsynced` is then on disk as it is. An :class:`OSError` names the file."""
    top = os.path.realpath(root)  # an --out given as a link to a folder is that folder

    def unreadable(exc: OSError) -> None:
        raise exc  # a folder that cannot be listed is not known to be on disk

    for folder, dirs, files in os.walk(top, onerror=unreadable):
        dirs.sort()
        for name in [*sorted(files), None]:
            path = folder if name is None else os.path.join(folder, name)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                exc.filename = path
                raise


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The file gets the mode any tool gives a new file, ``0o666`` less the umask (``0o644``
    under the usual ``022``): ``mkstemp`` would make it ``0o600``, readable by its owner
    alone, which a shared report folder must not be. It is fsynced before it is renamed,
    except within :func:`unsynced`. An :class:`OSError` names ``path``.
    """
    # Plain strings and os calls: a bundle is some thirty files, and pathlib's objects
    # (and a mkdir of the folder before each) cost more CPU than writing them.
    target = os.fspath(path)
    folder, name = os.path.split(target)
    try:
        fd, tmp = _create_beside(folder, name)
    except OSError:
        # The folder is not there yet (or is no folder: mkdir says so, as it always did).
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_beside(folder, name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if not _UNSYNCED.get():
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as failure:
        # Clean the temporary file whatever interrupted us, then let it propagate, naming
        # the file meant (a full disk's ENOSPC from write() names none).
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(failure, OSError):
            failure.filename = str(path)
        raise


def _create_beside(folder: str, name: str) -> tuple[int, str]:
    # O_EXCL on a random name, as mkstemp does, but with mode 0o666 so that the kernel
    # applies the umask (reading the umask would mean setting it, racing other threads).
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", os.path.join(folder, name))


def dump_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, no NaN, UTF-8, trailing newline.

    Text from hostile pages may hold lone surrogates, which UTF-8 cannot encode. They can
    only stand inside JSON strings, where ``backslashreplace`` writes them as the JSON
    escape ``\\udXXX``: the file stays valid UTF-8 and valid JSON, and reads back the same.
    """
    try:
        text = _indented(data)
    except (_Unusual, TypeError, ValueError, RecursionError):
        # Anything but plain JSON values (a subclass, a key that is no string, NaN, a
        # cycle): json's own encoder, which writes it or raises as it always did.
        text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8", errors="backslashreplace")


class _Unusual(Exception):
    """A value :func:`_indented` leaves to ``json.dumps``."""


_STRING = json.encoder.encode_basestring  # the one json.dumps uses with ensure_ascii=False
_INFINITE = (float("inf"), float("-inf"))


def _indented(data: Any) -> str:
    # What json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) writes, for
    # dicts with string keys, lists, tuples, strings, ints, finite floats, booleans and
    # None (exactly those types; anything else raises _Unusual). json.dumps with an
    # indent runs its pure-Python encoder, a chain of generators: report.json was the
    # largest CPU cost of writing a bundle after the pages' text.
    parts: list[str] = []
    put = parts.append

    def value(o: Any, newline: str) -> None:
        kind = type(o)
        if kind is str:
            put(_STRING(o))
        elif kind is dict or kind is list or kind is tuple:
            if kind is dict:
                keys = sorted(o)  # keys that do not sort raise TypeError
                if any(type(key) is not str for key in keys):
                    raise _Unusual
                items = [o[key] for key in keys]
                labels = [_STRING(key) + ": " for key in keys]
                ends = "{}"
            else:
                items, labels, ends = o, [], "[]"
            if not items:
                put(ends)
                return
            inner = newline + "  "
            between = "," + inner
            mark = ends[0] + inner
            for n, item in enumerate(items):
                put(mark)
                mark = between
                if labels:
                    put(labels[n])
                if type(item) is str:
                    put(_STRING(item))
                else:
                    value(item, inner)
            put(newline + ends[1])
        elif o is None:
            put("null")
        elif o is True:
            put("true")
        elif o is False:
            put("false")
        elif kind is int:
            put(int.__repr__(o))
        elif kind is float:
            if o != o or o in _INFINITE:
                raise _Unusual
            put(float.__repr__(o))
        else:
            raise _Unusual

    value(data, "\n")
    return "".join(parts)


class EvidenceStore:
    """Stores captures and exchanges under ``root`` (a report directory).

    A body :meth:`put` is held until :meth:`write_index`, which writes the captures, then
    the index: a run puts its pages on the event loop, and writes its store after its
    checks, in the bundle writer thread (``verifier.run.verify._write_bundle``). Written
    and synced on the loop, the captures of a 300-partner re-check held each worker's
    loop 16 s (4.4 ms a page, fsyncs waiting on one another): each partner keeps its own
    copy of every shared page it read. The bodies are the pages' own bytes, which the run
    holds until it ends anyway.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / CAPTURES
        self.exchanges: list[dict[str, Any]] = []
        """Every exchange of the run, in the order they ended."""
        self._held: dict[str, bytes] = {}
        # Bodies put and not yet written, by hash.

    def put(self, sha256: str, body: bytes) -> None:
        """Keep ``body`` under its hash (once) for :meth:`write_index`."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        self._held.setdefault(sha256, body)

    def record(self, exchange: dict[str, Any]) -> None:
        """Add one exchange (a :meth:`Page.evidence` data dict, or an error)."""
        self.exchanges.append(exchange)

    def write_index(self) -> Path:
        """Write the captures put since the last call, each once (one already in the folder
        is not written again), then ``captures/index.json``. Raises the :class:`OSError`
        of the first file that cannot be written (a full disk): evidence that cannot be
        kept makes no bundle."""
        for sha256, body in list(self._held.items()):
            path = self.dir / sha256
            if not path.exists():
                atomic_write(path, body)
            del self._held[sha256]
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
