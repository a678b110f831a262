"""The bundle's exchanges as a WARC 1.1 file, so that web-archive tools (pywb,
ReplayWeb.page) open them: ``captures/exchanges.warc.gz``.

Written from ``captures/index.json`` and the bodies in ``captures/``, after the run:

- one ``warcinfo`` record naming the tool;
- per redirect hop, a ``response`` record with the hop's status and ``Location`` (no body);
- per final answer, a ``response`` record whose payload is the captured body and whose
  HTTP headers are the recorded ones. The body is stored decoded, so ``Content-Encoding``
  and ``Transfer-Encoding`` are dropped (kept as ``X-Archive-Orig-*``) and
  ``Content-Length`` is the stored length.

A page a server answered ``304 Not Modified`` in a re-check (its exchange has
``revalidated``) is written as what happened, in the WARC 1.1 form of a revisit:

- the baseline's answer as a ``response`` record (its status, kept headers and bytes),
  dated when those bytes were fetched whole (``revalidated.since``: the baseline's fetch,
  or the first fetch of a chain of 304s), which is when a server did send them; its id
  is the one the baseline's own WARC gave that record, when the URL and time are the same;
- the 304 as a ``revisit`` record dated at its own time, with WARC-Profile
  ``http://netpreserve.org/warc/1.1/revisit/server-not-modified``, an HTTP block of the
  304's status line and the headers it kept (``revalidated.answered``), and no payload:
  WARC-Refers-To (the response record's id), WARC-Refers-To-Target-URI and
  WARC-Refers-To-Date name that record and WARC-Payload-Digest is its payload's digest.

The file stays self-contained: an archive tool shows the page of a revisit from the
response record in the same file. One baseline answer re-used by several exchanges (two
URLs redirected to one page) is written once.

Each record has WARC-Target-URI, WARC-Date (the time of the answer it records), a
WARC-Payload-Digest (warcio's SHA-1, the form archive tools index) and a record id derived
from the exchange, so the same exchanges give the same ids. A fetch that got no answer has
no record.

Each record is a gzip member of its own, and the same exchange always gives the same
bytes; so a process writing many bundles that hold one capture (a renewal re-check: every
partner's bundle keeps its copy of the member directory) compresses each response record
once and copies it after (:data:`RECORD_CACHE_BYTES`): gzip of the shared pages
was the part of a partner's bundle that grew with the roster.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import uuid
import zlib
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from verifier._version import __version__
from verifier.bundle.memo import Memo
from verifier.bundle.store import CAPTURES, atomic_write, read_index
from verifier.fetch.conditional import recorded_revalidation

WARC_FILE = f"{CAPTURES}/exchanges.warc.gz"
_NS = uuid.UUID("6f1c1d1e-3c59-4f3e-9a57-0f1a2b3c4d5e")
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    404: "Not Found",
}
WARC_VERSION = "1.1"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
"""The revisit profile of a 304: the server said the page it sent before is unchanged."""
_DROPPED = ("content-encoding", "transfer-encoding", "content-length")
RECORD_CACHE_BYTES = 2 * 1024 * 1024
"""Compressed response records kept for the next bundle of the process, in bytes (the
least recently used leave first)."""


_RECORDS: Memo[tuple[object, ...], bytes] = Memo(RECORD_CACHE_BYTES, len)
# Compressed response records by everything their bytes depend on.


def _warc_date(text: object) -> str:
    if isinstance(text, str) and text:
        return _warc_date_of(text)
    return "1970-01-01T00:00:00Z"


@functools.lru_cache(maxsize=4096)
def _warc_date_of(text: str) -> str:
    # Kept: the exchanges of a re-check's shared pages carry the same times in every
    # partner's bundle.
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "1970-01-01T00:00:00Z"


def _record_id(*parts: object) -> str:
    return _record_id_of("|".join(str(p) for p in parts))


@functools.lru_cache(maxsize=4096)
def _record_id_of(name: str) -> str:
    # Kept, like _warc_date_of: the same shared exchanges give the same names.
    return f"<urn:uuid:{uuid.uuid5(_NS, name)}>"


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
    """One response record, gzipped as its own gzip member (:func:`_member`); the
    same arguments give the same bytes, kept in :data:`_RECORDS` for the next bundle."""
    # The key holds the body's own hash, not the capture's name: a capture file that no
    # longer matches its name is archived as it is (bundle check reports it).
    key = (uri, date, status, tuple(headers), rid, hashlib.sha256(body).digest())
    found = _RECORDS.get(key)
    if found is not None:
        return found
    writer = _plain_writer()
    record = _member(_response(writer, uri, date, status, headers, body, rid))
    _RECORDS.put(key, record)
    return record


GZIP_LEVEL = 1
"""How hard each record is compressed. warcio's own gzip is level 9, whose file is 2-4 %
smaller than level 1's (the demo's platform bundle, the bench's pages: 35.8 against 37.4 %
of their bytes) for 2.4 times the CPU (33 against 14 ms a MB): a re-check writes hundreds
of WARCs, and each page is also kept whole in ``captures/``."""


def _plain_writer() -> WARCWriter:
    # A writer for making records only: each is written out by _member.
    return WARCWriter(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)


def _member(record: Any) -> bytes:
    """``record`` as a gzip member of its own (what WARC tools read record by record)."""
    raw = io.BytesIO()
    WARCWriter(raw, gzip=False, warc_version=WARC_VERSION).write_record(record)
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return packer.compress(raw.getvalue()) + packer.flush()


def answered(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The exchanges that got an answer, each of which has records in the WARC."""
    return [e for e in exchanges if e.get("sha256") and e.get("status") is not None]


