"""What the human reports (HTML, Markdown, JUnit) show, computed once from report.json.

Everything here treats report.json as untrusted text: it holds what fetched pages and a
submission said. The helpers make any string printable (:func:`visible`), decide which
URLs may become links (:func:`safe_href`: http and https only), and order requirements so
that those needing a person come first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from verifier.bundle.decisions import Decision, review_date, review_view
from verifier.bundle.memo import Memo
from verifier.bundle.store import is_sha256
from verifier.bundle.textview import text_view_name
from verifier.fetch.settings import FetchSettings
from verifier.models import Evidence, Status
from verifier.report.model import FetchFacts, Report

ATTENTION = (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW)
"""Statuses a person must look at, most urgent first."""
STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW, Status.PASS, Status.NOT_APPLICABLE)
"""Every status, in the order the summary lists them."""
STATUS_WORD: dict[str, str] = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.NEEDS_REVIEW: "NEEDS REVIEW",
    Status.ERROR: "ERROR",
    Status.NOT_APPLICABLE: "NOT APPLICABLE",
}
"""The word shown with each status colour (never colour alone)."""
STATUS_MARK: dict[str, str] = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.NEEDS_REVIEW: "?",
    Status.ERROR: "!",
    Status.NOT_APPLICABLE: "–",
}
"""A symbol shown with each status, for readers who do not see the colour."""

_HREF = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"'`\\]+$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone surrogates cannot be encoded; bidirectional overrides, embeddings, isolates and
# marks are invisible yet reorder the text around them (a URL or name shown reversed).
_ESCAPED = re.compile("[\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_PLAIN = re.compile(f"[^{_CONTROL.pattern[1:-1]}{_ESCAPED.pattern[1:-1]}]*")
# Text in which neither _CONTROL nor _ESCAPED finds anything.


def status_of(value: object) -> str:
    """``value`` if it is a status this version knows, else ``error`` (a report.json from
    a newer version may hold one we do not)."""
    if isinstance(value, str) and value in STATUS_WORD:
        return Status(value).value
    return Status.ERROR.value


def safe_href(url: object) -> str | None:
    """``url`` if it may be a clickable link (http or https, no spaces or controls)."""
    if isinstance(url, str) and _HREF.match(url):
        return url
    return None


def capture_href(sha256: object) -> str | None:
    """The relative link to an archived body, when ``sha256`` is a real digest."""
    if isinstance(sha256, str) and is_sha256(sha256):
        return f"captures/{sha256}"
    return None


def capture_text_href(sha256: object) -> str | None:
    """The relative link to the text view of an archived body
    (:func:`~verifier.bundle.textview.text_view_name`), when ``sha256`` is a real digest."""
    if isinstance(sha256, str) and is_sha256(sha256):
        return text_view_name(sha256)
    return None


def visible(text: object) -> str:
    """``text`` as a printable string: control characters become their Unicode pictures
    (NUL shows as ␀); lone surrogates and bidirectional formatting characters (U+202A-E,
    U+2066-9, U+200E/F, U+061C) their ``\\uXXXX`` escape, so that nothing a page held is
    silently lost, breaks the file's encoding, or visibly reorders the text."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if type(s) is str and _PLAIN.fullmatch(s):
        return s  # most text holds none of them: one scan instead of two substitutions
    s = _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "␡", s)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def _fetch_view(ev: Evidence) -> dict[str, Any]:
    facts = FetchFacts.of(ev)
    return {
        "url": visible(ev.url),
        "href": safe_href(ev.url),
        "final_url": visible(facts.final_url),
        "final_href": safe_href(facts.final_url),
        "status": visible(facts.status),
        "error": visible(facts.error) if facts.error else None,
        "fetched_at": visible(ev.fetched_at),
        "sha256": visible(ev.sha256),
        "capture": capture_href(ev.sha256),
        "capture_text": capture_text_href(ev.sha256),
        "hops": [{"url": visible(h.url), "status": visible(h.status)} for h in facts.hops],
        "detail": visible(ev.detail),
        "unchanged": _unchanged(ev),
    }


