"""A run built from parts a batch can share: one fetch cache for many submissions (one
request per URL, each bundle its own copy), one clock, the policies loaded once."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.check import check_bundle
from verifier.bundle.store import read_index
from verifier.fetch import FetchSettings
from verifier.host import build_host
from verifier.report.model import Report
from verifier.run import verify as verify_module
from verifier.run.replay import replay_bundle
from verifier.run.verify import RunParts, RunRequest, execute, live_cache, prepare
from verifier.sites import SiteServer, serve_sites

from .helpers import FIXTURES

TIERS = ("platform", "solution")
"""Two demo applicants whose checks both read the Foundation's member directories."""


def _settings(server: SiteServer) -> FetchSettings:
    return FetchSettings(
        allow_private_network=True,
        resolve=server.resolve_pairs(),
        per_host_delay=0.0,
        retries=0,
    )


def _request(tier: str, out: Path, settings: FetchSettings) -> RunRequest:
    return RunRequest(
        submission_path=FIXTURES / "demo" / f"{tier}.yaml",
        out=out / tier,
        sources_path=FIXTURES / "sources.yaml",
        as_of=dt.date(2026, 11, 26),
        settings=settings,
    )


def _run_all(
    parts: RunParts, out: Path, settings: FetchSettings, *, at_once: bool = True
) -> list[dict[str, Any]]:
    """Prepare every tier, then run them at once (their fetches overlap in flight) or one
    after the other (the second finds the first's pages done)."""
    requests = [_request(tier, out, settings) for tier in TIERS]
    preps = [prepare(r, parts) for r in requests]

    async def go() -> list[dict[str, Any]]:
        try:
            if at_once:
                runs = (execute(p, r) for p, r in zip(preps, requests, strict=True))
                return list(await asyncio.gather(*runs))
            return [await execute(p, r) for p, r in zip(preps, requests, strict=True)]
        finally:
            if parts.cache is not None:
                await parts.cache.aclose()

    return asyncio.run(go())


def _verdicts(report: Report) -> dict[str, tuple[str, str]]:
    return {str(r.id): (r.status.value, str(r.summary)) for r in report.requirements}


@pytest.mark.parametrize("at_once", [True, False], ids=["at once", "one after the other"])
def test_two_runs_sharing_one_cache_fetch_each_url_once_and_each_bundle_stands_alone(
    tmp_path: Path, at_once: bool
) -> None:
    host = build_host()
    with serve_sites(FIXTURES / "sites") as server:
        settings = _settings(server)
        # The same two runs, each with a cache of its own: what a shell loop costs.
        alone = _run_all(RunParts(host), tmp_path / "alone", settings, at_once=at_once)
        alone_requests = Counter(server.requests)
        server.requests.clear()
        shared = _run_all(
            RunParts(host, cache=live_cache(settings)),
            tmp_path / "shared",
            settings,
            at_once=at_once,
        )
        shared_requests = Counter(server.requests)

    # One request per URL across both applicants; the loop asked some of them twice.
    assert max(shared_requests.values()) == 1, shared_requests.most_common(3)
    assert set(shared_requests) == set(alone_requests)
    assert sum(alone_requests.values()) > sum(shared_requests.values())
    # Sharing changes no verdict.
    assert [_verdicts(r) for r in shared] == [_verdicts(r) for r in alone]

    indexes = {t: read_index(tmp_path / "shared" / t) for t in TIERS}
    pages = {t: {e["url"]: e for e in ex if not e.get("purpose")} for t, ex in indexes.items()}
    both = set(pages["platform"]) & set(pages["solution"])
    assert "http://www.finops.example/members/" in both  # the member directory, say
    for tier in TIERS:
        root = tmp_path / "shared" / tier
        for url in both:
            sha = pages[tier][url]["sha256"]
            if sha is not None:  # each bundle holds its own copy, under the same hash
                assert sha == pages["solution" if tier == "platform" else "platform"][url]["sha256"]
                assert hashlib.sha256((root / "captures" / sha).read_bytes()).hexdigest() == sha
        # Every host the run read has its robots.txt in the bundle, whoever fetched it.
        robots = {e["url"] for e in indexes[tier] if e.get("purpose") == "robots.txt"}
        hosts = {url.split("/")[2] for url in pages[tier]}
        assert robots == {f"http://{h}/robots.txt" for h in hosts}, tier
        # ... and the bundle stands on its own: intact, and replayed to the same verdicts.
        check = check_bundle(root)
        assert check.ok, check.describe()
        replayed = asyncio.run(replay_bundle(root, tmp_path / "replayed" / tier, host))
        assert replayed.differences == []
        assert replayed.missing == []
        assert replayed.served == len(indexes[tier]) - len(robots)


