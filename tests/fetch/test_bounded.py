"""Reading a page's tree within --parse-timeout, whatever code reads it (issue 8, class 8)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from bs4.builder._lxml import LXMLTreeBuilder

from plugins.membership import MembershipCheck
from tests.helpers import bare_context, html_page
from verifier import CheckContext, FetchError, NoParams, Page
from verifier.fetch import bounded
from verifier.fetch.bounded import Overtime, check_deadline, parse, reading_until
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "fixtures").rglob("*.html"))


def _reads(soup: BeautifulSoup) -> list[Any]:
    return [
        soup.get_text(" "),
        [str(s) for s in soup.find_all(string=True)],
        [t.get_text(" ") for t in soup.select("li, a, [class*=card], h1, h2")],
        [t.string for t in soup.find_all(True)],
        [[p.name for p in t.parents] for t in soup.find_all("a")],
        str(soup),
    ]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_the_bounded_tree_reads_exactly_as_bs4s_own(path: Path) -> None:
    html = path.read_text(encoding="utf-8", errors="replace")
    assert _reads(parse(html, features="lxml")) == _reads(BeautifulSoup(html, "lxml"))


_ODD_MARKUP = [
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<use xlink:href="#a"/><title>t</title></svg><p xml:lang="fr" class="a  b">x</p>',
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>',
    '<div {ns}odd="1" data-x="" class="" id=a>y</div><p CLASS="Up Down">z</p>',
    '<html xmlns="http://www.w3.org/1999/xhtml"><body><a href="/x" rel="me author">a</a>',
    "<template><p>in</p></template><noscript><b>n</b></noscript><!-- c --><![CDATA[d]]>",
    '<p class="a" class="b" CLASS="c" id=1 id=2 hidden x:y="1" xmlns="urn:z">d</p>',
    '<a href="/x" =y "q"=1 \'r\'=2 style="a" {urn:x}style="b">z</a><{urn:e}p>t</{urn:e}p>',
]


def _tree(soup: BeautifulSoup) -> list[Any]:
    # Everything a check or the view can read of an element: kind, name, namespace,
    # prefix, attributes (with multi-valued ones as lists), in document order.
    return [
        (type(e).__name__, e.name, e.namespace, e.prefix, dict(e.attrs))
        if isinstance(e, Tag)
        else (type(e).__name__, str(e))
        for e in soup.descendants
    ]


class _Braced(LXMLTreeBuilder):
    """bs4's own lxml builder, given each attribute name written with braces out of its
    namespace reading (a mark in front, taken off once the tree is built)."""

    def start(self, tag: Any, attrib: Any, nsmap: Any = None) -> None:
        marked = {("\x00" + k if k[:1] == "{" else k): v for k, v in attrib.items()}
        super().start(tag, marked, nsmap or {})


def _bs4_as_written(html: str) -> BeautifulSoup:
    """bs4's tree of ``html``, except that ``{urn:x}style`` stays an attribute of that
    name, as a browser reads it, where bs4 makes it a namespaced ``style`` that replaces
    the real one."""
    soup = parse(html, builder=_Braced())
    for tag in soup.find_all(True):
        if any(str(k).startswith("\x00") for k in tag.attrs):
            kind = type(tag.attrs)  # bs4's own attribute dict, as the builder makes it
            tag.attrs = kind({str(k).removeprefix("\x00"): v for k, v in tag.attrs.items()})
    return soup


@pytest.mark.parametrize(
    "html",
    [*(p.read_text(encoding="utf-8", errors="replace") for p in PAGES), *_ODD_MARKUP],
    ids=[
        *(str(p.relative_to(ROOT / "fixtures")) for p in PAGES),
        *map(str, range(len(_ODD_MARKUP))),
    ],
)
def test_a_pages_tree_is_the_one_bs4_builds_with_lxml(html: str) -> None:
    # The fetch layer's parse takes a shorter way for tags without a namespace (every tag
    # an HTML parser reports): the tree must be the one bs4's own builder makes, but for
    # an attribute name written with braces, kept as written (round r14).
    page = html_page(html)
    own = _bs4_as_written(page.text)  # bs4's builder, the same element classes
    assert _tree(page.soup) == _tree(own)
    assert _reads(page.soup) == _reads(own)


def _nested_lists(depth: int) -> str:
    return "<html><body><ul>" + "<li><a href='https://x.example/'>Member</a><ul>" * depth


def test_a_walk_past_the_threads_deadline_stops_and_none_is_set_outside() -> None:
    soup = parse(_nested_lists(2_000), features="lxml")
    with reading_until(time.monotonic() - 1), pytest.raises(Overtime):
        soup.find_all("li")
    with reading_until(time.monotonic() - 1), pytest.raises(Overtime):
        list(soup.find_all("a")[-1].parents)
    # No deadline on this thread any more: the same walks read the whole tree.
    assert len(soup.find_all("li")) == 2_000
    assert len(list(soup.find_all("a")[-1].parents)) > 2_000


def _ctx(
    read_timeout: float, fetch: Callable[[str], Awaitable[Page]] | None = None
) -> CheckContext[NoParams]:
    return bare_context(read_timeout) if fetch is None else bare_context(read_timeout, fetch)


def _page(html: str) -> Page:
    return html_page(html, "http://a.example/dir")


def test_ctx_read_gives_up_past_the_parse_timeout_with_a_fetch_error_naming_the_page() -> None:
    page = _page(_nested_lists(3_000))
    assert page.soup  # bs4's tree built first: what is timed is the walk

    def quadratic(p: Page) -> int:  # what a careless directory reader does
        return sum(len(list(li.parents)) for li in p.soup.find_all("li") for _ in range(100))

    with pytest.raises(FetchError) as caught:
        asyncio.run(_ctx(0.2).read(quadratic, page))
    assert caught.value.url == "http://a.example/dir"
    assert caught.value.reason == (
        "gave up reading the page: it took more than 0.2s to read (--parse-timeout)"
    )


def test_ctx_read_returns_what_the_reader_returns_within_the_timeout() -> None:
    def reader(p: Page, name: str) -> list[str]:
        return [t.get_text() for t in p.soup.find_all(name)]

    page = _page("<html><body><li>One</li><li>Two</li></body></html>")
    assert asyncio.run(_ctx(5).read(reader, page, "li")) == ["One", "Two"]


def test_a_directory_built_to_be_slow_to_read_is_an_error_not_a_stalled_run(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    # 12,000 nested lists: 223 s on the event loop before; then cut at --parse-timeout;
    # now refused as soon as it is read (nested past the 2,048 levels lxml's tree reads
    # whole, tests/fetch/test_parsing.py). A slow reader is cut by ctx.read (above).
    page = tmp_path / "dir.example" / "members" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(_nested_lists(12_000))
    server = fake_sites(tmp_path)
    result = run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Acme", "website": "http://acme.example/"}),
        {"sources": ["finops-members"]},
        settings=settings_for(server, parse_timeout=1.0),
        sources={"finops-members": "http://dir.example/members/"},
    )
    assert result.status == "error"
    assert result.summary == (
        "finops-members: could not read the directory: http://dir.example/members/ could not "
        "be fetched (too complex to parse: elements nested 2,048 deep or more, past what the "
        "parser reads whole)"
    )


def test_evidence_recorded_inside_read_is_kept_in_order_and_dropped_when_it_gives_up() -> None:
    ctx = _ctx(0.2)
    page = _page(_nested_lists(3_000))
    assert page.soup  # bs4's tree built first: what is timed is the walk

    def notes(p: Page) -> int:
        ctx.evidence("text", "first", page=p)
        ctx.evidence("text", "second", page=p)
        return 2

    def notes_then_too_slow(p: Page) -> int:
        ctx.evidence("text", "never kept", page=p)
        return sum(len(list(li.parents)) for li in p.soup.find_all("li") for _ in range(100))

    async def go() -> None:
        ctx.evidence("text", "before")
        assert await ctx.read(notes, page) == 2
        with pytest.raises(FetchError):
            await ctx.read(notes_then_too_slow, page)

    asyncio.run(go())
    assert [e.detail for e in ctx.recorded] == ["before", "first", "second"]


def test_reads_take_turns_in_one_thread_each_with_its_whole_timeout_from_when_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four reads asked at once: while none is slow (SLOW_READ, set high here: these stand
    # for quick reads) they run one after the other (threads would only take turns on
    # the GIL, at a cost), and the last, which starts 0.6 s after it was asked, still has
    # its whole 0.5 s: time spent waiting is not its own.
    monkeypatch.setattr(bounded, "SLOW_READ", 5.0)
    running: list[int] = []
    most = 0

    def slow(p: Page, seconds: float) -> float:
        nonlocal most
        running.append(1)
        most = max(most, len(running))
        time.sleep(seconds)
        running.pop()
        check_deadline()  # Overtime if this read's own deadline passed
        return seconds

    async def main() -> list[float]:
        ctx, page = _ctx(0.5), _page("<p>x</p>")
        return await asyncio.gather(*(ctx.read(slow, page, s) for s in (0.3, 0.3, 0.2, 0.2)))

    assert asyncio.run(main()) == [0.3, 0.3, 0.2, 0.2]
    assert most == 1


def test_a_read_cancelled_while_it_waits_its_turn_never_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first read holds its turn until the second is cancelled (SLOW_READ set high: a
    # loaded machine must not let the second start beside the first before the cancel).
    monkeypatch.setattr(bounded, "SLOW_READ", 60.0)
    ran: list[str] = []
    started, go_on = threading.Event(), threading.Event()

    def note(p: Page, name: str) -> None:
        started.set()
        go_on.wait(30)  # a guard against a hang, not a timing
        ran.append(name)

    async def main() -> None:
        ctx, page = _ctx(60), _page("<p>x</p>")
        first = asyncio.ensure_future(ctx.read(note, page, "first"))
        assert await asyncio.to_thread(started.wait, 30)  # the first is running
        second = asyncio.ensure_future(ctx.read(note, page, "second"))
        await asyncio.sleep(0.05)  # the second is waiting its turn
        second.cancel()
        go_on.set()
        await first
        await asyncio.gather(second, return_exceptions=True)
        assert second.cancelled()

    asyncio.run(main())
    assert ran == ["first"]


@pytest.mark.parametrize(
    ("passed_over", "order"),
    [
        # A re-check's partners that gave their place up (waiting for a member directory)
        # read it all at once when it comes; a partner holding its place reads first, and
        # the others keep their order. Whether a run goes first is asked when the turn is
        # given, not when the read was queued.
        pytest.param(60.0, ["first", "late", "held", "a", "b"], id="holding-its-place-first"),
        # Pages built to be slow to read, asked by a partner holding its place, must not
        # hold the others' reads back for ever (their checks would end on their time
        # limits): a read that has waited PASSED_OVER goes next. At 0, every read has:
        # first come, first served, whoever holds a place.
        pytest.param(0.0, ["first", "a", "b", "late", "held"], id="passed-over-long-enough"),
    ],
)
def test_reads_take_turns_holding_a_place_first_until_one_is_passed_over_too_long(
    monkeypatch: pytest.MonkeyPatch, passed_over: float, order: list[str]
) -> None:
    monkeypatch.setattr(bounded, "SLOW_READ", 60.0)
    monkeypatch.setattr(bounded, "PASSED_OVER", passed_over)
    assert _turns_taken() == order


def _turns_taken() -> list[str]:
    """The order in which reads took their turns: "first" holds the turn while "a" (no
    priority), "b" and "late" (not holding a place) and "held" (holding one) queue, in
    that order; "late" takes its place back while it waits."""
    ran: list[str] = []
    started, go_on = threading.Event(), threading.Event()
    holding = {"late": False}

    def note(p: Page, name: str) -> None:
        if name == "first":
            started.set()
            go_on.wait(30)  # a guard against a hang, not a timing
        ran.append(name)

    async def read_as(name: str, first: bool | None) -> None:
        ctx, page = _ctx(60), _page("<p>x</p>")
        if first is None:
            await ctx.read(note, page, name)
            return
        with bounded.reads_first(lambda: holding.get(name, first)):
            await ctx.read(note, page, name)

    async def main() -> None:
        reads = [asyncio.ensure_future(read_as("first", None))]
        assert await asyncio.to_thread(started.wait, 30)  # it holds the turn
        for name, first in (("a", None), ("b", False), ("late", False), ("held", True)):
            reads.append(asyncio.ensure_future(read_as(name, first)))
            await asyncio.sleep(0.01)
        holding["late"] = True  # "late" took its place back while it waited
        go_on.set()
        await asyncio.gather(*reads)

    asyncio.run(main())
    return ran


def test_a_read_given_its_turn_as_it_is_cancelled_passes_the_turn_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bounded, "SLOW_READ", 60.0)
    ran: list[str] = []

    def note(p: Page, name: str) -> None:
        ran.append(name)

    async def main() -> None:
        ctx, page = _ctx(60), _page("<p>x</p>")
        turns = bounded._Turns()
        await turns.acquire()  # the turn is held
        waiting = asyncio.ensure_future(turns.acquire())
        await asyncio.sleep(0)
        turns.release()  # the turn goes to the waiting one ...
        waiting.cancel()  # ... cancelled before it runs: the turn is free again
        await asyncio.gather(waiting, return_exceptions=True)
        assert waiting.cancelled()
        await asyncio.wait_for(turns.acquire(), 5)
        turns.release()
        # The gate in_reader uses behaves the same: a later read is not stuck.
        await asyncio.wait_for(ctx.read(note, page, "after"), 5)

    asyncio.run(main())
    assert ran == ["after"]


def test_a_read_slow_past_its_turn_lets_the_next_one_run_beside_it() -> None:
    # A page built to be slow to read (up to --parse-timeout per walk) must not stall
    # every other partner's reads behind it: the slow read waits for a quick one asked
    # after it, which can only finish if it is let run meanwhile.
    quick_done = threading.Event()

    def slow(p: Page) -> bool:
        return quick_done.wait(timeout=10)

    def quick(p: Page) -> str:
        quick_done.set()
        return "read"

    async def main() -> list[Any]:
        ctx, page = _ctx(30), _page("<p>x</p>")
        first = asyncio.ensure_future(ctx.read(slow, page))
        await asyncio.sleep(0.05)  # the slow read has its turn
        return list(await asyncio.gather(first, ctx.read(quick, page)))

    assert asyncio.run(main()) == [True, "read"]


def test_evidence_of_fetches_and_reads_asked_at_once_stands_in_the_order_asked() -> None:
    # Look-ups a check gathers at once (a credential registry's) answer in any order; the
    # report lists them in the order the check asked, the same every run.
    async def fetch(url: str) -> Page:
        await asyncio.sleep({"a": 0.2, "b": 0.0, "c": 0.1}[url[-1]])
        if url.endswith("c"):
            raise FetchError(url, "refused")
        return html_page(f"<p>{url}</p>", url)

    ctx = _ctx(5, fetch)

    def note(p: Page, name: str) -> None:
        ctx.evidence("text", name, page=p)

    async def go() -> None:
        ctx.evidence("text", "before")
        await asyncio.gather(
            *(ctx.fetch(f"http://x.example/{k}") for k in "abc"), return_exceptions=True
        )
        page = _page("<p>x</p>")
        await asyncio.gather(ctx.read(note, page, "first read"), ctx.read(note, page, "second"))
        slow = asyncio.ensure_future(ctx.fetch("http://x.example/a"))
        await asyncio.sleep(0.05)
        slow.cancel()  # a fetch the check gave up on leaves nothing
        await asyncio.gather(slow, return_exceptions=True)

    asyncio.run(go())
    recorded = ctx.recorded
    assert recorded[0].detail == "before"
    assert [e.url for e in recorded[1:4]] == [f"http://x.example/{k}" for k in "abc"]
    assert [e.detail for e in recorded[4:]] == ["first read", "second"]
    assert ctx.recorded[3].detail == "GET http://x.example/c failed: refused"
