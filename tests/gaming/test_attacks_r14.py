"""A hostile applicant, round r14: the speed changes of issue 10 (``e26736f..r14-start``).

The applicant controls its own pages (and perhaps a second partner's in the same
re-check) and wants a false ``pass``, another partner's verdict wrong, or the re-check
stalled. One attack per change:

1. **The page reader pool** (``bounded.in_reader``). Pages whose reads hold every reader
   thread: a read queued behind them is not cut short for their time, and one cancelled
   while it waits (its check timed out) never runs. Held (pins the pool's queueing).
2. **Remembered joins** (``urls.join_url``). Refs the cache keys by host whose real join
   depends on the base path (dot segments, tabs, backslashes, percent-encodings, upper
   case schemes, userinfo, IDN hosts, ports): every answer was httpx's (tests/test_urls.py
   pins it). But the cache kept whatever a page held: 20,000 relative links on a page at
   an 8,000-character URL left 160 MB of joined URLs behind for the rest of the run, a
   hostile page's memory bill paid by every partner after it. Fixed: only short joins are
   remembered.
3. **The fast tag start** (``page._Builder.start``). The tree is bs4's for svg, math,
   ``xmlns``, duplicate and odd attributes (tests/fetch/test_bounded.py pins it). But
   bs4's own tree was not what a browser reads: an attribute written ``{urn:x}style``
   became a namespaced ``style`` whose value replaced the real one, so ``<div
   style="display:none" {urn:x}style="color:inherit">`` read as visible text and its
   hidden pricing passed the offering (the same with ``class``). Fixed: an HTML page's
   attribute names are kept as written (the browser's reading).
4. **Remembered names and sites** (``names.normalize``, ``urls.site_of``). Pure, so
   nothing to poison; but a page's own string (``tag.string``, a str subclass) was kept
   as the cache's key, and with it its whole parsed page, for the rest of the run.
   Fixed: the cache keeps a plain copy.
5. **A group page's shared layout** (``community._layout``). Two partners reading one
   group page in one run, in either order, with aliases, a link tying an alias to a
   domain, hidden cards and other rules: each gets what a page of its own gives. Held
   (pins what must stay applicant-free).
6. **One parse per export** (``_credentials.read_csv``). The same export in two partners'
   bundles, one copy then changed: each partner reads its own copy's records, named by
   its path. Held.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import tracemalloc
import weakref
from pathlib import Path
from typing import Any

import pytest
from bs4 import Tag

from plugins import _credentials
from plugins.community import CommunityParams, _Applicant, decide, gather
from tests.gaming.c1_support import kinds, protoco_offering
from tests.gaming.conftest import GAMING
from tests.helpers import html_page
from tests.plugins.registry_helpers import policy_params
from tests.plugins.test_credentials import HEADER
from verifier import Status
from verifier.fetch import FetchSettings, bounded
from verifier.fetch.bounded import in_reader
from verifier.names import normalize
from verifier.urls import join_url, site_of

OWN = "http://atk14-own.example"

# 1. The page reader pool ------------------------------------------------------------


def test_reads_queued_behind_pages_holding_every_reader_get_their_own_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Six reads of a page built to be slow hold all six reader threads (each lets the
    # next start once it is slow). A read asked meanwhile and then cancelled (its check
    # timed out) never runs; one asked meanwhile gets its whole limit from when a thread
    # frees, not from when it was asked: waiting is not its own time. A future change to
    # the pool (its size, when a deadline starts, cancelling) must keep both.
    monkeypatch.setattr(bounded, "SLOW_READ", 0.01)  # the slow reads step aside at once
    release = threading.Event()
    ran: list[str] = []

    def hog(deadline: float | None) -> str:
        release.wait(10)  # a walk still going: the thread is held until released
        return "hog"

    def cancelled(deadline: float | None) -> None:
        ran.append("cancelled")

    def late(deadline: float | None) -> float | None:
        return deadline

    async def main() -> tuple[list[str], float | None, float]:
        hogs = [asyncio.ensure_future(in_reader(hog, 10.0)) for _ in range(6)]
        dropped = asyncio.ensure_future(in_reader(cancelled, 1.0))
        queued = asyncio.ensure_future(in_reader(late, 0.5))
        await asyncio.sleep(0.1)  # let the queue form (a read asked after the hogs)
        dropped.cancel()
        await asyncio.wait([dropped])  # its cancelling is done before a thread frees
        released_at = time.monotonic()
        release.set()
        done = await asyncio.gather(*hogs)
        return done, await queued, released_at

    try:
        hogs, deadline, released_at = asyncio.run(main())
    finally:
        release.set()
    assert hogs == ["hog"] * 6
    assert ran == []  # cancelled while it waited: never run
    assert deadline is not None
    assert deadline >= released_at + 0.5


# 2. Remembered joins ----------------------------------------------------------------


def _kept_after_reading(html: str, url: str) -> int:
    """Bytes still allocated once a page at ``url`` was read (its view built) and let go."""
    page = html_page(html, url)
    assert page.soup.body is not None  # parsed before tracing: the joins are in the view
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert len(page.view.links) == 1_000
        del page
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_a_page_of_long_links_leaves_no_joined_urls_behind() -> None:
    # A hostile page: 1,000 relative links at a URL of 7,800 characters (a redirect may
    # lead to one), each joining to a URL as long. Remembered, they stayed for the rest
    # of the re-check: 8 MB here, 160 MB with 20,000 links (under --max-tags), for a
    # 430 KB page. Only short joins (menu links) are remembered now.
    url = f"{OWN}/{'d/' * 3_900}"
    html = "<html><body>" + "".join(f'<a href="p{i}">m</a>' for i in range(1_000))
    kept = _kept_after_reading(html + "</body></html>", url)
    assert kept < 1_000_000, f"{kept:,} bytes kept after the page was let go"


def test_short_joins_are_still_answered_as_httpx_after_long_ones() -> None:
    # The same reference on a long and a short base of one host: the long join, not
    # remembered, does not stand in for the short one, nor the reverse.
    long_base = f"{OWN}/{'x/' * 300}"
    assert join_url(long_base, "a/../b") == f"{long_base}b"
    assert join_url(f"{OWN}/s/", "a/../b") == f"{OWN}/s/b"
    assert join_url(long_base, "/root") == f"{OWN}/root"  # by host: long base, short join


# 3. The fast tag start ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        pytest.param(
            "ns-style",
            "display:none in its style attribute",
            id="display:none beside a {urn:x}style",
        ),
        pytest.param(
            "ns-class",
            "the rule .promo {display:none} of the page's <style>",
            id="a hiding class beside a {urn:x}class",
        ),
    ],
)
def test_pricing_hidden_behind_a_namespaced_looking_attribute_is_no_pass(
    gaming_settings: FetchSettings, variant: str, reason: str
) -> None:
    result = protoco_offering(gaming_settings, OWN, variant)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary.startswith(
        "only content hidden from visitors shows that Proto Lens is purchasable"
    )
    (hidden, *_) = kinds(result, "hidden")
    assert hidden.excerpt == "Pricing and plans, free trial, buy now"
    assert hidden.data["reason"] == reason


def test_control_pricing_a_browser_shows_beside_namespaced_looking_attributes_passes(
    gaming_settings: FetchSettings,
) -> None:
    # `{urn:x}style="display:none"` and `{urn:x}hidden` are attributes of those names
    # for a browser: they hide nothing.
    result = protoco_offering(gaming_settings, OWN, "shown")
    assert result.status == Status.PASS, result.summary
    assert not kinds(result, "hidden")


def test_a_braced_attribute_name_is_kept_as_written() -> None:
    page = html_page('<div style="display:none" {urn:x}style="color:red">s</div><p>v</p>')
    div = page.soup.find("div")
    assert isinstance(div, Tag)
    assert div.attrs == {"style": "display:none", "{urn:x}style": "color:red"}
    assert page.visible_text == "v"


# 4. Remembered names and sites --------------------------------------------------------


def test_names_and_sites_remembered_keep_no_page_alive() -> None:
    page = html_page(
        "<h2>Acme Cloud Economics, Inc.</h2><p>https://github.com/Acme/lens</p>"
        + "<p>filler</p>" * 200
    )
    soup = page.soup
    name, url = soup.h2.string, soup.p.string  # type: ignore[union-attr]
    assert name is not None
    assert url is not None
    assert normalize(name) == normalize("Acme Cloud Economics") == "acme cloud economics"
    assert site_of(url) == site_of("https://github.com/acme/other") == "github.com/acme"
    assert join_url(page.final_url, url) == "https://github.com/Acme/lens"
    alive = weakref.ref(soup)
    del page, soup, name, url
    gc.collect()
    assert alive() is None, "a remembered string keeps its parsed page alive"


# 5. A group page's shared layout --------------------------------------------------------

GROUP = "http://c2-finops.example/wg/containers/"
GROUP_HTML = (GAMING / "c2-finops.example" / "wg" / "containers" / "index.html").read_text()
RULES = CommunityParams.model_validate(policy_params("2022/platform.yaml", "community"))
OTHER_RULES = CommunityParams.model_validate(
    {**policy_params("2022/platform.yaml", "community"), "listing_classes": ["speaker"]}
)


def _who(name: str, website: str, *aliases: str) -> _Applicant:
    own = [normalize(name)]
    forms = {f: a for a in aliases if (f := normalize(a)) not in own}
    return _Applicant(name, own, forms, site_of(website), website)


PARTNERS = [
    _who("Tallyworks, Inc.", "https://c2-tallyworks.example/"),
    _who("Quill Cost Labs", "https://c2-quill.example/", "CloudZero"),
    _who("BL Holdings Ltd", "https://c2-brightledger.example/", "Bright Ledger"),
    _who("Dunmore Analytics", "https://c2-dunmore.example/"),
    _who("Marlow Metrics", "https://c2-marlow.example/"),
    _who("Nobody Here", "https://c2-nobody.example/", "Tallyworks"),
]
"""Listed; an alias untied; an alias tied by a link; hidden; named elsewhere; another's
name as an alias (from another domain)."""


def _decision(page: Any, rules: CommunityParams, who: _Applicant) -> tuple[Any, ...]:
    found = decide(gather(page, rules, who), who.own, who.aliases)
    item = found.item
    return (
        found.finding,
        found.form,
        None if item is None else (item.text, item.tied, item.hidden),
        len(found.unseen),
    )


def test_partners_sharing_a_group_page_each_get_what_their_own_page_gives() -> None:
    alone = {
        (w.name, r is RULES): _decision(html_page(GROUP_HTML, GROUP), r, w)
        for w in PARTNERS
        for r in (RULES, OTHER_RULES)
    }
    assert {k[0]: v[0] for k, v in alone.items() if k[1]} == {
        "Tallyworks, Inc.": "listed",
        "Quill Cost Labs": "alias",
        "BL Holdings Ltd": "listed",
        "Dunmore Analytics": "hidden",
        "Marlow Metrics": "elsewhere",
        "Nobody Here": "alias",
    }
    for order in (PARTNERS, PARTNERS[::-1]):
        shared = html_page(GROUP_HTML, GROUP)  # one Page, as a re-check's cache shares it
        for who in order:
            for rules in (RULES, OTHER_RULES):
                got = _decision(shared, rules, who)
                assert got == alone[(who.name, rules is RULES)], (who.name, rules is RULES)


# 6. One parse per export ------------------------------------------------------------------


def test_partners_copies_of_one_export_each_read_their_own(tmp_path: Path) -> None:
    jane = "LF-7,Jane Doe,FOCP,2023-01-01,\n"
    content = HEADER + jane
    first, second = tmp_path / "a" / "export.csv", tmp_path / "b" / "export.csv"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text(content)
        records, _ = _credentials.read_csv(path)
        assert records["lf-7"].where == f"{path}:2"
    first.write_text(HEADER + "LF-8,Jo Roe,FOCP,2023-01-01,2024-01-01\n" + jane)  # one line down
    changed, _ = _credentials.read_csv(first)
    kept, _ = _credentials.read_csv(second)
    assert (sorted(changed), changed["lf-7"].where) == (["lf-7", "lf-8"], f"{first}:3")
    assert (sorted(kept), kept["lf-7"].where) == (["lf-7"], f"{second}:2")
