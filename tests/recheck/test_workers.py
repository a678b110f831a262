"""``recheck --workers N``: partners verified in worker processes, every page fetched
once by the command's own process (:mod:`verifier.run.pool`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import pickle
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import verifier
from verifier.bundle.check import check_bundle
from verifier.errors import FetchError, FetchFailed, FetchRefused, FetchTimeout, RobotsDisallowed
from verifier.fetch import FetchCache, FetchSettings, Page
from verifier.fetch.client import read_fetched
from verifier.run.pool import (
    Forked,
    WorkerFailed,
    WorkerPool,
    fault_from_wire,
    fault_wire,
    page_wire,
)
from verifier.run.recheck import (
    MAX_AUTO_WORKERS,
    PARTNERS_PER_WORKER,
    PartnerPlace,
    auto_workers,
)
from verifier.sites import SiteServer, serve_sites

from ..helpers import FIXTURES, ROOT, html_page, until, without_clock
from .test_command import DEMO, _without_times, recheck, summary_of, write_roster

TEST_WORKER = "tests.recheck.pool_worker"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with serve_sites(FIXTURES / "sites") as served:
        yield served


def _evidence(bundle: Path) -> dict[str, Any]:
    """What a bundle says, its times left out: each requirement's status, summary and
    evidence, and the captures it holds (by hash, with the URLs recorded)."""
    report = json.loads((bundle / "report.json").read_text())
    index = json.loads((bundle / "captures" / "index.json").read_text())
    entries = index["exchanges"]
    return {
        "requirements": [
            (r["id"], r["status"], r["summary"], sorted(_timeless(e) for e in r["evidence"]))
            for r in report["requirements"]
        ],
        "captures": sorted((e["url"], e.get("sha256"), e.get("purpose")) for e in entries),
    }


def _timeless(evidence: dict[str, Any]) -> str:
    return json.dumps(without_clock(evidence), sort_keys=True)


def test_workers_make_the_bundles_one_process_makes_and_ask_each_url_once(
    tmp_path: Path, server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = write_roster(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    code_one = recheck(server, roster, one, "--workers", "1")
    asked_one = Counter(server.requests)
    server.requests.clear()
    jobs: list[object] = []
    run = WorkerPool.run

    async def counted(self: WorkerPool, job: object, *args: Any, **kwargs: Any) -> Any:
        jobs.append(job)
        return await run(self, job, *args, **kwargs)

    monkeypatch.setattr(WorkerPool, "run", counted)
    code_two = recheck(server, roster, two, "--workers", "2")
    asked_two = Counter(server.requests)

    assert len(jobs) == len(DEMO)  # every partner was verified in a worker
    assert code_two == code_one
    assert asked_two == asked_one
    assert max(asked_two.values()) == 1  # one request per URL, whichever worker asked
    assert _without_times(summary_of(two)) == _without_times(summary_of(one))
    for pid in DEMO:
        assert check_bundle(two / "partners" / pid).ok
        assert _evidence(two / "partners" / pid) == _evidence(one / "partners" / pid), pid


def test_auto_uses_one_process_for_a_small_roster_and_a_worker_per_core_for_a_large_one() -> None:
    assert auto_workers(4, available=8) == 1
    assert auto_workers(2 * PARTNERS_PER_WORKER - 1, available=8) == 1
    assert auto_workers(2 * PARTNERS_PER_WORKER, available=8) == 2
    assert auto_workers(300, available=2) == 2
    assert auto_workers(300, available=1) == 1
    assert auto_workers(10_000, available=64) == MAX_AUTO_WORKERS


@pytest.mark.parametrize(
    ("value", "said"),
    [("0", "0 is not between 1 and 64"), ("many", "'many' is not a number of processes")],
)
def test_a_bad_workers_option_exits_2_before_anything_is_fetched(
    tmp_path: Path, server: SiteServer, capsys: pytest.CaptureFixture[str], value: str, said: str
) -> None:
    roster = write_roster(tmp_path, ids={"acme": "platform"})
    assert recheck(server, roster, tmp_path / "out", "--workers", value) == 2
    err = capsys.readouterr().err
    assert "--workers" in err
    assert said in err
    assert server.requests == []
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the pool itself
class Answers:
    """A page source answering from a dict (a fault for any other URL), with a robots.txt
    side page fetched at the first ask, as the live source does."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.asked: list[str] = []
        self.side_pages: list[tuple[str, Page]] = []

    async def get(self, url: str) -> Page:
        self.asked.append(url)
        if not self.side_pages:
            robots = dict(page_wire(html_page("", "http://page.test/robots.txt")))
            robots["headers"] = {"content-type": "text/plain"}
            self.side_pages.append(("robots.txt", Page(**robots)))
        if url in self.pages:
            return self.pages[url]
        if url.endswith("/robots-says-no"):
            raise RobotsDisallowed(url, "robots.txt disallows it", attempts=0)
        raise FetchFailed(
            url,
            "gave up after 2 attempts: HTTP 503",
            attempts=2,
            history=[{"attempt": 1, "url": url, "status": 503}],
            hops=[{"url": url, "status": 301, "location": url + "x", "via": "redirect"}],
        )

    async def aclose(self) -> None:
        return None


