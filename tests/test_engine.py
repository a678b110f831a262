"""The engine isolates each requirement: a crash, a hang or a fault is that one's `error`."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from verifier import Check, CheckContext, FetchError, Outcome, Page, Status
from verifier.engine import run_policy
from verifier.errors import FetchFailed
from verifier.fetch import Fetcher
from verifier.host import CheckRegistry, PluginInfo
from verifier.models import Policy, Requirement
from verifier.testing import make_submission, run_check, settings_for


class Passes(Check[Any]):
    name = "passes"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        await asyncio.sleep(0.05)
        ctx.evidence("note", "looked and saw it")
        return Outcome.passed("fine")


class Crashes(Check[Any]):
    name = "crashes"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        raise KeyError("field the author forgot")


class Hangs(Check[Any]):
    name = "hangs"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        await asyncio.Event().wait()  # never set
        raise AssertionError("unreachable")


class FetchesDownSite(Check[Any]):
    name = "fetches-down-site"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        await ctx.fetch("http://down.example/")
        return Outcome.passed("unreachable")


class ReturnsWrongType(Check[Any]):
    name = "returns-wrong-type"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        return "pass"  # type: ignore[return-value]


class DownSource:
    """A page source whose every fetch fails as retries-exhausted."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get(self, url: str) -> Page:
        self.asked.append(url)
        raise FetchFailed(url, "gave up after 4 attempts: HTTP 503", attempts=4)

    async def aclose(self) -> None:
        return None


def run(checks: list[Check[Any]], timeout: float = 0.5) -> dict[str, Any]:
    registry = CheckRegistry()
    for c in checks:
        registry.add(c, PluginInfo("test-plugin", "test-dist", "1.0"))
    reqs = tuple(Requirement(c.name, f"text of {c.name}", c.name, {}) for c in checks)
    reqs += (Requirement("unprovided", "nobody checks this", "no-such-check", {}),)
    policy = Policy("p", "2022", "platform", "1", "P", None, reqs, "p.yaml", "0" * 64)
    source = DownSource()

    async def go() -> list[Any]:
        fetcher = Fetcher(source, None)
        try:
            return await run_policy(
                policy,
                make_submission(),
                registry,
                fetcher,
                sources={},
                as_of=dt.date(2026, 1, 1),
                check_timeout=timeout,
            )
        finally:
            await fetcher.aclose()

    results = asyncio.run(go())
    return {
        "results": {r.requirement.id: r for r in results},
        "order": [r.requirement.id for r in results],
        "source": source,
    }


ALL = [Passes(), Crashes(), Hangs(), FetchesDownSite(), ReturnsWrongType()]


def test_a_crashing_check_is_an_error_with_the_reason_and_the_others_finish() -> None:
    out = run(ALL)
    crash = out["results"]["crashes"]
    assert crash.status == Status.ERROR
    assert crash.summary == "the check crashed: KeyError: 'field the author forgot'"
    assert crash.evidence[-1].kind == "crash"
    assert "KeyError" in (crash.evidence[-1].excerpt or "")
    assert out["results"]["passes"].status == Status.PASS


def test_a_hanging_check_is_an_error_after_its_time_limit_and_the_others_finish() -> None:
    out = run(ALL, timeout=0.3)
    hang = out["results"]["hangs"]
    assert hang.status == Status.ERROR
    assert hang.summary == "the check did not finish within 0.3s"
    assert out["results"]["passes"].status == Status.PASS
    assert out["results"]["passes"].evidence[0].detail == "looked and saw it"


def test_a_fetch_fault_is_an_error_never_a_fail_and_is_recorded_as_evidence() -> None:
    out = run(ALL)
    fault = out["results"]["fetches-down-site"]
    assert fault.status == Status.ERROR
    assert fault.summary == (
        "could not check http://down.example/: gave up after 4 attempts: HTTP 503"
    )
    (fetch,) = fault.evidence
    assert fetch.kind == "fetch"
    assert fetch.data["attempts"] == 4
    assert fetch.data["error"] == "gave up after 4 attempts: HTTP 503"


def test_a_check_returning_something_else_than_an_outcome_is_an_error() -> None:
    out = run(ALL)
    assert out["results"]["returns-wrong-type"].status == Status.ERROR
    assert "not an Outcome" in out["results"]["returns-wrong-type"].summary


def test_a_requirement_whose_check_no_plugin_provides_is_an_error_naming_the_check() -> None:
    out = run(ALL)
    assert out["results"]["unprovided"].status == Status.ERROR
    assert out["results"]["unprovided"].summary == "no plugin provides check 'no-such-check'"


def test_results_keep_policy_order_and_requirements_run_concurrently() -> None:
    # Each check waits for the other to start: run one after the other, the first would
    # wait for ever (and hit its time limit); run concurrently, both pass.
    started = {"first": asyncio.Event(), "second": asyncio.Event()}

    class Waits(Check[Any]):
        def __init__(self, name: str, other: str) -> None:
            self.name, self._other = name, other  # type: ignore[misc]

        async def verify(self, ctx: CheckContext[Any]) -> Outcome:
            started[self.name].set()
            await started[self._other].wait()
            return Outcome.passed(f"{self.name} saw {self._other} running")

    out = run([Waits("first", "second"), Hangs(), Waits("second", "first")], timeout=2)
    assert out["order"] == ["first", "hangs", "second", "unprovided"]
    assert out["results"]["first"].status == Status.PASS
    assert out["results"]["second"].summary == "second saw first running"


@pytest.mark.parametrize("n", [5])
def test_one_url_asked_by_several_checks_at_once_is_fetched_once(n: int) -> None:
    class Asks(Check[Any]):
        name = "asks"

        async def verify(self, ctx: CheckContext[Any]) -> Outcome:
            try:
                await ctx.fetch("http://shared.example/directory")
            except FetchError as exc:
                return Outcome.error(exc.reason)
            return Outcome.passed("")

    registry = CheckRegistry()
    registry.add(Asks(), PluginInfo("t", None, None))
    reqs = tuple(Requirement(f"r{i}", "t", "asks", {}) for i in range(n))
    policy = Policy("p", "2022", "platform", "1", "P", None, reqs, "p.yaml", "0" * 64)
    source = DownSource()

    async def go() -> None:
        fetcher = Fetcher(source, None)
        await run_policy(
            policy, make_submission(), registry, fetcher, sources={}, as_of=dt.date(2026, 1, 1)
        )
        await fetcher.aclose()

    asyncio.run(go())
    assert source.asked == ["http://shared.example/directory"]


class FetchesTwoPages(Check[Any]):
    name = "fetches-two-pages"

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        await ctx.fetch("http://budget.test/one")
        await ctx.fetch("http://budget.test/two")
        return Outcome.passed("read both pages")


def test_run_check_holds_a_check_to_the_fetch_budget_its_settings_give() -> None:
    """A plugin author's ``run_check`` with ``max_fetches_per_check`` set keeps to it, as a
    run with ``--max-fetches-per-check`` does: the fetch over the limit is refused."""
    with respx.mock(assert_all_called=True) as router:
        router.get("http://budget.test/one").mock(httpx.Response(200, html="<p>one</p>"))
        result = run_check(
            FetchesTwoPages(),
            make_submission(),
            settings=settings_for(None, max_fetches_per_check=1),
        )
    assert result.status == Status.ERROR
    assert result.summary == (
        "could not check http://budget.test/two: "
        "refused: this check already made 1 fetches, its limit"
    )