def _unchanged(ev: Evidence) -> str | None:
    """ "unchanged since <date> (HTTP 304)" for a page the baseline's bytes stand for."""
    again = ev.data.get("revalidated")
    if not isinstance(again, dict):
        return None
    return visible(f"unchanged since {again.get('since')} (HTTP 304): the baseline's bytes")


def _fact_view(ev: Evidence) -> dict[str, Any]:
    return {
        "kind": visible(ev.kind),
        "detail": visible(ev.detail),
        "url": visible(ev.url),
        "href": safe_href(ev.url),
        "excerpt": visible(ev.excerpt) if ev.excerpt is not None else None,
        "sha256": visible(ev.sha256),
        "capture": capture_href(ev.sha256),
    }


def status_word(raw: str | None, known: bool) -> str:
    """The word shown for a recorded status: ``UNKNOWN: <raw>`` when this version does
    not know it (a report.json from a newer version)."""
    return STATUS_WORD[status_of(raw)] if known else f"UNKNOWN: {visible(raw)}"


def requirement_views(report: Report) -> list[dict[str, Any]]:
    """One view per requirement, in policy order, with an anchor that is always safe."""
    out = []
    for index, req in enumerate(report.requirements, 1):
        status = req.status.value
        out.append(
            {
                "anchor": f"req-{index}",
                "index": index,
                "id": visible(req.id),
                "raw_id": req.id,
                "text": visible(req.text),
                "check": visible(req.check),
                "status": status,
                "word": status_word(req.raw_status, req.status_known),
                "mark": STATUS_MARK[status],
                "summary": visible(req.summary),
                "fetches": [_fetch_view(e) for e in req.evidence if e.kind == "fetch"],
                "facts": [_fact_view(e) for e in req.evidence if e.kind != "fetch"],
            }
        )
    return out


