"""A renewal re-check: every partner of a roster verified in one run (``recheck``).

Order of work: the roster, the ``--partner`` choice and the baseline are read and
validated by the caller before anything is fetched; :func:`run_recheck` then runs the
partners concurrently (at most ``concurrency`` at once) through ONE :class:`RunParts`
whose ONE live fetch cache serves them all, so that per-host concurrency and per-host
delay hold across the whole run (two partners on one host share its budget) and a page
several partners read is fetched once, while each bundle keeps its own copy.

Memory stays flat in the number of partners: each partner's bundle is written when it
finishes and only its small :class:`PartnerResult` is kept; the shared cache is bounded
(:data:`DEFAULT_MAX_KEPT`): it keeps the pages asked most recently and forgets the least
recently asked beyond the bound. A page every partner reads (a member directory) is asked
again and again and so stays; one partner's own pages age out once newer partners run.

Crash-safe and resumable: a partner's bundle is written aside in
``partners/.<id>.partial/`` and renamed to ``partners/<id>/`` only when complete (its
carried decisions appended and the bundle re-sealed). ``resume`` keeps every partner
whose bundle passes ``bundle check`` and runs the others again; a kill loses only the
partners in flight. The summary (recheck.json, .html, .md, SHA256SUMS) is written last.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from verifier._version import __version__
from verifier.bundle.check import check_bundle
from verifier.bundle.decisions import load_decisions
from verifier.bundle.files import MANIFEST, MAX_JSON, REPORT_JSON, file_sha256, read_regular
from verifier.bundle.store import atomic_write
from verifier.clock import Clock, stamp, utc_clock
from verifier.engine import DEFAULT_CHECK_TIMEOUT
from verifier.errors import BundleError, InputError
from verifier.fetch import FetchCache, FetchSettings
from verifier.fetch.conditional import ConditionalBook, count_revalidated
from verifier.fetch.fetcher import Place
from verifier.history import record_recheck
from verifier.host import HostRecipe
from verifier.inputs.roster import Roster, RosterPartner
from verifier.models import Status
from verifier.recheck.carry import CarriedFrom, CarryResult, carried_line, carry_decisions
from verifier.recheck.diff import bundle_page_changes, diff_partners, read_exchanges
from verifier.recheck.model import (
    PARTNERS,
    RECHECK_JSON,
    BaselineRef,
    CarryRecord,
    PageChanges,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    RosterRef,
    ShardRef,
    partner_bundle,
)
from verifier.recheck.shard import Shard
from verifier.recheck.views import render_recheck_html, render_recheck_md
from verifier.report import DEFAULT_FORMATS
from verifier.report.basis import Basis
from verifier.report.formats import ReportFormats
from verifier.report.model import Report, ToolRef
from verifier.run.pool import Forked, WorkerPool
from verifier.run.review import append_lines
from verifier.run.verify import (
    RunParts,
    RunRequest,
    baseline_book,
    execute,
    live_cache,
    prepare,
    shared_origins,
)

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
"""Partners verified at once unless ``--concurrency`` says otherwise: enough to keep
the latency of many hosts overlapped; per-host limits still hold across all of them."""
UNDER_WAY = 3
"""At most this many partners per place (``--concurrency``) are under way at once: those
holding a place, and twice as many again without one (reading their inputs, waiting for a
member directory another partner is reading, writing their bundles). At the start of a
run, the first partners all wait for the same directory pages (a chain of pages, each
known from the one before: about 5 s at 16 at a time); the next ones use the places
meanwhile. Measured with ``python -m bench recheck`` (300 partners, 16 at a time): with
as many again, every place stood idle about a second while the first partners waited.
Four times, tried in r22, left no place idle then but made the run 0.2-0.3 s slower in
three pairs taken in turns: more partners read the member directories at once, and the
partners holding places waited for the CPU."""
MAX_AUTO_WORKERS = 4
"""``--workers auto`` uses at most this many worker processes: beyond, the one process
that fetches every page for them (about a fifth of a re-check's CPU) is the bottleneck."""
PARTNERS_PER_WORKER = 32
"""``--workers auto`` starts a worker process for every this many partners to verify (up
to the cores, and :data:`MAX_AUTO_WORKERS`): a worker costs about a second of CPU to
start and each page it reads crosses a pipe, so a roster of fewer than twice this many
runs in one process (measured with ``python -m bench recheck --workers``: at 30
partners one process was faster, at 100 about even, at 300 the workers were)."""
WORKER_MODULE = "verifier.run.recheck_worker"
"""What a worker process runs (``python -m``)."""
DEFAULT_MAX_KEPT = 64 * 1024 * 1024
"""The shared cache's bound (bytes, :func:`verifier.fetch.fetcher.kept_weight`)."""
RECHECK_HTML = "recheck.html"
RECHECK_MD = "recheck.md"
STATE_FILE = ".recheck-run.json"
"""Written when a run starts, so that ``resume`` keeps its start time and as-of date."""


@dataclass(frozen=True)
class RecheckRequest:
    """Everything a re-check needs, validated by the caller."""

    roster: Roster
    """The roster, read and validated."""
    partners: tuple[RosterPartner, ...]
    """The partners to re-check (``--partner``), in roster order."""
    out: Path
    """The re-check folder."""
    baseline_path: Path | None = None
    """``--baseline``: an earlier re-check folder."""
    baseline: RecheckSummary | None = None
    """Its recheck.json, read."""
    resume: bool = False
    """Keep the partners of ``out`` whose bundle is intact."""
    concurrency: int = DEFAULT_CONCURRENCY
    """Partners verified at once."""
    sources_path: Path | None = None
    """``--sources``: instead of the roster's."""
    as_of: dt.date | None = None
    """Date for expiry decisions; ``None``: today (UTC), or the resumed run's."""
    settings: FetchSettings = field(default_factory=FetchSettings)
    """Fetch settings, shared by every partner."""
    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    """Seconds per requirement; a partner's requirements run at once, so this bounds a
    partner whose site is dead (its requirements error, saying they timed out)."""
    formats: tuple[str, ...] = DEFAULT_FORMATS
    """Report formats of each bundle."""
    report_formats: ReportFormats | None = None
    """The registry ``formats`` are names in."""
    max_kept: int | None = DEFAULT_MAX_KEPT
    """The shared cache's bound (``None``: keep every page)."""
    history: Path | None = None
    """The history file the finished run is recorded in (``None``: ``--no-history``)."""
    shard: Shard | None = None
    """``--shard I/N``: ``partners`` are the roster's partners of this shard."""
    baseline_sha256sums: str | None = None
    """SHA-256 of the baseline folder's SHA256SUMS, read with its recheck.json."""
    workers: int | None = 1
    """``--workers``: processes that verify partners, the pages of all of them fetched by
    this one (:mod:`verifier.run.pool`); 1: every partner in this process; ``None``
    (``auto``): :func:`auto_workers`. More than 1 needs :attr:`host_recipe`."""
    host_recipe: HostRecipe | None = None
    """How the plugin host was built, for the workers to build the same; ``None``: the
    host cannot be built again elsewhere (tests inject one), so no worker is used."""


@dataclass
class RecheckProgress:
    """What the terminal shows while a re-check runs; updated as partners go."""

    total: int
    """Partners to re-check (kept ones included)."""
    done: int = 0
    """Partners finished (or kept by resume)."""
    kept: int = 0
    """Partners kept from an earlier, interrupted run."""
    errors: int = 0
    """Partners whose outcome is error."""
    in_flight: list[str] = field(default_factory=list)
    """Partners running now."""
    cache: FetchCache | None = None
    """The shared cache: its ``requests`` (pages fetched) and ``hits``."""
    pool: WorkerPool | None = None
    """The worker processes, when partners are verified in them."""

    @property
    def pages(self) -> int:
        """Pages fetched so far (one request per URL for the whole run)."""
        return self.cache.requests if self.cache is not None else 0

    @property
    def hits(self) -> int:
        """Asks answered by a page already fetched or in flight, in every process."""
        shared = self.cache.hits if self.cache is not None else 0
        return shared + (self.pool.hits if self.pool is not None else 0)


Listener = Callable[[RecheckProgress, PartnerResult | None], None]
"""Called when a partner starts (``None``) or finishes (its result)."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(partners: int, available: int | None = None) -> int:
    """``--workers auto``: one process for a small roster; else a worker process for
    every :data:`PARTNERS_PER_WORKER` partners, at most one per core (``available``,
    default :func:`cores`) and :data:`MAX_AUTO_WORKERS`."""
    n = min(partners // PARTNERS_PER_WORKER, available or cores(), MAX_AUTO_WORKERS)
    return n if n > 1 else 1


def workers_for(request: RecheckRequest, partners: int) -> int:
    """How many worker processes verify ``partners`` partners of ``request`` (1: none,
    every partner in this process; always so on a system that is not POSIX)."""
    if request.host_recipe is None or partners < 2 or os.name != "posix":
        return 1  # (the workers' channel is a POSIX pipe read by asyncio)
    wanted = auto_workers(partners) if request.workers is None else request.workers
    return max(1, min(wanted, partners))


class PartnerPlace:
    """One partner's place among the ``places`` of a re-check: taken (:meth:`take`, with
    the URLs whose sites it will read first, handed to ``taken``) and given up
    (:meth:`give`) as often as the partner needs, held at most once at a time."""

    def __init__(
        self, places: asyncio.Semaphore, taken: Callable[[Sequence[str]], None] | None = None
    ) -> None:
        self._places = places
        self._taken = taken
        self.held = False

    async def take(self, urls: Sequence[str]) -> None:
        """Take the place unless it is held; ``taken(urls)`` once it is."""
        if not self.held:
            await self._places.acquire()
            self.held = True
            if self._taken is not None:
                self._taken(urls)

    def give(self) -> None:
        """Give the place up if it is held."""
        if self.held:
            self.held = False
            self._places.release()


def partial_dir(out: Path, partner_id: str) -> Path:
    """Where a partner's bundle is written before it is complete."""
    return out / PARTNERS / f".{partner_id}.partial"


