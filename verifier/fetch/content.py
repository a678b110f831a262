"""What a body is, whatever it claims: type sniffing, and the head tags that move a page.

A server's Content-Type is a claim: a PDF served as ``text/html`` must not be parsed as
HTML, and HTML served as ``text/plain`` is still HTML. :func:`sniff_type` looks at the
first bytes (magic numbers, then HTML markers); the page records both the declared and
the sniffed type.

``<meta http-equiv="refresh">`` and ``<link rel="canonical">`` are read from the start of
the document with a small tag scanner, not a full parse: the client needs them for every
HTML answer (a refresh is followed, see :mod:`~verifier.fetch.client`), before any check
decides to parse the page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from verifier.names import whole_words

HEAD_SCAN_BYTES = 64 * 1024
"""How much of a document is scanned for meta refresh and canonical links."""

MAX_REFRESH_DELAY = 100.0
"""A meta refresh with a longer delay is a slideshow, not a redirect: not followed."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"RIFF", "application/octet-stream"),  # WebP, WAV, AVI: binary either way
    (b"PK\x03\x04", "application/zip"),  # also DOCX, XLSX
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0", "application/msword"),
)
_HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<title",
    b"<meta",
    b"<script",
    b"<div",
    b"<p>",
    b"<h1",
    b"<a ",
    b"<table",
    b"<!--",
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_type(body: bytes) -> str:
    """The media type the first bytes show (``text/html``, ``application/pdf``...).

    ``text/plain`` when nothing more specific is recognised but the bytes look like
    text, ``application/octet-stream`` when they do not.
    """
    head = body[:1024]
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    text = head.lstrip().lower()
    if text.startswith(_HTML_MARKERS):
        return "text/html"
    if text.startswith(b"<?xml"):
        return "text/html" if b"<html" in text else "application/xml"
    if text[:1] in (b"{", b"["):
        return "application/json"
    if b"\x00" in head and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "application/octet-stream"
    return "text/plain"


_CHALLENGE_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"cf-chl", "Cloudflare"),
    (b"challenge-platform", "Cloudflare"),
    (b"attention required! | cloudflare", "Cloudflare"),
    (b"_incapsula_resource", "Imperva Incapsula"),
    (b"ddos-guard", "DDoS-Guard"),
    (b"px-captcha", "PerimeterX"),
    (b"captcha-delivery.com", "DataDome"),
    (b"awswaf", "AWS WAF"),
    (b"g-recaptcha", "a CAPTCHA"),
    (b"h-captcha", "a CAPTCHA"),
)
CHALLENGE_STATUSES = frozenset({403, 429, 503})
"""Statuses bot-protection services answer a challenge with."""


def bot_challenge(status: int, body: bytes) -> str | None:
    """Who is challenging us, when ``body`` is a bot-protection page, else ``None``.

    Such a page says nothing about the site's content: the fetch is not evidence either
    way, and a person has to look.
    """
    if status not in CHALLENGE_STATUSES:
        return None
    head = body[:HEAD_SCAN_BYTES].lower()
    for marker, who in _CHALLENGE_MARKERS:
        if marker in head:
            return f"{who} (marker {marker.decode()!r})"
    return None


@dataclass(frozen=True)
class HeadLinks:
    """The tags in a document's head that point elsewhere."""

    refresh_url: str | None = None
    """Target of a ``<meta http-equiv="refresh">`` (raw, unresolved), if any."""
    refresh_delay: float | None = None
    """Its delay in seconds."""
    canonical: str | None = None
    """Target of ``<link rel="canonical">`` (raw, unresolved), if any."""


