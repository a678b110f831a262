"""A fetched page: what was asked, what answered, and the bytes, parsed at most once."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Comment, Doctype, ProcessingInstruction, UnicodeDammit

from verifier.models import Evidence

_HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})
"""Elements whose text a reader never sees (the title is taken apart from ``head``)."""

KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "date",
    "location",
    "retry-after",
    "server",
)
"""Response headers recorded in evidence; the rest are not kept."""


@dataclass(frozen=True)
class Hop:
    """One response on the way to the final one (a redirect)."""

    url: str
    """URL requested at this hop."""
    status: int
    """Its status (301, 302, 303, 307, 308)."""
    location: str
    """Where it pointed, resolved against ``url``."""

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"url": self.url, "status": self.status, "location": self.location}


@dataclass(frozen=True, eq=False)
class Page:
    """The final response to a fetch, whatever its status (a 404 is an answer)."""

    url: str
    """The URL asked."""
    final_url: str
    """The URL that answered, after redirects."""
    status: int
    """HTTP status of the final response."""
    headers: Mapping[str, str]
    """The kept response headers (:data:`KEPT_HEADERS`), lower-cased names."""
    body: bytes
    """The decoded body (after Content-Encoding), at most the size cap."""
    sha256: str
    """SHA-256 of ``body``; the capture's file name."""
    fetched_at: str
    """When the final response arrived (UTC, ISO 8601)."""
    hops: tuple[Hop, ...] = ()
    """Redirects followed, in order."""
    attempts: int = 1
    """Requests made for the final URL, retries included."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Things a reviewer should know (a meta refresh, a canonical link, a sniffed type)."""

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case (``text/html``)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def declared_charset(self) -> str | None:
        """The charset named by the Content-Type header, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def is_html(self) -> bool:
        """Whether the body is HTML (declared, or sniffed when no type was declared)."""
        if self.content_type in ("text/html", "application/xhtml+xml"):
            return True
        if self.content_type in ("", "text/plain", "application/octet-stream"):
            head = self.body[:512].lstrip().lower()
            return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
        return False

    @functools.cached_property
    def text(self) -> str:
        """The body as text: header charset, else meta tag or BOM, else detection."""
        known = [self.declared_charset] if self.declared_charset else []
        dammit = UnicodeDammit(self.body, known_definite_encodings=known, is_html=self.is_html)
        if dammit.unicode_markup is None:
            return self.body.decode("utf-8", "replace")
        return dammit.unicode_markup

    @functools.cached_property
    def soup(self) -> BeautifulSoup:
        """The page parsed with lxml, once, shared by every check that reads it.

        A page that is not HTML parses as an empty document.
        """
        if not self.is_html:
            return BeautifulSoup("", "lxml")
        return BeautifulSoup(self.text, "lxml")

    @functools.cached_property
    def visible_text(self) -> str:
        """The title and visible text, whitespace collapsed; scripts, styles and comments
        left out. Reads the shared tree without changing it (other checks read it too)."""
        parts = [
            str(node)
            for node in self.soup.find_all(string=True)
            if not isinstance(node, Comment | Doctype | ProcessingInstruction)
            and not any(parent.name in _HIDDEN for parent in node.parents)
        ]
        title = self.soup.title.get_text(" ") if self.soup.title else ""
        return re.sub(r"\s+", " ", " ".join([title, *parts])).strip()

    def evidence(self) -> Evidence:
        """This fetch as a piece of evidence."""
        via = f" via {len(self.hops)} redirect(s) to {self.final_url}" if self.hops else ""
        return Evidence(
            kind="fetch",
            url=self.url,
            sha256=self.sha256,
            fetched_at=self.fetched_at,
            detail=f"GET {self.url} answered {self.status}{via} ({len(self.body)} bytes, "
            f"{self.content_type or 'no content type'})",
            data={
                "final_url": self.final_url,
                "status": self.status,
                "headers": dict(self.headers),
                "hops": [h.to_json() for h in self.hops],
                "attempts": self.attempts,
                "size": len(self.body),
                "notes": list(self.notes),
            },
        )