def attention_first(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requirements ordered fail, error, needs_review, then the rest (policy order
    within a status)."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(views, key=lambda v: (rank.get(v["status"], 0), v["index"]))


def counts(report: Report) -> list[tuple[str, str, int]]:
    """``(status, word, count)`` for each status present, in :data:`STATUS_ORDER`."""
    return counts_of(req.status.value for req in report.requirements)


def counts_of(statuses: Any) -> list[tuple[str, str, int]]:
    """``(status, word, count)`` of an iterable of statuses, in :data:`STATUS_ORDER`."""
    found: dict[str, int] = {}
    for s in statuses:
        found[s] = found.get(s, 0) + 1
    return [(s, STATUS_WORD[s], found[s]) for s in STATUS_ORDER if found.get(s)]


def after_review(
    report: Report, decisions: Sequence[Decision], sha256: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The decision the reports lead with: the machine's verdicts with the review
    decisions (:func:`~verifier.bundle.decisions.review_view`) applied.

    Returns ``{"as_of": date, "review": review_view(...), "reviewed": bool (any decision
    recorded), "active": n, "machine": status, "outcome": effective status, "effective":
    {id: status}, "counts": effective counts (as :func:`counts`), "blocking": [{"id",
    "raw_id", "anchor", "status", "word", "mark", "reason", "by_review"}]}``: ``blocking``
    lists, in policy order, each requirement whose effective status keeps the applicant
    from passing (fail, error, needs_review) with its one-line reason: the reviewer's
    when a decision set the status, else the check's summary.

    :param sha256: SHA-256 of report.json; decisions naming another report do not count.
    :param as_of: date deciding which decisions have expired (default: the day of the
        latest decision, so that a page is the same whenever it is rendered).
    """
    today = as_of or review_date(report, list(decisions))
    review = review_view(report, list(decisions), today, sha256)
    winners = {
        rid: d
        for rid, items in review["by_requirement"].items()
        for d, st in items
        if st == "active"
    }
    effective: dict[str, str] = {}
    blocking = []
    for index, req in enumerate(report.requirements, 1):
        rid = str(req.id)
        status = status_of(review["effective"].get(rid, req.status.value))
        effective[rid] = status
        if status not in ATTENTION:
            continue
        chosen = winners.get(rid)
        reason = f"review decision by {chosen.reviewer}: {chosen.reason}" if chosen else req.summary
        blocking.append(
            {
                "id": visible(rid),
                "raw_id": rid,
                "anchor": f"req-{index}",
                "status": status,
                "word": STATUS_WORD[status],
                "mark": STATUS_MARK[status],
                "reason": visible(reason),
                "by_review": chosen is not None,
            }
        )
    return {
        "as_of": today,
        "review": review,
        "reviewed": bool(decisions),
        "active": review["active"],
        "machine": report.outcome.value,
        "outcome": status_of(review["outcome"]),
        "effective": effective,
        "counts": counts_of(effective.values()),
        "blocking": blocking,
    }


def _shown_setting(value: object) -> str:
    if isinstance(value, dict):
        # Sorted: the page must not depend on the order a dict was built in.
        return ", ".join(f"{k} → {v}" for k, v in sorted(value.items(), key=str)) or "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


SETTING_WARNINGS = (
    (
        "allow_private_network",
        False,
        "the address guard was lifted for this run "
        "(allow_private_network): pages may come from loopback or private addresses",
    ),
    ("obey_robots", True, "robots.txt was ignored for this run (obey_robots is off)"),
)
"""``(setting, safe value, warning)``: a run whose setting differs gets the warning."""


def settings_view(report: Report) -> dict[str, Any]:
    """The fetch settings a run used (report.json ``run.settings``), for the header.

    Returns ``{"recorded": bool, "rows": [{"name", "value", "default", "changed"}],
    "changed": [rows not at their default], "warnings": [text]}``: every setting, in the
    order report.json lists them, compared with this version's defaults; a warning for
    each safeguard the run lifted, when host names were resolved to fixed addresses, and
    when the pages came through a forward proxy.
    """
    settings = report.run.settings
    if type(settings) is not dict:
        return _settings_view(settings)
    # Its repr is all the view depends on (it tells 1 from "1", True and 1.0): equal
    # reprs, equal views.
    key = repr(settings)
    found = _SETTINGS_VIEWS.get(key)
    if found is None:
        found = _settings_view(settings)
        _SETTINGS_VIEWS.put(key, found)
    # A copy: the caller may add to what it is given, the next report must not see it.
    rows = [dict(r) for r in found["rows"]]
    return {
        "recorded": found["recorded"],
        "rows": rows,
        "changed": [r for r in rows if r["changed"]],
        "warnings": list(found["warnings"]),
    }


_SETTINGS_VIEWS: Memo[str, dict[str, Any]] = Memo(16)
# The settings of a re-check are every partner's: with one --resolve per host, a long
# list, sorted and made visible once per run rather than twice per partner.


def _settings_view(settings: Mapping[str, Any]) -> dict[str, Any]:
    defaults = FetchSettings().to_json()
    rows = []
    for name, value in sorted(settings.items(), key=lambda kv: str(kv[0])):
        known = name in defaults
        rows.append(
            {
                "name": visible(name),
                "value": visible(_shown_setting(value)),
                "default": visible(_shown_setting(defaults[name])) if known else "–",
                "changed": not known or value != defaults[name],
            }
        )
    warnings = [
        text
        for name, safe, text in SETTING_WARNINGS
        if name in settings and settings[name] is not safe
    ]
    if settings.get("resolve"):
        warnings.append(
            "host names were resolved to fixed addresses for this run (resolve): the pages "
            "may not come from the sites' real servers"
        )
    if settings.get("proxy"):
        warnings.append(
            "every page was fetched through a forward proxy (proxy): the http: pages are "
            "what the proxy answered, and the https: ones too if ca_bundle trusts it"
        )
    return {
        "recorded": bool(settings),
        "rows": rows,
        "changed": [r for r in rows if r["changed"]],
        "warnings": warnings,
    }
