"""The conformance kit (``verifier.conformance``, re-exported by ``verifier.testing``).

Every registered check (the built-ins and every installed plugin's, the example's
included) is held to every rule, one test per check and rule: a new check is covered
without editing this file, through the inputs its ``Check.example`` declares. Then the
kit itself: a check breaking each rule is caught, by that rule, with a message naming
the check, the rule and what to do.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import time
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import ConfigDict

from verifier import Check, CheckContext, FetchError, NoParams, Outcome, Params, read_page
from verifier.host import build_host
from verifier.testing import RULES, assert_check_conforms, conformance_problems

CHECKS = build_host().checks().checks
"""Every check the installed plugins register, by name (as ``plugin_host`` gives them)."""

FINDINGS: dict[tuple[str, str], str] = {}
"""Rules a built-in breaks today, each a reported finding; strict: a fix must remove it."""


@functools.cache
def _problems(name: str) -> dict[str, list[str]]:
    return conformance_problems(CHECKS[name].check)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        pytest.param(
            name,
            rule,
            id=f"{name}-{rule}",
            marks=[pytest.mark.xfail(strict=True, reason=FINDINGS[name, rule])]
            if (name, rule) in FINDINGS
            else [],
        )
        for name in sorted(CHECKS)
        for rule in RULES
    ],
)
def test_every_registered_check_keeps_the_rule(name: str, rule: str) -> None:
    problems = _problems(name)[rule]
    assert not problems, "\n".join(problems)


def test_the_built_ins_and_the_example_are_all_covered() -> None:
    assert {"membership", "offering", "practitioners", "security-txt"} <= set(CHECKS)


# The kit on checks that break one rule each. They read the applicant's website, the
# kit's default example (a minimal submission), unless they say otherwise.


async def _website(ctx: CheckContext[Any]) -> str:
    return ctx.submission.applicant.website


class _Badge(Check[NoParams]):
    """Conforms: looks for a "certified" badge on the home page."""

    name = "badge"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, await _website(ctx))
        if read.state == "gone":
            return Outcome.failed(f"the home page {read.reason}")
        if read.state != "ok" or read.page is None:
            return Outcome.error(f"the home page {read.reason}")
        if "certified" in read.page.visible_text:
            ctx.evidence("text", "the badge", page=read.page, excerpt="certified")
            return Outcome.passed("the home page shows the badge")
        ctx.evidence("search", "no 'certified' on the home page", page=read.page)
        return Outcome.failed("no badge on the home page")


class _PassOnFault(_Badge):
    name = "pass-on-fault"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        try:
            await ctx.fetch(await _website(ctx))
        except FetchError:
            return Outcome.passed("could not look; assumed fine")
        return await super().verify(ctx)


class _GoneIsAFault(_Badge):
    name = "gone-is-a-fault"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, await _website(ctx))
        if read.state == "gone":
            return Outcome.error("could not read the home page")
        return await super().verify(ctx)


class _SilentAbsence(_Badge):
    name = "silent-absence"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, await _website(ctx))
        if read.state == "gone":
            return Outcome.failed("no badge")
        return await super().verify(ctx)


class _LaxParams(Params):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Lax(_Badge):
    name = "lax-params"
    Params: ClassVar[type[Params]] = _LaxParams


class _PassesAnything(_Badge):
    name = "passes-anything"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, await _website(ctx))
        if read.state == "ok" and read.page is not None:
            ctx.evidence("text", "a page", page=read.page)
            return Outcome.passed("the home page is up")
        return await super().verify(ctx)


class _QuietMiss(_Badge):
    name = "quiet-miss"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, await _website(ctx))
        if read.state == "ok":
            return Outcome.failed("no badge")
        return await super().verify(ctx)


class _OwnSocket(_Badge):
    name = "own-socket"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", 9), timeout=0.1)  # the check's own
        return await super().verify(ctx)


class _OwnClient(_Badge):
    name = "own-client"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        async with httpx.AsyncClient() as client:
            await client.get(await _website(ctx))
        return await super().verify(ctx)


class _Blocking(_Badge):
    name = "blocking"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        until = time.monotonic() + 0.05
        while time.monotonic() < until:  # CPU work without an await
            pass
        return await super().verify(ctx)


class _Remembers(_Badge):
    """Keeps its first answer on the instance: later runs return it without a fetch."""

    name = "remembers"

    def __init__(self) -> None:
        self.first: Outcome | None = None

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        if self.first is None:
            self.first = await super().verify(ctx)
            return self.first
        return Outcome.failed("as before")


class _NoFetch(_Badge):
    name = "no-fetch"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        return Outcome.failed("not provided: the submission has no badge page")


def test_a_check_that_keeps_every_rule_passes_the_kit() -> None:
    assert_check_conforms(_Badge())
    assert all(not texts for texts in conformance_problems(_Badge()).values())


@pytest.mark.parametrize(
    ("check", "rules", "says"),
    [
        pytest.param(
            _PassOnFault(),
            {"network-down", "503"},
            "it returned pass 'could not look; assumed fine', not error",
            id="a fault taken for a pass",
        ),
        pytest.param(
            _GoneIsAFault(),
            {"404"},
            "it returned error 'could not read the home page': a page that is gone is an absence",
            id="a 404 taken for a fault",
        ),
        pytest.param(
            _SilentAbsence(),
            {"404"},
            "without saying the page is gone",
            id="a 404 not named as gone",
        ),
        pytest.param(
            _Lax(),
            {"params"},
            "its Params accept an unknown field",
            id="params that ignore an unknown field",
        ),
        pytest.param(
            _PassesAnything(),
            {"miss"},
            "on readable pages that say nothing it returned pass 'the home page is up'",
            id="a pass on a page about nothing",
        ),
        pytest.param(
            _QuietMiss(),
            {"miss"},
            "records the fetches only, not what it looked for",
            id="a miss that does not say what it looked for",
        ),
        pytest.param(
            _OwnSocket(),
            {"own-socket"},
            "went to the network on its own: a look-up of '127.0.0.1' at ",
            id="a socket of its own",
        ),
        pytest.param(
            _OwnClient(),
            {"own-socket"},
            "GET http://acme.example/ sent by another HTTP client than ctx.fetch",
            id="an HTTP client of its own",
        ),
        pytest.param(
            _Remembers(),
            {"503", "evidence", "miss"},
            "with no evidence",
            id="an outcome without evidence",
        ),
        pytest.param(
            _NoFetch(),
            {"network-down"},
            "it fetched nothing, so the kit cannot try it",
            id="a check the example does not make fetch",
        ),
    ],
)
def test_the_kit_catches_a_check_breaking_a_rule(
    check: Check[Any], rules: set[str], says: str
) -> None:
    problems = conformance_problems(check)
    assert {rule for rule, texts in problems.items() if texts} == rules
    texts = [text for rule in rules for text in problems[rule]]
    assert any(says in text for text in texts), texts
    for rule in rules:
        assert all(
            text.startswith(f"check {check.name!r} breaks rule {rule!r}: ")
            for text in problems[rule]
        )
    with pytest.raises(AssertionError, match=f"check {check.name!r} does not conform"):
        assert_check_conforms(check)


def test_a_socket_of_its_own_is_named_by_file_and_line_and_the_real_one_put_back() -> None:
    real = socket.socket, socket.getaddrinfo
    (text, *_) = conformance_problems(_OwnSocket())["own-socket"]
    assert f"{__file__}:" in text
    assert (socket.socket, socket.getaddrinfo) == real


def test_blocking_past_the_budget_is_caught() -> None:
    (text,) = conformance_problems(_Blocking(), max_blocking=0.01)["blocking"]
    assert text.startswith("check 'blocking' breaks rule 'blocking': in the ")
    assert "without an await (budget 0.01s)" in text
