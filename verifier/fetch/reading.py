"""Reading a response body: bounded, decoded, and never taken for whole when it is not.

The body is read raw (``aiter_raw``) and decoded by :class:`BoundedDecoder`, so the size
cap applies to the decoded bytes however they were compressed. A Content-Length over the
cap is refused before reading; a body shorter than its Content-Length, or a compressed
stream that stops before its end marker, is an incomplete body (retried by the caller).
"""

from __future__ import annotations

import hashlib

import httpx

from verifier.clock import Clock, stamp, utc_clock
from verifier.errors import FetchFailed, FetchTooLarge
from verifier.fetch.decoding import BoundedDecoder, IncompleteError, UndecodableError
from verifier.fetch.page import Page
from verifier.fetch.retry import Retryable


async def read_body(
    response: httpx.Response,
    url: str,
    headers: dict[str, str],
    *,
    cap: int,
    truncate: bool,
    clock: Clock = utc_clock,
) -> Page:
    """The response as a :class:`Page`, its body at most ``cap`` decoded bytes.

    :param truncate: keep the first ``cap`` bytes instead of failing (robots.txt).
    :param clock: the run's clock, for ``fetched_at``.
    """
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if declared.isdigit() and int(declared) > cap and not encoding and not truncate:
        raise FetchTooLarge(
            url,
            f"refused before reading: Content-Length {int(declared)} is over the {size(cap)} cap",
        )
    try:
        decoder = BoundedDecoder(encoding, cap, url)
    except UndecodableError as exc:
        raise FetchFailed(url, f"undecodable: {exc}") from exc
    chunks: list[bytes] = []
    try:
        async for raw in response.aiter_raw():
            chunks.extend(decoder.feed(raw))
        decoder.finish()
    except FetchTooLarge:
        if not truncate:
            raise
    except UndecodableError as exc:
        raise FetchFailed(url, f"undecodable: {exc}") from exc
    except IncompleteError as exc:
        raise Retryable(f"incomplete body: {exc}") from exc
    except httpx.RemoteProtocolError as exc:
        # A body shorter than its Content-Length: never stored as if complete.
        raise Retryable(
            f"incomplete body: the connection closed after {decoder.size} bytes ({exc})"
        ) from exc
    body = b"".join(chunks)
    return Page(
        url=url,
        final_url=url,
        status=response.status_code,
        headers=headers,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=stamp(clock()),
    )


async def peek(response: httpx.Response, limit: int) -> bytes:
    """Up to ``limit`` decoded bytes of the body, whatever goes wrong reading it."""
    chunks: list[bytes] = []
    try:
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), limit, "")
        async for raw in response.aiter_raw():
            chunks.extend(decoder.feed(raw))
    except (FetchTooLarge, UndecodableError, httpx.HTTPError):
        pass
    return b"".join(chunks)


def bodiless(url: str, status: int, headers: dict[str, str], clock: Clock = utc_clock) -> Page:
    """A page for an answer whose body is not read (a redirect), fetched at ``clock()``."""
    return Page(
        url=url,
        final_url=url,
        status=status,
        headers=headers,
        body=b"",
        sha256=hashlib.sha256(b"").hexdigest(),
        fetched_at=stamp(clock()),
    )


def size(n: int) -> str:
    """``n`` bytes for a person: ``5 MiB`` or ``500 bytes``."""
    return f"{n / (1024 * 1024):g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