def prepare_out(request: RecheckRequest, clock: Clock = utc_clock) -> tuple[str, dt.date]:
    """Create (or, for ``resume``, reopen) the re-check folder; the run's start time and
    as-of date. Raises :class:`InputError` (exit 2) for a folder that cannot be used."""
    out = request.out
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    state = out / STATE_FILE
    if request.resume and out.is_dir():
        started, as_of, part = _resumed(out)
        if part is not None and part != _part(request.shard):
            # Resuming a shard's folder as another shard (or as the whole roster) would
            # mix two runs' partners in one summary, which merge could not tell apart.
            raise InputError(
                f"--out {out} holds the re-check of {_part_words(part)}: resume it with "
                + (f"--shard {part}" if part else "no --shard")
                + ", or start a new re-check in a new folder"
            )
        if request.as_of is not None and as_of is not None and request.as_of != as_of:
            # The bundles kept were judged on the interrupted run's date: a summary under
            # another date would mix verdicts of two days.
            raise InputError(
                f"--as-of {request.as_of.isoformat()} differs from the date the re-check in "
                f"{out} was started with ({as_of.isoformat()}): resume without --as-of (or "
                f"with --as-of {as_of.isoformat()}), or start a new re-check in a new folder"
            )
        as_of = as_of or request.as_of
        if started is not None and as_of is not None:
            return started, as_of
        if any(out.iterdir()) and not (out / PARTNERS).is_dir():
            raise InputError(
                f"--out {out} holds no re-check to resume (no {RECHECK_JSON}, no {PARTNERS}/); "
                "give the folder of the interrupted re-check"
            )
    elif out.is_dir() and any(out.iterdir()):
        raise InputError(
            f"--out {out} is not empty (an earlier re-check?); add --resume to finish it, or "
            "choose a new folder"
        )
    moment = clock().astimezone(dt.UTC)
    now = stamp(moment)
    as_of = request.as_of or moment.date()
    try:
        (out / PARTNERS).mkdir(parents=True, exist_ok=True)
        atomic_write(
            state,
            json.dumps(
                {"started": now, "as_of": as_of.isoformat(), "shard": _part(request.shard)}
            ).encode(),
        )
    except OSError as exc:
        raise InputError(f"cannot write the re-check to --out {out}: {exc.strerror}") from exc
    return now, as_of