def _payload_headers(kept: dict[str, Any], size: int) -> list[tuple[str, str]]:
    # The body is stored decoded: the headers that describe its transfer go under
    # X-Archive-Orig-*, and Content-Length is the stored length.
    headers = [(k.title(), str(v)) for k, v in sorted(kept.items()) if k.lower() not in _DROPPED]
    headers += [
        (f"X-Archive-Orig-{k.title()}", str(v))
        for k, v in sorted(kept.items())
        if k.lower() in _DROPPED
    ]
    headers.append(("Content-Length", str(size)))
    return headers


def write_warc(root: Path) -> Path | None:
    """Write the WARC of the bundle at ``root``; ``None`` when nothing was fetched.

    Raises :class:`ValueError` when an exchange's ``revalidated`` cannot be read: the run
    wrote it, so that is a bug, and a 304 must not be archived as a page sent whole.
    """
    exchanges = answered(read_index(root))
    if not exchanges:
        return None
    buffer = io.BytesIO()
    writer = _plain_writer()
    first = _warc_date(exchanges[0].get("fetched_at"))
    info = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(
            f"software: finops-verifier/{__version__}\r\n"
            f"format: WARC File Format {WARC_VERSION}\r\n".encode()
        ),
        warc_headers_dict={
            "WARC-Date": first,
            "WARC-Record-ID": _record_id("warcinfo", first),
            "WARC-Filename": Path(WARC_FILE).name,
            "Content-Type": "application/warc-fields",
        },
    )
    buffer.write(_member(info))
    written: set[str] = set()
    captures = os.path.join(root, CAPTURES)
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
            buffer.write(_member(rec))
        with open(os.path.join(captures, str(ex["sha256"])), "rb") as fh:
            body = fh.read()
        final = str(ex.get("final_url") or ex.get("url"))
        headers = _payload_headers(ex.get("headers") or {}, len(body))
        again = recorded_revalidation(ex)
        # A 304's bytes were sent whole when the baseline fetched them: that is the
        # response record's time; the 304 itself is the revisit record, at its own time.
        sent = _warc_date(again["since"]) if again is not None else date
        rid = _record_id("response", final, ex["sha256"], sent)
        status = int(ex["status"])
        if rid not in written:
            buffer.write(_response_bytes(final, sent, status, headers, body, rid))
            written.add(rid)
        if again is not None:
            # The record (not written again) gives the revisit its digest and date.
            rec = _response(writer, final, sent, status, headers, body, rid)
            buffer.write(_member(_revisit(writer, final, date, again["answered"], rec, rid)))
    path = root / WARC_FILE
    atomic_write(path, buffer.getvalue())
    return path


def _revisit(
    writer: WARCWriter, uri: str, date: str, answered: dict[str, str], original: Any, rid: str
) -> Any:
    """The revisit record of a 304 for ``uri`` at ``date``, referring to ``original`` (the
    response record, id ``rid``, whose payload the server said is unchanged)."""
    http = StatusAndHeaders(
        _status_line(304),
        [(k.title(), str(v)) for k, v in sorted(answered.items())],
        protocol="HTTP/1.1",
    )
    refers_date = original.rec_headers.get_header("WARC-Date")
    rec = writer.create_revisit_record(
        uri,
        original.rec_headers.get_header("WARC-Payload-Digest"),
        uri,
        refers_date,
        http_headers=http,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Record-ID": _record_id("revisit", uri, refers_date, date),
        },
    )
    # warcio names the identical-payload-digest profile; a 304 is the server's word.
    rec.rec_headers.replace_header("WARC-Profile", NOT_MODIFIED_PROFILE)
    rec.rec_headers.add_header("WARC-Refers-To", rid)
    return rec
