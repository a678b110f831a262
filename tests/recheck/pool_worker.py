"""A worker process for the tests of :mod:`verifier.run.pool` (``python -m
tests.recheck.pool_worker``): each job is ``(what, argument)``."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from verifier.errors import FetchError
from verifier.fetch import FetchCache, Fetcher, FetchSettings
from verifier.run.pool import Channel, Job, RemoteSource, page_wire, worker_main


async def setup(payload: Any, channel: Channel) -> Job:
    source = RemoteSource(channel, FetchSettings(**payload))
    cache = FetchCache(source)  # as a worker's runs read through one

    async def job(
        work: Any,
        milestone: Callable[[], None],
        begin: Callable[[Sequence[str]], Awaitable[None]],
    ) -> tuple[Any, int]:
        what, argument = work
        if what == "gate":  # the page at `argument`, asked once through the gate
            await begin([argument])
            await begin([])  # a second call waits for nothing more
            try:
                return (await cache.get(argument)).url, 0
            except FetchError as exc:
                return type(exc).__name__, 0
        if what == "regate":  # through the gate, the place given up, then asked back
            await begin(["http://first.test/"])
            milestone()
            await begin([])
            return "back", 0
        if what == "leave-gate":  # asks for its place, gives the wait up, and ends
            waiting = asyncio.ensure_future(begin(["http://first.test/"]))
            await asyncio.sleep(0.2)
            waiting.cancel()
            return "ended without its place", 0
        if what == "wait-given-up":  # its place back asked, the wait given up, job goes on
            await begin(["http://first.test/"])
            milestone()  # its checks only wait for shared pages: the place is given up
            await asyncio.sleep(0.3)  # another job takes the place meanwhile
            waiting = asyncio.ensure_future(begin([]))
            await asyncio.sleep(0.2)
            waiting.cancel()  # a plugin's asyncio.timeout around ctx.fetch, say
            await asyncio.sleep(argument)  # the job goes on without its place
            return "went on", 0
        if what == "hold":  # its place taken, held a while
            await begin(["http://b.test/"])
            await asyncio.sleep(argument)
            return "held", 0
        if what == "milestone":
            milestone()
            await asyncio.sleep(argument)
            return "after the milestone", 0
        if what == "exit":
            sys.stderr.flush()
            os._exit(argument)
        if what == "import":  # where a module is imported from, in this worker
            return importlib.import_module(argument).__file__, 0
        if what == "pid":  # which worker ran the job
            return os.getpid(), 0
        if what == "get-pid":  # the page at `argument` asked, and which worker asked
            await cache.get(argument)
            return os.getpid(), 0
        if what == "pipes":  # the pipes this worker holds open (their inodes), but stderr's
            held = set()
            for fd in os.listdir("/proc/self/fd"):
                try:
                    held.add(os.readlink(f"/proc/self/fd/{fd}"))
                except FileNotFoundError:  # the listing's own, closed since
                    continue
            held.discard(os.readlink("/proc/self/fd/2"))  # the command's own, shared
            return (os.getpid(), sorted(link for link in held if link.startswith("pipe:"))), 0
        if what == "ahead":  # a run's pages asked ahead, then read in turn
            fetcher = Fetcher(cache, None)
            for url in argument:
                fetcher.prefetch(url)
            for _ in range(20):  # a few turns of the loop: no clock
                await asyncio.sleep(0)
            asked_ahead = cache.requests
            got: list[Any] = []
            for url in argument:
                try:
                    got.append(("page", (await fetcher.get(url)).visible_text))
                except FetchError as exc:
                    got.append(("fault", exc.reason, cache.failed_at(url)))
            return (asked_ahead, got, cache.hits), 0
        if what == "raise":
            raise ValueError(argument)
        if what == "print":  # a plugin printing: the channel must not see it
            print(argument, flush=True)
            os.write(1, b"written to fd 1\n")
            return argument, 0
        try:
            page = await cache.get(argument)
        except FetchError as exc:
            when = cache.failed_at(argument)
            return ("fault", type(exc).__name__, exc.evidence_data(), when), 1
        side = [(purpose, p.url) for purpose, p in source.side_pages]
        return ("page", page_wire(page), page.visible_text, page.notes, side), 2

    return job


if __name__ == "__main__":
    worker_main(setup)