def _resumed(out: Path) -> tuple[str | None, dt.date | None, str | None]:
    """The interrupted run's start, as-of date and part of the roster (``"I/N"``, ``""``
    for the whole roster, ``None`` when not recorded): from its state file, else from the
    summary of a finished one."""
    for name in (STATE_FILE, RECHECK_JSON):
        try:
            data = json.loads(read_regular(out / name, MAX_JSON))
        except (OSError, ValueError, BundleError):
            continue
        run = data.get("run", data) if isinstance(data, dict) else {}
        if isinstance(run, dict):
            try:
                started, as_of = str(run["started"]), dt.date.fromisoformat(str(run["as_of"]))
            except (KeyError, ValueError):
                continue
            return started, as_of, _recorded_part(data, name)
    return None, None, None


def _recorded_part(data: dict[str, Any], name: str) -> str | None:
    # The state file says "shard": "I/N" or null (older runs: no key, nothing known);
    # a finished summary has "shard": {"index", "count"} or none (the whole roster).
    if name == STATE_FILE:
        if "shard" not in data:
            return None
        return str(data["shard"] or "")
    shard = data.get("shard")
    if isinstance(shard, dict) and shard.get("index") and shard.get("count"):
        return f"{shard['index']}/{shard['count']}"
    return ""


