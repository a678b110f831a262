"""What changed since the baseline: pure comparisons of two summaries and two bundles.

Statuses compared are effective statuses (the machine's, or a staff decision's where one
applies), as recheck.json records them. The kinds (:class:`ChangeKind`) follow
CONTRACT.md: a pass that now fails is a *regression*; a pass that now needs review or
errs needs *attention* and is never a regression (a fault is not evidence); a fail,
needs_review or error that now passes is an *improvement*; any other change of status is
*changed*; a requirement only one side has is *new* or *removed*.

A partner is compared requirement by requirement when both runs verified it. A partner
added to or removed from the roster has one change with ``requirement: None``; so has a
partner that could not be verified on one side (an invalid submission: its outcome is
``error`` and it has no requirements), which is compared by its outcome.

Pages are compared from the two bundles' ``captures/index.json``, read without following
links and within a size cap (:mod:`verifier.bundle.files`), since a baseline folder may
come from anyone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from verifier.bundle.files import MAX_JSON, read_json
from verifier.bundle.store import CAPTURES, INDEX
from verifier.errors import BundleError
from verifier.models import Status
from verifier.recheck.model import (
    Change,
    ChangeKind,
    PageChange,
    PageChanges,
    PartnerResult,
    RecheckSummary,
)

_NOT_PASS = (Status.FAIL, Status.NEEDS_REVIEW, Status.ERROR)
GONE_STATUSES = (401, 403, 404, 410, 451)
"""The answers that say a page is gone, not that the site is faulty: not there (404, 410),
or refused to the public (401, 403, 451). A server withdrawing a page chooses how it says
so; a check calls a refusal ``error`` (an ``attention`` change, never a regression), so
the page list is where it shows."""


def change_kind(before: str | None, after: str | None) -> ChangeKind | None:
    """The kind of a change from status ``before`` to ``after`` (``None``: absent on that
    side); ``None`` when nothing changed."""
    if before == after:
        return None
    if before is None:
        return ChangeKind.NEW
    if after is None:
        return ChangeKind.REMOVED
    if before == Status.PASS and after == Status.FAIL:
        return ChangeKind.REGRESSION
    if before == Status.PASS and after in (Status.NEEDS_REVIEW, Status.ERROR):
        return ChangeKind.ATTENTION
    if before in _NOT_PASS and after == Status.PASS:
        return ChangeKind.IMPROVEMENT
    # Another change (to or from not_applicable, fail to needs_review, or a status a
    # newer version wrote that this one does not know).
    return ChangeKind.CHANGED


def requirement_changes(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[Change, ...]:
    """The changes between two partners' effective statuses by requirement: in the order
    of ``after``, then the requirements only ``before`` has, in its order."""
    out = []
    for rid in [*after, *(r for r in before if r not in after)]:
        kind = change_kind(before.get(rid), after.get(rid))
        if kind is not None:
            out.append(Change(rid, before.get(rid), after.get(rid), kind.value))
    return tuple(out)


def _verified(partner: PartnerResult) -> bool:
    # A partner whose submission could not be used has an error and no requirements.
    return partner.error is None and bool(partner.requirements)


def partner_changes(
    before: PartnerResult | None, after: PartnerResult | None
) -> tuple[Change, ...]:
    """The changes of one partner between the baseline (``before``) and now (``after``);
    ``None`` where the partner is not on that side."""
    if before is None and after is None:
        return ()
    if before is None or after is None or not (_verified(before) and _verified(after)):
        then = before.outcome if before is not None else None
        now = after.outcome if after is not None else None
        if before is None:
            kind: ChangeKind | None = ChangeKind.NEW
        elif after is None:
            kind = ChangeKind.REMOVED
        else:
            kind = change_kind(then, now)
        return (Change(None, then, now, kind.value),) if kind is not None else ()
    return requirement_changes(before.requirements, after.requirements)


def diff_partners(
    baseline: RecheckSummary, current: Sequence[PartnerResult], skipped: Collection[str] = ()
) -> tuple[PartnerResult, ...]:
    """``current`` with each partner's changes since ``baseline``, then every partner of
    the baseline that the roster no longer lists (outcome ``None``, no bundle, one
    ``removed`` change).

    :param skipped: ids the roster still lists but this run did not re-check (not named
        by ``--partner``): neither compared nor listed as removed.
    """
    # A baseline partner listed as removed there is not a partner of the baseline.
    then = {p.id: p for p in baseline.partners if p.outcome is not None}
    now = {p.id for p in current}
    out = [replace(p, changes=partner_changes(then.get(p.id), p)) for p in current]
    for old in baseline.partners:
        if old.outcome is None or old.id in now or old.id in skipped:
            continue
        out.append(
            PartnerResult(
                id=old.id,
                name=old.name,
                tier=old.tier,
                outcome=None,
                renewal_due=old.renewal_due,
                changes=partner_changes(old, None),
            )
        )
    return tuple(out)


def read_exchanges(bundle: Path) -> list[Mapping[str, Any]]:
    """The exchanges of ``bundle/captures/index.json``, read as a regular file within
    :data:`~verifier.bundle.files.MAX_JSON`; :class:`BundleError` when it cannot be."""
    path = bundle / CAPTURES / INDEX
    data = read_json(path, MAX_JSON)
    exchanges = data.get("exchanges") if isinstance(data, dict) else None
    if not isinstance(exchanges, list):
        raise BundleError(f"{path} holds no list of exchanges")
    return [e for e in exchanges if isinstance(e, dict)]


def _answers(exchanges: Iterable[Mapping[str, Any]]) -> dict[str, tuple[int | None, str | None]]:
    # URL asked -> (status, sha256) of its last exchange. The fetches a source made for
    # itself (robots.txt, with a "purpose") are the rules of a host, not a partner's page.
    out: dict[str, tuple[int | None, str | None]] = {}
    for e in exchanges:
        url = e.get("url")
        if not isinstance(url, str) or e.get("purpose") is not None:
            continue
        status, sha = e.get("status"), e.get("sha256")
        out[url] = (
            status if isinstance(status, int) and not isinstance(status, bool) else None,
            sha if isinstance(sha, str) else None,
        )
    return out


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def page_changes(
    before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> PageChanges:
    """Pages changed (2xx both times, another SHA-256), gone (2xx before, one of
    :data:`GONE_STATUSES` now) and new (2xx now, not asked before) between two bundles'
    exchanges, by URL.

    A page that answered with a fault now (a time-out, a 5xx) is not gone: a fault is not
    evidence. A page asked before and not now is not listed (the submission changed).
    """
    then, now = _answers(before), _answers(after)
    changed, gone, new = [], [], []
    for url in sorted(now):
        status, sha = now[url]
        if url not in then:
            if _ok(status):
                new.append(PageChange(url, None, status, None, sha))
            continue
        old_status, old_sha = then[url]
        page = PageChange(url, old_status, status, old_sha, sha)
        if _ok(old_status) and status in GONE_STATUSES:
            gone.append(page)
        elif _ok(old_status) and _ok(status) and old_sha != sha:
            changed.append(page)
    return PageChanges(tuple(changed), tuple(gone), tuple(new))


def bundle_page_changes(baseline_bundle: Path, bundle: Path) -> PageChanges:
    """:func:`page_changes` of two bundles on disk (:func:`read_exchanges` of each)."""
    return page_changes(read_exchanges(baseline_bundle), read_exchanges(bundle))
