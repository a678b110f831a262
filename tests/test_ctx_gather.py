"""``ctx.gather``: a check runs look-ups at once (two directories, each a chain of pages on
its own site) and its evidence is still listed look-up by look-up, the same every run,
whatever order the sites answer in."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from verifier import Check, CheckContext, NoParams, Outcome, Status, read_page
from verifier.errors import SourceMissing
from verifier.fetch import Fetcher, Page
from verifier.models import Requirement, RequirementResult
from verifier.testing import make_submission

from .fetch.test_prefetch import Gated, run_one, settle

A = ["http://a.test/1", "http://a.test/2"]
B = ["http://b.test/1", "http://b.test/2"]


async def chain(ctx: CheckContext[Any], urls: list[str]) -> int:
    """Read ``urls`` one after the other (a directory's pages), noting each."""
    for url in urls:
        read = await read_page(ctx, url)
        ctx.evidence("note", f"read {url}: {read.state}", url=url)
    return len(urls)


class TwoChains(Check[Any]):
    """Reads chains A and B, at once with ``ctx.gather`` or with ``asyncio.gather``."""

    name = "two-chains"

    def __init__(self, *, plain: bool = False) -> None:
        self.plain = plain

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        together = asyncio.gather if self.plain else ctx.gather
        counts = await together(chain(ctx, A), chain(ctx, B))
        return Outcome.passed(f"read {sum(counts)} page(s)")


def _run_answering_b_first(check: Check[Any]) -> tuple[list[str], RequirementResult]:
    """Run ``check``; B's pages are answered before A's. The URLs asked before any answer,
    and the result."""

    async def go() -> tuple[list[str], RequirementResult]:
        source = Gated()
        fetcher = Fetcher(source, None)
        run = asyncio.ensure_future(run_one(check, fetcher))
        await source.first.wait()
        await settle()
        asked = list(source.asked)
        for url in (B[0], A[0], B[1], A[1]):
            source.gate(url).set()
            await settle()
        result = await run
        await fetcher.aclose()
        return asked, result

    return asyncio.run(go())


def _evidence(result: RequirementResult) -> list[tuple[str, str | None]]:
    return [(e.kind, e.url) for e in result.evidence]


def test_both_chains_are_read_at_once_and_their_evidence_listed_part_by_part() -> None:
    asked, result = _run_answering_b_first(TwoChains())
    assert asked == [A[0], B[0]]  # B's first page asked before A's is answered
    assert result.status == Status.PASS
    assert result.summary == "read 4 page(s)"
    assert _evidence(result) == [
        ("fetch", A[0]),
        ("note", A[0]),
        ("fetch", A[1]),
        ("note", A[1]),
        ("fetch", B[0]),
        ("note", B[0]),
        ("fetch", B[1]),
        ("note", B[1]),
    ]
    # asyncio.gather reads them at once too, but lists them as the answers came.
    _, plain = _run_answering_b_first(TwoChains(plain=True))
    assert sorted(_evidence(plain)) == sorted(_evidence(result))
    assert _evidence(plain) != _evidence(result)


class OneFails(Check[Any]):
    """Chain A (never answered) beside a part that fails once B's first page is read."""

    name = "one-fails"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        async def fails() -> int:
            await ctx.fetch(B[0])
            raise SourceMissing("no source named 'other' is configured")

        await ctx.gather(chain(ctx, A), fails())
        return Outcome.passed("unreachable")


def test_a_part_that_raises_cancels_the_others_and_its_fault_is_the_checks() -> None:
    async def go() -> tuple[RequirementResult, list[str]]:
        source = Gated()
        fetcher = Fetcher(source, None)
        run = asyncio.ensure_future(run_one(OneFails(), fetcher))
        await source.first.wait()
        await settle()
        source.gate(B[0]).set()  # A's page is never answered: its part is cancelled
        result = await asyncio.wait_for(run, 5)
        source.gate(A[0]).set()  # the request in flight ends, so the run can close
        await fetcher.aclose()
        return result, list(source.asked)

    result, asked = asyncio.run(go())
    assert result.status == Status.ERROR
    assert "no source named 'other'" in result.summary
    assert A[1] not in asked


def test_the_first_part_in_order_that_raised_is_raised_and_no_part_outlives_the_call() -> None:
    async def go() -> list[bool]:
        async def no_fetch(url: str) -> Page:
            raise AssertionError(f"nothing is fetched here, not {url}")

        ctx: CheckContext[NoParams] = CheckContext(
            requirement=Requirement("r", "runs parts", "none", {}),
            submission=make_submission(),
            params=NoParams(),
            as_of=dt.date(2026, 1, 1),
            fetch=no_fetch,
            sources={},
        )
        ended: list[bool] = []

        async def raises(after: int, message: str) -> None:
            for _ in range(after):
                await asyncio.sleep(0)
            raise ValueError(message)

        async def waits() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                ended.append(True)

        with pytest.raises(ValueError, match=r"^first$"):
            # Both fail in the same turn of the loop: the first given is raised.
            await ctx.gather(waits(), raises(2, "first"), raises(2, "second"))
        assert ended == [True]  # cancelled and finished before gather returned
        outer = asyncio.ensure_future(ctx.gather(waits()))
        await settle()
        outer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer
        return ended

    assert asyncio.run(go()) == [True, True]
