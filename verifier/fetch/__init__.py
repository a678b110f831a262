"""The one door to the network.

- :mod:`~verifier.fetch.settings`: every limit and knob, with defaults, in one place;
- :mod:`~verifier.fetch.guard`: where a request may go (URL rules, the connect-time
  address check with explicit ranges);
- :mod:`~verifier.fetch.politeness`: robots.txt (once per host per run) and per-host
  concurrency and delay;
- :mod:`~verifier.fetch.retry`: when to try again (tenacity, Retry-After, back-off);
- :mod:`~verifier.fetch.decoding` and :mod:`~verifier.fetch.reading`: the body, read as a
  stream, decoded with a bound, never taken for whole when cut short;
- :mod:`~verifier.fetch.content`: what a body is (sniffed type, bot challenges) and the
  head tags that move a page (meta refresh, canonical);
- :mod:`~verifier.fetch.client`: the live source (httpx, redirects, deadlines);
- :mod:`~verifier.fetch.connections`: one connection pool per origin, under bounds
  across all of them;
- :mod:`~verifier.fetch.fetcher`: the fetch cache (one request per URL, shareable by a
  batch of runs) and each run's fetcher, which records the exchanges it used;
- :mod:`~verifier.fetch.page`: the fetched page, parsed at most once.

Every fault is a :class:`~verifier.errors.FetchError` whose ``reason`` a person reads
("refused: 10.0.0.5 is a private address", "stopped after 5 MiB: ...", "gave up after 4
attempts: HTTP 503"); the engine turns it into an ``error`` outcome, never a fail.
"""

from __future__ import annotations

from verifier.fetch.client import LiveSource
from verifier.fetch.fetcher import CountingFetch, FetchCache, Fetcher, PageSource
from verifier.fetch.page import Hop, Page
from verifier.fetch.settings import FetchSettings

__all__ = [
    "CountingFetch",
    "FetchCache",
    "FetchSettings",
    "Fetcher",
    "Hop",
    "LiveSource",
    "Page",
    "PageSource",
]
