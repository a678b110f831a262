"""One verification from files to a report directory: what ``verify`` and ``demo`` run.

Order of work: validate every input (submission, policy, sources) before any fetch; run
the engine; write captures, report.json and the other formats. A fault in a check never
prevents the report: every other requirement's verdict is written.

A report folder is whole or absent: when the disk fills (or any write fails) the folder
is removed and :func:`execute` raises :class:`InputError` saying what happened, so that
nothing which looks like a finished bundle is left behind.

Each input file is read once, in :func:`prepare` (:mod:`verifier.inputs.copies`): the bytes
parsed are the bytes hashed into report.json and copied into the bundle.

What the runs of one invocation share is built once, in :class:`RunParts`: the check
registry, the bundled policies, the clock, and (for a batch) a fetch cache, so that many
submissions cost one load of every policy and one request per URL, while each report
folder records and keeps its own copy of what its run used.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import difflib
import errno
import hashlib
import re
import shutil
import unicodedata
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from verifier._version import __version__
from verifier.bundle.check import load_manifest, seal
from verifier.bundle.store import EvidenceStore, sync_tree, unsynced
from verifier.clock import Clock, stamp, utc_clock
from verifier.engine import DEFAULT_CHECK_TIMEOUT, run_policy
from verifier.errors import InputError, PolicyError, Problem, SubmissionError
from verifier.fetch import FetchCache, Fetcher, FetchSettings, LiveSource, PageSource
from verifier.fetch.bounded import reads_first
from verifier.fetch.conditional import ConditionalBook
from verifier.fetch.fetcher import Place
from verifier.host import CheckRegistry, PluginHost
from verifier.inputs.copies import (
    POLICY_COPY,
    SUBMISSION_COPY,
    keep_source_files,
    policy_bytes,
    read_source_files,
    read_submission_once,
    write_inputs,
)
from verifier.inputs.policy import bundled_policies, load_policy, select_policy, source_names
from verifier.inputs.sources import Source, merged_sources
from verifier.inputs.submission import Submission
from verifier.inputs.yamlfile import LineMap
from verifier.models import Policy, RequirementResult, overall_status
from verifier.report import DEFAULT_FORMATS, REPORT_SCHEMA, write_all
from verifier.report.formats import ReportFormats, builtin_formats
from verifier.report.model import (
    ApplicantRef,
    PluginProblemRecord,
    PolicyRef,
    Report,
    ReportedRequirement,
    RunRecord,
    SourceFile,
    SubmissionRef,
    ToolRef,
)
from verifier.urls import origin_of

DEFAULT_PROGRAM = "2022"


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs from the person or script that asked for it."""

    submission_path: Path
    """The submission file."""
    out: Path | None = None
    """Report directory; ``None``: ``./finops-verify-report/<slug>-<timestamp>/``."""
    program: str | None = None
    """Program version; ``None``: the submission's, else ``fallback_program``, else
    :data:`DEFAULT_PROGRAM`."""
    fallback_program: str | None = None
    """The program of a submission that names none (a re-check roster's ``program``)."""
    policy_path: Path | None = None
    """A policy file to use instead of a bundled one."""
    sources_path: Path | None = None
    """Overrides of the bundled sources."""
    as_of: dt.date | None = None
    """Date for expiry decisions; ``None``: today (UTC)."""
    settings: FetchSettings = field(default_factory=FetchSettings)
    """Fetch settings."""
    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    """Seconds per requirement when its policy sets none."""
    formats: tuple[str, ...] = DEFAULT_FORMATS
    """Report formats (report.json is always written)."""
    report_formats: ReportFormats | None = None
    """The registry ``formats`` are names in; ``None``: the built-in formats."""
    baseline_bundle: Path | None = None
    """This run's own bundle in a re-check's baseline: a page answered 304 (asked again
    with a baseline capture) cites it when it holds the same capture."""