def _part(shard: Shard | None) -> str:
    """``"I/N"`` for a shard, ``""`` for the whole roster."""
    return "" if shard is None else str(shard)


def _part_words(part: str) -> str:
    return f"shard {part} of the roster" if part else "the whole roster (no --shard)"


def fork_workers(request: RecheckRequest) -> Forked:
    """The worker processes a run of ``request`` would start, forked now (before the
    event loop runs; see :class:`~verifier.run.pool.Forked`), for :func:`run_recheck`."""
    wanted = workers_for(request, len(request.partners))
    return Forked(WORKER_MODULE, wanted if wanted > 1 else 0)


async def run_recheck(
    request: RecheckRequest,
    parts: RunParts,
    started: str,
    as_of: dt.date,
    listener: Listener | None = None,
    forked: Forked | None = None,
) -> RecheckSummary:
    """Re-check every partner of ``request``, write the folder, return the summary.

    ``parts`` must have no cache: one is made here (bounded, see the module docstring)
    and closed at the end. A partner whose submission is invalid is that partner's
    ``error``; an internal error of one partner stops the run (a bug: exit 4). The
    worker processes are taken from ``forked`` (:func:`fork_workers`) while it has some,
    else started; those not needed (a resumed run may need fewer) are stopped at once.
    """
    results: dict[str, PartnerResult] = {}
    kept: list[PartnerResult] = []
    to_run: list[RosterPartner] = []
    for partner in request.partners:
        found = _kept(request, partner, as_of)
        if found is None:
            to_run.append(partner)
        else:
            results[partner.id] = found
            kept.append(found)
    workers = workers_for(request, len(to_run))
    cache = live_cache(
        request.settings,
        parts.clock,
        max_kept=request.max_kept,
        baseline=_validators(request),
        read_pages=workers == 1,  # else each worker reads the pages it is handed
    )
    shared = RunParts(parts.host, clock=parts.clock, cache=cache)
    progress = RecheckProgress(len(request.partners), cache=cache)
    notify = listener or (lambda _p, _r: None)
    for found in kept:
        progress.done += 1
        progress.kept += 1
        progress.errors += found.outcome == Status.ERROR
        notify(progress, found)
    # At most `concurrency` partners hold a place (fetching their own pages, reading and
    # judging them); a partner reads its submission before it takes its place, gives it
    # up while its checks only wait for pages of the sources' sites (a member directory
    # another partner is reading; it may read and judge those meanwhile), and writes its
    # bundle after it has left it, so that the next partner starts fetching meanwhile: at
    # most twice as many again are being read, waiting for shared pages or written
    # (UNDER_WAY).
    checking = asyncio.Semaphore(request.concurrency)
    preparing = asyncio.Lock()  # one partner's inputs read at a time (run_partner)
    in_flight = asyncio.Semaphore(UNDER_WAY * request.concurrency)

    async def one(partner: RosterPartner) -> None:
        async with in_flight:

            def taken(urls: Sequence[str]) -> None:
                # robots.txt of the partner's site is read as it takes its place, while
                # its checks start: its first page waits only for the delay.
                for url in urls:
                    cache.warm_robots(url)
                if partner.id not in progress.in_flight:
                    progress.in_flight.append(partner.id)
                    notify(progress, None)

            place = PartnerPlace(checking, taken)
            begin, checked = place.take, place.give
            try:
                if progress.pool is not None:
                    # Every partner asks for its place with its website, even when one is
                    # free: robots.txt of its site is read as it takes it.
                    result: PartnerResult = await progress.pool.run(partner, checked, begin)
                else:
                    result = await run_partner(
                        request, shared, partner, as_of, checked, begin, preparing
                    )
            finally:
                checked()
                if partner.id in progress.in_flight:
                    progress.in_flight.remove(partner.id)
            results[partner.id] = result
            progress.done += 1
            progress.errors += result.outcome == Status.ERROR
            notify(progress, result)

    try:
        async with contextlib.AsyncExitStack() as stack:
            if workers > 1:
                # What the workers need is sent to them; the report formats (plugin
                # objects) are registered again in each from the plugin host it builds.
                payload = (replace(request, report_formats=None), as_of)
                progress.pool = await stack.enter_async_context(
                    WorkerPool(cache, WORKER_MODULE, payload, workers, forked)
                )
            if forked is not None:
                forked.close()  # those no pool took: a resumed run may need fewer, or none
            async with asyncio.TaskGroup() as group:
                for partner in to_run:
                    group.create_task(one(partner))
    finally:
        await cache.aclose()
    summary = _summary(request, [results[p.id] for p in request.partners], started, as_of, parts)
    write_summary(request.out, summary)
    if request.history is not None:
        try:
            record_recheck(request.history, request.out, parts.clock)
        except InputError as exc:
            raise InputError(f"the re-check in {request.out} is complete, but {exc}") from exc
    return summary


