"""The live source: httpx with the address guard, robots.txt, retries, redirects and caps.

One attempt is one request, bounded by a total deadline (httpx timeouts are per read, so
a server dripping a byte a second would never trip them); a request that reaches the
deadline is not retried, so one URL costs at most one deadline of silence. Retries
(:mod:`~verifier.fetch.retry`) cover transport errors, 429 and 5xx; other statuses are
answers. Redirects are followed here, not by httpx, so every hop is checked (scheme,
credentials, port, robots.txt; the address is checked by the backend at connect) and
recorded. A ``<meta http-equiv="refresh">`` of at most 100 s is followed too, as a hop
that counts against the same budget and loop detection: a visitor's browser goes there
within seconds, so that is the page a reviewer means; it is recorded in the notes.
A canonical link is only recorded. The body is read raw and decoded with a bound
(:mod:`~verifier.fetch.decoding`); a body cut short (a lying Content-Length, a truncated
compressed stream) is retried and never returned as if whole.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from verifier.clock import Clock, utc_clock
from verifier.errors import (
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchTimeout,
    InputError,
    TooManyRedirects,
)
from verifier.fetch.conditional import (
    NOT_MODIFIED,
    BaselineCapture,
    ConditionalBook,
    revive,
)
from verifier.fetch.connections import OriginPools
from verifier.fetch.content import (
    HEAD_SCAN_BYTES,
    MAX_REFRESH_DELAY,
    bot_challenge,
    head_links,
)
from verifier.fetch.decoding import (
    ACCEPT_ENCODING,
)
from verifier.fetch.guard import (
    GuardedBackend,
    GuardedProxy,
    Resolver,
    parse_resolve,
    proxy_url,
    system_resolver,
    url_problem,
)
from verifier.fetch.page import KEPT_HEADERS, Hop, Page, parse_within
from verifier.fetch.politeness import ROBOTS_MAX_BYTES, HostGate, RobotsRules
from verifier.fetch.reading import bodiless, peek, read_body
from verifier.fetch.retry import (
    RETRY_STATUSES,
    Retryable,
    gave_up,
    parse_retry_after,
    retrying_for,
    tls_problem,
    transport_reason,
)
from verifier.fetch.settings import FetchSettings
from verifier.urls import join_url, same_site

__all__ = ["LiveSource", "read_fetched", "trusted_ssl_context"]

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_URL_LENGTH = 8192
"""Longest URL accepted, in characters."""


@dataclass
class _Follow:
    """How :meth:`LiveSource._follow` walks one URL."""

    max_redirects: int
    cap: int
    truncate: bool = False
    robots: bool = True
    refresh: bool = True
    baseline: BaselineCapture | None = None
    """The baseline capture of the URL asked, whose validators the request carries at the
    end of the same redirect chain (:mod:`~verifier.fetch.conditional`)."""


async def read_fetched(page: Page, settings: FetchSettings) -> Page:
    """``page``, just fetched, read as the live source hands pages on: an HTML page read
    once within ``settings.parse_timeout`` and ``max_tags`` (:func:`parse_within`, which
    raises the fetch error that refuses it), and a successful one with the notes on its
    shape (a shell that needs JavaScript, a "not found" page) added."""
    if page.is_html:
        await parse_within(page, settings.parse_timeout, settings.max_tags)
        if page.ok:
            shape = page.shape_notes  # read with the page, off the event loop
            page = page.with_notes(*shape) if shape else page
    return page


class LiveSource:
    """Fetches pages from the web under the run's :class:`FetchSettings`.

    :param resolver: host name to addresses (tests inject a fake DNS).
    :param network: the httpcore backend that dials the checked address (tests route
        public-looking addresses to a local server with it).
    :param sleep: the back-off sleep (tests make it instant).
    :param clock: the run's clock, for each page's ``fetched_at`` and a Retry-After date.
    :param baseline: the baseline captures a URL may be asked again conditionally with
        (``If-None-Match`` / ``If-Modified-Since``); a 304 then stands for the baseline's
        bytes, under the rules of :mod:`~verifier.fetch.conditional`.
    :param read_pages: ``False``: pages are handed on unread, for worker processes that
        read each page they are given with :func:`read_fetched` (:mod:`verifier.run.pool`).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver = system_resolver,
        network: httpcore.AsyncNetworkBackend | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        clock: Clock = utc_clock,
        baseline: ConditionalBook | None = None,
        read_pages: bool = True,
    ) -> None:
        self.settings = settings
        self.baseline = baseline
        self.read_pages = read_pages
        """``False``: :meth:`get` hands pages on unread, as :meth:`fetch` does."""
        self.not_modified = 0
        """Requests answered 304 Not Modified and taken as the baseline's bytes."""
        self._clock = clock
        self._proxy = proxy_url(settings)
        self.backend = GuardedBackend(
            allow_private=settings.allow_private_network,
            resolver=resolver,
            resolve=parse_resolve(settings.resolve),
            network=network,
            proxy=None if self._proxy is None else _origin(self._proxy),
        )
        self._sleep = sleep or asyncio.sleep
        self.pools: OriginPools | None = None
        """The connection pools, one per origin; ``None`` through a proxy (one pool)."""
        self._client = self._build_client()
        self.gate = HostGate(settings.per_host_concurrency, settings.per_host_delay)
        self.robots = RobotsRules(self._fetch_robots) if settings.obey_robots else None
        self.side_pages: list[tuple[str, Page]] = []
        """(purpose, page) of fetches made for the fetch layer itself (robots.txt): the
        fetcher stores them with the run's other captures, as evidence of the rules read."""

    def _build_client(self) -> httpx.AsyncClient:
        s = self.settings
        ssl_context = trusted_ssl_context(s.ca_bundle)
        transport = httpx.AsyncHTTPTransport(retries=0, verify=ssl_context)
        # httpx has no parameter for the network backend; its transport is a thin wrapper
        # round an httpcore pool, so give it pools that connect through the guard: one per
        # origin (verifier.fetch.connections says why), or the one of the proxy.
        # (respx still intercepts: it patches the pool class, not the instance.)
        pool: dict[str, Any] = {
            "ssl_context": ssl_context,
            "max_connections": 50,
            "max_keepalive_connections": 20,
            "keepalive_expiry": 5.0,
            "http1": True,
            "http2": False,
            "retries": 0,
        }
        if self._proxy is None:
            self.pools = OriginPools(network_backend=self.backend, **pool)
            # httpx calls handle_async_request, aclose, __aenter__ and __aexit__ on it.
            transport._pool = self.pools  # type: ignore[assignment]
        else:
            transport._pool = GuardedProxy(self._proxy, self.backend, **pool)
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.total_timeout,
            ),
            follow_redirects=False,
            # HTTP(S)_PROXY from the environment must not reroute us: --proxy is explicit.
            trust_env=False,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def aclose(self) -> None:
        """Close the connection pools."""
        if self.robots is not None:
            await self.robots.aclose()
        await self._client.aclose()

    async def get(self, url: str) -> Page:
        """GET ``url``, following redirects and meta refreshes; see the module docstring.
        The page is read (:func:`read_fetched`) before it is returned, unless the source
        was made with ``read_pages=False``."""
        page = await self.fetch(url)
        return await read_fetched(page, self.settings) if self.read_pages else page

    async def fetch(self, url: str) -> Page:
        """GET ``url`` as :meth:`get` does, the page NOT read: for a process that hands
        pages to others who read them (:mod:`verifier.run.pool`), each then calling
        :func:`read_fetched` as :meth:`get` does."""
        s = self.settings
        known = self.baseline.get(url) if self.baseline is not None else None
        return await self._follow(
            url,
            _Follow(max_redirects=s.max_redirects, cap=s.max_bytes, robots=True, baseline=known),
        )

    def warm_robots(self, url: str) -> None:
        """Start reading robots.txt of ``url``'s origin now, when a page of it is about to
        be asked (a re-check's partner taking its place): its first page then waits for
        nothing but the per-host delay. Nothing for a URL this source would refuse, or
        with robots.txt not obeyed."""
        if self.robots is None:
            return
        try:
            target = self._checked_url(url, url)
        except FetchError:
            return  # refused: the page's own fetch says why
        self.robots.warm(target)

    async def _fetch_robots(self, url: str) -> Page:
        page = await self._follow(
            url,
            _Follow(
                max_redirects=5, cap=ROBOTS_MAX_BYTES, truncate=True, robots=False, refresh=False
            ),
        )
        self.side_pages.append(("robots.txt", page))
        return page

    async def _follow(self, url: str, how: _Follow) -> Page:
        hops: list[Hop] = []
        history: list[dict[str, Any]] = []
        notes: list[str] = []
        seen: set[str] = set()
        current = url
        while True:
            try:
                target = self._checked_url(current, url)
                seen.add(str(target))
                if how.robots and self.robots is not None:
                    robots = await self.robots.check(target)
                    if robots.note and not any(robots.url in n for n in notes):
                        notes.append(f"robots.txt {robots.url}: {robots.note}")
                sent = _conditional(how.baseline, target, hops)
                page = await self._get_with_retries(str(target), history, how, sent)
                if page.status == NOT_MODIFIED and how.robots:
                    page = self._not_modified(page, how.baseline, sent, hops, how)
            except FetchError as exc:
                _in_context(exc, url, current, hops, history)
                raise  # keeps the chain to the httpx error, for whoever debugs it
            nxt, via = self._next_hop(page, target, notes, how)
            if nxt is None:
                return self._final(url, target, page, hops, history, notes)
            hops.append(Hop(str(target), page.status, nxt, via))
            if nxt in seen:
                raise _in_context(
                    TooManyRedirects(
                        url, f"redirect loop: {nxt} was already visited, after {len(hops)} hop(s)"
                    ),
                    url,
                    url,
                    hops,
                    history,
                )
            if len(hops) > how.max_redirects:
                raise _in_context(
                    TooManyRedirects(url, f"stopped after {how.max_redirects} redirects"),
                    url,
                    url,
                    hops,
                    history,
                )
            current = nxt

    def _not_modified(
        self,
        page: Page,
        baseline: BaselineCapture | None,
        sent: dict[str, str],
        hops: list[Hop],
        how: _Follow,
    ) -> Page:
        """The baseline's page a 304 stands for, or :class:`FetchFailed` saying why the
        304 is not trusted (see :mod:`~verifier.fetch.conditional`)."""
        if not sent:
            if baseline is None:
                why = "no baseline capture of this URL gave validators"
            elif page.url != baseline.final_url or tuple(hops) != baseline.hops:
                here = " -> ".join([*(h.url for h in hops), page.url]) if hops else "no redirect"
                why = (
                    f"this answer came after {here}, not after the baseline capture's "
                    f"{baseline.chain()}, so its validators were not sent here"
                )
            else:  # pragma: no cover - _conditional sends them in exactly this case
                why = "its validators were not sent"
            raise FetchFailed(
                page.url,
                f"answered 304 Not Modified to a request that was not conditional ({why}): "
                "a 304 says nothing about a page it was not asked about, so it is not evidence",
            )
        assert baseline is not None  # validators are sent only from a baseline capture
        revived = revive(page, baseline, sent, how.cap)
        self.not_modified += 1
        return revived

    def _next_hop(
        self, page: Page, target: httpx.URL, notes: list[str], how: _Follow
    ) -> tuple[str | None, str]:
        """Where ``page`` sends the reader next (redirect or meta refresh), if anywhere."""
        if page.status in REDIRECT_STATUSES and "location" in page.headers:
            location = page.headers["location"]
            # An unusable Location is passed on as it is: the next hop refuses it by name.
            return _join(target, location) or location, "redirect"
        if not (how.refresh and page.ok and page.is_html):
            return None, ""
        links = head_links(page.body)
        if links.canonical:
            canonical = _join(target, links.canonical)
            other = (
                "" if canonical is None or same_site(canonical, str(target)) else ", another site"
            )
            shown = canonical or repr(links.canonical)
            notes.append(f"canonical link: {shown} (not followed{other})")
        if links.refresh_delay is None:
            return None, ""
        nxt = _join(target, links.refresh_url) if links.refresh_url else None
        delay = f"{links.refresh_delay:g}s"
        if nxt is None or nxt == str(target):
            notes.append(f"meta refresh after {delay} reloads the page itself (not followed)")
            return None, ""
        if not nxt.startswith(("http://", "https://")):
            notes.append(f"meta refresh after {delay} to {nxt[:200]!r} (not followed: not http)")
            return None, ""
        if links.refresh_delay > MAX_REFRESH_DELAY:
            notes.append(f"meta refresh after {delay} to {nxt} (not followed: delay too long)")
            return None, ""
        # A browser would show the target within seconds: what a visitor reads is there.
        notes.append(f"followed meta refresh after {delay} from {target} to {nxt}")
        return nxt, "meta refresh"

    def _final(
        self,
        url: str,
        target: httpx.URL,
        page: Page,
        hops: list[Hop],
        history: list[dict[str, Any]],
        notes: list[str],
    ) -> Page:
        # replace(), not Page(): a page the baseline's bytes stand for stays one.
        final = dataclasses.replace(
            page,
            url=url,
            final_url=str(target),
            hops=tuple(hops),
            attempts=sum(1 for h in history if h["url"] == str(target)),
            notes=(*notes, *page.notes),
            history=tuple(history),
        )
        who = bot_challenge(final.status, final.body)
        if who:
            final = final.with_notes(f"a bot-protection challenge from {who}: not the page itself")
        declared, sniffed = final.content_type, final.sniffed_type
        if declared and declared != sniffed and not final.is_html and sniffed != "text/plain":
            final = final.with_notes(f"declared {declared}, but the bytes are {sniffed}")
        elif final.is_html and declared != "text/html" and declared != "application/xhtml+xml":
            final = final.with_notes(f"declared {declared or 'no type'}, but the bytes are HTML")
        return final

    def _checked_url(self, text: str, asked: str) -> httpx.URL:
        try:
            target = httpx.URL(text)
            target.host  # noqa: B018 - decodes the IDNA host, which may be malformed
        except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError (IDNA) is a ValueError
            raise FetchRefused(asked, f"refused: {text!r} is not a valid URL ({exc})") from exc
        if len(text) > MAX_URL_LENGTH:
            raise FetchRefused(
                asked, f"refused: the URL is {len(text)} characters long (limit {MAX_URL_LENGTH})"
            )
        problem = url_problem(target, self.settings.allowed_ports)
        if problem:
            raise FetchRefused(asked, f"refused: {problem}")
        return target

    async def _get_with_retries(
        self, url: str, history: list[dict[str, Any]], how: _Follow, sent: dict[str, str]
    ) -> Page:
        s = self.settings
        attempts = 0

        retrying = retrying_for(s, self._sleep)
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    record: dict[str, Any] = {"attempt": attempts, "url": url}
                    if sent:
                        record["conditional"] = dict(sent)
                    history.append(record)
                    try:
                        page = await self._attempt(url, how, sent)
                    except (Retryable, FetchError) as exc:
                        record["error"] = exc.reason
                        if isinstance(exc, Retryable) and exc.unreachable:
                            record["unreachable"] = True
                        raise
                    record["status"] = page.status
                    return page
        except Retryable as exc:
            raise FetchFailed(url, gave_up(exc, attempts, s), attempts=attempts) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, url: str, how: _Follow, sent: dict[str, str]) -> Page:
        async with self.gate.slot(httpx.URL(url).host):
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._request(url, how, sent)
            except TimeoutError as exc:
                # Not retried: a server that drips or stays silent for the whole deadline
                # would do it again, and each retry would cost another full deadline.
                raise FetchTimeout(
                    url, f"timed out: no complete answer within {self.settings.total_timeout:g}s"
                ) from exc
            except httpx.TimeoutException as exc:
                connect = isinstance(exc, httpx.ConnectTimeout)
                raise Retryable(f"timed out ({type(exc).__name__})", unreachable=connect) from exc
            except httpx.RemoteProtocolError as exc:
                if "location header" in str(exc):
                    # httpx parses Location even when not following: a hostile one is a
                    # refusal of that hop, not a fault worth retrying.
                    raise FetchRefused(url, f"refused: the redirect Location: {exc}") from exc
                raise Retryable(transport_reason(exc)) from exc
            except httpx.TransportError as exc:
                tls = tls_problem(exc)
                if tls:
                    # A bad certificate will be as bad in a second: not retried, and
                    # verification is never switched off.
                    raise FetchFailed(url, f"TLS error: {tls}") from exc
                connect = isinstance(exc, httpx.ConnectError)
                raise Retryable(transport_reason(exc), unreachable=connect) from exc

    async def _request(self, url: str, how: _Follow, sent: dict[str, str]) -> Page:
        async with self._client.stream("GET", url, headers=sent) as response:
            headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
            if response.status_code in RETRY_STATUSES:
                status = response.status_code
                who = bot_challenge(status, await peek(response, HEAD_SCAN_BYTES))
                if who:
                    # A challenge does not go away by asking again.
                    raise FetchFailed(url, f"blocked by bot protection: HTTP {status} from {who}")
                raise Retryable(
                    f"HTTP {status}",
                    parse_retry_after(response.headers.get("retry-after"), self._clock),
                )
            if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                # The body of a redirect is never used: do not read it.
                return bodiless(url, response.status_code, headers, self._clock)
            return await read_body(
                response, url, headers, cap=how.cap, truncate=how.truncate, clock=self._clock
            )


