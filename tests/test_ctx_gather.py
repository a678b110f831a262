"""``ctx.gather``: a check runs look-ups at once (two directories, each a chain of pages on
its own site) and its evidence is still listed look-up by look-up, the same every run,
whatever order the sites answer in."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from verifier import Check, CheckContext, Outcome, Status, read_page
from verifier.errors import SourceMissing
from verifier.models import RequirementResult

from .fetch.test_prefetch import run_gated, run_one, settle
from .helpers import bare_context

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
    run = run_gated(lambda f: run_one(check, f), [B[0], A[0], B[1], A[1]])
    return run.first, run.result


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
    """A chain beside a part that fails once it has read one page: the failing part
    first (``fails_first``) or second."""

    name = "one-fails"

    def __init__(self, *, fails_first: bool) -> None:
        self.fails_first = fails_first

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        async def fails(url: str) -> int:
            await ctx.fetch(url)
            raise SourceMissing(f"no source named 'other' is configured ({url})")

        if self.fails_first:
            await ctx.gather(fails(A[0]), chain(ctx, B))
        else:
            await ctx.gather(chain(ctx, A), fails(B[0]))
        return Outcome.passed("unreachable")


def _run_answering(check: Check[Any], order: list[str]) -> tuple[RequirementResult, list[str]]:
    """Run ``check``, answering ``order`` one by one (the others: once it has ended); its
    result and every URL it asked."""
    run = run_gated(lambda f: run_one(check, f), order)
    return run.result, run.asked


def test_a_later_parts_fault_waits_for_the_parts_before_it_as_one_after_the_other() -> None:
    # B's part fails first; A's chain, given before it, is read to its end all the same,
    # and the check's fault is B's, with the evidence of both in order.
    result, _ = _run_answering(OneFails(fails_first=False), [B[0], A[0], A[1]])
    assert result.status == Status.ERROR
    assert f"({B[0]})" in result.summary
    assert _evidence(result)[:5] == [
        ("fetch", A[0]),
        ("note", A[0]),
        ("fetch", A[1]),
        ("note", A[1]),
        ("fetch", B[0]),
    ]


def test_a_parts_fault_cancels_the_parts_after_it_and_drops_what_they_recorded() -> None:
    # B's chain is read to its end before A's part fails: one after the other, B would
    # never have run, so its evidence is not listed, whichever site answered first.
    result, _ = _run_answering(OneFails(fails_first=True), [B[0], B[1], A[0]])
    assert result.status == Status.ERROR
    assert f"({A[0]})" in result.summary
    assert [e for e in _evidence(result) if e[1] in B] == []
    # And a part after the fault that is still waiting is cancelled: no hang.
    result, asked = _run_answering(OneFails(fails_first=True), [A[0]])
    assert result.status == Status.ERROR
    assert B[1] not in asked


def test_the_first_part_in_order_that_raised_is_raised_and_no_part_outlives_the_call() -> None:
    async def go() -> list[str]:
        ctx = bare_context()
        ended: list[str] = []

        async def raises(after: int, message: str) -> None:
            for _ in range(after):
                await asyncio.sleep(0)
            raise ValueError(message)

        async def waits(name: str) -> None:
            try:
                await asyncio.Event().wait()
            finally:
                ended.append(name)

        with pytest.raises(ValueError, match=r"^first$"):
            # The third part fails first, then the first: the first given is raised, and
            # the part between them is cancelled and has ended when gather returns.
            await ctx.gather(raises(3, "first"), waits("between"), raises(1, "third"))
        assert ended == ["between"]
        outer = asyncio.ensure_future(ctx.gather(waits("cancelled")))
        await settle()
        outer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer
        return ended

    assert asyncio.run(go()) == ["between", "cancelled"]


def test_cancelled_twice_gather_still_waits_for_every_part_to_end() -> None:
    # The check's time limit, then Ctrl-C: a part whose clean-up awaits has ended before
    # gather gives the cancellation back.
    async def go() -> None:
        ctx = bare_context()
        release = asyncio.Event()
        ended: list[bool] = []

        async def slow_to_end() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                await release.wait()
                ended.append(True)

        outer = asyncio.ensure_future(ctx.gather(slow_to_end()))
        await settle()
        outer.cancel()
        await settle()
        outer.cancel()
        await settle()
        assert not outer.done()  # still waiting for its part
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await outer
        assert ended == [True]

    asyncio.run(go())


def test_gather_refuses_anything_but_coroutines_before_starting_any() -> None:
    async def go() -> list[str]:
        ctx = bare_context()
        started: list[str] = []

        async def part(name: str) -> None:
            started.append(name)

        running = asyncio.ensure_future(part("task"))
        with pytest.raises(TypeError, match="coroutines not yet started"):
            await ctx.gather(part("first"), running)  # type: ignore[arg-type]
        await running
        await settle()
        return started

    assert asyncio.run(go()) == ["task"]  # "first" never ran


def test_a_part_that_blocks_the_event_loop_is_the_checks_to_answer_for() -> None:
    # The engine and the conformance kit time a check's stretches without an await; a
    # stretch in a part of gather counts as the check's own.
    import time

    from verifier.checks import Stretches

    class BlocksInAPart(Check[Any]):
        name = "blocks-in-a-part"

        async def verify(self, ctx: CheckContext[Any]) -> Outcome:
            async def part() -> None:
                time.sleep(0.05)  # noqa: ASYNC251  # the blocking under test

            await ctx.gather(part(), asyncio.sleep(0))
            return Outcome.passed("done")

    async def go() -> float:
        timed = Stretches(BlocksInAPart().verify(bare_context()))
        await timed
        return timed.longest

    assert asyncio.run(go()) >= 0.05


def test_cancelled_after_a_fault_gather_still_drops_what_the_later_parts_recorded() -> None:
    # The check's time limit ends it while a part before the fault still runs: the parts
    # after the fault are dropped all the same, whether or not they had finished.
    async def go() -> tuple[str, ...]:
        ctx = bare_context()

        async def slow() -> None:
            ctx.evidence("note", "slow: started")
            await asyncio.Event().wait()

        async def faults() -> None:
            ctx.evidence("note", "faults: started")
            raise ValueError("fault")

        async def later() -> None:
            ctx.evidence("note", "later: looked at its directory")

        outer = asyncio.ensure_future(ctx.gather(slow(), faults(), later()))
        await settle()
        assert not outer.done()  # the part before the fault is awaited
        outer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer
        return tuple(e.detail for e in ctx.recorded)

    assert asyncio.run(go()) == ("slow: started", "faults: started")