def _kept(request: RecheckRequest, partner: RosterPartner, as_of: dt.date) -> PartnerResult | None:
    """A partner's result from its finished bundle, on ``resume``; ``None``: run it."""
    bundle = request.out / PARTNERS / partner.id
    partial = partial_dir(request.out, partner.id)
    if partial.exists():
        shutil.rmtree(partial)  # a partner in flight when the run was killed
    if not bundle.is_dir():
        return None
    if not request.resume or not check_bundle(bundle, request.report_formats).ok:
        shutil.rmtree(bundle)  # broken, or left by a run not resumed: made again
        return None
    report_json = read_regular(bundle / REPORT_JSON, MAX_JSON)  # read once: parsed and hashed
    report = Report.from_json(json.loads(report_json))  # an object: check_bundle said so
    return _finished(request, partner, bundle, report, report_json, as_of, carry=False)


async def run_partner(
    request: RecheckRequest,
    parts: RunParts,
    partner: RosterPartner,
    as_of: dt.date,
    on_checked: Callable[[], None] | None = None,
    begin: Callable[[Sequence[str]], Awaitable[None]] | None = None,
    preparing: asyncio.Lock | None = None,
) -> PartnerResult:
    """Verify one partner: its bundle written aside and renamed when complete, the
    baseline's decisions carried. ``begin`` is awaited once its inputs are read and valid
    and its folder begun, before its checks start (a re-check takes the partner's place
    among those checked at once there), with the partner's website (robots.txt of its
    site is read then). ``on_checked`` is called when its checks only wait for pages of
    the sources' sites (it gives its place up; ``begin`` is awaited again, with no URL,
    before it asks a page elsewhere) and when its checks have ended and it will fetch
    nothing more (:func:`verifier.run.verify.execute`), before its bundle is written.

    ``preparing``, shared by the partners of one process, is held from the start until
    the partner's inputs are read and its folder begun: one partner is prepared at a
    time, and between two the event loop serves the partners already checking. (A batch
    hands its partners on together; prepared all at once, without a turn of the loop
    between them, the first ones could not start before the last was ready.)"""
    held = False
    if preparing is not None:
        await preparing.acquire()
        held = True

    def prepared() -> None:
        nonlocal held
        if held and preparing is not None:
            held = False
            preparing.release()

    try:
        if held:
            # A turn of the loop with it held: the partners handed on with this one then
            # queue for it, instead of each finding it free in the same turn.
            await asyncio.sleep(0)
        return await _run_partner(request, parts, partner, as_of, on_checked, begin, prepared)
    finally:
        prepared()