@functools.cache
def trusted_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The TLS context of a run: the system's CAs, and those of ``ca_bundle`` (a PEM file,
    ``--ca-bundle``) when given; verification of certificates and host names stays on.

    Raises :class:`~verifier.errors.InputError` when the file cannot be read or holds no
    CA certificate.
    """
    # Building one loads the CA store (about 0.2 s here): do it once per process and bundle.
    context = ssl.create_default_context()
    if ca_bundle is not None:
        todo = "give the PEM file of the CA to trust (-----BEGIN CERTIFICATE-----...)"
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except ssl.SSLError as exc:
            raise InputError(
                f"--ca-bundle {ca_bundle}: not a PEM file of CA certificates "
                f"({exc.reason or exc}); {todo}"
            ) from None
        except OSError as exc:
            raise InputError(
                f"--ca-bundle {ca_bundle}: cannot read it ({exc.strerror or exc}); {todo}"
            ) from None
    return context


def _conditional(
    baseline: BaselineCapture | None, target: httpx.URL, hops: list[Hop]
) -> dict[str, str]:
    """The conditional headers of the request to ``target``: the baseline capture's
    validators, when this is where it answered, after the same redirects; else none."""
    if baseline is None or str(target) != baseline.final_url or tuple(hops) != baseline.hops:
        return {}
    return baseline.validators.request_headers()


def _origin(url: httpx.URL) -> tuple[str, int]:
    """(host, port) of ``url`` as the network backend is asked to connect to it."""
    return url.raw_host.decode("ascii").lower(), url.port or 80


def _join(base: httpx.URL, ref: str) -> str | None:
    return join_url(str(base), ref.strip())


def _in_context(
    exc: FetchError,
    asked: str,
    current: str,
    hops: list[Hop],
    history: list[dict[str, Any]],
) -> FetchError:
    """``exc`` restated for the URL the check asked, with the hops and attempts so far."""
    reason = exc.reason
    if hops and current != asked and "redirect" not in reason:
        reason = f"{reason} (at hop {len(hops)}: {current})"
    exc.url = asked
    exc.reason = reason
    exc.args = (f"{asked}: {reason}",)
    exc.hops = [h.to_json() for h in hops]
    if history:
        exc.history = list(history)
        exc.attempts = len(history)
    # else the fault came before this URL's first request (robots.txt of its host could
    # not be read): its own attempts are the ones that tell the story; keep them.
    return exc
