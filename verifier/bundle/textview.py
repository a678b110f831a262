"""The "read the captured text" view: ``captures/<sha256>.txt`` beside each archived body.

An archived page is the applicant's HTML, byte for byte: opened in a browser, it would
run its scripts. The text view is what a person needs to read it safely: the text
extracted from the HTML (no element, attribute, script, style or URL survives: a
``<script>`` is dropped, ``onerror=`` and ``javascript:`` hrefs are attributes and never
text), every control character made visible, written as a ``.txt`` file, which a browser
shows as plain text and never runs. The files are written before the bundle is sealed,
so SHA256SUMS covers them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import lxml.etree
from bs4 import UnicodeDammit

from verifier.bundle.memo import Memo
from verifier.bundle.store import CAPTURES, atomic_write, is_sha256
from verifier.fetch.content import sniff_type
from verifier.safetext import safe_text

TEXT_SUFFIX = ".txt"
"""The text view of ``captures/<sha256>`` is ``captures/<sha256>.txt``."""
_DROPPED = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
# Elements whose content is no text a visitor reads (code, styling, embedded documents).


_PARSER = lxml.etree.HTMLParser()
"""lxml.html's parser (the same options, lxml's defaults) without its element classes."""


def text_view_name(sha256: str) -> str:
    """The bundle-relative path of the text view of capture ``sha256``."""
    return f"{CAPTURES}/{sha256}{TEXT_SUFFIX}"


def text_of(body: bytes) -> str:
    """The readable text of an archived body: an HTML page's text (scripts, styles and
    markup dropped), any other text decoded as UTF-8; controls made visible. A binary
    body (PDF, image) gives one line saying what it is."""
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
    # lxml's C parser, not a bs4 tree: a re-check writes the text of the same shared
    # directory page into every partner's bundle, and a bs4 tree of it costs ten times
    # more CPU for the same text. The charset is read as the fetch layer reads it.
    markup = UnicodeDammit(body, is_html=True).unicode_markup or ""
    if not markup.strip():
        return ""
    try:
        # lxml.html.document_fromstring(markup) is this call with lxml.html's parser,
        # whose elements are looked up in Python (HtmlElementClassLookup) as itertext()
        # walks them: a tenth of the CPU of this view, for the same document and text.
        root = lxml.etree.fromstring(markup, _PARSER)
    except (lxml.etree.ParserError, ValueError):
        return ""
    if root is None:
        return ""  # what document_fromstring calls "Document is empty"
    lxml.etree.strip_elements(root, *_DROPPED, lxml.etree.Comment, with_tail=False)
    return "\n".join(root.itertext())


TEXT_CACHE_BYTES = 8 * 1024 * 1024
"""What the kept texts of captures may weigh together in one process (each re-check
worker has its own): bounded by size, not count, since one capture may be 5 MiB."""
_TEXTS: Memo[str, bytes] = Memo(TEXT_CACHE_BYTES, len)
# One capture has one text: a process writing many bundles (a re-check) that hold the same
# shared page reads it once. Keyed by the capture's SHA-256, checked against its bytes.


def _text_of_capture(sha256: str, body: bytes) -> bytes:
    # The text view's bytes, UTF-8.
    if hashlib.sha256(body).hexdigest() != sha256:
        # Not what its name says (bundle check reports it): its text as it is.
        return text_of(body).encode("utf-8")
    text = _TEXTS.get(sha256)
    if text is None:
        text = text_of(body).encode("utf-8")
        _TEXTS.put(sha256, text)
    return text


def write_text_views(directory: Path, shas: Iterable[str]) -> list[Path]:
    """Write the text view of each capture ``shas`` names that ``directory`` holds;
    returns the paths written (a capture missing or unreadable gets none)."""
    written = []
    captures = os.path.join(directory, CAPTURES)
    for sha in sorted(set(shas)):
        source = os.path.join(captures, sha)
        if not is_sha256(sha) or not os.path.isfile(source):
            continue
        with open(source, "rb") as fh:
            body = fh.read()
        target = directory / text_view_name(sha)
        atomic_write(target, _text_of_capture(sha, body))
        written.append(target)
    return written