async def _run_partner(
    request: RecheckRequest,
    parts: RunParts,
    partner: RosterPartner,
    as_of: dt.date,
    on_checked: Callable[[], None] | None,
    begin: Callable[[Sequence[str]], Awaitable[None]] | None,
    prepared: Callable[[], None],
) -> PartnerResult:
    partial = partial_dir(request.out, partner.id)
    if partial.exists():
        shutil.rmtree(partial)
    run = RunRequest(
        submission_path=partner.submission,
        out=partial,
        fallback_program=partner.program,
        sources_path=request.sources_path or partner.sources,
        as_of=as_of,
        settings=request.settings,
        check_timeout=request.check_timeout,
        formats=request.formats,
        report_formats=request.report_formats,
        baseline_bundle=_baseline_bundle(request, partner.id),
    )
    try:
        try:
            prep = prepare(run, parts)
        except InputError as exc:
            return PartnerResult.unverified(partner.id, str(exc), renewal_due=partner.renewal_due)
        try:
            place = None
            if on_checked is not None and begin is not None:
                # Given up while its checks only wait for the pages every partner reads.
                place = Place(on_checked, functools.partial(begin, ()), shared_origins(prep))

            async def ready() -> None:
                prepared()
                if place is not None and begin is not None:
                    await begin([str(prep.submission.applicant.website)])

            report = await execute(prep, run, on_checked=on_checked, on_ready=ready, place=place)
        except InputError as exc:  # its bundle could not be written (a full disk)
            return PartnerResult.unverified(partner.id, str(exc), renewal_due=partner.renewal_due)
        report_json = read_regular(partial / REPORT_JSON, MAX_JSON)
        result = _finished(request, partner, partial, report, report_json, as_of, carry=True)
        bundle = request.out / PARTNERS / partner.id
        if bundle.exists():
            shutil.rmtree(bundle)
        partial.rename(bundle)  # the bundle appears whole, or not at all
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return result


