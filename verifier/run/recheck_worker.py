"""A worker process of a re-check (``python -m verifier.run.recheck_worker``, started by
:func:`verifier.run.recheck.run_recheck` through :class:`verifier.run.pool.WorkerPool`).

It builds the plugin host as the command did (:class:`verifier.host.HostRecipe`), then
verifies each partner it is handed exactly as the command does in one process
(:func:`verifier.run.recheck.run_partner`: the bundle written aside and renamed when
complete, the baseline's decisions carried), its pages fetched by the parent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from verifier.fetch import FetchCache
from verifier.inputs.roster import RosterPartner
from verifier.recheck.model import PartnerResult
from verifier.report.formats import builtin_formats
from verifier.run.pool import Channel, Job, RemoteSource, worker_main
from verifier.run.recheck import RecheckRequest, run_partner
from verifier.run.verify import RunParts


async def setup(payload: Any, channel: Channel) -> Job:
    """The job of this worker: verify one partner, from the run's request and date."""
    request, as_of = payload
    assert isinstance(request, RecheckRequest)
    assert isinstance(as_of, dt.date)
    assert request.host_recipe is not None  # no worker is started without one
    host = request.host_recipe.build()
    formats = builtin_formats()
    host.report_formats(formats.add)
    request = replace(request, report_formats=formats)
    settings = request.settings
    cache = FetchCache(
        RemoteSource(channel, settings),
        max_tags=settings.max_tags,
        read_timeout=settings.parse_timeout,
        max_kept=request.max_kept,
    )
    parts = RunParts(host, cache=cache)
    preparing = asyncio.Lock()  # one partner's inputs read at a time (run_partner)
    reported = 0

    async def job(
        partner: Any,
        checked: Callable[[], None],
        begin: Callable[[Sequence[str]], Awaitable[None]],
    ) -> tuple[PartnerResult, int]:
        nonlocal reported
        assert isinstance(partner, RosterPartner)
        result = await run_partner(request, parts, partner, as_of, checked, begin, preparing)
        hits, reported = cache.hits - reported, cache.hits
        return result, hits

    return job


if __name__ == "__main__":
    worker_main(setup)