def test_a_fixed_clock_fixes_started_finished_fetched_at_as_of_and_the_folder_name(
    tmp_path: Path, sites: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    moment = dt.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=dt.UTC)
    parts = RunParts(build_host(), clock=lambda: moment)
    request = RunRequest(
        submission_path=FIXTURES / "demo" / "solution.yaml",
        sources_path=FIXTURES / "sources.yaml",
        settings=_settings(sites),
    )
    prep = prepare(request, parts)
    report = asyncio.run(execute(prep, request))

    assert prep.out == Path("finops-verify-report") / "openlens-foundation-20261126T093015Z"
    written = json.loads((prep.out / "report.json").read_text())
    assert written["run"]["started"] == written["run"]["finished"] == "2026-11-26T09:30:15Z"
    assert written["run"]["as_of"] == report.run.as_of == "2026-11-26"
    exchanges = read_index(prep.out)
    assert exchanges
    assert {e["fetched_at"] for e in exchanges} == {"2026-11-26T09:30:15Z"}


def test_many_submissions_prepared_with_one_set_of_parts_load_the_policies_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[int] = []
    real = verify_module.bundled_policies

    def counting(*args: Any) -> Any:
        loads.append(1)
        return real(*args)

    monkeypatch.setattr(verify_module, "bundled_policies", counting)
    parts = RunParts(build_host())
    settings = FetchSettings()
    preps = [
        prepare(_request(tier, tmp_path / str(i), settings), parts)
        for i in range(3)
        for tier in ("platform", "solution", "training-partner")
    ]
    assert len(loads) == 1
    assert len({id(p.registry) for p in preps}) == 1
    assert {p.policy.tier for p in preps} == {"platform", "solution", "training-partner"}


def test_the_bundles_of_a_batch_are_written_one_at_a_time_off_the_event_loop() -> None:
    # Thirty partners ending at once (the directory they waited for answered) wrote thirty
    # bundles in six threads, and the partners still fetching waited behind them for the
    # interpreter: a batch writes one bundle at a time, never on the event loop.
    import threading
    import time

    from verifier.run import verify

    writing: list[int] = []
    most = 0
    threads: set[str] = set()

    def write(n: int) -> None:
        nonlocal most
        writing.append(n)
        most = max(most, len(writing))
        threads.add(threading.current_thread().name)
        time.sleep(0.01)  # long enough for another write to start beside it, if allowed
        writing.remove(n)

    async def main() -> None:
        loop_thread = threading.current_thread().name
        await asyncio.gather(*(verify._off_loop(write, n) for n in range(6)))
        assert loop_thread not in threads

    asyncio.run(main())
    assert most == 1
    assert len(threads) == 1


def test_a_bundle_write_is_never_left_running_behind_its_run() -> None:
    # Cancelled while queued behind another run's, a write never starts; cancelled (even
    # twice: Ctrl-C, then the run's own cancelling) while running, it is waited for, so
    # nothing is written after the caller removes the folder.
    import threading

    from verifier.run import verify

    order: list[str] = []
    running, go_on = threading.Event(), threading.Event()

    def first() -> None:
        running.set()
        go_on.wait(30)  # a guard against a hang, not a timing
        order.append("first")

    def queued() -> None:
        order.append("queued")

    async def main() -> None:
        writing = asyncio.ensure_future(verify._off_loop(first))
        assert await asyncio.to_thread(running.wait, 30)
        waiting = asyncio.ensure_future(verify._off_loop(queued))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        writing.cancel()
        await asyncio.sleep(0)
        writing.cancel()
        await asyncio.sleep(0)
        assert not writing.done()  # still waiting for the write
        go_on.set()
        with pytest.raises(asyncio.CancelledError):
            await writing
        assert order == ["first"]

    asyncio.run(main())
    assert order == ["first"]  # the queued write never ran
