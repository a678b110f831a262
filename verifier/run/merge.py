"""``recheck merge``: the folders of a re-check split with ``--shard I/N`` made into one
re-check folder, as if it had been one run.

Every shard folder is read and checked before anything is written: it must be a finished
re-check folder (its SHA256SUMS written) that passes ``bundle check``
(:func:`verifier.bundle.chain.check_recheck`), record a shard, and agree with the others
on what makes them one run: the roster (its SHA-256), the as-of date, the tool's version
(this one's: the summary files are rendered again here), the number of shards and the
baseline (the SHA-256 of its SHA256SUMS). Each shard 1 to N must be given exactly once,
and each partner be in one shard only, the shard its id puts it in. Anything else is
refused with :class:`InputError` (exit 2) naming the folder and why.

The merged folder holds each partner's bundle, copied unchanged (so it still passes
``bundle check``), and the summary files written by the same function as a run's, over
the partners of every shard in the order a run of the whole roster lists them (each
shard records every partner's place, :class:`verifier.recheck.model.ShardRef`): roster
order, then the partners removed since the baseline. Counts and the outcome are computed
again from those partners; the run's times are the earliest start and the latest finish.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier._version import __version__
from verifier.bundle.chain import check_recheck
from verifier.bundle.files import MANIFEST
from verifier.errors import BundleError, InputError
from verifier.history import record_recheck
from verifier.recheck.model import (
    PARTNERS,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    load_summary,
    partner_bundle,
)
from verifier.recheck.shard import shard_of
from verifier.report.formats import ReportFormats
from verifier.run.recheck import write_summary


@dataclass(frozen=True)
class ShardFolder:
    """One shard's folder, checked and read."""

    path: Path
    """The folder given."""
    summary: RecheckSummary
    """Its recheck.json."""
    index: int
    """I of ``--shard I/N``."""
    count: int
    """N."""


