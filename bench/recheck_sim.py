"""A re-check with no CPU at all, simulated: what ``python -m bench recheck`` calls the
perfect tool.

The latency-bound ideal (:func:`bench.recheck.recheck_ideal`) is a lower bound: it lets every
host's quickest answer come last and every partner's checks end when its own host is done.
No tool can arrange the first (the delays are the server's, unknown until each answer comes)
or, holding one of its ``N`` places per partner until its checks end, the second (they end
only once the shared pages they read have been answered). This module says what those two
cost on their own: it replays a run's pages through a tool that spends no time at all
reading, checking or writing, and asks every page the instant the politeness rules allow.
Like the ideal, it fetches a partner's robots.txt within the partner's place.

The simulated tool:

- takes the partners in roster order, ``N`` at a time; a partner holds its place until
  every page its checks read has been answered, its own and the shared ones (``park``:
  it gives its place up once its own host's pages are answered, and at most
  ``UNDER_WAY * N`` partners are unfinished at once, as in the command:
  :data:`verifier.run.recheck.UNDER_WAY`);
- asks each partner's own pages in the order this run asked them, and every page once;
- asks a host's ``/robots.txt`` first (when this run asked it) and no other page of that host
  before it is answered; starts two requests to a host at least ``delay`` seconds apart and
  has at most ``per_host`` of them in flight;
- asks a page only known from another page (a directory's next page) once that page is
  answered, and asks no other page of a host while pages of such a chain on that host
  are still to be asked (a page asked in the chain's gaps would hold its next page back
  by the per-host delay);
- gets for each page the delay the server gave it in this run (a page's delay is the
  server's, seeded from its host and path, whoever asks it).

Its wall time, over the ideal, is what the rules and the tool's places cost before any
tool adds anything; wall time over it is what this tool added. It is not the best of every
schedule: another fixed order of a partner's own pages, or of a shared host's pages, can
do a little better or worse (on a 300-partner run, the best placement of the group pages
among the directory's saved 0.1 s of 35.6), and a tool reading robots.txt ahead of the
partners' places would leave both this and the ideal behind.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.loopback import Hit
from verifier.run.recheck import UNDER_WAY

ROBOTS = "/robots.txt"
Url = tuple[str, str]
"""A page: (host, path)."""


@dataclass
class _Host:
    robots: bool
    robots_answered: bool = False
    last_start: float = float("-inf")
    ends: list[float] = field(default_factory=list)
    waiting: list[tuple[int, int, Url]] = field(default_factory=list)
    """Heap of (0 for robots / a page of a chain / else 1, order released, page)."""
    chain_left: int = 0
    """Pages of a chain on this host wanted and not started yet (held ones included)."""
    wake_at: float | None = None


class _Simulation:
    def __init__(
        self,
        delays: dict[Url, float],
        revealed_by: dict[Url, Url],
        delay: float,
        per_host: int,
    ) -> None:
        self.delays = delays
        self.revealed_by = revealed_by
        self.chained = set(revealed_by) | set(revealed_by.values())
        self.hosts: dict[str, _Host] = {}
        self.delay, self.per_host = delay, per_host
        self.asked: set[Url] = set()
        self.answered: set[Url] = set()
        self.held: dict[Url, list[Url]] = defaultdict(list)
        """Pages known only once the key page is answered."""
        self.events: list[tuple[float, int, str, object]] = []
        self.order = itertools.count()

    def host(self, name: str) -> _Host:
        if name not in self.hosts:
            robots = (name, ROBOTS) in self.delays
            self.hosts[name] = _Host(robots)
            if robots:
                self._queue((name, ROBOTS), 0)
        return self.hosts[name]

    def ask(self, url: Url, now: float) -> None:
        """The tool wants ``url``: queue it on its host, or once what reveals it answers."""
        if url in self.asked:
            return
        self.asked.add(url)
        if url in self.chained:
            self.host(url[0]).chain_left += 1
        before = self.revealed_by.get(url)
        if before is not None and before in self.delays and before not in self.answered:
            self.ask(before, now)
            self.held[before].append(url)
            return
        self.host(url[0])
        self.queue(url, now)

    def queue(self, url: Url, now: float) -> None:
        """Put ``url`` among its host's waiting pages (the chains' first) and start what
        can start."""
        self._queue(url, 0 if url in self.chained else 1)
        self.dispatch(url[0], now)

    def _queue(self, url: Url, rank: int) -> None:
        heapq.heappush(self.hosts[url[0]].waiting, (rank, next(self.order), url))

    def dispatch(self, name: str, now: float) -> None:
        """Start what ``name``'s rules allow at ``now``; wake it later if something waits."""
        h = self.hosts[name]
        while h.waiting:
            url = h.waiting[0][2]
            if h.robots and not h.robots_answered and url[1] != ROBOTS:
                return  # robots.txt's answer starts it again
            if h.chain_left and url not in self.chained and url[1] != ROBOTS:
                return  # the chain's last start lets it go
            h.ends = [e for e in h.ends if e > now]
            start = max(now, h.last_start + self.delay)
            if len(h.ends) >= self.per_host:
                start = max(start, sorted(h.ends)[len(h.ends) - self.per_host])
            if start > now:
                if h.wake_at is None or start < h.wake_at:
                    h.wake_at = start
                    self._event(start, "wake", name)
                return
            heapq.heappop(h.waiting)
            if url in self.chained:
                h.chain_left -= 1
            h.last_start = now
            h.ends.append(now + self.delays[url])
            self._event(now + self.delays[url], "answer", url)

    def _event(self, at: float, kind: str, what: object) -> None:
        heapq.heappush(self.events, (at, next(self.order), kind, what))