class RunParts:
    """What many runs share, built once and reused for each submission.

    :param host: the plugin host; its check registry and policy folders are built once.
    :param clock: the one clock of every run made with these parts (:mod:`verifier.clock`).
    :param cache: pages fetched once for every run given these parts (a batch); its owner
        builds it with the runs' own fetch settings (:func:`live_cache`) and closes it.
        ``None``: each run fetches through a cache of its own.
    """

    def __init__(
        self, host: PluginHost, *, clock: Clock = utc_clock, cache: FetchCache | None = None
    ) -> None:
        self.host = host
        self.clock = clock
        self.cache = cache
        self._bundled: list[Policy] | None = None

    @property
    def registry(self) -> CheckRegistry:
        """The checks of every plugin, with the problems met loading them."""
        return self.host.checks()

    @property
    def policy_dirs(self) -> list[Path]:
        """The folders of bundled policies (and sources), from every plugin."""
        return self.host.policy_dirs()

    def bundled_policies(self) -> list[Policy]:
        """Every bundled policy, loaded and validated at the first call only."""
        if self._bundled is None:
            self._bundled = bundled_policies(self.policy_dirs, self.registry)
        return self._bundled


def baseline_book(bundles: Iterable[Path]) -> ConditionalBook:
    """The captures of the baseline ``bundles`` that can be asked again conditionally,
    each bundle's index checked against its SHA256SUMS (what cannot be read is left out
    and said in the book's ``problems``)."""
    book = ConditionalBook()
    for bundle in bundles:
        book.add_bundle(bundle, load_manifest(bundle).entries)
    return book


def live_cache(
    settings: FetchSettings,
    clock: Clock = utc_clock,
    *,
    max_kept: int | None = None,
    baseline: ConditionalBook | None = None,
    read_pages: bool = True,
) -> FetchCache:
    """A fetch cache over the web under ``settings``, for :attr:`RunParts.cache`: the runs
    sharing it fetch each URL once (while it keeps it: ``max_kept``, see
    :class:`FetchCache`). Its owner closes it (``await cache.aclose()``). ``baseline``:
    the baseline captures its pages are asked again conditionally with
    (:mod:`verifier.fetch.conditional`). ``read_pages=False``: the pages are kept and
    handed on unread, for worker processes that read them (:mod:`verifier.run.pool`)."""
    return FetchCache(
        LiveSource(settings, clock=clock, baseline=baseline, read_pages=read_pages),
        max_tags=settings.max_tags,
        read_timeout=settings.parse_timeout,
        clock=clock,
        max_kept=max_kept,
        read_pages=read_pages,
    )


@dataclass(frozen=True)
class Prepared:
    """Validated inputs of a run: nothing has been fetched yet."""

    submission: Submission
    policy: Policy
    registry: CheckRegistry
    sources: dict[str, Source]
    as_of: dt.date
    out: Path
    submission_bytes: bytes
    """The submission file as read, once: parsed, hashed and copied from these bytes."""
    policy_bytes: bytes
    """The policy file's bytes, those whose SHA-256 the parsed policy records."""
    source_bytes: dict[str, bytes]
    """The bytes of each local-file source, by source name, read once."""
    out_created: bool
    """Whether this run created ``out`` (a run that fails to write removes it; an empty
    folder given by ``--out`` is emptied and kept)."""
    parts: RunParts
    """The shared parts the run was prepared with (clock, fetch cache)."""