def _parent_clock() -> dt.datetime:
    return dt.datetime(2020, 2, 2, 2, 2, 2, tzinfo=dt.UTC)


def _run(
    source: Answers, jobs: list[Any], workers: int = 1, *, forked: bool = False
) -> tuple[list[Any], int]:
    """The results of ``jobs`` run by ``workers`` workers started as interpreters, or
    ``forked`` from the command's process, and the hits of their caches."""
    if not forked:
        return pool_run(source, jobs, workers)
    result, left, leaked = _forked_run(source, jobs, workers, workers)
    assert not left  # every worker waited for
    assert not leaked  # and its pipes and pidfd closed
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, tuple)
    return result


def _forked_run(
    source: Answers, jobs: list[Any], workers: int, forks: int, *, fail: bool = False
) -> tuple[object, list[int], list[str]]:
    """``jobs`` run by a pool of ``workers`` given ``forks`` forked workers (``fail``: the
    pool cannot set up their channels): what the pool gave or raised, the forked
    processes still there afterwards, and the file descriptors left open. Workers are
    forked only from a process running no other thread, and this one may (a page
    reader an earlier test started): a new interpreter plays the command
    (``tests/recheck/forked_run.py``)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.recheck.forked_run"],
        input=pickle.dumps((source, jobs, workers, forks, fail)),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    sys.stderr.write(done.stderr.decode())  # what the workers wrote there
    assert done.returncode == 0, done.stderr.decode()
    result, source.asked, left, leaked = pickle.loads(done.stdout)
    return result, left, leaked


def pool_run(
    source: Answers, jobs: list[Any], workers: int, forked: Forked | None = None
) -> tuple[list[Any], int]:
    """:func:`_run` in this process, the workers taken from ``forked`` when given."""

    async def go() -> tuple[list[Any], int]:
        cache = FetchCache(source, read_pages=False, clock=_parent_clock)
        try:
            async with WorkerPool(cache, TEST_WORKER, {}, workers, forked) as pool:
                results = await asyncio.gather(*(pool.run(j) for j in jobs))
                return list(results), pool.hits
        finally:
            await cache.aclose()

    return asyncio.run(go())


STARTED_OR_FORKED = pytest.mark.parametrize("forked", [False, True], ids=["started", "forked"])
"""The tests of what a worker does run with workers of both kinds: a new interpreter,
and a process forked from the command's."""


@STARTED_OR_FORKED
def test_a_worker_is_handed_the_page_as_fetched_and_reads_it_as_the_live_source_does(
    forked: bool,
) -> None:
    html = (
        "<html><head><title>Acme</title></head><body><p>Seen text</p>"
        "<p hidden>hidden words</p><div id=app></div><script>x()</script></body></html>"
    )
    page = html_page(html, "http://page.test/a")
    local = asyncio.run(read_fetched(html_page(html, "http://page.test/a"), FetchSettings()))
    source = Answers({"http://page.test/a": page})

    (answer,), hits = _run(source, [("get", "http://page.test/a")], forked=forked)

    kind, wire, visible, notes, side = answer
    assert kind == "page"
    # Every field as fetched, the body byte for byte; the notes on its shape added there.
    assert {**wire, "notes": ()} == page_wire(page)
    assert notes == wire["notes"] == local.notes
    assert any("JavaScript" in n for n in notes)
    assert visible == local.visible_text
    assert "hidden words" not in visible
    assert side == [("robots.txt", "http://page.test/robots.txt")]
    assert hits == 2
    assert source.asked == ["http://page.test/a"]


