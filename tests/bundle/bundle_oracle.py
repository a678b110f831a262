"""How a bundle was written before r18 spared its CPU: the oracle the bundle writer is
compared with, byte for byte (tests/bundle/test_bundle_bytes.py).

This is the code of ``verifier.bundle`` and ``verifier.report`` at tag r18-start, for
every function r18 changed (report.json's encoder, the text view, the Markdown and
visible text, the settings view, the Jinja2 environment, the WARC's dates and record
ids, the manifest), kept as it was; :func:`r18_start` puts it in place of today's, so
that ``write_all`` and ``seal`` write a bundle as r18-start did. What r18 left alone
(the templates, the report model, the renderers' layout) is shared by both.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import lxml.etree
import lxml.html
import pytest
from bs4 import UnicodeDammit

import verifier.bundle.check as check_mod
import verifier.bundle.warc as warc_mod
import verifier.report as report_pkg
import verifier.report._view as view_mod
import verifier.report.html as html_mod
import verifier.report.markdown as md_mod
from verifier.bundle.files import bundle_files, file_sha256
from verifier.bundle.store import CAPTURES, is_sha256
from verifier.bundle.textview import _DROPPED, text_view_name
from verifier.fetch.content import sniff_type
from verifier.safetext import safe_text

# --- verifier/bundle/store.py -------------------------------------------------------------


def dump_json(data: Any) -> bytes:
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8", errors="backslashreplace")


def _write(path: Path, data: bytes) -> None:
    # atomic_write's bytes: what it writes is what it is given.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --- verifier/bundle/textview.py ----------------------------------------------------------


def text_of(body: bytes) -> str:
    kind = sniff_type(body)
    if kind == "text/html":
        raw = _html_text(body)
    elif kind.startswith("text/") or kind in ("application/json", "application/xml"):
        raw = body.decode("utf-8", errors="replace")
    else:
        return f"({kind}, {len(body):,} bytes: no text to show; see the archived copy)\n"
    lines = (" ".join(line.split()) for line in raw.splitlines())
    kept = "\n".join(line for line in lines if line)
    return safe_text(kept, keep="\n") + "\n"


def _html_text(body: bytes) -> str:
    markup = UnicodeDammit(body, is_html=True).unicode_markup or ""
    if not markup.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return ""
    lxml.etree.strip_elements(root, *_DROPPED, lxml.etree.Comment, with_tail=False)
    return "\n".join(root.itertext())


def write_text_views(directory: Path, shas: Iterable[str]) -> list[Path]:
    written = []
    for sha in sorted(set(shas)):
        source = directory / CAPTURES / sha
        if not is_sha256(sha) or not source.is_file():
            continue
        target = directory / text_view_name(sha)
        _write(target, text_of(source.read_bytes()).encode("utf-8"))
        written.append(target)
    return written


# --- verifier/report/_view.py -------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPED = re.compile("[\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible(text: object) -> str:
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    s = _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "␡", s)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def settings_view(report: Any) -> dict[str, Any]:
    # r18 kept its body (_settings_view) and keeps what it gives for the next report.
    return view_mod._settings_view(report.run.settings)


# --- verifier/report/markdown.py ----------------------------------------------------------


def md_text(value: object) -> str:
    s = view_mod.visible(value)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = md_mod._PUNCT.sub(r"\\\1", s)
    s = md_mod._AUTOLINK.sub(md_mod._inert, s)
    s = re.sub(r"\s*[\r\n]+\s*", " ", s).strip()
    return md_mod._BLOCK_START.sub(r"\1\\\2", s, count=1)


# --- verifier/report/html.py --------------------------------------------------------------


def template_environment(package: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- verifier/bundle/warc.py --------------------------------------------------------------


def _warc_date(text: object) -> str:
    if isinstance(text, str) and text:
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            pass
    return "1970-01-01T00:00:00Z"


def _record_id(*parts: object) -> str:
    return f"<urn:uuid:{uuid.uuid5(warc_mod._NS, '|'.join(str(p) for p in parts))}>"


def _response_bytes(uri, date, status, headers, body, rid) -> bytes:
    # Not kept from one bundle to the next: every record compressed again.
    import io

    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version=warc_mod.WARC_VERSION)
    writer.write_record(warc_mod._response(writer, uri, date, status, headers, body, rid))
    return buffer.getvalue()


# --- verifier/bundle/check.py -------------------------------------------------------------


def write_manifest(root: Path) -> Path:
    lines = [f"{file_sha256(root / rel)}  {rel}\n" for rel in bundle_files(root)]
    path = root / "SHA256SUMS"
    _write(path, "".join(lines).encode("utf-8"))
    return path


@contextmanager
def r18_start() -> Iterator[None]:
    """While in this block, ``write_all`` and ``seal`` write bundles with the r18-start
    code of every function r18 changed."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_pkg, "dump_json", dump_json)
        mp.setattr(report_pkg, "atomic_write", _write)
        mp.setattr(report_pkg, "write_text_views", write_text_views)
        mp.setattr(view_mod, "visible", visible)
        mp.setattr(view_mod, "settings_view", settings_view)
        mp.setattr(md_mod, "md_text", md_text)
        mp.setattr(html_mod, "_ENV", template_environment("verifier.report"))
        mp.setattr(warc_mod, "_warc_date", _warc_date)
        mp.setattr(warc_mod, "_record_id", _record_id)
        mp.setattr(warc_mod, "_response_bytes", _response_bytes)
        mp.setattr(warc_mod, "atomic_write", _write)
        mp.setattr(check_mod, "write_manifest", write_manifest)
        yield


def digest(data: bytes) -> str:
    """SHA-256 hex digest (for messages naming a file that differs)."""
    return hashlib.sha256(data).hexdigest()
