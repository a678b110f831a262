"""Checking a re-check folder (``bundle check`` on the output of ``recheck``): its own
SHA256SUMS, each partner's bundle, and the link of the hash chain to its baseline.

A re-check folder's SHA256SUMS covers recheck.json, recheck.html, recheck.md and each
partner's own SHA256SUMS; each partner's bundle (``partners/<id>/``) is checked as any
bundle is (:func:`verifier.bundle.check.check_bundle`), its findings named under its
folder. recheck.html and recheck.md are rendered again from recheck.json and compared,
as a bundle's human reports are: what staff read must be what the data says.

**The chain.** A run with ``--baseline`` records in recheck.json ``baseline_sha256sums``,
the SHA-256 of the baseline folder's SHA256SUMS as it read it; a series of renewals
thus forms a chain, each folder vouching for the one before. When the baseline folder is
at hand (at the path recheck.json records, as given to that run, or where the caller
says), its SHA256SUMS must still have that hash; a broken link names both folders. A
baseline not at hand is a note, not a fault: the folder may be checked on its own.
"""

from __future__ import annotations

from pathlib import Path

from verifier._version import __version__
from verifier.bundle.check import CheckResult, check_bundle, open_manifest, rehash
from verifier.bundle.files import MANIFEST, REPORT_JSON, file_sha256, read_regular, scan
from verifier.errors import BundleError
from verifier.inputs.roster import is_partner_id
from verifier.recheck.model import (
    MAX_RECHECK_JSON,
    PARTNERS,
    RECHECK_JSON,
    RecheckSummary,
    load_summary,
    manifest_sha256,
)
from verifier.recheck.views import render_recheck_html, render_recheck_md
from verifier.report.formats import ReportFormats

RECHECK_VIEWS = {"recheck.html": render_recheck_html, "recheck.md": render_recheck_md}
"""The human views of recheck.json a re-check folder holds, and how each is rendered."""


def is_recheck_folder(root: Path) -> bool:
    """Whether ``root`` holds a re-check (recheck.json) rather than one bundle."""
    return (root / RECHECK_JSON).is_file() and not (root / REPORT_JSON).exists()


def check_recheck(
    root: Path, formats: ReportFormats | None = None, baseline: Path | None = None
) -> CheckResult:
    """Check the re-check folder ``root`` (see the module docstring); ``baseline``: where
    its baseline folder is, instead of the path its recheck.json records."""
    result = CheckResult(root)
    kind = "a finished re-check folder (an interrupted one is finished with recheck --resume)"
    manifest = open_manifest(root, RECHECK_JSON, kind, result)
    if manifest is None:
        return result
    tree = scan(root)
    rehash(root, manifest.entries, tree, result)
    summary = _summary(root, result)
    ids = _bundled_ids(manifest.entries, summary)
    inside = tuple(f"{PARTNERS}/{i}/" for i in ids)
    result.added = sorted(
        rel for rel in tree.files if rel not in manifest.entries and not rel.startswith(inside)
    )
    # partners/ is there, empty, when no partner has a bundle (each submission invalid).
    result.added += [d for d in tree.empty_dirs if d != f"{PARTNERS}/" and not d.startswith(inside)]
    result.problems += [
        f"{rel}: {what}; a re-check folder holds regular files only"
        for rel, what in sorted(tree.odd.items())
        if not rel.startswith(inside)
    ]
    result.problems += [f"{MANIFEST} lists {rel} more than once" for rel in manifest.duplicates]
    if summary is not None:
        result.problems += [
            f"{RECHECK_JSON} lists partner {str(p.id)[:80]!r}, an id that cannot name a folder"
            for p in summary.partners
            if p.bundle is not None and not is_partner_id(p.id)
        ]
    for pid in ids:
        _check_partner(root, pid, manifest.entries, summary, formats, result)
    if summary is not None:
        _check_views(root, summary, set(result.changed), result)
        _check_link(root, summary, baseline, result)
    return result


def _summary(root: Path, result: CheckResult) -> RecheckSummary | None:
    try:
        return load_summary(root)
    except BundleError as exc:
        result.problems.append(str(exc))
        return None