@STARTED_OR_FORKED
def test_every_fetch_error_reaches_the_worker_with_its_kind_and_evidence(forked: bool) -> None:
    source = Answers({})
    answers, _ = _run(
        source,
        [("get", "http://page.test/gone"), ("get", "http://a.test/robots-says-no")],
        forked=forked,
    )
    (kind, name, data, when), (kind2, name2, data2, _) = answers
    assert (kind, name) == ("fault", "FetchFailed")
    # When it failed is the parent's record (its clock), not when the worker heard.
    assert when == "2020-02-02T02:02:02Z"
    assert (
        data
        == FetchFailed(
            "http://page.test/gone",
            "gave up after 2 attempts: HTTP 503",
            attempts=2,
            history=[{"attempt": 1, "url": "http://page.test/gone", "status": 503}],
            hops=[
                {
                    "url": "http://page.test/gone",
                    "status": 301,
                    "location": "http://page.test/gonex",
                    "via": "redirect",
                }
            ],
        ).evidence_data()
    )
    assert (kind2, name2) == ("fault", "RobotsDisallowed")
    assert data2["error"] == "robots.txt disallows it"


def test_pages_a_worker_asks_ahead_are_asked_of_the_parent_and_read_as_asked() -> None:
    page = html_page("<p>Seen text</p>", "http://page.test/a")
    source = Answers({"http://page.test/a": page})
    urls = ["http://page.test/a", "http://page.test/gone"]

    ((asked_ahead, got, hits),), _ = _run(source, [("ahead", urls)])

    assert asked_ahead == 2  # both handed to the parent before the first was read
    assert sorted(source.asked) == sorted(urls)
    assert got == [
        ("page", "Seen text"),
        # The fault as the parent had it, when it happened there.
        ("fault", "gave up after 2 attempts: HTTP 503", "2020-02-02T02:02:02Z"),
    ]
    assert hits == 0  # the run's own asks of pages it asked ahead are no hits


@pytest.mark.parametrize("kind", [FetchError, FetchFailed, FetchRefused, FetchTimeout])
def test_a_fault_survives_the_wire(kind: type[FetchError]) -> None:
    exc = kind("http://x.test/", "why", attempts=3, history=[{"attempt": 1}], hops=[{"url": "u"}])
    back = fault_from_wire(fault_wire(exc))
    assert type(back) is kind
    assert back.evidence_data() == exc.evidence_data()
    assert str(back) == str(exc)


@STARTED_OR_FORKED
def test_a_plugin_printing_in_a_worker_does_not_break_the_channel(
    capfd: pytest.CaptureFixture[str], forked: bool
) -> None:
    answers, _ = _run(
        Answers({}), [("print", "a plugin says hello"), ("print", "again")], forked=forked
    )
    assert answers == ["a plugin says hello", "again"]
    err = capfd.readouterr().err
    assert "a plugin says hello" in err
    assert "written to fd 1" in err


@STARTED_OR_FORKED
def test_a_job_that_raises_is_an_internal_error_with_the_workers_traceback(forked: bool) -> None:
    with pytest.raises(WorkerFailed) as caught:
        _run(Answers({}), [("raise", "a bug in a check")], forked=forked)
    assert "internal error in a worker process" in str(caught.value)
    assert "ValueError: a bug in a check" in str(caught.value)


@STARTED_OR_FORKED
def test_a_worker_that_dies_fails_its_jobs_saying_so(forked: bool) -> None:
    with pytest.raises(WorkerFailed) as caught:
        _run(Answers({}), [("exit", 7)], forked=forked)
    assert "ended (exit code 7)" in str(caught.value)


@STARTED_OR_FORKED
def test_jobs_are_spread_over_the_workers(forked: bool) -> None:
    """Jobs handed at once go to the least busy worker: six over three workers, two each."""
    answers, _ = _run(Answers({}), [("pid", None) for _ in range(6)], workers=3, forked=forked)
    assert sorted(Counter(answers).values()) == [2, 2, 2]


