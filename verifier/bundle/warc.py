"""The bundle's exchanges as a WARC file, so that web-archive tools (pywb, ReplayWeb.page)
open them: ``captures/exchanges.warc.gz``.

Written from ``captures/index.json`` and the bodies in ``captures/``, after the run:

- one ``warcinfo`` record naming the tool;
- per redirect hop, a ``response`` record with the hop's status and ``Location`` (no body);
- per final answer, a ``response`` record whose payload is the captured body and whose
  HTTP headers are the recorded ones. The body is stored decoded, so ``Content-Encoding``
  and ``Transfer-Encoding`` are dropped (kept as ``X-Archive-Orig-*``) and
  ``Content-Length`` is the stored length.

Each record has WARC-Target-URI, WARC-Date (the fetch time), a WARC-Payload-Digest
(warcio's SHA-1, the form archive tools index) and a record id derived from the exchange,
so the same exchanges give the same ids. A fetch that got no answer has no record.

Each record is a gzip member of its own, and the same exchange always gives the same
bytes; so a process writing many bundles that hold one capture (a renewal re-check: every
partner's bundle keeps its copy of the member directory) compresses each response record
once and copies it after (:data:`RECORD_CACHE_BYTES`): level-9 gzip of the shared pages
was the part of a partner's bundle that grew with the roster.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from verifier._version import __version__
from verifier.bundle.store import CAPTURES, atomic_write, read_index

WARC_FILE = f"{CAPTURES}/exchanges.warc.gz"
_NS = uuid.UUID("6f1c1d1e-3c59-4f3e-9a57-0f1a2b3c4d5e")
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 404: "Not Found"}
_DROPPED = ("content-encoding", "transfer-encoding", "content-length")
RECORD_CACHE_BYTES = 2 * 1024 * 1024
"""Compressed response records kept for the next bundle of the process, in bytes (the
least recently used leave first)."""


class _RecordCache:
    """Compressed WARC records by everything their bytes depend on; bounded, thread-safe
    (bundles may be sealed in worker threads)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._records: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            found = self._records.get(key)
            if found is not None:
                self._records.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], record: bytes) -> None:
        with self._lock:
            if key in self._records or len(record) > self.limit:
                return
            self._records[key] = record
            self._size += len(record)
            while self._size > self.limit:
                _, old = self._records.popitem(last=False)
                self._size -= len(old)


_RECORDS = _RecordCache(RECORD_CACHE_BYTES)


def _warc_date(text: object) -> str:
    if isinstance(text, str) and text:
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            pass
    return "1970-01-01T00:00:00Z"


def _record_id(*parts: object) -> str:
    return f"<urn:uuid:{uuid.uuid5(_NS, '|'.join(str(p) for p in parts))}>"


def _status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Status')}"


def _response(
    writer: WARCWriter,
    uri: str,
    date: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    rid: str,
) -> Any:
    http = StatusAndHeaders(_status_line(status), headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": rid},
    )


def _response_bytes(
    uri: str, date: str, status: int, headers: list[tuple[str, str]], body: bytes, rid: str
) -> bytes:
    """One response record, gzipped (its own gzip member, as ``WARCWriter`` writes it); the
    same arguments give the same bytes, kept in :data:`_RECORDS` for the next bundle."""
    # The key holds the body's own hash, not the capture's name: a capture file that no
    # longer matches its name is archived as it is (bundle check reports it).
    key = (uri, date, status, tuple(headers), rid, hashlib.sha256(body).digest())
    found = _RECORDS.get(key)
    if found is not None:
        return found
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(_response(writer, uri, date, status, headers, body, rid))
    record = buffer.getvalue()
    _RECORDS.put(key, record)
    return record


def answered(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The exchanges that got an answer, each of which has records in the WARC."""
    return [e for e in exchanges if e.get("sha256") and e.get("status") is not None]


def write_warc(root: Path) -> Path | None:
    """Write the WARC of the bundle at ``root``; ``None`` when nothing was fetched."""
    exchanges = answered(read_index(root))
    if not exchanges:
        return None
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    first = _warc_date(exchanges[0].get("fetched_at"))
    info = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(
            f"software: finops-verifier/{__version__}\r\nformat: WARC File Format 1.0\r\n".encode()
        ),
        warc_headers_dict={
            "WARC-Date": first,
            "WARC-Record-ID": _record_id("warcinfo", first),
            "WARC-Filename": Path(WARC_FILE).name,
            "Content-Type": "application/warc-fields",
        },
    )
    writer.write_record(info)
    for ex in exchanges:
        date = _warc_date(ex.get("fetched_at"))
        for n, hop in enumerate(ex.get("hops") or []):
            location = str(hop.get("location", ""))
            rec = _response(
                writer,
                str(hop.get("url")),
                date,
                int(hop.get("status", 302)),
                [("Location", location), ("Content-Length", "0")],
                b"",
                _record_id("hop", ex.get("url"), n, date),
            )
            writer.write_record(rec)
        body = (root / CAPTURES / str(ex["sha256"])).read_bytes()
        headers = [
            (k.title(), str(v))
            for k, v in sorted((ex.get("headers") or {}).items())
            if k.lower() not in _DROPPED
        ]
        headers += [
            (f"X-Archive-Orig-{k.title()}", str(v))
            for k, v in sorted((ex.get("headers") or {}).items())
            if k.lower() in _DROPPED
        ]
        headers.append(("Content-Length", str(len(body))))
        final = str(ex.get("final_url") or ex.get("url"))
        rid = _record_id("response", final, ex["sha256"], date)
        buffer.write(_response_bytes(final, date, int(ex["status"]), headers, body, rid))
    path = root / WARC_FILE
    atomic_write(path, buffer.getvalue())
    return path
