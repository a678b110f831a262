"""recheck.html and recheck.md: the re-check's summary for people, from recheck.json.

They live here, beside the model they render, and not in :mod:`verifier.report`: the
report writers there render one bundle's report.json and review.jsonl (a :class:`Basis`
that ``bundle check`` re-derives), while these render a whole re-check folder's
recheck.json. The safety is the same, by reusing that package's helpers rather than
copying them: every string goes through :func:`~verifier.report._view.visible` (controls
and bidirectional overrides made visible), the HTML through Jinja2 with autoescaping on
and report.html's Content-Security-Policy (no script), the Markdown through
:func:`~verifier.report.markdown.md_text` (no link, no HTML, from any text a partner's
page or submission held).

Partners are grouped for a person's attention: *regressions* first (a requirement that
passed now fails), then *needs attention* (any other change that needs a look: a pass
that now needs review or errs, a partner that fails, errs or needs review, a page gone, a
decision not carried over), then everything else; within a group, by renewal date,
soonest first (partners without one last). The only links are each partner's own
``partners/<id>/report.html``, and only for an id that can name a folder.
"""

from __future__ import annotations

from typing import Any

from verifier.inputs.roster import is_partner_id
from verifier.models import Status
from verifier.recheck.model import PARTNERS, ChangeKind, PartnerResult, RecheckSummary
from verifier.report import _view
from verifier.report.html import CSP, template_environment
from verifier.report.markdown import md_text

GROUPS = (
    ("regressions", "Regressions"),
    ("attention", "Needs attention"),
    ("rest", "Everything else"),
)
"""The sections of both reports, in order: (anchor, title)."""
KIND_WORD = {
    ChangeKind.REGRESSION: "REGRESSION",
    ChangeKind.ATTENTION: "ATTENTION",
    ChangeKind.IMPROVEMENT: "improvement",
    ChangeKind.CHANGED: "changed",
    ChangeKind.NEW: "new",
    ChangeKind.REMOVED: "removed",
}
"""The word shown for each change kind (an unknown kind is shown as written)."""

_ENV = template_environment("verifier.recheck")


def group_of(partner: PartnerResult) -> str:
    """``regressions``, ``attention`` or ``rest``: where ``partner`` is listed."""
    kinds = {c.kind for c in partner.changes}
    if ChangeKind.REGRESSION in kinds:
        return "regressions"
    if (
        ChangeKind.ATTENTION in kinds
        or (partner.outcome is not None and partner.outcome != Status.PASS)
        or partner.pages.gone
        or any(not d.carried for d in partner.decisions)
    ):
        return "attention"
    return "rest"


def _word(status: str | None) -> str:
    # A status of this version as its word; absent as a dash; anything else as written.
    if status is None:
        return "–"
    return _view.STATUS_WORD.get(status, f"UNKNOWN: {_view.visible(status)}")


def _change(
    kind: str, requirement: str | None, before: str | None, after: str | None
) -> dict[str, Any]:
    known = kind in KIND_WORD
    return {
        "kind": kind if known else "unknown",
        "word": KIND_WORD[ChangeKind(kind)] if known else f"UNKNOWN: {_view.visible(kind)}",
        "requirement": _view.visible(requirement) if requirement is not None else None,
        "before": _word(before),
        "after": _word(after),
    }


def partner_view(partner: PartnerResult) -> dict[str, Any]:
    """What both reports show of one partner, every string made visible."""
    outcome = partner.outcome
    link = (
        f"{PARTNERS}/{partner.id}/report.html"
        if partner.bundle is not None and is_partner_id(partner.id)
        else None
    )
    return {
        "id": _view.visible(partner.id),
        "href": link,
        "name": _view.visible(partner.name),
        "tier": _view.visible(partner.tier),
        "status": _view.status_of(outcome) if outcome is not None else "removed",
        "word": _word(outcome) if outcome is not None else "REMOVED",
        "mark": _view.STATUS_MARK[_view.status_of(outcome)] if outcome is not None else "–",
        "renewal_due": _view.visible(partner.renewal_due) or "–",
        "error": _view.visible(partner.error) if partner.error is not None else None,
        "changes": [_change(c.kind, c.requirement, c.before, c.after) for c in partner.changes],
        "pages": {
            name: [_view.visible(p.url) for p in getattr(partner.pages, name)]
            for name in ("changed", "gone", "new")
        },
        "not_carried": [
            {
                "requirement": _view.visible(d.requirement),
                "decision": _view.visible(d.decision),
                "reviewer": _view.visible(d.reviewer),
                "reason": _view.visible(d.reason),
                "detail": _view.visible(d.detail),
            }
            for d in partner.decisions
            if not d.carried
        ],
        "carried": sum(1 for d in partner.decisions if d.carried),
    }