def slugify(text: str, limit: int = 60) -> str:
    """A safe directory-name part from any text (no separators, no dots at the start)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or "applicant"


def prepare(request: RunRequest, parts: RunParts) -> Prepared:
    """Load and validate every input; raises :class:`InputError` on the first bad file.

    Creates the report directory last, once every input is known to be good.
    """
    name = str(request.submission_path)
    submission, lines, submission_bytes = read_submission_once(request.submission_path)
    registry = parts.registry
    dirs = parts.policy_dirs
    program = request.program or submission.program or request.fallback_program or DEFAULT_PROGRAM
    bundled = parts.bundled_policies()
    if request.policy_path is not None:
        policy = load_policy(request.policy_path, registry)
        if policy.tier != submission.tier:
            raise InputError(
                f"policy {request.policy_path} is for tier {policy.tier!r} but "
                f"{request.submission_path} applies for {submission.tier!r}"
            )
    else:
        try:
            policy = select_policy(bundled, program, submission.tier)
        except PolicyError as exc:
            # The value came from the submission (unless --program chose it): point there.
            field = "program" if str(exc).startswith("no policy for program") else "tier"
            if field == "program" and (request.program or submission.program is None):
                raise
            raise SubmissionError(
                f"{name} asks for a policy that does not exist",
                (Problem(name, lines.line((field,)), field, str(exc)),),
            ) from exc
    _check_attestation_ids(submission, policy, bundled, name, lines)
    sources = merged_sources(dirs, request.sources_path, source_names(policy.requirements))
    now = parts.clock().astimezone(dt.UTC)
    as_of = request.as_of or now.date()
    out = request.out or Path("finops-verify-report") / (
        f"{slugify(submission.applicant.name)}-{now.strftime('%Y%m%dT%H%M%SZ')}"
    )
    kept_policy = policy_bytes(policy)
    out_created = _make_out(out)
    return Prepared(
        submission,
        policy,
        registry,
        sources,
        as_of,
        out,
        submission_bytes=submission_bytes,
        policy_bytes=kept_policy,
        source_bytes=read_source_files(sources),
        out_created=out_created,
        parts=parts,
    )


def shared_origins(prep: Prepared) -> frozenset[str]:
    """The origins of the run's web sources: pages every run of a batch reads."""
    return frozenset(origin_of(s.url) for s in prep.sources.values() if s.url) - {""}


def with_sources(prep: Prepared, sources: dict[str, Source]) -> Prepared:
    """``prep`` consulting ``sources`` instead of its own (replay: the bundle's copies);
    local files among them are read now, once."""
    return dataclasses.replace(prep, sources=sources, source_bytes=read_source_files(sources))


def _check_attestation_ids(
    submission: Submission, policy: Policy, bundled: list[Policy], name: str, lines: LineMap
) -> None:
    """A statement filed under a misspelt requirement id would be silently dropped and
    its requirement reported as "not provided": refuse it, naming the line. An id of
    another program's policy is no typo (a submission re-verified under a newer program
    at renewal): it is kept, and simply not used."""
    ids = [r.id for r in policy.requirements]
    anywhere = set(ids) | {r.id for p in bundled for r in p.requirements}
    problems = []
    for key in submission.attestations:
        if key not in anywhere:
            close = difflib.get_close_matches(key, ids, n=1)
            elsewhere = difflib.get_close_matches(key, sorted(anywhere - set(ids)), n=1)
            if close:
                hint = f"did you mean '{close[0]}'?"
            elif elsewhere:
                hint = (
                    f"did you mean '{elsewhere[0]}'? (a requirement of another policy: "
                    "the tier applied for has no such requirement)"
                )
            else:
                hint = f"its ids: {', '.join(ids)}"
            problems.append(
                Problem(
                    name,
                    lines.line(("attestations", key)),
                    f"attestations.{key}",
                    f"policy {policy.id} has no requirement {key!r}; {hint}",
                )
            )
    if problems:
        raise SubmissionError(
            f"{name} files statements under unknown requirements", tuple(problems)
        )


