"""Offline replay: run a bundle's policy on its submission again, from its captures alone.

``finops-verify replay DIR`` first runs the integrity check (a bundle that fails it is
refused: replaying altered evidence proves nothing), then re-runs the policy copy
(``DIR/policy.yaml``) on the submission copy (``DIR/submission.yaml``) with the recorded
as-of date, fetch settings and sources, through a :class:`ReplaySource`: every fetch is
answered from ``captures/index.json`` and ``captures/<sha256>`` (the recorded redirect
hops, status, headers and time; a recorded fetch fault is raised again as the same
:class:`~verifier.errors.FetchError` subclass with the same reason). A page a server
answered ``304 Not Modified`` in a re-check (its exchange has ``revalidated``) is rebuilt
as the live run built it, a :class:`~verifier.fetch.conditional.RevalidatedPage`, so its
evidence says again "unchanged since <date> (HTTP 304)"; a ``revalidated`` field that
cannot be read makes that fetch a fault (:class:`~verifier.errors.FetchFailed` naming
the field), never a plain page: the evidence would otherwise tell a 304 as a page sent
whole. Each capture that cannot be served is also named in the result's notes, so replay
says so even where the verdicts resting on it come out the same. A URL the bundle never
fetched raises :class:`~verifier.errors.FetchRefused`, which makes that requirement
``error``: replay never opens a socket. Local-file sources
are read from the copies the run kept under ``sources/``.

The replayed report is written to another directory (never into the bundle, which would
then fail its check); the differences are the requirements whose status or summary
changed. For an untouched bundle and unchanged checks there is none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier import errors
from verifier._version import __version__
from verifier.bundle.check import check_bundle, load_report
from verifier.bundle.store import CAPTURES, INDEX, is_sha256, read_index
from verifier.errors import (
    BundleError,
    FetchError,
    FetchFailed,
    FetchRefused,
    InputError,
    VerifierError,
)
from verifier.fetch.conditional import RevalidatedPage, recorded_revalidation
from verifier.fetch.page import Hop, Page
from verifier.fetch.settings import FIELDS, FetchSettings
from verifier.host import PluginHost
from verifier.inputs.copies import POLICY_COPY, SUBMISSION_COPY
from verifier.inputs.sources import Source
from verifier.report import DEFAULT_FORMATS
from verifier.report.formats import ReportFormats
from verifier.report.model import PluginRef, Report, ReportedRequirement
from verifier.run.verify import RunParts, RunRequest, execute, prepare, with_sources

_FETCH_ERRORS: dict[str, type[FetchError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, FetchError)
}


class ReplayImpossible(VerifierError):
    """An intact bundle this version cannot re-run; replay exits 3 (nothing was judged)."""


class ReplaySource:
    """A :class:`~verifier.fetch.PageSource` answering from a bundle's captures only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.exchanges: dict[str, dict[str, Any]] = {}
        for ex in read_index(root):
            self.exchanges.setdefault(str(ex.get("url", "")).strip(), ex)
        self.served: list[str] = []
        """URLs answered from the captures, in order."""
        self.missing: list[str] = []
        """URLs asked that the bundle never fetched."""
        self.unserved: list[str] = []
        """Captures the bundle holds but could not serve, each as ``URL: why``."""

    async def get(self, url: str) -> Page:
        """The recorded answer for ``url``; see the module docstring."""
        ex = self.exchanges.get(url.strip())
        if ex is None:
            self.missing.append(url)
            raise FetchRefused(
                url, "not in the bundle's captures (replay makes no network request)"
            )
        if ex.get("error") is not None:
            cls = _FETCH_ERRORS.get(str(ex.get("error_type")), FetchError)
            self.served.append(url)
            raise cls(url, str(ex["error"]), attempts=int(ex.get("attempts") or 0))
        sha = str(ex.get("sha256"))
        if not is_sha256(sha):
            # index.json is data from the bundle: never let it name a path.
            raise self._unserved(url, f"the bundle's index names no valid capture ({sha[:80]!r})")
        path = self.root / CAPTURES / sha
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise self._unserved(url, f"the bundle lacks the capture {sha}") from exc
        if hashlib.sha256(body).hexdigest() != sha:
            raise self._unserved(url, f"the capture {sha} does not match its hash")
        try:
            again = recorded_revalidation(ex)
        except ValueError as exc:
            # The bundle passed its check, so the run (or someone who resealed it) wrote
            # this: the page's bytes are known, but not what the server answered for them,
            # and the evidence would say one or the other. Neither is guessed.
            raise self._unserved(
                url,
                f"the bundle's {CAPTURES}/{INDEX} records a 304 for this URL that cannot "
                f"be read ({exc}); replay does not guess what the server answered: "
                "replay the bundle with the version that wrote it, or run the re-check again",
            ) from exc
        self.served.append(url)
        page = Page(
            url=url,
            final_url=str(ex.get("final_url") or url),
            status=int(ex["status"]),
            headers={str(k): str(v) for k, v in (ex.get("headers") or {}).items()},
            body=body,
            sha256=sha,
            fetched_at=str(ex.get("fetched_at")),
            hops=tuple(Hop.from_json(h) for h in ex.get("hops") or []),
            attempts=int(ex.get("attempts") or 1),
            notes=tuple(str(n) for n in ex.get("notes") or []),
        )
        if again is None:
            return page
        # The page a 304 stood for, built as the live run built it (its evidence wording
        # is RevalidatedPage's alone).
        fields = {f.name: getattr(page, f.name) for f in dataclasses.fields(Page)}
        return RevalidatedPage(**fields, revalidated=again)

    def _unserved(self, url: str, why: str) -> FetchFailed:
        """The fault for a capture that cannot be served, noted so that replay names it
        even where the verdicts resting on it come out the same."""
        self.unserved.append(f"{url}: {why}")
        return FetchFailed(url, why)

    async def aclose(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class Difference:
    """One requirement whose replayed verdict differs from the recorded one."""

    id: str
    """Requirement id."""
    before: tuple[str, str] | None
    """Recorded (status, summary); ``None`` when the bundle has no such requirement."""
    after: tuple[str, str] | None
    """Replayed (status, summary); ``None`` when the replay has no such requirement."""


@dataclass
class ReplayResult:
    """What a replay found."""

    original: Report
    """The bundle's report.json."""
    replayed: Report
    """The replayed report."""
    out: Path
    """Where the replayed report was written."""
    differences: list[Difference] = field(default_factory=list)
    """Requirements whose status or summary changed."""
    served: int = 0
    """Fetches answered from the captures."""
    missing: list[str] = field(default_factory=list)
    """URLs the replay asked for that the bundle never fetched."""
    notes: list[str] = field(default_factory=list)
    """Things that may explain a difference (plugin versions, sources not kept, captures
    the bundle could not serve)."""


def recorded_settings(report: Report) -> FetchSettings:
    """The fetch settings a report recorded (unknown or missing keys: defaults)."""
    names = {f.name for f in FIELDS}
    values: dict[str, Any] = {k: v for k, v in report.run.settings.items() if k in names}
    if "allowed_ports" in values:
        values["allowed_ports"] = tuple(values["allowed_ports"])
    if "resolve" in values:
        values["resolve"] = tuple((str(k), str(v)) for k, v in dict(values["resolve"]).items())
    return FetchSettings(**values)


def recorded_sources(root: Path, report: Report, notes: list[str]) -> dict[str, Source]:
    """The sources of the original run: URLs as recorded, local files from the bundle."""
    copies = report.source_files
    out: dict[str, Source] = {}
    for name, location in report.sources.items():
        entry = copies.get(name)
        copy = root / ((entry.file or "") if entry is not None else "")
        if entry is not None and copy.is_file() and _inside(copy, root):
            out[name] = Source(name, None, copy, "bundle")
        elif "://" in str(location):
            out[name] = Source(name, str(location), None, "bundle")
        elif (held := Source.recorded_held(name, str(location), "bundle")) is not None:
            out[name] = held  # the original run did not have it either
        else:
            notes.append(f"source {name!r} was the local file {location}, not kept in the bundle")
    return out


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


async def replay_bundle(
    root: Path, out: Path, host: PluginHost, formats: ReportFormats | None = None
) -> ReplayResult:
    """Check, then replay the bundle at ``root`` into ``out``; see the module docstring.

    :param formats: the report formats the bundle is checked with (default: the
        built-ins).

    Raises :class:`BundleError` when the bundle is not one or fails its integrity check.
    """
    check = check_bundle(root, formats)
    if not check.ok:
        raise BundleError(
            f"refused: {root} fails its integrity check, so replaying it would prove "
            f"nothing:\n{check.describe()}"
        )
    if _inside(out, root):
        raise InputError(f"--out {out} is inside the bundle {root}; replay must not alter it")
    original = load_report(root)
    _plugins_as_recorded(original, host)
    notes: list[str] = []
    try:
        request = RunRequest(
            submission_path=root / SUBMISSION_COPY,
            out=out,
            policy_path=root / POLICY_COPY,
            as_of=dt.date.fromisoformat(str(original.run.as_of)),
            settings=recorded_settings(original),
            check_timeout=float(original.run.check_timeout or 120.0),
            formats=DEFAULT_FORMATS,
        )
        prep = with_sources(
            prepare(request, RunParts(host)), recorded_sources(root, original, notes)
        )
    except (InputError, KeyError, TypeError, ValueError, AttributeError) as exc:
        # The bundle is intact but this version cannot re-run it: inputs written by another
        # version that no longer validate, or a report.json of another shape. Nothing
        # is judged either way.
        version = original.tool.version or "unknown"
        raise ReplayImpossible(
            f"{root} is intact, but finops-verifier {__version__} cannot replay it "
            f"(it was written by version {version}): {exc}"
        ) from exc
    source = ReplaySource(root)
    replayed = await execute(prep, request, source=source)
    result = ReplayResult(original, replayed, out, served=len(source.served))
    result.missing = list(source.missing)
    result.notes = notes + _plugin_notes(original, replayed)
    result.notes += [
        f"capture not served, its fetch replayed as a fault: {u}" for u in source.unserved
    ]
    result.differences = diff_reports(original, replayed)
    return result


def _plugins_as_recorded(report: Report, host: PluginHost) -> None:
    """Make ``host`` run the checks the bundle's run ran, or refuse (:class:`InputError`)
    saying what to add: the ``--plugins-dir`` files it recorded, given again and the same
    bytes (another file is other code, and replaying other code is not a replay), and the
    plugins it preferred (``--prefer-plugin``), applied again."""
    settings = report.run.settings
    # report.json is data from the bundle: read defensively.
    dirs, preferred = settings.get("plugins_dir"), settings.get("prefer_plugin")
    recorded = [e for e in dirs if isinstance(e, dict)] if isinstance(dirs, list) else []
    given = {p.path.name: p for p in host.checks().local_plugins}
    for entry in recorded:
        file, sha = Path(str(entry.get("file"))), str(entry.get("sha256"))
        local = given.get(file.name)
        if local is None:
            raise InputError(
                f"the bundle was made with the local plugin file {file} (SHA-256 {sha}); "
                f"replay it with that file: add --plugins-dir {file.parent}"
            )
        if local.sha256 != sha:
            raise InputError(
                f"--plugins-dir: {local.path} is not the file the bundle ran: its SHA-256 is "
                f"{local.sha256}, the bundle recorded {sha} for {file}; replaying other code "
                "is not a replay: give the folder holding the recorded file"
            )
    prefer = [str(p) for p in preferred] if isinstance(preferred, list) else []
    installed = {s.info.name for s in host.plugins()}
    chosen = sorted(
        {
            str(r.plugin.name)
            for r in report.requirements
            if r.plugin is not None and r.plugin.selected_by == "policy"
        }
    )
    for name in [*prefer, *chosen]:
        if name in installed:
            continue
        ran = sorted(
            {str(r.check) for r in report.requirements if r.plugin and r.plugin.name == name}
        )
        how = f" was made with --prefer-plugin {name}" if name in prefer else "'s policy names it"
        raise InputError(
            f"the bundle{how} (it ran plugin {name}'s check {', '.join(ran) or '(none)'}), "
            f"and no plugin named {name!r} is installed; install it ('finops-verify plugins' "
            "lists those installed) to replay the bundle"
        )
    if prefer:
        host.prefer(prefer)


def _verdicts(report: Report) -> dict[str, ReportedRequirement]:
    return {str(r.id): r for r in report.requirements}


def diff_reports(before: Report, after: Report) -> list[Difference]:
    """Requirements whose status or summary differ between two reports, in policy order."""
    old, new = _verdicts(before), _verdicts(after)
    out = []
    for rid in [*old, *(k for k in new if k not in old)]:
        a = (str(old[rid].raw_status), str(old[rid].summary)) if rid in old else None
        b = (str(new[rid].raw_status), str(new[rid].summary)) if rid in new else None
        if a != b:
            out.append(Difference(rid, a, b))
    return out


def _plugin_notes(before: Report, after: Report) -> list[str]:
    old, new = _verdicts(before), _verdicts(after)
    notes = []
    for rid, req in old.items():
        if rid in new and req.plugin != new[rid].plugin:
            notes.append(
                f"{rid}: check {req.check} was {_shown(req.plugin)}, now {_shown(new[rid].plugin)}"
            )
    return notes


def _shown(plugin: PluginRef | None) -> object:
    # As report.json holds it (the note shows the recorded object).
    return plugin.to_json() if plugin is not None else None