def test_the_parent_cache_is_told_which_worker_asks_for_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shared cache keeps longest the pages of a host several askers asked (the
    member directory both workers' partners read): in the parent the asker is the worker,
    the same for all its asks (a number per ask made every host look shared)."""
    askers: dict[str, object] = {}
    get = FetchCache.get

    async def noted(self: FetchCache, url: str, asker: object = None) -> Page:
        askers[url] = asker
        return await get(self, url, asker)

    monkeypatch.setattr(FetchCache, "get", noted)
    urls = [f"http://p{n}.test/" for n in range(4)]
    source = Answers({url: html_page("<p>own</p>", url) for url in urls})

    pids, _ = _run(source, [("get-pid", url) for url in urls], workers=2)

    assert len(set(pids)) == 2  # two jobs each
    assert [askers[url] for url in urls] == pids


@pytest.mark.parametrize(("workers", "forks"), [(1, 3), (0, 2)])
def test_forked_workers_no_pool_takes_are_stopped_and_waited_for(workers: int, forks: int) -> None:
    """A resumed run may need fewer workers than were forked for its roster, or none."""
    page = html_page("<p>Seen text</p>", "http://page.test/a")
    jobs = [("get", "http://page.test/a")] if workers else []
    result, left, leaked = _forked_run(Answers({"http://page.test/a": page}), jobs, workers, forks)
    assert not left
    assert not leaked
    assert isinstance(result, tuple)
    assert [answer[2] for answer in result[0]] == ["Seen text"] * len(jobs)


def test_each_forked_worker_holds_only_its_own_channel() -> None:
    """A worker holding another's pipe ends would keep that one's input open when the
    command closes it (or dies): that worker would never see its end, and be killed
    instead of removing its unfinished work."""
    answers, _ = _run(Answers({}), [("pipes", None), ("pipes", None)], 2, forked=True)
    (pid_a, pipes_a), (pid_b, pipes_b) = answers
    assert pid_a != pid_b
    assert len(pipes_a) == len(pipes_b) == 2  # its input and its output
    assert not set(pipes_a) & set(pipes_b)


def test_a_forked_worker_whose_channel_cannot_be_set_up_is_stopped_and_waited_for() -> None:
    result, left, leaked = _forked_run(Answers({}), [("pid", None)], 1, 1, fail=True)
    assert isinstance(result, OSError)
    assert "cannot be set up" in str(result)
    assert not left
    assert not leaked


def test_no_worker_is_forked_where_sigchld_is_ignored() -> None:
    """The system would take the workers' exit codes before the command could wait."""
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with Forked(TEST_WORKER, 1) as ready:
            assert not len(ready)
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_no_worker_is_forked_while_another_thread_runs() -> None:
    """A lock another thread holds at a fork stays held in the child: the pool then
    starts interpreters, which do the same work."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Forked(TEST_WORKER, 2) as ready:
            assert not len(ready)
            answers, _ = pool_run(Answers({}), [("pid", None), ("pid", None)], 2, ready)
    finally:
        stop.set()
        other.join()
    assert len(set(answers)) == 2


def test_no_worker_is_forked_from_a_running_event_loop() -> None:
    async def inside() -> int:
        with Forked(TEST_WORKER, 1) as ready:
            return len(ready)

    assert asyncio.run(inside()) == 0


def test_a_worker_imports_what_the_command_imported_from_where_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's modules are the command's: this checkout's verifier, and a module
    only on the command's path (a development copy, a plugin put on the path)."""
    (tmp_path / "only_here.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    answers, _ = _run(Answers({}), [("import", "verifier"), ("import", "only_here")])
    assert answers == [verifier.__file__, str(tmp_path / "only_here.py")]


def test_a_stray_package_in_the_working_folder_is_not_what_a_worker_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "verifier").mkdir()
    (tmp_path / "verifier" / "__init__.py").write_text("raise SystemExit('the stray copy ran')\n")
    monkeypatch.chdir(tmp_path)
    answers, _ = _run(Answers({}), [("print", "the real one ran")])
    assert answers == ["the real one ran"]


def test_a_job_s_milestone_reaches_the_parent_before_its_result() -> None:
    calls: list[str] = []

    async def go() -> None:
        cache = FetchCache(Answers({}), read_pages=False)
        try:
            async with WorkerPool(cache, TEST_WORKER, {}, 1) as pool:
                result = await pool.run(("milestone", 0.2), lambda: calls.append("milestone"))
                calls.append(result)
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert calls == ["milestone", "after the milestone"]


def test_a_job_waits_at_its_gate_until_the_parent_opens_it() -> None:
    """A job's ``begin`` returns once the ``gate`` given to ``run`` has returned in the
    parent: the page the gate makes exists when the job asks for it after ``begin``."""
    url = "http://page.test/made-by-the-gate"
    source = Answers({})
    calls: list[object] = []

    async def gate(urls: Sequence[str]) -> None:
        calls.append(f"gate asked with {list(urls)}")
        await asyncio.sleep(0.2)
        source.pages[url] = html_page("<p>made</p>", url)

    async def go() -> None:
        cache = FetchCache(source, read_pages=False)
        try:
            async with WorkerPool(cache, TEST_WORKER, {}, 1) as pool:
                calls.append(await pool.run(("gate", url), None, gate))
                # Without a gate, begin returns at once: the page is not there yet.
                calls.append(await pool.run(("gate", url + "-not-made")))
                # A job that never calls begin never has its gate awaited.
                calls.append(type(await pool.run(("pid", None), None, gate)).__name__)
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert calls == [f"gate asked with {[url]}", url, "FetchFailed", "int"]


def test_a_run_cancelled_at_its_gate_stops_waiting_at_the_gate() -> None:
    entered: list[str] = []
    asked = asyncio.Event()

    async def gate(urls: Sequence[str]) -> None:
        entered.append("gate")
        asked.set()
        await asyncio.sleep(30)
        entered.append("gate passed")  # never: the run was cancelled

    async def go() -> None:
        cache = FetchCache(Answers({}), read_pages=False)
        try:
            async with WorkerPool(cache, TEST_WORKER, {}, 1) as pool:
                waiting = asyncio.create_task(pool.run(("gate", "http://page.test/x"), None, gate))
                await asked.wait()
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                # The worker goes on serving other jobs.
                assert isinstance(await pool.run(("pid", None)), int)
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert entered == ["gate"]


def test_a_job_that_gives_its_place_up_passes_the_gate_again_to_take_it_back() -> None:
    """A re-check's partner waiting only for shared pages gives its place up (a
    milestone) and asks for it again (``begin``): the parent's gate is awaited each time,
    the milestone between."""
    calls: list[str] = []

    async def gate(urls: Sequence[str]) -> None:
        calls.append(f"gate {list(urls)}")

    async def go() -> None:
        async with WorkerPool(FetchCache(Answers({})), TEST_WORKER, {}, 1) as pool:
            calls.append(await pool.run(("regate", None), lambda: calls.append("left"), gate))

    asyncio.run(go())
    assert calls == ["gate ['http://first.test/']", "left", "gate []", "back"]


def test_a_job_that_ends_while_waiting_at_its_gate_gives_the_gate_up() -> None:
    """The job no longer wants the place (its wait was cancelled in the worker, and it
    ended): the parent stops waiting at the gate instead of taking a place for nobody."""
    entered: list[str] = []

    async def gate(urls: Sequence[str]) -> None:
        entered.append("gate")
        await asyncio.sleep(30)
        entered.append("gate passed")  # never: the job ended first

    async def go() -> object:
        async with WorkerPool(FetchCache(Answers({})), TEST_WORKER, {}, 1) as pool:
            return await asyncio.wait_for(pool.run(("leave-gate", None), None, gate), 10)

    assert asyncio.run(go()) == "ended without its place"
    assert entered == ["gate"]


def test_a_place_granted_to_a_wait_given_up_in_the_worker_is_given_back() -> None:
    """A job asks for its place back and gives the wait up (a plugin's time limit around a
    fetch) while the job goes on: when the parent's gate grants it the place later, the
    worker gives it back at once, so the next job need not wait for that job to end."""
    events: list[str] = []

    async def go() -> None:
        checking = asyncio.Semaphore(1)

        async def run(pool: WorkerPool, name: str, job: tuple[str, float]) -> None:
            place = PartnerPlace(checking, lambda _urls: events.append(f"{name} took the place"))

            def give() -> None:
                if place.held:
                    events.append(f"{name} gave it")
                place.give()

            try:
                await pool.run(job, give, place.take)
            finally:
                give()
                events.append(f"{name} ended")

        async with WorkerPool(FetchCache(Answers({})), TEST_WORKER, {}, 1) as pool:
            a = asyncio.ensure_future(run(pool, "A", ("wait-given-up", 3.0)))
            await until(lambda: "A gave it" in events)
            b = asyncio.ensure_future(run(pool, "B", ("hold", 0.6)))
            await until(lambda: "B ended" in events)
            c = asyncio.ensure_future(run(pool, "C", ("hold", 0.0)))
            await asyncio.gather(a, b, c)

    asyncio.run(go())
    # A's wait was given up at 0.5 s; the gate granted it the place when B left: it came
    # back at once, and C took it long before A's job (3 s more) ended.
    assert events.index("C took the place") < events.index("A ended")
