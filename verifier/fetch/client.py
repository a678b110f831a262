"""The live source: httpx with the address guard, retries, redirects and caps.

One attempt is one request, bounded by a total deadline (httpx timeouts are per read, so
a server dripping a byte a second would never trip them). Retries (tenacity, always with
a stop) cover transport errors, 429 and 5xx; other statuses are answers. Redirects are
followed here, not by httpx, so every hop is checked (scheme, credentials, port; the
address is checked by the backend at connect) and recorded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import logging
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpcore
import httpx
import tenacity

from verifier.errors import (
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchTimeout,
    FetchTooLarge,
    TooManyRedirects,
)
from verifier.fetch.decoding import ACCEPT_ENCODING, BoundedDecoder, UndecodableError
from verifier.fetch.guard import (
    GuardedBackend,
    Resolver,
    parse_resolve,
    system_resolver,
    url_problem,
)
from verifier.fetch.page import KEPT_HEADERS, Hop, Page
from verifier.fetch.settings import FetchSettings

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


def utc_now() -> str:
    """The current time, UTC, ISO 8601 with seconds (for evidence timestamps only)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class _Retryable(Exception):
    """An attempt worth repeating; ``reason`` is what the report says if none succeeds."""

    reason: str
    retry_after: float | None = None


class _LongRetryAfter(tenacity.stop.stop_base):
    """Stop at once when the server asks for a wait longer than the cap (it would stall
    the whole run); the reason says so."""

    def __init__(self, cap: float) -> None:
        self.cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return (
            isinstance(exc, _Retryable)
            and exc.retry_after is not None
            and exc.retry_after > self.cap
        )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or HTTP-date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class LiveSource:
    """Fetches pages from the web under the run's :class:`FetchSettings`."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver = system_resolver,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.settings = settings
        self.backend = GuardedBackend(
            allow_private=settings.allow_private_network,
            resolver=resolver,
            resolve=parse_resolve(settings.resolve),
        )
        self._sleep = sleep or asyncio.sleep
        self._client = self._build_client()
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    def _build_client(self) -> httpx.AsyncClient:
        s = self.settings
        ssl_context = ssl.create_default_context()
        transport = httpx.AsyncHTTPTransport(retries=0)
        # httpx has no parameter for the network backend; its transport is a thin wrapper
        # round an httpcore pool, so give it a pool that connects through the guard.
        # (respx still intercepts: it patches the pool class, not the instance.)
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=50,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=self.backend,
        )
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.total_timeout,
            ),
            follow_redirects=False,
            trust_env=False,  # HTTP(S)_PROXY from the environment must not reroute us
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def get(self, url: str) -> Page:
        """GET ``url``, following redirects; see the module docstring."""
        hops: list[Hop] = []
        seen: set[str] = set()
        current = url
        while True:
            target = self._checked_url(current, url)
            seen.add(str(target))
            page, attempts = await self._get_with_retries(str(target), url)
            if page.status in REDIRECT_STATUSES and "location" in page.headers:
                nxt = str(target.join(page.headers["location"]))
                hops.append(Hop(str(target), page.status, nxt))
                if nxt in seen:
                    raise TooManyRedirects(
                        url,
                        f"redirect loop: {nxt} was already visited (after {len(hops)} redirect(s))",
                        attempts=attempts,
                    )
                if len(hops) > self.settings.max_redirects:
                    raise TooManyRedirects(
                        url,
                        f"stopped after {self.settings.max_redirects} redirects",
                        attempts=attempts,
                    )
                current = nxt
                continue
            return Page(
                url=url,
                final_url=str(target),
                status=page.status,
                headers=page.headers,
                body=page.body,
                sha256=page.sha256,
                fetched_at=page.fetched_at,
                hops=tuple(hops),
                attempts=attempts,
                notes=page.notes,
            )

    def _checked_url(self, text: str, asked: str) -> httpx.URL:
        try:
            target = httpx.URL(text)
        except (httpx.InvalidURL, ValueError) as exc:
            raise FetchRefused(asked, f"refused: {text!r} is not a valid URL ({exc})") from exc
        problem = url_problem(target, self.settings.allowed_ports)
        if problem:
            where = "" if text == asked else f" (redirect to {text})"
            raise FetchRefused(asked, f"refused{where}: {problem}")
        return target

    async def _get_with_retries(self, url: str, asked: str) -> tuple[Page, int]:
        s = self.settings
        attempts = 0

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            base = min(s.backoff * (2 ** (state.attempt_number - 1)), 30.0)
            delay = base * (0.5 + random.random() / 2)  # jitter: several runs do not align
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                delay = max(delay, float(exc.retry_after))
            return float(delay)

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(s.retries + 1), _LongRetryAfter(s.retry_after_cap)
            ),
            wait=wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            sleep=self._sleep,  # type: ignore[arg-type]
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    return await self._attempt(url), attempts
        except _Retryable as exc:
            extra = ""
            if exc.retry_after is not None and exc.retry_after > s.retry_after_cap:
                extra = (
                    f" (Retry-After {exc.retry_after:g}s is over the {s.retry_after_cap:g}s cap)"
                )
            noun = "attempt" if attempts == 1 else "attempts"
            raise FetchFailed(
                asked, f"gave up after {attempts} {noun}: {exc.reason}{extra}", attempts=attempts
            ) from exc
        except FetchError as exc:
            exc.attempts = attempts
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, url: str) -> Page:
        host = httpx.URL(url).host
        slot = self._host_slots.setdefault(
            host, asyncio.Semaphore(self.settings.per_host_concurrency)
        )
        async with slot:
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._request(url)
            except TimeoutError as exc:
                raise FetchTimeout(
                    url, f"no complete answer within {self.settings.total_timeout:g}s"
                ) from exc
            except httpx.TimeoutException as exc:
                raise _Retryable(f"timed out ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                raise _Retryable(f"{type(exc).__name__}: {exc or 'connection failed'}") from exc

    async def _request(self, url: str) -> Page:
        cap = self.settings.max_bytes
        async with self._client.stream("GET", url) as response:
            headers = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
            if response.status_code in RETRY_STATUSES:
                raise _Retryable(
                    f"HTTP {response.status_code}",
                    parse_retry_after(response.headers.get("retry-after")),
                )
            declared = response.headers.get("content-length", "")
            if (
                declared.isdigit()
                and int(declared) > cap
                and not response.headers.get("content-encoding")
            ):
                raise FetchTooLarge(
                    url, f"refused: Content-Length {int(declared)} is over the {cap}-byte cap"
                )
            try:
                decoder = BoundedDecoder(response.headers.get("content-encoding", ""), cap, url)
            except UndecodableError as exc:
                raise FetchRefused(url, f"refused: {exc}") from exc
            chunks: list[bytes] = []
            try:
                async for raw in response.aiter_raw():
                    chunks.extend(decoder.feed(raw))
            except UndecodableError as exc:
                raise FetchRefused(url, f"refused: {exc}") from exc
            except httpx.RemoteProtocolError as exc:
                # A body shorter than its Content-Length: never stored as if complete.
                raise _Retryable(f"incomplete body ({exc})") from exc
            body = b"".join(chunks)
            return Page(
                url=url,
                final_url=url,
                status=response.status_code,
                headers=headers,
                body=body,
                sha256=hashlib.sha256(body).hexdigest(),
                fetched_at=utc_now(),
            )