def _baseline_bundle(request: RecheckRequest, partner_id: str) -> Path | None:
    if request.baseline is None or request.baseline_path is None:
        return None
    old = request.baseline.partner(partner_id)
    if old is None or old.outcome is None:
        return None
    found = partner_bundle(request.baseline_path, old)
    return found if found is not None and (found / REPORT_JSON).is_file() else None


def _validators(request: RecheckRequest) -> ConditionalBook | None:
    """The baseline captures this run may ask again conditionally: those of the baseline
    bundles of the partners re-checked (:mod:`verifier.fetch.conditional`)."""
    if request.baseline is None:
        return None
    bundles = (_baseline_bundle(request, partner.id) for partner in request.partners)
    book = baseline_book(b for b in bundles if b is not None)
    for problem in book.problems:
        log.warning("%s: its pages are asked again without validators", problem)
    return book


def _basis(bundle: Path) -> Basis:
    """A bundle's report.json (read once, as a regular file within its bound) and
    review.jsonl: what a partner's entry and the carrying of decisions are made from."""
    return Basis.read(read_regular(bundle / REPORT_JSON, MAX_JSON), bundle)


def _carry(
    old: Path, report: Report, report_sha256: str, as_of: dt.date
) -> tuple[CarryResult, CarriedFrom]:
    """Which decisions of the baseline bundle ``old`` carry over to ``report``, and the
    ``carried`` field their lines get."""
    then = _basis(old)
    found = carry_decisions(
        then.report,
        then.report_sha256,
        then.decisions,
        report,
        report_sha256,
        as_of,
        str(old),
    )
    return found, CarriedFrom(str(old), then.report_sha256, as_of.isoformat())


def _finished(
    request: RecheckRequest,
    partner: RosterPartner,
    bundle: Path,
    report: Report,
    report_json: bytes,
    as_of: dt.date,
    *,
    carry: bool,
) -> PartnerResult:
    """A finished partner's entry, from its bundle on disk; with ``carry``, the baseline's
    decisions that still hold are appended to the bundle first (and it is re-sealed)."""
    sha = hashlib.sha256(report_json).hexdigest()
    old = _baseline_bundle(request, partner.id)
    records: tuple[CarryRecord, ...] = ()
    pages = PageChanges()
    if old is not None:
        try:
            found, origin = _carry(old, report, sha, as_of)
            pages = bundle_page_changes(old, bundle)
        except (OSError, ValueError, BundleError) as exc:
            # A baseline bundle someone broke (not JSON, a link, its index gone) must not
            # stop every partner's re-check: nothing of it is carried, and the terminal
            # says why (the partner's changes still come from the baseline's summary).
            log.warning(
                "baseline bundle %s cannot be read (%s): no decision of it is carried over "
                "and its pages are not compared",
                old,
                exc,
            )
        else:
            if carry and found.carried:
                lines = b"".join(carried_line(d, origin) for d in found.carried)
                append_lines(bundle, lines, request.report_formats)
            records = found.records
    decisions, _problems = load_decisions(bundle)
    result = PartnerResult.of_report(
        partner.id, report, sha, decisions, as_of, renewal_due=partner.renewal_due
    )
    return replace(
        result, pages=pages, decisions=records, not_modified=_not_modified(request, bundle)
    )


def _not_modified(request: RecheckRequest, bundle: Path) -> int:
    """Pages of ``bundle`` answered 304 and re-used from the baseline (none without one)."""
    if request.baseline is None:
        return 0
    try:
        return count_revalidated(read_exchanges(bundle))
    except BundleError:
        return 0  # its own index, just written: unreadable only if someone broke it