def perfect_tool(
    hits: Sequence[Hit],
    partners: Sequence[tuple[str, Sequence[Url]]],
    revealed_by: dict[Url, Url],
    delay: float,
    per_host: int,
    places: int,
    park: bool = False,
) -> float:
    """Seconds the simulated tool (module doc) takes for ``partners``: each one's own host
    and pages (its own host's in the order asked, and the shared ones it reads), each page's
    delay taken from ``hits`` (the first request of each page; pages never asked are left
    out); ``revealed_by`` maps a page to the page it is only known from."""
    delays: dict[Url, float] = {}
    for hit in hits:
        delays.setdefault((hit.host, hit.path), hit.delay)
    sim = _Simulation(delays, revealed_by, delay, per_host)
    todo = [[u for u in pages if u in delays and u[1] != ROBOTS] for _, pages in partners]
    owner: dict[Url, list[int]] = defaultdict(list)
    left: dict[int, int] = {}
    own_left: dict[int, int] = {}
    own_host = [host for host, _ in partners]
    next_partner = 0
    free = places
    unfinished = 0
    end = 0.0

    def start_partners(now: float) -> None:
        nonlocal next_partner, free, unfinished
        cap = UNDER_WAY * places if park else places
        while free > 0 and unfinished < cap and next_partner < len(todo):
            n = next_partner
            next_partner += 1
            free -= 1
            unfinished += 1
            pages = [u for u in todo[n] if u not in sim.answered]
            left[n] = len(pages)
            own_left[n] = sum(1 for u in pages if u[0] == own_host[n])
            for url in pages:
                owner[url].append(n)
            for url in pages:
                sim.ask(url, now)
            if not own_left[n]:
                own_done()
            if not pages:
                done(now)

    def own_done() -> None:
        """A partner's own host is done: with ``park``, its place goes."""
        nonlocal free
        if park:
            free += 1

    def done(now: float) -> None:
        """A partner's last page is answered: its checks end."""
        nonlocal free, unfinished, end
        unfinished -= 1
        end = max(end, now)
        if not park:
            free += 1

    start_partners(0.0)
    while sim.events:
        now, _, kind, what = heapq.heappop(sim.events)
        if kind == "wake":
            name = str(what)
            sim.hosts[name].wake_at = None
            sim.dispatch(name, now)
            continue
        url = what
        assert isinstance(url, tuple)
        sim.answered.add(url)
        h = sim.hosts[url[0]]
        if url[1] == ROBOTS:
            h.robots_answered = True
        for later in sim.held.pop(url, []):
            sim.queue(later, now)
        for n in owner.pop(url, []):
            left[n] -= 1
            if url[0] == own_host[n]:
                own_left[n] -= 1
                if own_left[n] == 0:
                    own_done()
            if left[n] == 0:
                done(now)
        sim.dispatch(url[0], now)
        start_partners(now)
    return end