def _bundled_ids(entries: dict[str, str], summary: RecheckSummary | None) -> list[str]:
    # The partners with a bundle: those recheck.json lists with one, and those whose
    # SHA256SUMS the folder's lists (so that a bundle removed from either is noticed).
    listed = [] if summary is None else [p.id for p in summary.partners if p.bundle is not None]
    sealed = [
        rel.split("/")[1]
        for rel in entries
        if rel.startswith(f"{PARTNERS}/") and rel.count("/") == 2 and rel.endswith(f"/{MANIFEST}")
    ]
    # Only an id that can name a folder is looked at: recheck.json may come from anyone,
    # and "../x" must not send the check outside the folder.
    return list(dict.fromkeys(str(i) for i in [*listed, *sealed] if is_partner_id(i)))


def _check_partner(
    root: Path,
    pid: str,
    entries: dict[str, str],
    summary: RecheckSummary | None,
    formats: ReportFormats | None,
    result: CheckResult,
) -> None:
    entry = summary.partner(pid) if summary is not None else None
    where = f"{PARTNERS}/{pid}"
    sums = f"{where}/{MANIFEST}"
    if sums not in entries:
        result.problems.append(f"{MANIFEST} does not list {sums}, the seal of partner {pid}")
    if summary is not None and (entry is None or entry.bundle is None):
        result.problems.append(f"{RECHECK_JSON} lists no bundle for partner {pid}, sealed here")
    if (root / PARTNERS / pid).is_symlink():
        return  # reported as a link by the scan, never followed
    found = check_bundle(root / PARTNERS / pid, formats)
    result.checked += found.checked
    result.changed += [f"{where}/{p}" for p in found.changed]
    result.missing += [f"{where}/{p}" for p in found.missing]
    result.added += [f"{where}/{p}" for p in found.added]
    result.problems += [f"{where}: {p}" for p in found.problems]
    if not found.is_bundle or entry is None or entry.report_sha256 is None:
        return
    try:
        held = file_sha256(root / PARTNERS / pid / REPORT_JSON)
    except (OSError, BundleError):
        return  # reported by the bundle's own check
    if held != entry.report_sha256:
        result.problems.append(
            f"{RECHECK_JSON}: partner {pid}'s report_sha256 is not the SHA-256 of "
            f"{where}/{REPORT_JSON}"
        )


def _check_views(
    root: Path, summary: RecheckSummary, changed: set[str], result: CheckResult
) -> None:
    # Rendered again from recheck.json, as a bundle's reports are from report.json.
    for rel, render in RECHECK_VIEWS.items():
        if rel in changed or not (root / rel).is_file():
            continue
        try:
            held = read_regular(root / rel, MAX_RECHECK_JSON)
        except (OSError, BundleError) as exc:
            result.problems.append(f"{rel} cannot be read ({exc})")
            continue
        if held != render(summary).encode("utf-8"):
            version = summary.tool.version
            other = (
                f"; {RECHECK_JSON} was written by finops-verifier {str(version)[:40]}, this "
                f"is {__version__}: check it with that version too"
                if version != __version__
                else ""
            )
            result.problems.append(
                f"{rel} does not match {RECHECK_JSON} (rendered again, it differs{other})"
            )


def _check_link(
    root: Path, summary: RecheckSummary, given: Path | None, result: CheckResult
) -> None:
    if summary.baseline is None:
        return
    recorded = summary.baseline_sha256sums
    base = given if given is not None else Path(str(summary.baseline.path or ""))
    if recorded is None:
        result.notes.append(
            f"{RECHECK_JSON} records no link to its baseline {base} (written before the "
            "hash chain, or that baseline had no SHA256SUMS)"
        )
        return
    if (summary.baseline.path is None and given is None) or not base.is_dir():
        result.notes.append(
            f"the baseline folder {base} is not here: the link to it was not checked "
            "(give it with --baseline DIR)"
        )
        return
    now = manifest_sha256(base)
    if now == recorded:
        result.notes.append(f"the link to the baseline {base} holds ({MANIFEST} {recorded[:16]}…)")
        return
    held = f"is now {now}" if now is not None else "is gone"
    result.problems.append(
        f"the hash chain is broken: {root}/{RECHECK_JSON} records SHA-256 {recorded} for "
        f"the baseline's {base}/{MANIFEST}, which {held}: {base} changed after {root} was "
        "made from it, or it is another folder"
    )
