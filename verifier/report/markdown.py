"""``report.md``: the report as Markdown, for pasting into a ticket.

Text from pages and submissions is escaped so that it renders as the characters it is:
the characters that make emphasis, code, links or tables get a backslash; ``<``, ``>``
and ``&`` become entities (no raw HTML reaches a renderer that allows it); line breaks
inside a cell become spaces.

No text from a page, a submission or the evidence becomes a link, not even a URL: GitHub
Flavored Markdown turns bare ``https://...``, ``www....`` and ``name@host.tld`` into
links (its "extended autolinks"), so each is broken with a character reference that
renders as the same character: ``https&#58;//`` shows as ``https://``, ``www&#46;`` as
``www.``, and ``@`` is followed by ``&#8203;`` (a zero-width space: an entity for ``@``
alone would still make an e-mail link, since GitHub's renderer finds those after
decoding). The report is read on GitHub; a link there is one click from a page the
applicant controls.
"""

from __future__ import annotations

import re
from typing import Any

from verifier.report import _view
from verifier.report.basis import Basis
from verifier.report.model import Report

MD_FILE = "report.md"
_PUNCT = re.compile(r"([\\`*_\[\]|~])")
# GFM's extended autolinks: a scheme's "://", "www.", and the "@" of an e-mail address.
_AUTOLINK = re.compile(r"://|www\.|@", re.IGNORECASE)


def _inert(match: re.Match[str]) -> str:
    text = match.group()
    if text == "://":
        return "&#58;//"
    return "@&#8203;" if text == "@" else f"{text[:3]}&#46;"


def md_text(value: object) -> str:
    """``value`` as inert Markdown inline text, on one line."""
    s = _view.visible(value)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _PUNCT.sub(r"\\\1", s)
    s = _AUTOLINK.sub(_inert, s)
    return re.sub(r"\s*[\r\n]+\s*", " ", s).strip()


def render_markdown(report: Report) -> str:
    """The Markdown text of ``report``."""
    applicant, policy, run = report.applicant, report.policy, report.run
    views = _view.requirement_views(report)
    outcome = str(report.raw_outcome)
    settings = _view.settings_view(report)
    lines = [
        f"# {md_text(applicant.name)}: {md_text(policy.title)}",
        "",
        f"**Outcome: {_view.STATUS_MARK.get(outcome, '!')} "
        f"{_view.STATUS_WORD.get(outcome, md_text(outcome))}**",
        "",
        *(f"> **⚠ Warning:** {md_text(w)}.\n" for w in settings["warnings"]),
        f"- Tier: {md_text(report.tier)}; program {md_text(policy.program)}; "
        f"policy {md_text(policy.id)} version {md_text(policy.version)}",
        f"- Applicant website: {md_text(applicant.website)}; "
        f"employees: {md_text(applicant.employees)}",
        f"- As-of date: {md_text(run.as_of)}; run {md_text(run.started)} to "
        f"{md_text(run.finished)} (UTC)",
        "- Counts: " + ", ".join(f"{word} {n}" for _, word, n in _view.counts(report)),
        _settings_line(settings),
        "",
        "| # | requirement | status | summary |",
        "| --- | --- | --- | --- |",
    ]
    for v in _view.attention_first(views):
        lines.append(
            f"| {v['index']} | {md_text(v['raw_id'])} | {v['mark']} {v['word']} | "
            f"{md_text(v['summary'])} |"
        )
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
    """report.md of ``basis`` (the machine's view: review decisions are not shown)."""
    return render_markdown(basis.report).encode("utf-8")
