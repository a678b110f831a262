"""recheck.html and recheck.md: regressions first, then attention, then the rest, each by
renewal date; every partner linked to its own report.html; hostile text made inert."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

from verifier.recheck.model import (
    CarryRecord,
    Change,
    PageChange,
    PageChanges,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    RosterRef,
)
from verifier.recheck.views import grouped, render_recheck_html, render_recheck_md
from verifier.report.html import CSP
from verifier.report.model import ToolRef

EVIL = "<script>alert(1)</script>\u202eevil\x00 [x](javascript:alert(1)) https://evil.test/ **b**"


def partner(pid: str, outcome: str | None = "pass", **kw: object) -> PartnerResult:
    fields: dict[str, object] = {"name": f"{pid} name", "tier": "t"}
    if outcome is not None and not kw.get("error"):
        fields["bundle"] = f"partners/{pid}"
    fields.update(kw)
    return PartnerResult(id=pid, outcome=outcome, **fields)  # type: ignore[arg-type]


def summary() -> RecheckSummary:
    partners = [
        partner("quiet", renewal_due="2027-01-01"),
        partner(
            "later-regress",
            "fail",
            renewal_due="2028-01-01",
            changes=(Change("offering", "pass", "fail", "regression"),),
        ),
        partner(
            "soon-regress",
            "fail",
            renewal_due="2027-02-01",
            changes=(Change("practitioners", "pass", "fail", "regression"),),
        ),
        partner(
            "flaky",
            "error",
            renewal_due="2026-12-15",
            changes=(Change("membership", "pass", "error", "attention"),),
        ),
        partner(
            "page-gone",
            "pass",
            pages=PageChanges(gone=(PageChange("http://x.test/lens", 200, 404),)),
        ),
        partner(
            "stale-review",
            "pass",
            decisions=(
                CarryRecord(
                    "model",
                    "pass",
                    "Jo",
                    "2026-01-01T00:00:00Z",
                    None,
                    False,
                    "evidence changed",
                    "http://x.test/e has another capture now",
                ),
            ),
        ),
        partner("broken", "error", error="broken.yaml has 1 problem"),
        partner(
            "improved",
            "pass",
            renewal_due="2026-12-01",
            changes=(Change("community", "fail", "pass", "improvement"),),
        ),
        PartnerResult(
            id="left",
            name="Left Ltd",
            outcome=None,
            changes=(Change(None, "pass", None, "removed"),),
        ),
    ]
    return RecheckSummary.summarise(
        partners,
        tool=ToolRef("finops-verifier", "9"),
        run=RecheckRun("2026-11-30T00:00:00Z", "2026-11-30T00:09:00Z", "2026-11-30"),
        roster=RosterRef("roster.yaml", "f" * 64),
    )


def test_partners_are_grouped_regressions_first_each_group_by_renewal_soonest_first() -> None:
    groups = [(anchor, [p["id"] for p in ps]) for anchor, _, ps in grouped(summary())]
    assert groups == [
        ("regressions", ["soon-regress", "later-regress"]),
        ("attention", ["flaky", "broken", "page-gone", "stale-review"]),
        ("rest", ["improved", "quiet", "left"]),
    ]


def test_the_html_lists_the_groups_in_order_and_links_each_partner_to_its_report() -> None:
    html = render_recheck_html(summary())
    order = [html.index(f'id="{a}"') for a in ("regressions", "attention", "rest")]
    assert order == sorted(order)
    assert html.index("soon-regress") < html.index("later-regress") < html.index("flaky")
    hrefs = re.findall(r'href="([^"]*)"', html)
    partner_links = [h for h in hrefs if not h.startswith("#")]
    assert "partners/quiet/report.html" in partner_links
    # No bundle, no link: the removed partner and the one whose submission was invalid.
    assert all(h.startswith("partners/") and h.endswith("/report.html") for h in partner_links)
    assert "partners/left/report.html" not in partner_links
    assert "partners/broken/report.html" not in partner_links
    assert "REGRESSION" in html
    assert "broken.yaml has 1 problem" in html
    assert "Decision not carried over: evidence changed" in html
    assert "http://x.test/lens" in html


def test_the_markdown_has_the_same_groups_and_links() -> None:
    md = render_recheck_md(summary())
    assert (
        md.index("## Regressions (2)")
        < md.index("## Needs attention (4)")
        < md.index("## Everything else (3)")
    )
    assert "| [soon-regress](partners/soon-regress/report.html) |" in md
    assert "practitioners: FAIL" not in md  # statuses read as before → after
    assert "practitioners: PASS → FAIL (REGRESSION)" in md
    assert "| left | Left Ltd | – REMOVED |" in md
    assert "decision on model not carried over: evidence changed" in md


def hostile_summary() -> RecheckSummary:
    evil = PartnerResult(
        id=EVIL,
        name=EVIL,
        tier=EVIL,
        outcome="fail",
        bundle="partners/x",
        error=EVIL,
        renewal_due=EVIL,
        changes=(Change(EVIL, "pass", EVIL, EVIL),),
        pages=PageChanges(gone=(PageChange(EVIL, 200, 404),)),
        decisions=(CarryRecord(EVIL, EVIL, EVIL, EVIL, EVIL, False, EVIL, EVIL),),
    )
    named = partner("acme", "fail", name=EVIL)
    return RecheckSummary.summarise(
        [evil, named],
        tool=ToolRef(EVIL, EVIL),
        run=RecheckRun(EVIL, EVIL, EVIL),
        roster=RosterRef(EVIL, EVIL),
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_hostile_names_and_summaries_are_shown_never_run() -> None:
    html = render_recheck_html(hostile_summary())
    parser = _Tags()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags
    metas = [a for t, a in parser.tags if t == "meta" and a.get("http-equiv")]
    assert metas == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The bidirectional override and the NUL are shown, not obeyed or dropped.
    assert "\\u202e" in html
    assert "\u202e" not in html
    assert "␀" in html
    links = [a.get("href") for t, a in parser.tags if t == "a"]
    # A partner id that cannot name a folder is never a link; no javascript: anywhere.
    assert all(
        h is not None and (h.startswith("#") or h == "partners/acme/report.html") for h in links
    ), links
    assert "javascript:" not in "".join(h or "" for h in links)
    assert "UNKNOWN: " in html  # a status or kind this version does not know, as written


def test_hostile_text_in_the_markdown_is_inert() -> None:
    md = render_recheck_md(hostile_summary())
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "[x](javascript" not in md  # the brackets are escaped: no link
    assert "\\[x\\](javascript" in md
    assert "https://evil" not in md  # GFM would autolink it
    assert "\\*\\*b\\*\\*" in md
    assert "\u202e" not in md
    # A link is "[text](target)" with unescaped brackets.
    links = re.findall(r"(?<!\\)\]\(([^)]*)\)", md)
    assert links == ["partners/acme/report.html"]
    # One table row per partner: no line break from a hostile value splits a row.
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 3  # the header and the two partners (both need attention)


def test_the_pure_parts_import_nothing_that_runs_a_verification() -> None:
    # The recheck command composes these around runs; they must not need one to load.
    code = (
        "import sys, verifier.inputs.roster, verifier.recheck.model, verifier.recheck.diff, "
        "verifier.recheck.carry, verifier.recheck.views; "
        "print(sorted(m for m in sys.modules if m.startswith(('verifier.run', "
        "'verifier.engine', 'verifier.host'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