_TAG = re.compile(rb"<(meta|link)\b([^>]{0,2000})>", re.IGNORECASE)
_ATTR = re.compile(
    rb"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE
)
_NOSCRIPT = re.compile(rb"<noscript\b.*?(</noscript\s*>|$)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(rb"<!--.*?(-->|$)", re.DOTALL)
_REFRESH = re.compile(
    r"""^\s*(\d+(?:\.\d*)?)\s*(?:[;,]\s*(?:url\s*=\s*)?["']?([^"']*)["']?)?\s*$""",
    re.IGNORECASE,
)


def _attrs(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _ATTR.findall(raw):
        text = value.strip(b"\"'").decode("utf-8", "replace")
        out.setdefault(key.decode("ascii", "replace").lower(), html.unescape(text).strip())
    return out


def head_links(body: bytes) -> HeadLinks:
    """Meta refresh and canonical link of an HTML ``body`` (first of each).

    A refresh inside ``<noscript>`` or an HTML comment is ignored: browsers running
    scripts never see it, and a commented one is not there at all.
    """
    scan = _COMMENT.sub(b"", body[:HEAD_SCAN_BYTES])
    scan = _NOSCRIPT.sub(b"", scan)
    refresh_url: str | None = None
    refresh_delay: float | None = None
    canonical: str | None = None
    for match in _TAG.finditer(scan):
        attrs = _attrs(match.group(2))
        if match.group(1).lower() == b"meta" and refresh_delay is None:
            if attrs.get("http-equiv", "").lower() == "refresh":
                parsed = _REFRESH.match(attrs.get("content", ""))
                if parsed:
                    refresh_delay = float(parsed.group(1))
                    refresh_url = (parsed.group(2) or "").strip() or None
        elif match.group(1).lower() == b"link" and canonical is None:
            rels = attrs.get("rel", "").lower().split()
            if "canonical" in rels and attrs.get("href"):
                canonical = attrs["href"]
    return HeadLinks(refresh_url, refresh_delay, canonical)


SHELL_TEXT_CHARS = 200
"""Below this many characters of text (what it hides included), a page that runs scripts is
an empty shell that JavaScript fills in."""

SHELL_VISIBLE_CHARS = 80
"""Below this many characters of text a visitor sees, a page that runs scripts is a shell
too: what it says is hidden until its scripts run."""

NOT_FOUND_PHRASES = ("404", "page not found", "page cannot be found")
"""What only a "not found" page says in its title: a page answering 200 with one of these
(as whole words) is a soft 404, and the page is gone."""

MAYBE_NOT_FOUND_PHRASES = (
    "not found",
    "page does not exist",
    "page doesn't exist",
    "no longer available",
)
"""What a "not found" page may say, and a real page may too ("the savings others have not
found"): a note for the reviewer, never a verdict on its own."""

_NOT_FOUND = whole_words(NOT_FOUND_PHRASES)
_MAYBE_NOT_FOUND = whole_words((*NOT_FOUND_PHRASES, *MAYBE_NOT_FOUND_PHRASES))


def soft_404(title: str) -> bool:
    """Whether a page's title says the page does not exist: one of
    :data:`NOT_FOUND_PHRASES` as whole words, ignoring case ("Error 404", not "14045")."""
    return _NOT_FOUND is not None and _NOT_FOUND.search(title) is not None


def reads_like_not_found(heading: str) -> bool:
    """Whether a title or heading may be a "not found" page's: :func:`soft_404`, or one of
    :data:`MAYBE_NOT_FOUND_PHRASES` (worth a note, not a verdict)."""
    return _MAYBE_NOT_FOUND is not None and _MAYBE_NOT_FOUND.search(heading) is not None


def script_shell(scripts: int, *, text: str | None = None, visible: str | None = None) -> bool:
    """Whether a page that has ``scripts`` script elements is an empty shell that
    JavaScript fills in: it runs scripts and has fewer than :data:`SHELL_TEXT_CHARS`
    characters of ``text``, or fewer than :data:`SHELL_VISIBLE_CHARS` characters of text a
    visitor sees (``visible``). The fetch layer, before a page's visible text is known,
    judges by the first; ``read_page`` by both."""
    if scripts <= 0:
        return False
    if text is not None and len(text) < SHELL_TEXT_CHARS:
        return True
    return visible is not None and len(visible) < SHELL_VISIBLE_CHARS


JS_SHELL_NOTE = "almost no text without JavaScript"
"""How a note flagging a page built by scripts begins (see :attr:`Page.needs_javascript`)."""


def shape_notes(text: str, scripts: int, heads: list[str]) -> list[str]:
    """What a reviewer should know about a 2xx HTML page that may not be what it seems:
    a shell that needs JavaScript to show anything, or a "not found" page served as 200.
    ``text`` is the page's text (scripts, styles and templates left out), ``scripts`` how
    many ``<script>`` it holds, ``heads`` the text of its first three titles and ``<h1>``
    (:func:`~verifier.fetch.treeread.read_markup` reads them)."""
    notes: list[str] = []
    if script_shell(scripts, text=text):
        notes.append(
            f"{JS_SHELL_NOTE} ({len(text)} characters, {scripts} "
            "script(s)): the page may need a browser; a person should look"
        )
    for head in heads:
        if reads_like_not_found(head):
            notes.append(f"answered 200 but reads like a 'not found' page ({head[:80]!r})")
            break
    return notes
