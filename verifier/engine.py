"""Runs one policy against one submission: every requirement concurrently, each isolated.

A check that raises, hangs past its time limit, or hits a fetch fault gives an ``error``
outcome with the reason; the other requirements go on. ``BaseException`` (Ctrl-C, task
cancellation) is never swallowed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import traceback
from typing import Any

import pydantic

from verifier.checks import CheckContext, Stretches
from verifier.errors import FetchError, SourceMissing
from verifier.fetch import CountingFetch, Fetcher, FetchSettings
from verifier.host import CheckRegistry
from verifier.inputs.sources import Source
from verifier.inputs.submission import Submission
from verifier.models import Evidence, Outcome, Policy, Requirement, RequirementResult, Status

log = logging.getLogger(__name__)

DEFAULT_CHECK_TIMEOUT = 120.0
"""Seconds a requirement may take when its policy sets no ``timeout``."""

BLOCKING_REPORTED = 0.5
"""A check timed out after running this share of its limit in one stretch without an
``await``: it blocked the event loop, and its ``error`` says so."""

BLOCKING_LOGGED = 1.0
"""Seconds of one stretch without an ``await`` worth a warning in the log, time-out or not
(every requirement of the run waits meanwhile)."""

DEFAULT_FETCH_BUDGET = FetchSettings().max_fetches_per_check
"""Fetches one check may make unless told (``--max-fetches-per-check``)."""


async def run_policy(
    policy: Policy,
    submission: Submission,
    registry: CheckRegistry,
    fetcher: Fetcher,
    *,
    sources: dict[str, Source],
    as_of: dt.date,
    check_timeout: float = DEFAULT_CHECK_TIMEOUT,
    max_fetches_per_check: int = DEFAULT_FETCH_BUDGET,
    on_done: Any = None,
) -> list[RequirementResult]:
    """Verify every requirement of ``policy``; results come back in policy order.

    :param on_done: optional callable, called with each :class:`RequirementResult` as it
        finishes (progress display).
    """

    async def one(req: Requirement) -> RequirementResult:
        try:
            result = await run_requirement(
                req,
                submission,
                registry,
                fetcher,
                sources=sources,
                as_of=as_of,
                timeout=req.timeout or check_timeout,
                budget=max_fetches_per_check,
            )
        finally:
            fetcher.check_ended()
        if on_done is not None:
            on_done(result)
        return result

    # Every check counts as running from the start (the first one to run must not find
    # itself alone): the run knows when all those left only wait for shared pages.
    for _ in policy.requirements:
        fetcher.check_started()
    return list(await asyncio.gather(*(one(r) for r in policy.requirements)))


async def run_requirement(
    req: Requirement,
    submission: Submission,
    registry: CheckRegistry,
    fetcher: Fetcher,
    *,
    sources: dict[str, Source],
    as_of: dt.date,
    timeout: float = DEFAULT_CHECK_TIMEOUT,
    budget: int = DEFAULT_FETCH_BUDGET,
) -> RequirementResult:
    """Verify one requirement with the check ``registry`` names for it, isolated as
    :func:`run_policy` isolates each (a fault, a crash or ``timeout`` seconds make an
    ``error`` outcome); ``budget`` is the check's fetch limit. What
    :func:`verifier.testing.run_check` runs for a plugin author's test."""
    started = time.monotonic()
    info = registry.resolve(req.check, req.plugin)
    if info is None:
        return RequirementResult(
            req, Status.ERROR, registry.why_missing(req.check, req.plugin), (), None, None, 0.0
        )
    chosen = registry.selected_by(req.check, req.plugin)
    check = info.check
    version = check.version
    try:
        params = check.Params.model_validate(req.params)
    except pydantic.ValidationError as exc:
        return RequirementResult(
            req,
            Status.ERROR,
            f"params do not fit check {req.check!r}: {exc.errors()[0]['msg']}",
            (),
            info.plugin,
            version,
            0.0,
            chosen,
        )
    counting = CountingFetch(fetcher, budget)
    ctx: CheckContext[Any] = CheckContext(
        requirement=req,
        submission=submission,
        params=params,
        as_of=as_of,
        fetch=counting,
        sources=sources,
        read_timeout=fetcher.read_timeout,
        recorded_as=fetcher.evidence,
        prefetch=counting.prefetch,
        fetches_left=lambda: counting.left,
    )
    extra: tuple[Evidence, ...] = ()
    timed = Stretches(check.verify(ctx))
    try:
        async with asyncio.timeout(timeout) as limit:
            counting.limit, counting.pause_allowance = limit, timeout
            outcome = await timed
        if timed.longest > timeout:
            # It returned, but only because nothing could interrupt it: over its limit all
            # the same, and every other requirement of the run was stalled meanwhile.
            outcome = Outcome.error(_blocked(timed.longest, timeout))
        if not isinstance(outcome, Outcome):
            outcome = Outcome.error(
                f"check {req.check!r} returned {type(outcome).__name__}, not an Outcome "
                "(a bug in the plugin)"
            )
    except TimeoutError:
        outcome = Outcome.error(
            _blocked(timed.longest, timeout)
            if timed.longest >= BLOCKING_REPORTED * timeout
            else f"the check did not finish within {timeout:g}s"
        )
    except FetchError as exc:
        outcome = Outcome.error(f"could not check {exc.url}: {exc.reason}")
    except SourceMissing as exc:
        outcome = Outcome.error(str(exc))
    except Exception as exc:  # a plugin bug: recorded as data, the run goes on
        log.exception("check %s crashed on requirement %s", req.check, req.id)
        outcome = Outcome.error(f"the check crashed: {type(exc).__name__}: {exc}")
        extra = (
            Evidence(
                kind="crash",
                detail="traceback of the crash, for the plugin author",
                excerpt="".join(traceback.format_exception(exc))[-4000:],
            ),
        )
    if timed.longest >= BLOCKING_LOGGED:
        log.warning(
            "check %s blocked the event loop for %.1fs on requirement %s",
            req.check,
            timed.longest,
            req.id,
        )
    return RequirementResult(
        req,
        outcome.status,
        outcome.summary,
        (*ctx.recorded, *outcome.evidence, *extra),
        info.plugin,
        version,
        time.monotonic() - started,
        chosen,
    )


def _blocked(seconds: float, timeout: float) -> str:
    return (
        f"the check did not finish within {timeout:g}s: it blocked the event loop for "
        f"~{seconds:.1f}s without an await (time.sleep, a busy loop, CPU work in verify), "
        "so nothing could interrupt it and every other check waited; await slow work "
        "(asyncio.sleep, ctx.fetch) and move CPU work to a thread (ctx.read, "
        "asyncio.to_thread)"
    )
