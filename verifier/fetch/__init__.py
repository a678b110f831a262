"""The one door to the network.

- :mod:`~verifier.fetch.settings`: every limit and knob, with defaults, in one place;
- :mod:`~verifier.fetch.guard`: where a request may go (URL rules, the connect-time
  address check);
- :mod:`~verifier.fetch.decoding`: Content-Encoding decoding bounded by the size cap;
- :mod:`~verifier.fetch.client`: the live source (httpx, retries, redirects, deadlines);
- :mod:`~verifier.fetch.fetcher`: per-run sharing of fetches and capture of every exchange;
- :mod:`~verifier.fetch.page`: the fetched page, parsed at most once.
"""

from __future__ import annotations

from verifier.fetch.client import LiveSource
from verifier.fetch.fetcher import CountingFetch, Fetcher, PageSource
from verifier.fetch.page import Hop, Page
from verifier.fetch.settings import FetchSettings

__all__ = ["CountingFetch", "FetchSettings", "Fetcher", "Hop", "LiveSource", "Page", "PageSource"]