def _make_out(out: Path) -> bool:
    """Create the report directory; refuse one that holds files already, whose captures
    would mix with this run's under one SHA256SUMS. Returns whether it was created."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        raise InputError(
            f"--out {out} is not empty (a previous report?); choose a new directory or "
            "remove it: a report directory holds one run"
        )
    created = not out.is_dir()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"cannot write the report to --out {out}: {exc.strerror}") from exc
    return created


async def execute(
    prep: Prepared,
    request: RunRequest,
    *,
    source: PageSource | None = None,
    on_done: Callable[[RequirementResult], None] | None = None,
    on_checked: Callable[[], None] | None = None,
    on_ready: Callable[[], Awaitable[None]] | None = None,
    place: Place | None = None,
) -> Report:
    """Run the checks and write the report directory; returns the report.

    Pages come from ``source`` when given (replay: a bundle's captures), else from the
    fetch cache of ``prep.parts`` when it has one (a batch), else from the web under
    ``request.settings``; either way the captures this run used are written to its folder.
    ``on_checked`` is called once every check has ended and nothing more will be fetched,
    before the reports are written (a batch lets its next run start fetching then).
    ``on_ready`` is awaited once the run's folder and inputs are written, just before its
    first check starts (a batch holds the run there until it may fetch). ``place``: the
    run's place in a batch, given up while its checks only wait for shared pages
    (:class:`~verifier.fetch.fetcher.Place`).

    Raises :class:`InputError` when the report cannot be written (a full disk), after
    removing what the run had written: see the module docstring.
    """
    try:
        return await _execute(prep, request, source, on_done, on_checked, on_ready, place)
    except OSError as exc:
        raise _discard(prep, exc) from exc


def remove_unfinished(prep: Prepared) -> str:
    """Remove what a run that did not finish wrote (a full disk, Ctrl-C): its report
    folder when the run created it, else the folder's content (it was empty before the
    run); returns the sentence saying so. Raises :class:`OSError` when removing fails."""
    out = prep.out
    if prep.out_created:
        shutil.rmtree(out)
        return f"the unfinished folder {out} was removed"
    for entry in out.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return f"what the run had written in {out} was removed"


def _discard(prep: Prepared, failure: OSError) -> InputError:
    """Remove the unfinished report folder; the error that says what happened."""
    out = prep.out
    where = f" while writing {failure.filename}" if failure.filename else ""
    head = f"cannot write the report to {out}: {failure.strerror or failure}{where}"
    try:
        removed = remove_unfinished(prep)
    except OSError as undo:
        return InputError(
            f"{head}; removing the unfinished folder failed too ({undo.strerror or undo}): "
            f"delete {out} by hand, it is not a complete report"
        )
    full = failure.errno in (errno.ENOSPC, errno.EDQUOT)
    remedy = "free some space" if full else "fix that"
    return InputError(
        f"{head}; {removed}, nothing was kept: {remedy} (or choose another --out) and run again"
    )


async def _execute(
    prep: Prepared,
    request: RunRequest,
    source: PageSource | None,
    on_done: Callable[[RequirementResult], None] | None,
    on_checked: Callable[[], None] | None = None,
    on_ready: Callable[[], Awaitable[None]] | None = None,
    place: Place | None = None,
) -> Report:
    prep.out.mkdir(parents=True, exist_ok=True)
    with unsynced():  # made durable with the rest of the bundle (_write_bundle)
        write_inputs(prep.out, prep.submission_bytes, prep.policy_bytes)
        kept, consulted = keep_source_files(prep.out, prep.sources, prep.source_bytes)
    store = EvidenceStore(prep.out)
    clock = prep.parts.clock
    fetcher = Fetcher(
        source or prep.parts.cache or LiveSource(request.settings, clock=clock),
        store,
        max_tags=request.settings.max_tags,
        read_timeout=request.settings.parse_timeout,
        clock=clock,
        own_baseline=(
            None if request.baseline_bundle is None else baseline_book([request.baseline_bundle])
        ),
        place=place,
    )
    if on_ready is not None:
        await on_ready()
    started = stamp(clock())
    try:
        # In a batch, the run's page reads go before those of runs that gave their place
        # up (they wait for shared pages): its place is the batch's scarce time.
        held = weakref.ref(fetcher)  # the tasks of the run keep this, not the fetcher
        with reads_first(lambda: (f := held()) is not None and f.holds_place):
            results = await run_policy(
                prep.policy,
                prep.submission,
                prep.registry,
                fetcher,
                sources=consulted,
                as_of=prep.as_of,
                check_timeout=request.check_timeout,
                max_fetches_per_check=request.settings.max_fetches_per_check,
                on_done=on_done,
            )
    finally:
        await fetcher.aclose()
    if on_checked is not None:
        on_checked()
    report = build_report(prep, request, results, started, stamp(clock()), kept)
    await _off_loop(_write_bundle, store, report, prep, request)
    # The bundle's files are made durable in a thread of their own, while the writer
    # thread goes on with the next bundle of a batch. OSError (a full disk): no bundle.
    await _off_loop(sync_tree, prep.out, executor=_SYNCERS)
    return report


def _write_bundle(
    store: EvidenceStore, report: Report, prep: Prepared, request: RunRequest
) -> None:
    with unsynced():
        store.write_index()  # the captures, then the index
        write_all(report, prep.out, request.formats, request.report_formats)
        seal(prep.out)  # last: SHA256SUMS covers everything written before it


_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bundle-writer")
"""The one thread bundles are written in (:func:`_off_loop`)."""
_SYNCERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bundle-sync")
"""The threads written bundles are synced to disk in (:func:`sync_tree`): waiting on the
disk, they hold no GIL, and several bundles' fsyncs at once share the journal's commits."""


async def _off_loop(
    fn: Callable[..., object], *args: object, executor: ThreadPoolExecutor = _WRITER
) -> None:
    """Run ``fn(*args)``, blocking file work (rendering, gzip, hashing, fsync), in
    ``executor``, the bundle writer thread unless told: in a batch the event loop keeps
    serving the other runs' fetches meanwhile, and zlib, hashlib and fsync release the
    GIL, so it uses a second core. One bundle at a time: their Python holds the GIL, and
    thirty partners ending at once (the member directory they waited for is answered)
    wrote thirty bundles in six threads, taking turns with the reads of the partners
    still fetching, which waited a second for them. Cancelled while queued, it never
    runs; once running, it is waited for however often the caller is cancelled (Ctrl-C
    twice), so that nothing is written after the caller removes the folder."""
    started = executor.submit(fn, *args)
    done = asyncio.wrap_future(started)
    try:
        await asyncio.shield(done)
    except asyncio.CancelledError:
        if started.cancel():
            raise  # still queued: it never runs
        while not done.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([done])
        raise


def build_report(
    prep: Prepared,
    request: RunRequest,
    results: list[RequirementResult],
    started: str,
    finished: str,
    source_files: Mapping[str, Mapping[str, str]] | None = None,
) -> Report:
    """The report of a run (report.json is its :meth:`~Report.to_json`; CONTRACT.md,
    "report.json"). ``source_files``: what :func:`keep_source_files` kept."""
    sub = prep.submission
    statuses = [r.status for r in results]
    counts = Counter(s.value for s in statuses)
    return Report(
        schema=REPORT_SCHEMA,
        tool=ToolRef("finops-verifier", __version__),
        run=RunRecord(
            started=started,
            finished=finished,
            as_of=prep.as_of.isoformat(),
            # and the operator's plugin choices (--plugins-dir, --prefer-plugin), if any
            settings={**request.settings.to_json(), **prep.registry.run_record()},
            check_timeout=request.check_timeout,
            # The human reports written: bundle check requires each of them.
            formats=tuple((request.report_formats or builtin_formats()).written(request.formats)),
        ),
        applicant=ApplicantRef(sub.applicant.name, sub.applicant.website, sub.applicant.employees),
        tier=sub.tier,
        policy=PolicyRef(
            id=prep.policy.id,
            program=prep.policy.program,
            version=prep.policy.version,
            sha256=prep.policy.sha256,
            title=prep.policy.title,
            source=prep.policy.source,
            file=POLICY_COPY,
        ),
        submission=SubmissionRef(
            SUBMISSION_COPY, hashlib.sha256(prep.submission_bytes).hexdigest()
        ),
        sources={name: s.location for name, s in sorted(prep.sources.items())},
        raw_outcome=overall_status(statuses).value,
        counts={k: counts[k] for k in sorted(counts)},
        plugin_problems=tuple(
            PluginProblemRecord(p.plugin, p.distribution, p.message, p.check)
            for p in prep.registry.problems
        ),
        requirements=tuple(ReportedRequirement.of(r) for r in results),
        source_files={name: SourceFile(**copy) for name, copy in (source_files or {}).items()},
    )