def read_shard(folder: Path, formats: ReportFormats | None = None) -> ShardFolder:
    """``folder``, checked as a finished shard of a re-check; :class:`InputError` why not."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: give the folder a recheck --shard wrote")
    if not (folder / MANIFEST).exists():
        raise InputError(
            f"{folder} is unfinished: it has no {MANIFEST} (its run was interrupted or is "
            "still running; finish it with recheck --resume --out of that folder)"
        )
    check = check_recheck(folder, formats)
    if not check.ok:
        raise InputError(
            f"{folder} fails its check (finops-verify bundle check {folder}):\n" + check.describe()
        )
    try:
        summary = load_summary(folder)
    except BundleError as exc:
        raise InputError(str(exc)) from exc
    shard = summary.shard
    if shard is None or shard.index is None or shard.count is None:
        raise InputError(
            f"{folder} is not a shard: its recheck.json records no shard (a re-check of the "
            "whole roster needs no merge)"
        )
    if len(shard.places) != len(summary.partners):
        raise InputError(
            f"{folder}: its recheck.json lists {len(summary.partners)} partners but "
            f"{len(shard.places)} places in shard.places"
        )
    for partner in summary.partners:
        home = shard_of(str(partner.id), shard.count)
        if home != shard.index:
            raise InputError(
                f"{folder} is shard {shard.index}/{shard.count} but lists partner "
                f"{partner.id}, whose id puts it in shard {home}/{shard.count}"
            )
    return ShardFolder(folder, summary, shard.index, shard.count)


def _same_run(first: ShardFolder, other: ShardFolder) -> None:
    # What makes shards parts of one run: refuse the first thing that differs.
    a, b = first.summary, other.summary
    if b.tool.version != __version__:
        raise InputError(
            f"{other.path} was written by finops-verifier {b.tool.version}, this is "
            f"{__version__}: merge the shards with the version that ran them"
        )
    differences = (
        ("roster file (SHA-256)", a.roster.sha256, b.roster.sha256),
        ("as-of date", a.run.as_of, b.run.as_of),
        ("N of --shard I/N", first.count, other.count),
        (
            "baseline (SHA-256 of its SHA256SUMS)",
            a.baseline_sha256sums if a.baseline else None,
            b.baseline_sha256sums if b.baseline else None,
        ),
    )
    for field, mine, theirs in differences:
        if mine != theirs:
            raise InputError(
                f"{other.path} is a shard of another run than {first.path}: its {field} is "
                f"{theirs}, not {mine}; merge only the shards of one re-check (same roster, "
                "as-of date, tool version and baseline)"
            )
    if (a.baseline is None) != (b.baseline is None):
        raise InputError(
            f"{other.path} and {first.path} are shards of different runs: one was compared "
            "with a baseline, the other not"
        )


def check_shards(shards: Sequence[ShardFolder]) -> None:
    """That ``shards`` are the whole of one run: each 1 to N once, each partner once."""
    first = shards[0]
    seen: dict[int, Path] = {}
    owner: dict[str, Path] = {}
    for shard in shards:
        _same_run(first, shard)
        if shard.index in seen:
            raise InputError(
                f"shard {shard.index}/{shard.count} is given twice: {seen[shard.index]} and "
                f"{shard.path}; give each shard's folder once"
            )
        seen[shard.index] = shard.path
        for partner in shard.summary.partners:
            pid = str(partner.id)
            # Two shards cannot both hold a partner their ids check (read_shard), but one
            # shard's recheck.json may list a partner twice.
            if pid in owner:
                where = (
                    f"twice in {shard.path}"
                    if owner[pid] == shard.path
                    else f"in both {owner[pid]} and {shard.path}"
                )
                raise InputError(f"partner {pid} is listed {where}: shards must not overlap")
            owner[pid] = shard.path
    missing = [str(i) for i in range(1, first.count + 1) if i not in seen]
    if missing:
        raise InputError(
            f"shard {', '.join(missing)} of {first.count} is missing: give the folders of "
            f"all {first.count} shards (given: {', '.join(str(s.path) for s in shards)})"
        )


def merged_summary(shards: Sequence[ShardFolder], history: Path | None = None) -> RecheckSummary:
    """The summary of one run made of ``shards`` (checked by :func:`check_shards`), to be
    recorded in the history file ``history`` (``None``: in none)."""
    placed: list[tuple[int, PartnerResult]] = []
    for shard in shards:
        places = shard.summary.shard.places if shard.summary.shard is not None else ()
        placed += zip(places, shard.summary.partners, strict=True)
    partners = [p for _, p in sorted(placed, key=lambda item: item[0])]
    first = shards[0].summary
    starts = [s.summary.run.started for s in shards if s.summary.run.started]
    ends = [s.summary.run.finished for s in shards if s.summary.run.finished]
    return RecheckSummary.summarise(
        partners,
        tool=first.tool,
        run=RecheckRun(min(starts, default=None), max(ends, default=None), first.run.as_of),
        roster=first.roster,
        baseline=first.baseline,
        baseline_sha256sums=first.baseline_sha256sums,
        history=str(history.resolve()) if history is not None else None,
    )


def merge_shards(
    folders: Sequence[Path],
    out: Path,
    formats: ReportFormats | None = None,
    history: Path | None = None,
) -> RecheckSummary:
    """Merge the shard ``folders`` into the re-check folder ``out`` (see the module
    docstring) and record it in the history file ``history`` (``None``: nowhere), as a
    run of the whole roster records itself; return its summary. :class:`InputError`
    (exit 2) when they cannot be merged or ``out`` cannot be written; nothing is left in
    ``out`` then."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out} is not an empty folder: choose a new one")
    for folder in folders:
        if out.resolve().is_relative_to(folder.resolve()):
            raise InputError(f"--out {out} is inside the shard folder {folder}: choose another")
    shards = [read_shard(folder, formats) for folder in folders]
    check_shards(shards)
    summary = merged_summary(shards, history)
    made = not out.exists()
    try:
        (out / PARTNERS).mkdir(parents=True, exist_ok=True)
        for shard in shards:
            for partner in shard.summary.partners:
                bundle = partner_bundle(shard.path, partner)
                if bundle is not None:
                    # Copied unchanged (the shard folder stays whole), links not followed:
                    # the shard's check found none.
                    shutil.copytree(bundle, out / PARTNERS / str(partner.id), symlinks=True)
        write_summary(out, summary)
    except OSError as exc:
        shutil.rmtree(out if made else out / PARTNERS, ignore_errors=True)
        raise InputError(
            f"cannot write the merged re-check to --out {out}: {exc.strerror} ({exc.filename}); "
            "nothing was kept: free some space (or choose another --out) and merge again"
        ) from exc
    if history is not None:
        try:
            record_recheck(history, out)
        except InputError as exc:
            raise InputError(f"the merged re-check in {out} is complete, but {exc}") from exc
    return summary
