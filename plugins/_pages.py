"""Reading one page a submission points to, with every outcome a check must tell apart.

A check that reads several pages (case studies, alignment pages, group pages) must not
stop at the first fault: :func:`read_page` turns each answer into a :class:`Read` whose
``state`` says whether the page can be judged (``ok``), is evidence of absence (``gone``),
could not be had (``fault``: the check decides whether that changes its verdict), or is
not HTML (``not-html``: a person must read it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier import CheckContext, FetchError, Page

GONE = (404, 410)
"""Statuses meaning the page does not exist: an answer, not a fault."""


@dataclass(frozen=True)
class Read:
    """What became of one page."""

    url: str
    """The URL asked."""
    page: Page | None
    """The answer, if there was one."""
    state: str
    """``ok`` (2xx HTML), ``gone`` (404/410), ``fault`` (no answer, or another status),
    ``not-html`` (2xx but not HTML)."""
    reason: str
    """Why it is not ``ok``, as a phrase ("answered 404"); empty when ``ok``."""


async def read_page(ctx: CheckContext[Any], url: str) -> Read:
    """Fetch ``url`` (recorded as evidence by ``ctx.fetch``) and classify the answer."""
    try:
        page = await ctx.fetch(url)
    except FetchError as exc:
        return Read(url, None, "fault", f"could not be fetched ({exc.reason})")
    if page.status in GONE:
        return Read(url, page, "gone", f"answered {page.status}: the page does not exist")
    if not page.ok:
        return Read(url, page, "fault", f"answered {page.status}")
    if not page.is_html:
        kind = page.content_type or "an untyped body"
        return Read(url, page, "not-html", f"is {kind}, not HTML; a person must read it")
    return Read(url, page, "ok", "")
