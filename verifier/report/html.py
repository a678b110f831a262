"""``report.html``: the report staff read, one self-contained file.

Inline CSS, no script, readable when opened from disk without a network. Everything in it
came from report.json, which holds what fetched pages and the submission said, so: Jinja2
autoescaping is on explicitly (``select_autoescape()`` does not cover a ``.html.j2``
template); only http(s) URLs become links (a ``javascript:`` href is shown as text); a
Content-Security-Policy meta tag forbids scripts should anything slip through.

The report shows review decisions (``review.jsonl``, :mod:`verifier.bundle.decisions`) next to the
machine's verdicts, with the effective outcome as of the latest decision's day; the review
command renders it again after each decision, and ``bundle check`` renders it again to
compare (:func:`html_of` depends on report.json and review.jsonl alone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2

from verifier.report import _view
from verifier.report.basis import Basis
from verifier.report.model import Report

HTML_FILE = "report.html"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy: no script, no fetch, no form, inline style only."""


_DICT_NAMES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2's environment, reading ``view.key`` on a plain dict as its key at once.

    The pages are rendered from views that are dicts (:mod:`verifier.report._view`):
    Jinja2 reads ``r.status`` as ``getattr(r, "status")`` first, and the
    ``AttributeError`` it then catches, once per field shown, was half the CPU of
    rendering report.html. A dict has no attribute but the names of ``dir(dict)`` (it
    has no ``__dict__``), so for any other name that lookup always failed and the item
    was taken: taking the item first gives the same value, or the same undefined.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` in a template: see the class."""
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def template_environment(package: str) -> jinja2.Environment:
    """The Jinja2 environment of a page built from untrusted text: the ``templates``
    folder of ``package``, autoescaping on, an unknown name an error."""
    return _Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        # Explicit: select_autoescape() keys on the file extension and misses ".html.j2".
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are package data: compiled once per process, never looked at again
        # (with auto_reload, every page rendered stat()ed its template file first).
        auto_reload=False,
    )


_ENV = template_environment("verifier.report")


def render_html(
    report: Report,
    *,
    decisions: list[Any] | None = None,
    decision_problems: list[str] | None = None,
    report_sha256: str | None = None,
    as_of: dt.date | None = None,
) -> str:
    """The HTML text of ``report`` with ``decisions`` (from :func:`load_decisions`).

    :param report_sha256: SHA-256 of the report.json file; decisions naming another
        report (or any, when this is not given) are shown but do not count.
    :param as_of: date deciding which decisions have expired (default:
        :func:`~verifier.bundle.decisions.review_date`, the day of the latest decision, so that the
        page is the same whenever it is rendered).
    """
    # Decisions count only for the report.json they name; without its hash, none does.
    sha = report_sha256 or ""
    views = _view.requirement_views(report)
    after = _view.after_review(report, decisions or [], sha, as_of)
    today, review = after["as_of"], after["review"]
    for v in views:
        rid = str(v["raw_id"])
        v["decisions"] = [
            {
                "decision": _view.visible(d.decision),
                "word": _view.STATUS_WORD.get(d.decision, ""),
                "reviewer": _view.visible(d.reviewer),
                "reason": _view.visible(d.reason),
                "decided_at": _view.visible(d.decided_at),
                "expires": _view.visible(d.expires or "never"),
                "state": state,
            }
            for d, state in review["by_requirement"].get(rid, [])
        ]
        # A status this version does not know (a newer report.json) shows as error.
        eff = _view.status_of(review["effective"].get(rid, v["status"]))
        v["effective"] = eff if eff != v["status"] else None
        v["effective_word"] = _view.STATUS_WORD[eff]
    run, applicant, policy = report.run, report.applicant, report.policy
    context = {
        "csp": CSP,
        "v": _view.visible,
        "applicant": {
            "name": _view.visible(applicant.name),
            "website": _view.visible(applicant.website),
            "website_href": _view.safe_href(applicant.website),
            "employees": _view.visible(applicant.employees),
        },
        "tier": _view.visible(report.tier),
        "policy": {
            "id": _view.visible(policy.id),
            "program": _view.visible(policy.program),
            "version": _view.visible(policy.version),
            "title": _view.visible(policy.title),
        },
        "policy_href": _view.safe_href(policy.source),
        "policy_source": _view.visible(policy.source),
        "outcome": report.outcome.value,
        "outcome_word": _view.status_word(report.raw_outcome, report.outcome_known),
        # The effective outcome leads; the machine's is shown beside it when they differ.
        "lead": after["outcome"] if review["active"] else report.outcome.value,
        "lead_word": (
            _view.STATUS_WORD[after["outcome"]]
            if review["active"]
            else _view.status_word(report.raw_outcome, report.outcome_known)
        ),
        "effective": after["outcome"] if review["active"] else None,
        "differs": review["active"] and after["outcome"] != report.outcome.value,
        "active_decisions": review["active"],
        "decision_count": len(decisions or []),
        "decision_problems": [_view.visible(p) for p in decision_problems or []],
        "review_as_of": today.isoformat(),
        "counts": after["counts"],
        "machine_counts": _view.counts(report),
        "blocking": after["blocking"],
        "run": {
            "started": _view.visible(run.started),
            "finished": _view.visible(run.finished),
            "as_of": _view.visible(run.as_of),
        },
        "tool": _view.visible(report.tool.version),
        "settings": _view.settings_view(report),
        "requirements": views,
        "overview": _view.attention_first(views),
        "attention": [v for v in views if v["status"] in _view.ATTENTION],
        "attention_statuses": _view.ATTENTION,
        "marks": _view.STATUS_MARK,
        "words": _view.STATUS_WORD,
        "report_sha256": sha,
    }
    return _ENV.get_template("report.html.j2").render(context)


def html_of(basis: Basis) -> bytes:
    """report.html of ``basis``: the decisions judged as of the latest one's day."""
    text = render_html(
        basis.report,
        decisions=list(basis.decisions),
        decision_problems=list(basis.decision_problems),
        report_sha256=basis.report_sha256,
    )
    return text.encode("utf-8")