def grouped(summary: RecheckSummary) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """``(anchor, title, partner views)`` for each group of :data:`GROUPS`, each sorted by
    renewal date, soonest first, then by id."""
    members: dict[str, list[PartnerResult]] = {anchor: [] for anchor, _ in GROUPS}
    for p in summary.partners:
        members[group_of(p)].append(p)

    def soonest(p: PartnerResult) -> tuple[bool, str, str]:
        # ISO dates sort as text; a partner without one (or with junk) comes last.
        due = p.renewal_due if isinstance(p.renewal_due, str) else None
        return (due is None, due or "", str(p.id))

    return [
        (anchor, title, [partner_view(p) for p in sorted(members[anchor], key=soonest)])
        for anchor, title in GROUPS
    ]


def _head(summary: RecheckSummary) -> dict[str, Any]:
    counts = summary.counts
    outcome = _view.status_of(summary.outcome)
    return {
        "outcome": outcome,
        "outcome_word": _word(summary.outcome),
        "mark": _view.STATUS_MARK[outcome],
        "counts": [
            (s, _view.STATUS_WORD[s], counts.get(s, 0))
            for s in (*(a.value for a in _view.ATTENTION), Status.PASS.value)
        ],
        "partners": counts.get("partners", 0),
        "regressions": counts.get("regressions", 0),
        "started": _view.visible(summary.run.started),
        "finished": _view.visible(summary.run.finished),
        "as_of": _view.visible(summary.run.as_of),
        "roster": _view.visible(summary.roster.path),
        "roster_sha256": _view.visible(summary.roster.sha256),
        "baseline": (
            {
                "path": _view.visible(summary.baseline.path),
                "started": _view.visible(summary.baseline.started),
            }
            if summary.baseline is not None
            else None
        ),
        "tool": _view.visible(summary.tool.version),
        "not_modified": summary.not_modified,
    }


def render_recheck_html(summary: RecheckSummary) -> str:
    """The HTML text of recheck.html."""
    return _ENV.get_template("recheck.html.j2").render(
        csp=CSP, head=_head(summary), groups=grouped(summary), marks=_view.STATUS_MARK
    )


def render_recheck_md(summary: RecheckSummary) -> str:
    """The Markdown text of recheck.md (for a ticket or a CI job summary)."""
    head = _head(summary)
    baseline = head["baseline"]
    lines = [
        f"# Renewal re-check: {head['mark']} {head['outcome_word']}",
        "",
        f"- Partners re-checked: {head['partners']}; "
        + ", ".join(f"{word} {n}" for _, word, n in head["counts"])
        + f"; regressions: {head['regressions']}",
        f"- As-of date: {md_text(head['as_of'])}; run {md_text(head['started'])} to "
        f"{md_text(head['finished'])} (UTC)",
        f"- Roster: {md_text(head['roster'])} (sha256 {md_text(head['roster_sha256'])})",
        (
            f"- Baseline: {md_text(baseline['path'])}, run {md_text(baseline['started'])}"
            if baseline
            else "- Baseline: none (no changes are listed)"
        ),
    ]
    if baseline:
        lines.append(
            f"- Unchanged (HTTP 304): {head['not_modified']} page(s) the servers said were "
            "unchanged since the baseline: its bytes re-used"
        )
    for _, title, partners in grouped(summary):
        lines += ["", f"## {title} ({len(partners)})", ""]
        if not partners:
            lines.append("None.")
            continue
        lines += [
            "| partner | name | outcome | renewal due | what changed |",
            "| --- | --- | --- | --- | --- |",
        ]
        for p in partners:
            # The link target is built from an id that names a folder, never from text.
            who = f"[{p['id']}]({p['href']})" if p["href"] else md_text(p["id"])
            lines.append(
                f"| {who} | {md_text(p['name'])} | {p['mark']} {md_text(p['word'])} | "
                f"{md_text(p['renewal_due'])} | {_md_changes(p)} |"
            )
    return "\n".join(lines) + "\n"


def _md_changes(p: dict[str, Any]) -> str:
    # One table cell: changes, pages and decisions not carried, separated by "; ".
    parts = []
    if p["error"] is not None:
        parts.append(f"error: {md_text(p['error'])}")
    for c in p["changes"]:
        what = md_text(c["requirement"]) if c["requirement"] is not None else "partner"
        parts.append(
            f"{what}: {md_text(c['before'])} → {md_text(c['after'])} ({md_text(c['word'])})"
        )
    for name in ("gone", "changed", "new"):
        if p["pages"][name]:
            parts.append(f"pages {name}: " + ", ".join(md_text(u) for u in p["pages"][name]))
    for d in p["not_carried"]:
        parts.append(
            f"decision on {md_text(d['requirement'])} not carried over: {md_text(d['reason'])} "
            f"({md_text(d['detail'])})"
        )
    return "; ".join(parts) or "–"