def _baseline_as_decided(request: RecheckRequest) -> RecheckSummary:
    """The baseline as staff left it: each partner's effective statuses read again from its
    bundle (report.json and review.jsonl), so that a decision recorded on a baseline
    bundle after its run counts as the baseline's (CONTRACT.md: "a staff decision's where
    one applies (carried over or recorded later)"), judged on the baseline's as-of date. A
    partner whose bundle is gone or unreadable keeps what the baseline's recheck.json says.
    """
    base = request.baseline
    assert base is not None  # only called with a baseline
    try:
        as_of = dt.date.fromisoformat(str(base.run.as_of))
    except ValueError:
        return base
    partners = []
    for old in base.partners:
        bundle = _baseline_bundle(request, old.id) if old.id is not None else None
        if old.id is None or bundle is None:
            partners.append(old)
            continue
        try:
            then = _basis(bundle)
        except (OSError, ValueError, BundleError):
            partners.append(old)
            continue
        again = PartnerResult.of_report(
            old.id, then.report, then.report_sha256, then.decisions, as_of
        )
        partners.append(replace(old, outcome=again.outcome, requirements=again.requirements))
    return replace(base, partners=tuple(partners))


def _summary(
    request: RecheckRequest,
    results: Sequence[PartnerResult],
    started: str,
    as_of: dt.date,
    parts: RunParts,
) -> RecheckSummary:
    listed: tuple[PartnerResult, ...] = tuple(results)
    baseline_ref = None
    shard = request.shard
    if request.baseline is not None:
        chosen = {p.id for p in request.partners}
        skipped = [i for i in request.roster.ids() if i not in chosen]
        if shard is not None:
            # A partner removed since the baseline is listed by its own shard only.
            skipped += [str(p.id) for p in request.baseline.partners if not shard.holds(str(p.id))]
        listed = diff_partners(_baseline_as_decided(request), listed, skipped)
        baseline_ref = BaselineRef(str(request.baseline_path), request.baseline.run.started)
    return RecheckSummary.summarise(
        listed,
        tool=ToolRef("finops-verifier", __version__),
        run=RecheckRun(started, stamp(parts.clock()), as_of.isoformat()),
        roster=RosterRef(
            str(request.roster.path),
            request.roster.sha256,
            str(request.roster.path.resolve()),
            len(request.roster.partners),
        ),
        baseline=baseline_ref,
        history=str(request.history.resolve()) if request.history is not None else None,
        baseline_sha256sums=request.baseline_sha256sums,
        shard=_shard_ref(request, listed),
    )


def _shard_ref(request: RecheckRequest, listed: Sequence[PartnerResult]) -> ShardRef | None:
    """``shard`` of a ``--shard`` run: I, N and each listed partner's place in the list
    a run of the whole roster makes (roster order, then the removed in baseline order)."""
    if request.shard is None:
        return None
    ids = request.roster.ids()
    place = {pid: n for n, pid in enumerate(ids)}
    if request.baseline is not None:
        for n, old in enumerate(request.baseline.partners):
            place.setdefault(str(old.id), len(ids) + n)
    places = tuple(place[str(p.id)] for p in listed)
    return ShardRef(request.shard.index, request.shard.count, places)


def write_summary(out: Path, summary: RecheckSummary) -> None:
    """Write recheck.json, recheck.html, recheck.md, then SHA256SUMS over them and over
    each partner's SHA256SUMS (last: it seals what is there)."""
    text = json.dumps(summary.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(out / RECHECK_JSON, text.encode("utf-8"))
    atomic_write(out / RECHECK_HTML, render_recheck_html(summary).encode("utf-8"))
    atomic_write(out / RECHECK_MD, render_recheck_md(summary).encode("utf-8"))
    files = [RECHECK_JSON, RECHECK_HTML, RECHECK_MD]
    files += [
        f"{PARTNERS}/{p.id}/{MANIFEST}"
        for p in summary.partners
        if p.bundle is not None and (out / PARTNERS / str(p.id) / MANIFEST).is_file()
    ]
    lines = [f"{file_sha256(out / rel)}  {rel}\n" for rel in sorted(files)]
    atomic_write(out / MANIFEST, "".join(lines).encode("utf-8"))
    (out / STATE_FILE).unlink(missing_ok=True)
