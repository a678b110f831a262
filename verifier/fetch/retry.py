"""When to try again: transport errors, 429 and 5xx, a bounded number of times.

Tenacity always with a stop: the attempts of :attr:`FetchSettings.retries`, or at once
when the server asks (Retry-After) for longer than :attr:`FetchSettings.retry_after_cap`
(it would stall the run). Back-off is exponential with jitter, so that several runs do not
hammer a recovering server in step; a Retry-After within the cap is honoured. 4xx other
than 408 and 429 are answers, never retried; nor is a name that does not exist (NXDOMAIN),
while a temporary DNS failure is.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import ssl
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import tenacity

from verifier.clock import Clock, utc_clock
from verifier.fetch.guard import NoSuchHost
from verifier.fetch.settings import FetchSettings

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
"""Statuses worth another attempt (Scrapy's list)."""

MAX_BACKOFF = 30.0
"""Longest back-off between two attempts, whatever the attempt number."""


@dataclass
class Retryable(Exception):
    """An attempt worth repeating; ``reason`` is what the report says if none succeeds."""

    reason: str
    retry_after: float | None = None
    unreachable: bool = False
    """No connection could be made at all (refused, no route, connect timeout)."""


class LongRetryAfter(tenacity.stop.stop_base):
    """Stop at once when the server asks for a wait longer than the cap (it would stall
    the whole run); the reason says so."""

    def __init__(self, cap: float) -> None:
        self.cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        return (
            isinstance(exc, Retryable)
            and exc.retry_after is not None
            and exc.retry_after > self.cap
        )


def parse_retry_after(value: str | None, clock: Clock = utc_clock) -> float | None:
    """Seconds from a Retry-After header (seconds or HTTP-date, counted from ``clock``),
    or ``None``."""
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
    return max(0.0, (when - clock()).total_seconds())


def retrying_for(
    settings: FetchSettings, sleep: Callable[[float], Awaitable[object]]
) -> tenacity.AsyncRetrying:
    """The retry loop of one URL under ``settings``."""

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        base = min(settings.backoff * (2 ** (state.attempt_number - 1)), MAX_BACKOFF)
        delay = base * (0.5 + random.random() / 2)  # jitter: several runs do not align
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            delay = max(delay, float(exc.retry_after))
        return float(delay)

    return tenacity.AsyncRetrying(
        stop=tenacity.stop_any(
            tenacity.stop_after_attempt(settings.retries + 1),
            LongRetryAfter(settings.retry_after_cap),
        ),
        wait=wait,
        retry=tenacity.retry_if_exception(
            lambda exc: isinstance(exc, Retryable) and not no_such_host(exc)
        ),
        sleep=sleep,  # type: ignore[arg-type]
        reraise=True,
    )


def gave_up(exc: Retryable, attempts: int, settings: FetchSettings) -> str:
    """The reason a person reads when the last attempt failed too."""
    if no_such_host(exc):
        return f"{exc.reason}; not retried: a name that does not exist will not exist in a second"
    extra = ""
    if exc.retry_after is not None and exc.retry_after > settings.retry_after_cap:
        extra = f" (Retry-After {exc.retry_after:g}s is over the {settings.retry_after_cap:g}s cap)"
    noun = "attempt" if attempts == 1 else "attempts"
    return f"gave up after {attempts} {noun}: {exc.reason}{extra}"


def tls_problem(exc: BaseException) -> str | None:
    """What went wrong in the TLS handshake behind ``exc`` (expired, self-signed, wrong
    host...), or ``None`` when it is not a TLS failure."""
    for cur in _causes(exc):
        if isinstance(cur, ssl.SSLCertVerificationError):
            return str(cur.verify_message or cur.reason or cur)
        if isinstance(cur, ssl.SSLError):
            return str(cur.reason or cur)
    return None


def no_such_host(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a name that does not resolve at all (NXDOMAIN), which
    no retry can mend, as opposed to a temporary DNS failure."""
    return any(isinstance(cur, NoSuchHost) for cur in _causes(exc))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions behind it (httpx wraps httpcore's, which wrap the OS's)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def transport_reason(exc: httpx.TransportError) -> str:
    """A transport failure in words."""
    text = str(exc) or "no detail"
    if no_such_host(exc):
        return f"no such host ({text})"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({text})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection broken ({text})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error ({text})"
    return f"{type(exc).__name__}: {text}"
