"""Text of a page: the passage around a word, the page's links, the record of what a page
hides from its visitors, and a list shortened for a one-sentence summary.

What counts is what a visitor sees (:mod:`verifier.fetch.visibility`): a check decides on
:attr:`Page.visible_text` and :func:`page_links`; when only hidden content would have
decided it, the requirement needs a person, and :func:`record_hidden` quotes what was set
aside and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from verifier.checks import CheckContext
from verifier.fetch.page import Page
from verifier.fetch.visibility import Hidden, Link

__all__ = [
    "MAX_RECORDED",
    "QUOTE",
    "excerpt",
    "hidden_links",
    "hidden_text",
    "page_links",
    "record_hidden",
    "some",
]

QUOTE = 200
"""Characters of a hidden passage quoted in evidence."""
MAX_RECORDED = 5
"""Hidden passages recorded per page and purpose; the rest are counted."""


def excerpt(text: str, needle: str, width: int = 80) -> str:
    """The passage of ``text`` around ``needle`` (case-insensitive): about ``width``
    characters either side, cut at word boundaries (never mid-word), with ``…`` where
    the page's text goes on. Without ``needle``, the start of the text."""
    # "İ" (U+0130) is the one character whose lower case is longer ("i" and a combining
    # dot): taken as "i", the lowered text's indexes are the text's (a regex search
    # without case instead took the text's length times the needle's on a hostile page).
    lowered = text.replace("\u0130", "i").lower()
    i = lowered.find(needle.replace("\u0130", "i").lower()) if len(lowered) == len(text) else -1
    if i < 0:
        return _cut(text, 0, width * 2, 0, 0)
    return _cut(text, max(0, i - width), i + len(needle) + width, i, i + len(needle))


def _cut(text: str, start: int, end: int, keep_from: int, keep_to: int) -> str:
    """``text[start:end]`` narrowed to whole words, never past ``text[keep_from:keep_to]``
    (the needle): a word the cut would split is left out, and an ellipsis marks each
    side where the text goes on."""
    if start > 0 and not text[start - 1].isspace():
        # The cut falls inside a word: start after it.
        space = _next_space(text, start, keep_from)
        start = space if space is not None else start
    if end < len(text) and not text[end].isspace():
        # The cut falls inside a word: end before it.
        space = _last_space(text, max(start, keep_to), end)
        end = space if space is not None else end
    body = text[start:end].strip()
    head = "…" if text[:start].strip() else ""
    tail = "…" if text[end:].strip() else ""
    return f"{head}{body}{tail}" if body else body


def _next_space(text: str, start: int, end: int) -> int | None:
    for j in range(start, end):
        if text[j].isspace():
            return j
    return None


def _last_space(text: str, start: int, end: int) -> int | None:
    for j in range(end - 1, start - 1, -1):
        if text[j].isspace():
            return j
    return None


def page_links(page: Page) -> list[tuple[str, str]]:
    """Every ``(absolute href, link text)`` of the page's ``<a href>`` a visitor sees."""
    return [(link.href, link.text) for link in page.links if link.hidden is None]


def hidden_links(page: Page) -> list[Link]:
    """The page's ``<a href>`` a visitor does not see, each with why (``link.hidden``)."""
    return [link for link in page.links if link.hidden is not None]


def hidden_text(page: Page) -> str:
    """The page's hidden passages joined, to ask "would hidden text have decided it?"."""
    return " ".join(h.text for h in page.hidden_passages)


def record_hidden(
    ctx: CheckContext[Any], page: Page, found: Sequence[Hidden | Link], what: str
) -> None:
    """Record, as ``hidden`` evidence, content a visitor does not see that would have
    counted: each passage (or link) quoted with why it was set aside.

    :param found: the hidden passages or links that would have counted.
    :param what: what they would have shown, as a phrase ("the offering for sale").
    """
    for item in found[:MAX_RECORDED]:
        if isinstance(item, Link):
            quote, reason, url = f"{item.text} -> {item.href}".strip(), item.hidden, item.href
        else:
            quote, reason, url = item.text, item.reason, None
        short = quote if len(quote) <= QUOTE else quote[:QUOTE].rsplit(" ", 1)[0] + "…"
        ctx.evidence(
            "hidden",
            f"set aside: {short!r} is hidden from visitors ({reason}); it would have "
            f"shown {what}, so a person must judge",
            page=page,
            excerpt=short,
            reason=reason,
            link=url,
        )
    if len(found) > MAX_RECORDED:
        ctx.evidence(
            "hidden",
            f"{len(found) - MAX_RECORDED} more hidden passage(s) or link(s) of this page "
            f"would have shown {what}",
            page=page,
        )


def some(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` of ``names`` and how many more, for a summary that must stay one
    sentence however long the list: ``"A, B, C, D, E and 9,995 more"``; all of them, comma
    separated, when there are ``limit`` or fewer."""
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown
