"""``report.md``: the report as Markdown, for pasting into a ticket.

Text from pages and submissions is escaped so that it renders as the characters it is:
the characters that make emphasis, code, links or tables get a backslash; ``<``, ``>``
and ``&`` become entities (no raw HTML reaches a renderer that allows it); line breaks
inside a cell become spaces; a character that would open a block first on a line (``#``,
``-``, ``+``, ``=``, the ``.`` of ``1.``) gets a backslash, since an excerpt is quoted at
the start of a line.

No text from a page, a submission or the evidence becomes a link, not even a URL: GitHub
Flavored Markdown turns bare ``https://...``, ``www....`` and ``name@host.tld`` into
links (its "extended autolinks"), so each is broken with a character reference that
renders as the same character: ``https&#58;//`` shows as ``https://``, ``www&#46;`` as
``www.``, and ``@`` is followed by ``&#8203;`` (a zero-width space: an entity for ``@``
alone would still make an e-mail link, since GitHub's renderer finds those after
decoding). GitHub's references to an issue (``#12``, ``owner/repo#12``, ``GH-12``) are
broken the same way, a zero-width space after ``#`` or ``GH-``: ``owner/repo`` can be the
applicant's own repository. The report is read on GitHub; a link there is one click from
a page the applicant controls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from verifier.bundle.decisions import Decision
from verifier.bundle.memo import Memo
from verifier.report import _view
from verifier.report.basis import Basis
from verifier.report.model import Report

MD_FILE = "report.md"
_PUNCT = re.compile(r"([\\`*_\[\]|~])")
# GFM's extended autolinks: a scheme's "://", "www.", and the "@" of an e-mail address;
# and GitHub's references to an issue: "#12", "owner/repo#12", "GH-12".
_AUTOLINK = re.compile(r"://|www\.|@|#(?=\d)|\bGH-(?=\d)", re.IGNORECASE)
# What opens a block when it comes first on a line (a heading, a list item, a rule, a
# setext underline): md_text's output is quoted at the start of a line ("> {excerpt}").
_BLOCK_START = re.compile(r"^(\d{1,9}(?=[.)]))?([#+=.)-])")


def _inert(match: re.Match[str]) -> str:
    text = match.group()
    if text == "://":
        return "&#58;//"
    if text == "@" or text == "#" or text.upper() == "GH-":
        return f"{text}&#8203;"
    return f"{text[:3]}&#46;"


_MD_TEXTS: Memo[str, str] = Memo(1 << 20, len)
# md_text of a string, kept: a re-check's reports repeat most of theirs (the run settings,
# which list every partner's host, evidence kinds, shared pages' URLs) from one partner's
# report.md to the next.


def md_text(value: object) -> str:
    """``value`` as inert Markdown inline text, on one line."""
    if type(value) is not str:
        return _md_text(value)
    found = _MD_TEXTS.get(value)
    if found is None:
        found = _md_text(value)
        _MD_TEXTS.put(value, found)
    return found


def _md_text(value: object) -> str:
    s = _view.visible(value)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _PUNCT.sub(r"\\\1", s)
    s = _AUTOLINK.sub(_inert, s)
    s = re.sub(r"\s*[\r\n]+\s*", " ", s).strip()
    # "\#" renders as "#", "1\." as "1.": the same characters, no block.
    return _BLOCK_START.sub(r"\1\\\2", s, count=1)


def render_markdown(
    report: Report, decisions: Sequence[Decision] = (), report_sha256: str = ""
) -> str:
    """The Markdown text of ``report``; with review ``decisions`` (those naming
    ``report_sha256`` count), it leads with the effective outcome, counts and what still
    blocks a pass, and lists the decisions."""
    applicant, policy, run = report.applicant, report.policy, report.run
    views = _view.requirement_views(report)
    outcome = str(report.raw_outcome)
    settings = _view.settings_view(report)
    machine = (
        f"{_view.STATUS_MARK.get(outcome, '!')} {_view.STATUS_WORD.get(outcome, md_text(outcome))}"
    )
    after = _view.after_review(report, decisions, report_sha256) if decisions else None
    lines = [
        f"# {md_text(applicant.name)}: {md_text(policy.title)}",
        "",
        *(_review_lead(after, machine) if after else [f"**Outcome: {machine}**", ""]),
        *(f"> **⚠ Warning:** {md_text(w)}.\n" for w in settings["warnings"]),
        f"- Tier: {md_text(report.tier)}; program {md_text(policy.program)}; "
        f"policy {md_text(policy.id)} version {md_text(policy.version)}",
        f"- Applicant website: {md_text(applicant.website)}; "
        f"employees: {md_text(applicant.employees)}",
        f"- As-of date: {md_text(run.as_of)}; run {md_text(run.started)} to "
        f"{md_text(run.finished)} (UTC)",
        ("- Machine counts: " if after else "- Counts: ")
        + ", ".join(f"{word} {n}" for _, word, n in _view.counts(report)),
        _settings_line(settings),
        "",
        "| # | requirement | status | summary |",
        "| --- | --- | --- | --- |",
    ]
    for v in _view.attention_first(views):
        lines.append(
            f"| {v['index']} | {md_text(v['raw_id'])} | {v['mark']} {v['word']}"
            f"{_after(after, v)} | {md_text(v['summary'])} |"
        )
    if after:
        lines += ["", *_decision_lines(after)]
    for v in views:
        lines += [
            "",
            f"## {v['index']}. {md_text(v['raw_id'])}: {v['mark']} {v['word']}",
            "",
            f"> {md_text(v['text'])}",
            "",
            f"**{md_text(v['summary'])}**",
            "",
        ]
        for f in v["fetches"]:
            answer = f"failed: {md_text(f['error'])}" if f["error"] else f"HTTP {f['status']}"
            final = (
                f" → {md_text(f['final_url'])}"
                if f["final_url"] and f["final_url"] != f["url"]
                else ""
            )
            sha = f"; sha256 `{f['sha256']}` (captures/{f['sha256']})" if f["capture"] else ""
            lines.append(
                f"- fetch {md_text(f['url'])}{final}: {answer} at {md_text(f['fetched_at'])}{sha}"
            )
        for e in v["facts"]:
            where = f" ({md_text(e['url'])})" if e["url"] else ""
            lines.append(f"- {md_text(e['kind'])}: {md_text(e['detail'])}{where}")
            if e["excerpt"] is not None:
                lines.append(f"  > {md_text(e['excerpt'])}")
    return "\n".join(lines) + "\n"


def _review_lead(after: dict[str, Any], machine: str) -> list[str]:
    # The effective outcome first, the machine's beside it, then counts and blockers.
    lead = after["outcome"]
    head = f"**Outcome after review: {_view.STATUS_MARK[lead]} {_view.STATUS_WORD[lead]}**"
    if after["active"]:
        head += f" (machine verdict: {machine}; {after['active']} active review decision(s)"
    else:
        head += f" (no review decision counts; machine verdict: {machine}"
    lines = [
        f"{head}, as of {after['as_of'].isoformat()})",
        "",
        "Counts after review: " + ", ".join(f"{w} {n}" for _, w, n in after["counts"]),
        "",
    ]
    if after["blocking"]:
        lines += ["**Still blocking:**", ""]
        lines += [
            f"- {md_text(b['raw_id'])}: {b['mark']} {b['word']}: {md_text(b['reason'])}"
            for b in after["blocking"]
        ]
    else:
        lines.append("**Nothing blocks a pass after review.**")
    return [*lines, ""]


def _after(after: dict[str, Any] | None, v: dict[str, Any]) -> str:
    # " → ✓ PASS (review)" when a decision changed the requirement's status.
    eff = after["effective"][str(v["raw_id"])] if after else v["status"]
    return (
        ""
        if eff == v["status"]
        else f" → {_view.STATUS_MARK[eff]} {_view.STATUS_WORD[eff]} (review)"
    )


def _decision_lines(after: dict[str, Any]) -> list[str]:
    # Every decision recorded, with its state (active, superseded, expired, other-report).
    lines = ["## Review decisions", ""]
    for rid, items in after["review"]["by_requirement"].items():
        for d, state in items:
            lines.append(
                f"- {md_text(rid)}: {md_text(d.decision)} ({state}) by {md_text(d.reviewer)} "
                f"at {md_text(d.decided_at)}, expires {md_text(d.expires or 'never')}: "
                f"{md_text(d.reason)}"
            )
    return lines


def _settings_line(settings: dict[str, Any]) -> str:
    if not settings["recorded"]:
        return "- Run settings: not recorded in report.json"
    if not settings["changed"]:
        return "- Run settings: all at their default"
    return "- Run settings not at their default: " + "; ".join(
        f"{md_text(r['name'])} = {md_text(r['value'])} (default {md_text(r['default'])})"
        for r in settings["changed"]
    )


def markdown_of(basis: Basis) -> bytes:
    """report.md of ``basis``, with its review decisions."""
    text = render_markdown(basis.report, basis.decisions, basis.report_sha256)
    return text.encode("utf-8")
