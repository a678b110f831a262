"""Text helpers shared by the checks that read a page: the passage around a word, and the
page's links made absolute."""

from __future__ import annotations

import httpx
from bs4 import Tag

from verifier import Page


def excerpt(text: str, needle: str, width: int = 80) -> str:
    """The passage of ``text`` around ``needle`` (case-insensitive)."""
    i = text.lower().find(needle.lower())
    if i < 0:
        return text[: width * 2]
    return text[max(0, i - width) : i + len(needle) + width].strip()


def page_links(page: Page) -> list[tuple[str, str]]:
    """Every ``(absolute href, link text)`` of the page's ``<a href>`` elements."""
    out = []
    for a in page.soup.find_all("a", href=True):
        if isinstance(a, Tag) and isinstance(a.get("href"), str):
            try:
                href = str(httpx.URL(page.final_url).join(str(a["href"])))
            except (httpx.InvalidURL, ValueError):
                continue  # a malformed href is no link to follow or count
            out.append((href, a.get_text(" ", strip=True)))
    return out
