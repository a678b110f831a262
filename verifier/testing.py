"""Helpers and an opt-in pytest plugin for plugin authors.

Enable it in a plugin's ``conftest.py`` with ``pytest_plugins = ["verifier.testing"]``.
Fixtures:

- ``plugin_host``: a fresh plugin host with every installed entry point loaded;
- ``fake_sites``: a factory serving a folder of sites on 127.0.0.1 (stopped afterwards),
  over https with ``fake_sites(path, https=True)`` (a throwaway CA that
  :func:`settings_for` makes the fetch layer trust);

functions :func:`run_check` (one check, one submission, real fetches against local
sites) and :func:`make_submission` (a valid submission from a few fields); and the types
those give, re-exported so that a plugin's tests annotate them without importing a module
that may change: :class:`PluginHost` (what ``plugin_host`` returns) and
:class:`SiteServer` (what ``fake_sites`` returns).

The conformance kit: :func:`assert_check_conforms` runs a check through the engine (as
:func:`run_check` does) on the inputs its :attr:`Check.example
<verifier.checks.Check.example>` declares, once in each of four worlds the kit fakes with
respx (no server, no real socket), and asserts the rules (:data:`RULES`) a person reading
the report relies on (:func:`conformance_problems` lists what breaks them, rule by rule):

- ``params``: its ``Params`` refuse a field they do not know;
- ``network-down``: with every connection refused, it is ``error`` (never a verdict);
- ``503``: with every server answering 503, it is ``error`` (a fault says nothing);
- ``404``: with the applicant's pages answering 404, it is ``fail`` or ``needs_review``
  (an absence, not a fault), and says the page is gone;
- ``evidence``: every outcome, in every world, carries evidence;
- ``miss``: on pages that say nothing (and sources without the applicant) it does not
  pass, and its evidence records every URL it asked and what it looked for;
- ``own-socket``: it opens no socket, resolves no name and sends no request of its own
  (only through ``ctx.fetch``);
- ``blocking``: no stretch of it runs longer than ``max_blocking`` seconds without an
  ``await`` (the engine's own measure).

The applicant's pages are the URLs on a host named in the submission; any other URL is a
source's (a directory, a registry), which answers :attr:`CheckExample.pages
<verifier.checks.CheckExample.pages>` or the kit's page about nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import socket
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pydantic
import pytest

from verifier.checks import Check, CheckContext, CheckExample, Stretches
from verifier.engine import BLOCKING_LOGGED, run_requirement
from verifier.fetch import Fetcher, FetchSettings, LiveSource
from verifier.host import CheckRegistry, PluginHost, PluginInfo, build_host
from verifier.inputs.sources import Source
from verifier.inputs.submission import Submission
from verifier.models import Outcome, Requirement, RequirementResult, Status
from verifier.sites import SiteServer, serve_sites

__all__ = [
    "RULES",
    "PluginHost",
    "SiteServer",
    "assert_check_conforms",
    "conformance_problems",
    "fake_sites",
    "make_submission",
    "plugin_host",
    "run_check",
    "settings_for",
]


def make_submission(**fields: Any) -> Submission:
    """A valid :class:`Submission`; ``fields`` override or add to a minimal one."""
    base: dict[str, Any] = {
        "tier": "example",  # checks do not read the tier; policies select by it
        "applicant": {
            "name": "Acme Cloud Economics, Inc.",
            "website": "http://acme.example/",
            "employees": 50,
        },
    }
    base.update(fields)
    return Submission.model_validate(base)


def settings_for(server: SiteServer | None, **overrides: Any) -> FetchSettings:
    """Fetch settings for a test: loopback allowed, one quick retry.

    With a ``server``, its sites resolve to it and robots.txt is obeyed as in a real run;
    a server of https sites has its throwaway CA trusted (``ca_bundle``) for this run only.
    Without one (a respx unit test of a check's own logic), robots.txt is not asked for,
    so the mocks need only the pages the check reads; robots.txt handling is the fetch
    layer's, tested there. Pass ``obey_robots=True`` to mock it yourself.
    """
    values: dict[str, Any] = {
        "allow_private_network": True,
        "retries": 1,
        "backoff": 0.01,
        "total_timeout": 10.0,
        "obey_robots": server is not None,
        "per_host_delay": 0.0,  # local fixture servers: no need to be polite
    }
    if server is not None:
        values["resolve"] = server.resolve_pairs()
        if server.ca_file is not None:
            values["ca_bundle"] = str(server.ca_file)
    values.update(overrides)
    return FetchSettings(**values)


def run_check(
    check: Check[Any],
    submission: Submission,
    params: dict[str, Any] | None = None,
    *,
    settings: FetchSettings | None = None,
    sources: dict[str, str | Path] | None = None,
    as_of: dt.date = dt.date(2026, 1, 1),
    timeout: float = 30.0,
    requirement_id: str = "requirement",
) -> RequirementResult:
    """Run one check on one submission through the real engine and fetch layer."""
    registry = CheckRegistry()
    registry.add(check, PluginInfo("under-test", None, None))
    validated = check.Params.model_validate(params or {}).model_dump(mode="json")
    req = Requirement(requirement_id, "requirement under test", check.name, validated)
    srcs = {
        name: Source(
            name,
            value if isinstance(value, str) else None,
            value if isinstance(value, Path) else None,
            "test",
        )
        for name, value in (sources or {}).items()
    }

    async def go() -> RequirementResult:
        fetch_settings = settings or FetchSettings()
        fetcher = Fetcher(
            LiveSource(fetch_settings), None, read_timeout=fetch_settings.parse_timeout
        )
        try:
            return await run_requirement(
                req,
                submission,
                registry,
                fetcher,
                sources=srcs,
                as_of=as_of,
                timeout=timeout,
                budget=fetch_settings.max_fetches_per_check,
            )
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


@pytest.fixture
def plugin_host() -> PluginHost:
    """A fresh plugin host with every installed ``finops_verifier`` entry point."""
    return build_host()


@pytest.fixture
def fake_sites() -> Iterator[Callable[..., SiteServer]]:
    """Serve a sites folder on 127.0.0.1: ``server = fake_sites(path)``, or
    ``fake_sites(path, https=True)`` for https; stopped after the test."""
    with ExitStack() as stack:

        def serve(root: Path, *, https: bool = False) -> SiteServer:
            return stack.enter_context(serve_sites(root, https=https))

        yield serve


# --- The conformance kit (see the module docstring): the rules every check must keep. ---

RULES = ("params", "network-down", "503", "404", "evidence", "miss", "own-socket", "blocking")
"""The kit's rules, by the names its messages use."""

_REQUIREMENT_ID = "requirement"  # CheckExample.submission's docstring names it

_UNKNOWN_FIELD = "conformance_kit_unknown_field"
_NOTHING = (
    "<!doctype html><html lang='en'><head><title>A page about the weather</title></head>"
    "<body><main><h1>A page about the weather</h1><p>"
    + "The morning was grey and the afternoon brought a little rain over the hills. " * 4
    + "</p></main></body></html>"
)
"""Every page of the ``miss`` world: readable text about nothing a check seeks."""
_GONE_WORDS = ("404", "gone", "not found", "does not exist", "no longer")


def _html(body: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, text=body, headers={"content-type": "text/html; charset=utf-8"})


@dataclass
class _World:
    """One faked internet: how it answers each request, and what was asked of it."""

    name: str
    answer: Callable[[httpx.Request], httpx.Response]
    agent: str
    asked: list[str] = field(default_factory=list)
    """Every URL asked through the fetch layer, in order."""
    own: list[str] = field(default_factory=list)
    """Requests that did not come through the fetch layer (another User-Agent)."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.headers.get("user-agent") != self.agent:
            self.own.append(f"GET {url} sent by another HTTP client than ctx.fetch")
        else:
            self.asked.append(url)
        return self.answer(request)


def _worlds(example: CheckExample, hosts: frozenset[str], agent: str) -> list[_World]:
    def nothing(request: httpx.Request) -> httpx.Response:
        said = example.pages.get(str(request.url))
        if isinstance(said, int):
            return _html(f"<title>HTTP {said}</title>", said)
        return _html(_NOTHING if said is None else said)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def unavailable(request: httpx.Request) -> httpx.Response:
        return _html("<title>503 Service Unavailable</title>", 503)

    def gone(request: httpx.Request) -> httpx.Response:
        if request.url.host in hosts:
            return _html("<title>404 Not Found</title><h1>Not Found</h1>", 404)
        return nothing(request)

    return [
        _World("network-down", refused, agent),
        _World("503", unavailable, agent),
        _World("404", gone, agent),
        _World("miss", nothing, agent),
    ]


@dataclass
class _Run:
    """What one run of the check in one world gave."""

    world: _World
    result: RequirementResult
    longest: float
    """Seconds of its longest stretch without an await."""
    sockets: list[str]
    """Sockets made or names resolved by the check itself, with where."""


@contextmanager
def _no_sockets(calls: list[str]) -> Iterator[None]:
    """Refuse, and record with the caller's file and line, every socket made and every
    name resolved meanwhile.

    Installed inside the check's run, once the event loop (and its self-pipe) exists.
    respx answers every fetch of the fetch layer without a socket, so any socket asked for
    is the check's own.
    """
    real_socket, real_getaddrinfo = socket.socket, socket.getaddrinfo

    def where(what: str) -> str:
        frames = [f for f in traceback.extract_stack()[:-2] if f.filename != __file__]
        ours = [f for f in frames if "/asyncio/" not in f.filename and "/socket" not in f.filename]
        last = (ours or frames)[-1]
        return f"{what} at {last.filename}:{last.lineno}"

    class Refused(real_socket):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            calls.append(where("a socket"))
            raise PermissionError("refused by the conformance kit: fetch with ctx.fetch")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(where(f"a look-up of {host!r}"))
        raise PermissionError("refused by the conformance kit: fetch with ctx.fetch")

    socket.socket = Refused  # type: ignore[misc]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket = real_socket  # type: ignore[misc]
        socket.getaddrinfo = real_getaddrinfo


def _watched(check: Check[Any], sockets: list[str], longest: list[float]) -> Check[Any]:
    """``check`` under its own name and params, its ``verify`` timed by the engine's
    measure and refused sockets."""

    async def verify(self: Check[Any], ctx: CheckContext[Any]) -> Outcome:
        timed = Stretches(check.verify(ctx))
        try:
            with _no_sockets(sockets):
                outcome: Outcome = await timed
                return outcome
        finally:
            longest.append(timed.longest)

    attributes = {"name": check.name, "version": check.version, "Params": check.Params}
    cls = type(type(check).__name__, (Check,), {**attributes, "verify": verify})
    watched: Check[Any] = cls()
    return watched


def _run(check: Check[Any], world: _World) -> _Run:
    import respx  # only the kit needs respx (a test extra): -p verifier.testing works without

    example = check.example
    sockets: list[str] = []
    longest: list[float] = []
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=world)
        result = run_check(
            _watched(check, sockets, longest),
            make_submission(**example.submission),
            dict(example.params),
            settings=settings_for(None, backoff=0.0, user_agent=world.agent),
            sources=dict(example.sources),
            requirement_id=_REQUIREMENT_ID,
        )
    return _Run(world, result, max(longest, default=0.0), sockets)


def _hosts(submission: Mapping[str, Any]) -> frozenset[str]:
    """The host of every URL in a submission: the applicant's pages."""
    hosts: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            hosts.add(urlsplit(value).hostname or "")

    walk(make_submission(**submission).model_dump(mode="json"))
    return frozenset(hosts - {""})


def _shown(result: RequirementResult) -> str:
    return f"{result.status.value} {result.summary!r}"


def _says_gone(result: RequirementResult, url: str) -> bool:
    """The summary says a page is gone, or the check's own evidence about ``url`` does
    (the fetch record alone is the fetch layer's, not the check's word)."""
    if any(word in result.summary.lower() for word in _GONE_WORDS):
        return True
    return any(
        e.kind != "fetch"
        and (e.url == url or url in e.detail)
        and any(word in e.detail.lower() for word in _GONE_WORDS)
        for e in result.evidence
    )


def _judge(
    check: Check[Any], runs: list[_Run], hosts: frozenset[str], max_blocking: float
) -> dict[str, list[str]]:
    """Every rule's problems, from the four runs (a pure function of them)."""
    problems: dict[str, list[str]] = {rule: [] for rule in RULES}
    by_world = {run.world.name: run for run in runs}
    for name in ("network-down", "503"):
        run = by_world[name]
        if run.result.status is not Status.ERROR:
            problems[name].append(
                f"with {_WHY[name]} it returned {_shown(run.result)}, not error: a fault is "
                "never a verdict (let ctx.fetch's FetchError propagate, or return error on "
                "read_page's 'fault')"
            )
    gone = by_world["404"]
    pages = [u for u in dict.fromkeys(gone.world.asked) if urlsplit(u).hostname in hosts]
    if pages and gone.result.status not in (Status.FAIL, Status.NEEDS_REVIEW):
        problems["404"].append(
            f"with the applicant's page answering 404 ({pages[0]}) it returned "
            f"{_shown(gone.result)}: a page that is gone is an absence (fail or "
            "needs_review), not a fault like a 503"
        )
    elif pages and not any(_says_gone(gone.result, u) for u in pages):
        problems["404"].append(
            f"with the applicant's page answering 404 ({pages[0]}) it returned "
            f"{_shown(gone.result)} without saying the page is gone (in the summary or in "
            "its own evidence about the page)"
        )
    for run in runs:
        if not run.result.evidence:
            problems["evidence"].append(
                f"in the {run.world.name} world it returned {_shown(run.result)} with no "
                "evidence: record what the verdict relies on (ctx.evidence)"
            )
    miss = by_world["miss"]
    if miss.result.status not in (Status.FAIL, Status.NEEDS_REVIEW):
        problems["miss"].append(
            f"on readable pages that say nothing it returned {_shown(miss.result)}: a page "
            "without what is sought is a miss (fail or needs_review)"
        )
    else:
        for url in dict.fromkeys(miss.world.asked):
            if not any(url == e.url or url in e.detail for e in miss.result.evidence):
                problems["miss"].append(f"its miss does not record the URL it asked: {url}")
        if all(e.kind == "fetch" for e in miss.result.evidence):
            problems["miss"].append(
                f"its miss ({_shown(miss.result)}) records the fetches only, not what it "
                "looked for: e.g. ctx.evidence('search', 'no X on the page', page=page)"
            )
    for run in runs:
        for call in dict.fromkeys([*run.sockets, *run.world.own]):
            problems["own-socket"].append(
                f"in the {run.world.name} world it went to the network on its own: {call}; "
                "fetch only with ctx.fetch (the run's guard, limits and evidence)"
            )
    slowest = max(runs, key=lambda run: run.longest)
    if slowest.longest > max_blocking:
        problems["blocking"].append(
            f"in the {slowest.world.name} world it ran {slowest.longest:.2f}s without an "
            f"await (budget {max_blocking:g}s): every other check waited; await slow work "
            "and move CPU work to ctx.read or asyncio.to_thread"
        )
    return {
        rule: [f"check {check.name!r} breaks rule {rule!r}: {text}" for text in texts]
        for rule, texts in problems.items()
    }


_WHY = {
    "network-down": "every connection refused (the network down)",
    "503": "every server answering 503",
}


def conformance_problems(
    check: Check[Any], *, max_blocking: float = BLOCKING_LOGGED
) -> dict[str, list[str]]:
    """What :func:`assert_check_conforms` finds wrong with ``check``, by rule.

    Every name of :data:`RULES` is a key; its list is empty when the rule holds. Each
    message names the check, the rule, what happened and what to do. For a test per rule
    (``assert not problems["503"]``), or to collect them across checks.
    """
    problems: dict[str, list[str]] = {rule: [] for rule in RULES}
    example = check.example
    try:
        check.Params.model_validate(dict(example.params))
    except pydantic.ValidationError as exc:
        problems["params"].append(
            f"check {check.name!r} breaks rule 'params': its example's params do not fit "
            f"its Params ({exc.errors()[0]['msg']}): "
            "declare Check.example = CheckExample(params=...)"
        )
        return problems
    try:
        check.Params.model_validate({**example.params, _UNKNOWN_FIELD: 1})
    except pydantic.ValidationError:
        pass
    else:
        problems["params"].append(
            f"check {check.name!r} breaks rule 'params': its Params accept an unknown field "
            f"({_UNKNOWN_FIELD!r}), so a misspelt param in a policy would be ignored; derive "
            "them from verifier.Params (extra='forbid')"
        )
    hosts = _hosts(example.submission)
    agent = f"finops-verifier-conformance/{secrets.token_hex(4)}"
    runs = [_run(check, world) for world in _worlds(example, hosts, agent)]
    if not any(run.world.asked for run in runs):
        problems["network-down"].append(
            f"check {check.name!r} breaks rule 'network-down': it fetched nothing, so the "
            f"kit cannot try it (it returned {_shown(runs[0].result)}); declare "
            "Check.example = CheckExample(submission=..., params=..., sources=...) "
            "with the inputs that make it fetch"
        )
        return problems
    for rule, texts in _judge(check, runs, hosts, max_blocking).items():
        problems[rule] += texts
    return problems


def assert_check_conforms(check: Check[Any], *, max_blocking: float = BLOCKING_LOGGED) -> None:
    """Assert that ``check`` keeps every rule of the kit (:data:`RULES`).

    Runs it through the engine on its :attr:`~verifier.checks.Check.example` in four
    faked worlds (network down, 503 everywhere, the applicant's pages 404, pages that say
    nothing), respx answering every fetch and sockets refused; raises ``AssertionError``
    listing every broken rule, each line naming the check and the rule. Usage::

        def test_my_check_conforms():
            assert_check_conforms(MyCheck())

    :param max_blocking: seconds one stretch of the check may run without an ``await``
        (default: the engine's warning threshold, ``verifier.engine.BLOCKING_LOGGED``).
    """
    problems = conformance_problems(check, max_blocking=max_blocking)
    broken = [text for texts in problems.values() for text in texts]
    if broken:
        lines = "\n".join(f"- {text}" for text in broken)
        raise AssertionError(f"check {check.name!r} does not conform:\n{lines}")
