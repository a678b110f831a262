"""Hostile inputs 42-44 (reference/hostile-inputs.md): parsing what was fetched."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.fetch.conftest import SITE, fast, fetch
from tests.fetch.hostile_server import Conn, HostileServer, response
from tests.helpers import html_page
from verifier.bundle.store import EvidenceStore, dump_json
from verifier.errors import FetchRefused, FetchTimeout, FetchTooLarge
from verifier.fetch import CountingFetch, Fetcher, LiveSource, Page
from verifier.fetch.bounded import reading_until
from verifier.fetch.content import JS_SHELL_NOTE, SHELL_TEXT_CHARS, SHELL_VISIBLE_CHARS
from verifier.toolkit.pages import built_by_javascript

URL = f"http://{SITE}"


def test_42_a_link_after_html_end_and_one_nested_300_deep_are_both_found(
    server: HostileServer,
) -> None:
    body = (
        b"<html><body>"
        + b"<div>" * 300
        + b"<a href='/deep'>deep</a>"
        + b"</div>" * 300
        + b"</body></html><a href='/after'>after</a>"
    )
    server.route("/p", response(200, body))
    page = fetch(fast(server), f"{URL}/p")
    assert [a["href"] for a in page.soup.find_all("a")] == ["/deep", "/after"]
    assert server.paths() == ["/p"]


def test_43_a_20_mb_single_line_page_is_stopped_at_the_cap(server: HostileServer) -> None:
    line = b"<html><body><p>" + b"word " * 4_000_000 + b"</p></body></html>"

    def chunked(c: Conn) -> None:  # no Content-Length: only the cap can stop it
        c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(line), 65536):
            piece = line[i : i + 65536]
            if not c.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n"):
                return
        c.send(b"0\r\n\r\n")

    server.route("/declared", response(200, line))
    server.route("/chunked", chunked)
    declared, streamed = fetch(
        fast(server, max_bytes=5 * 1024 * 1024), f"{URL}/declared", f"{URL}/chunked"
    )
    assert isinstance(declared, FetchTooLarge)
    assert declared.reason == (
        f"refused before reading: Content-Length {len(line)} is over the 5 MiB cap"
    )
    assert isinstance(streamed, FetchTooLarge)
    assert streamed.reason == "stopped after 5 MiB: the body is larger than the cap"
    assert server.paths() == ["/declared", "/chunked"]


def test_43_a_20_mb_single_line_page_under_a_raised_cap_parses_whole(
    server: HostileServer,
) -> None:
    line = b"<html><body><p>" + b"word " * 4_000_000 + b"<a href='/end'>end</a></p></body></html>"
    server.route("/p", response(200, line))
    page = fetch(fast(server, max_bytes=32 * 1024 * 1024, total_timeout=10.0), f"{URL}/p")
    assert len(page.body) == len(line)
    assert page.soup.find("a")["href"] == "/end"


def test_44_nul_bytes_and_invalid_utf8_survive_into_json_evidence(server: HostileServer) -> None:
    body = b"<html><body>nul\x00here \xed\xa0\x80 lone-surrogate \xff end</body></html>"
    server.route("/p", response(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    page = fetch(fast(server), f"{URL}/p")
    text = page.soup.get_text()
    assert "end" in text
    record = {"excerpt": text, **page.evidence().data}
    out = dump_json(record)
    assert json.loads(out)["excerpt"] == text


def test_the_same_url_asked_by_five_checks_at_once_is_fetched_once(
    server: HostileServer,
) -> None:
    def slow(c: Conn) -> None:
        c.stopping.wait(0.2)  # keep the request in flight while the others ask
        c.send(response(200, b"<html><body>shared</body></html>"))

    server.route("/members", slow)

    async def go() -> list[Page]:
        fetcher = Fetcher(LiveSource(fast(server)), None)
        checks = [CountingFetch(fetcher, budget=10) for _ in range(5)]  # one per check
        try:
            return list(await asyncio.gather(*(fetch(f"{URL}/members") for fetch in checks)))
        finally:
            await fetcher.aclose()

    pages = asyncio.run(go())
    assert len({id(p) for p in pages}) == 1
    assert pages[0].soup.body.get_text() == "shared"
    assert server.paths() == ["/members"]


def test_47_hostile_paths_never_name_a_file_captures_are_content_addressed(
    server: HostileServer, tmp_path: Path
) -> None:
    server.route("/etc/x", response(200, b"<html>one</html>"))
    server.route("/..%5Cx", response(200, b"<html>two</html>"))
    urls = [f"{URL}/../../etc/x", f"{URL}/..%5Cx", f"{URL}/CON", f"{URL}/" + "n" * 300]

    async def go() -> list[Page]:
        fetcher = Fetcher(LiveSource(fast(server)), EvidenceStore(tmp_path / "report"))
        try:
            return [await fetcher.get(url) for url in urls]
        finally:
            await fetcher.aclose()
            assert fetcher.store is not None
            fetcher.store.write_index()

    pages = asyncio.run(go())
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert all(f.startswith("report/captures/") for f in files)
    names = {f.rsplit("/", 1)[1] for f in files} - {"index.json"}
    assert names == {p.sha256 for p in pages}
    assert names == {hashlib.sha256(p.body).hexdigest() for p in pages}
    # Dot segments are resolved before sending (RFC 3986), never passed to a file name.
    assert server.paths()[:3] == ["/etc/x", "/..%5Cx", "/CON"]


def test_pages_are_parsed_once_off_the_event_loop_before_checks_read_them(
    server: HostileServer,
) -> None:
    server.route("/p", response(200, b"<html><body><a href='/x'>x</a></body></html>"))
    cached: list[bool] = []

    async def go() -> Page:
        fetcher = Fetcher(LiveSource(fast(server)), None)
        try:
            page = await fetcher.get(f"{URL}/p")
            cached.append(page.parsed)  # parsed before the check got it
            return page
        finally:
            await fetcher.aclose()

    page = asyncio.run(go())
    assert cached == [True]
    assert page.soup.a["href"] == "/x"


def test_41_html_past_the_parse_budget_is_an_error_and_the_run_goes_on(
    server: HostileServer,
) -> None:
    # 20k elements, each tried against 250 rules of the page's <style>: about two seconds
    # to read, 40 times the budget given here.
    rules = "".join(f".a[x{i}]{{display:none}}" for i in range(250))
    nested = f"<html><head><style>{rules}</style></head><body>".encode() + (
        b"<p class=a>x</p>" * 20_000 + b"</body></html>"
    )
    server.route("/nested", response(200, nested))
    server.route("/fine", response(200, b"<html><body><a href='/x'>x</a></body></html>"))

    async def go() -> tuple[object, Page]:
        hurried = LiveSource(fast(server, parse_timeout=0.05))
        normal = LiveSource(fast(server))
        try:
            try:
                slow: object = await hurried.get(f"{URL}/nested")
            except FetchTimeout as exc:
                slow = exc
            # The runaway parse is still going in its thread; the run carries on.
            return slow, await normal.get(f"{URL}/fine")
        finally:
            await hurried.aclose()
            await normal.aclose()

    slow, fine = asyncio.run(go())
    assert isinstance(slow, FetchTimeout)
    assert slow.reason == (
        f"gave up parsing: the page ({len(nested)} bytes) took more than 0.05s to parse"
    )
    assert slow.history[0]["status"] == 200
    assert fine.soup.a["href"] == "/x"
    assert server.paths() == ["/nested", "/fine"]


@pytest.mark.parametrize("depth", [2_046, 20_000])
def test_41_html_nested_past_what_the_parser_reads_whole_is_refused(
    server: HostileServer, depth: int
) -> None:
    # lxml's tree stops at 2,048 levels: what follows would be missing from the reading
    # (a "page not found" heading, a hiding rule), so such a page is refused, never read
    # in part. One level less is read whole.
    def page(n: int) -> bytes:
        return (
            b"<html><body>" + b"<div>" * n + b"deep" + b"</div>" * n + b"<p>after</p></body></html>"
        )

    server.route("/deep", response(200, page(depth)))
    server.route("/less", response(200, page(2_045)))
    deep, less = fetch(fast(server), f"{URL}/deep", f"{URL}/less")
    assert isinstance(deep, FetchTooLarge)
    assert deep.reason == (
        "too complex to parse: elements nested 2,048 deep or more, past what the parser reads whole"
    )
    assert isinstance(less, Page)
    assert less.visible_text == "deep after"


def test_41_a_tag_bomb_under_the_size_cap_is_refused_before_parsing(
    server: HostileServer,
) -> None:
    # 1.7 million <b> fit in 5 MiB and took bs4 a minute and 900 MB in a thread that
    # cannot be stopped: the tag cap refuses such a page before parsing begins.
    bomb = b"<html><body>" + b"<b>" * 1_700_000 + b"</body></html>"
    server.route("/bomb", response(200, bomb))

    async def go() -> FetchTooLarge:
        source = LiveSource(fast(server, max_bytes=5 * 1024 * 1024 + 1024))
        try:
            await source.get(f"{URL}/bomb")
        except FetchTooLarge as exc:
            return exc
        finally:
            await source.aclose()
        raise AssertionError("the tag bomb was parsed")

    refused = asyncio.run(go())
    assert refused.reason == (
        "too complex to parse: about 1700004 tags, over the cap of 50000 (--max-tags)"
    )  # 1.7 million <b>, plus <html>, <body> and their end tags
    assert refused.history[0]["status"] == 200
    assert server.paths() == ["/bomb"]


def test_41_a_page_just_under_the_tag_cap_parses(server: HostileServer) -> None:
    page_body = b"<html><body>" + b"<i>x</i>" * 1000 + b"</body></html>"
    server.route("/many", response(200, page_body))
    page = fetch(fast(server, max_tags=2004), f"{URL}/many")
    assert len(page.soup.find_all("i")) == 1000


def test_36_a_javascript_shell_and_a_soft_404_are_flagged_not_taken_as_evidence(
    server: HostileServer,
) -> None:
    shell = b"<html><body><div id='root'></div><script src='/app.js'></script></body></html>"
    soft = b"<html><head><title>Page not found | Acme</title></head><body>" + b"x " * 200
    server.route("/app", response(200, shell))
    server.route("/gone", response(200, soft + b"</body></html>"))
    app, gone = fetch(fast(server), f"{URL}/app", f"{URL}/gone")
    assert (
        "almost no text without JavaScript (0 characters, 1 script(s)): the page may need a "
        "browser; a person should look" in app.notes
    )
    assert "answered 200 but reads like a 'not found' page ('Page not found | Acme')" in gone.notes
    assert gone.parsed  # the notes kept the parsed tree
    assert server.paths() == ["/app", "/gone"]


def test_a_check_past_its_fetch_budget_is_refused_without_a_request(
    server: HostileServer,
) -> None:
    server.route("/p1", response(200, b"<html>1</html>"))
    server.route("/p2", response(200, b"<html>2</html>"))

    async def go() -> FetchRefused:
        fetcher = Fetcher(LiveSource(fast(server)), None)
        check = CountingFetch(fetcher, budget=2)
        try:
            await check(f"{URL}/p1")
            await check(f"{URL}/p2")
            with pytest.raises(FetchRefused) as info:
                await check(f"{URL}/p3")
            return info.value
        finally:
            await fetcher.aclose()

    err = asyncio.run(go())
    assert err.reason == "refused: this check already made 2 fetches, its limit"
    assert server.paths() == ["/p1", "/p2"]


@pytest.mark.parametrize(
    ("chars", "scripts", "shell"),
    [
        (SHELL_TEXT_CHARS - 1, 3, True),
        (SHELL_TEXT_CHARS, 3, False),
        (SHELL_TEXT_CHARS - 1, 0, False),
    ],
)
def test_a_shell_is_a_page_with_scripts_and_less_text_than_the_bound(
    chars: int, scripts: int, shell: bool
) -> None:
    # The scripts are counted only below the bound (a walk of the whole tree saved on
    # every page with text): the notes are those of counting them every time.
    html = "<html><body><p>" + "x" * chars + "</p>" + "<script>1</script>" * scripts
    notes = list(html_page(html + "</body></html>").shape_notes)
    assert notes == (
        [
            f"{JS_SHELL_NOTE} ({chars} characters, {scripts} script(s)): the page may need a "
            "browser; a person should look"
        ]
        if shell
        else []
    )


@pytest.mark.parametrize(
    ("chars", "scripts", "shell"),
    [(SHELL_VISIBLE_CHARS - 1, 1, True), (SHELL_VISIBLE_CHARS, 1, False), (5, 0, False)],
)
def test_read_page_calls_a_page_a_shell_by_its_visible_text_and_scripts(
    chars: int, scripts: int, shell: bool
) -> None:
    # Hidden text does not count; a page with as much visible text as the bound is no
    # shell, whatever it runs.
    html = (
        "<html><body><p>"
        + "y" * chars
        + "</p><p hidden>"
        + "z" * 500
        + "</p>"
        + "<script>1</script>" * scripts
        + "</body></html>"
    )
    assert built_by_javascript(html_page(html)) is shell


def test_bs4s_tree_built_outside_a_ctx_read_keeps_to_the_parse_timeout(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # page.soup is built when a check first asks for it: inside ctx.read, within its
    # deadline; outside one (on the event loop, against the rules), within the fetch's
    # --parse-timeout from then, never unbounded (bs4 took a minute over pages lxml reads
    # in milliseconds).
    server.route("/p", response(200, b"<html><body><p>x</p></body></html>"))
    page = fetch(fast(server, parse_timeout=7.0), f"{URL}/p")
    assert isinstance(page, Page)
    made: list[float | None] = []
    real = Page._parse

    def parse(self: Page, deadline: float | None = None) -> BeautifulSoup:
        made.append(deadline)
        return real(self, deadline)

    monkeypatch.setattr(Page, "_parse", parse)
    before = time.monotonic()
    with reading_until(before + 1.5):
        assert page.soup.p is not None  # (kept: asked again, no second parse)
    assert made == [before + 1.5]
    del page.__dict__["_soup"]
    page.soup  # noqa: B018
    assert made[1] is not None
    assert before + 7.0 <= made[1] <= time.monotonic() + 7.0
