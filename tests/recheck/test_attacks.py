"""A hostile partner against the renewal re-check (issue 10), attack round r10.

The partner controls its own web pages and may edit its own submission between two
renewals; it wants the re-check to show ``pass`` (or no regression, or a staff decision
carried over) when the truth is otherwise, or to harm another partner's re-check. Every
attempt is a test here, against ``finops-verify recheck`` on fixture sites served on
127.0.0.1:

- the six attempts that succeeded when the round was run (a decision carried over a page
  gone with the same bytes, over a page redirected to another host, over an edited or
  moved reference; a page forgotten by the shared cache and asked again; --resume under
  another --as-of) were strict xfails until fixed; each asserts what a user relies on,
  beside a control that shows the same set-up is caught when the attack is absent;
- an attempt that failed is an ordinary passing test.

The baseline of the carry-over attacks: Stratus (service-provider) and LearnFinOps
(training-partner) re-checked in the demo world, then a staff ``pass`` recorded on
Stratus' ``enterprise-model`` (it cites http://stratus.example/enterprise/) and on
LearnFinOps' ``training-capability`` (statement + references), as a reviewer does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from verifier.bundle.check import check_bundle, load_report
from verifier.bundle.store import EvidenceStore, read_index
from verifier.cli.main import main
from verifier.fetch import FetchSettings
from verifier.fetch.fetcher import Fetcher
from verifier.recheck.model import PartnerResult, RecheckRun, RecheckSummary, RosterRef
from verifier.recheck.views import render_recheck_html, render_recheck_md
from verifier.report.model import ToolRef
from verifier.run.verify import live_cache
from verifier.sites import SiteServer, _Handler, serve_sites

from ..helpers import FIXTURES, offline_args
from .world import AS_OF, LATER, SITES, write_roster

DEMO = FIXTURES / "demo"
ENTERPRISE = "http://stratus.example/enterprise/"
"""The page the staff decision on Stratus' enterprise-model was based on."""
ENTERPRISE_FILE = SITES / "stratus.example" / "enterprise" / "index.html"
REFERENCE_URL = "http://hooli.example/blog/finops-training-with-learnfinops"
"""LearnFinOps' reference page (Priya Raman, Hooli), cited by training-capability."""

Rig = Callable[[int], tuple[int, bytes]]
"""A rigged answer: given how many times the path was asked before, (status, HTML body)."""


class _RiggedHandler(_Handler):
    """The fixture sites' handler, except for the (host, path) pairs it rigs."""

    rigs: ClassVar[dict[tuple[str, str], Rig]] = {}
    asked: ClassVar[dict[tuple[str, str], int]] = {}

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        rig = self.rigs.get((host, self.path))
        if rig is None:
            super().do_GET()
            return
        self.server.requests.append((host, self.path))
        asked = self.asked.get((host, self.path), 0)
        self.asked[(host, self.path)] = asked + 1
        status, body = rig(asked)
        self._send(status, body, ".html")


@contextmanager
def rigged_sites(root: Path, rigs: dict[tuple[str, str], Rig]) -> Iterator[SiteServer]:
    """:func:`serve_sites` of ``root``, whose ``rigs`` pages answer what a test says."""
    handler = type("Rigged", (_RiggedHandler,), {"rigs": rigs, "asked": {}})
    with serve_sites(root) as server:
        server.RequestHandlerClass = handler  # looked up for each request
        yield server


def _recheck(roster: Path, out: Path, server: SiteServer, as_of: dt.date, *extra: str) -> int:
    return main(
        ["recheck", str(roster), "--out", str(out), *extra, *offline_args(server, str(as_of))]
    )


def _summary(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "recheck.json").read_text(encoding="utf-8"))
    return data


def _partner(out: Path, pid: str) -> dict[str, Any]:
    (found,) = [p for p in _summary(out)["partners"] if p["id"] == pid]
    return found


def _decision(out: Path, pid: str, requirement: str) -> dict[str, Any]:
    (found,) = [d for d in _partner(out, pid)["decisions"] if d["requirement"] == requirement]
    return found


# --- The reviewed baseline -------------------------------------------------------------

BASELINE = {
    "stratus": DEMO / "service-provider.yaml",
    "learnfinops": DEMO / "training-partner.yaml",
}


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A re-check of Stratus and LearnFinOps in the demo world, with a staff pass recorded
    on the two attestation requirements (the machine says needs_review for both)."""
    root = tmp_path_factory.mktemp("baseline")
    roster = write_roster(root / "roster", BASELINE)
    with serve_sites(SITES) as server:
        assert _recheck(roster, root / "run1", server, AS_OF) == 3
    for pid, requirement in (
        ("stratus", "enterprise-model"),
        ("learnfinops", "training-capability"),
    ):
        args = ["review", str(root / "run1" / "partners" / pid), "--requirement", requirement]
        args += ["--decision", "pass", "--reviewer", "J. Smith", "--reason", "read it all"]
        assert main(args) == 0
    return root / "run1"


def _again(
    tmp_path: Path,
    baseline: Path,
    sites: Path = SITES,
    rigs: dict[tuple[str, str], Rig] | None = None,
    partners: dict[str, Path] = BASELINE,
) -> Path:
    """The second re-check, against ``baseline``, of ``partners`` in ``sites`` (rigged)."""
    roster = write_roster(tmp_path / "roster2", partners)
    out = tmp_path / "run2"
    with rigged_sites(sites, rigs or {}) as server:
        assert _recheck(roster, out, server, LATER, "--baseline", str(baseline)) in (0, 1, 3)
    return out


def _enterprise_redirected(tmp_path: Path, target: str) -> Path:
    """A copy of the fixture sites where Stratus' enterprise page redirects to ``target``."""
    sites = shutil.copytree(SITES, tmp_path / "sites")
    page = sites / "stratus.example" / "enterprise" / "index.html"
    page.unlink()
    page.with_name("index.html.redirect").write_text(target)
    return sites


def _same_body(status: int) -> Rig:
    body = ENTERPRISE_FILE.read_bytes()
    return lambda _asked: (status, body)


def test_control_the_reviewed_decisions_carry_when_nothing_changed(
    tmp_path: Path, reviewed: Path
) -> None:
    out = _again(tmp_path, reviewed)
    for pid, requirement in (
        ("stratus", "enterprise-model"),
        ("learnfinops", "training-capability"),
    ):
        assert _decision(out, pid, requirement)["carried"] is True
        assert _partner(out, pid)["requirements"][requirement] == "pass"


def test_control_a_changed_enterprise_page_stops_the_decision(
    tmp_path: Path, reviewed: Path
) -> None:
    changed = ENTERPRISE_FILE.read_bytes().replace(b"</body>", b"<p>Resellers only.</p></body>")
    out = _again(
        tmp_path, reviewed, rigs={("stratus.example", "/enterprise/"): lambda _: (200, changed)}
    )
    decision = _decision(out, "stratus", "enterprise-model")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")
    assert ENTERPRISE in decision["detail"]
    assert _partner(out, "stratus")["requirements"]["enterprise-model"] == "needs_review"


def test_a_cited_page_gone_with_the_same_bytes_does_not_carry_the_decision(
    tmp_path: Path, reviewed: Path
) -> None:
    out = _again(tmp_path, reviewed, rigs={("stratus.example", "/enterprise/"): _same_body(404)})
    stratus = _partner(out, "stratus")
    assert ENTERPRISE in {p["url"] for p in stratus["pages"]["gone"]}
    decision = _decision(out, "stratus", "enterprise-model")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")
    assert stratus["requirements"]["enterprise-model"] == "needs_review"


def test_a_cited_page_redirected_to_another_host_is_noticed(tmp_path: Path, reviewed: Path) -> None:
    sites = _enterprise_redirected(tmp_path, "http://elsewhere.example/copy.html")
    (sites / "elsewhere.example").mkdir()
    (sites / "elsewhere.example" / "copy.html").write_bytes(ENTERPRISE_FILE.read_bytes())
    out = _again(tmp_path, reviewed, sites=sites)
    stratus = _partner(out, "stratus")
    report = load_report(out / "partners" / "stratus")
    (req,) = [r for r in report.requirements if str(r.id) == "enterprise-model"]
    # The attack did happen: the page was reached through a redirect to the other host.
    assert any("elsewhere.example" in (e.detail or "") for e in req.evidence)
    noticed = {p["url"] for kind in ("changed", "gone") for p in stratus["pages"][kind]}
    decision = _decision(out, "stratus", "enterprise-model")
    # Whether or not the page is listed as changed (its bytes are the same), the decision
    # must stop, naming where the page ended now, and the requirement needs a person again.
    assert ENTERPRISE in noticed or decision["carried"] is False
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")
    assert ENTERPRISE in decision["detail"]
    assert "ended at http://elsewhere.example/copy.html now" in decision["detail"]
    assert stratus["requirements"]["enterprise-model"] == "needs_review"


def _edited_training_partner(tmp_path: Path, old: str, new: str) -> Path:
    text = (DEMO / "training-partner.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "training-partner.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_control_a_reference_without_a_page_edited_stops_the_decision(
    tmp_path: Path, reviewed: Path
) -> None:
    edited = _edited_training_partner(
        tmp_path,
        "{name: Marco Bellini, organization: Northwind Traders}",
        "{name: Marco Bellini, organization: Self-employed}",
    )
    out = _again(tmp_path, reviewed, partners={**BASELINE, "learnfinops": edited})
    decision = _decision(out, "learnfinops", "training-capability")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")
    assert "Marco Bellini" in decision["detail"]


def test_a_reference_with_a_page_edited_stops_the_decision(tmp_path: Path, reviewed: Path) -> None:
    edited = _edited_training_partner(
        tmp_path, "organization: Hooli\n", "organization: Priya Raman Consulting (1 person)\n"
    )
    out = _again(tmp_path, reviewed, partners={**BASELINE, "learnfinops": edited})
    report = load_report(out / "partners" / "learnfinops")
    (req,) = [r for r in report.requirements if str(r.id) == "training-capability"]
    assert any("1 person" in (e.detail or "") for e in req.evidence)  # the edit was read
    decision = _decision(out, "learnfinops", "training-capability")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")


def test_an_edited_statement_stops_the_decision(tmp_path: Path, reviewed: Path) -> None:
    # The tail of a long statement edited: the whole statement is compared, not a prefix.
    edited = _edited_training_partner(
        tmp_path, "average course rating is 4.7/5", "average course rating is 2.1/5"
    )
    out = _again(tmp_path, reviewed, partners={**BASELINE, "learnfinops": edited})
    decision = _decision(out, "learnfinops", "training-capability")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")
    assert "statement" in decision["detail"]


# --- The shared fetch cache ------------------------------------------------------------

PAGE = ("shifty.example", "/offer")
"""A page of the hostile partner that answers differently each time it is asked."""
OTHER = ("shifty.example", "/other")


def _shifty(asked: int) -> tuple[int, bytes]:
    return 200, f"<html><body><p>answer number {asked}</p></body></html>".encode()


def _fetch_twice(tmp_path: Path, max_kept: int | None) -> tuple[list[str], list[dict[str, Any]]]:
    """One partner's run (one Fetcher, its own store) over the re-check's shared cache:
    the page, another page, the page again. (sha256 each check read, exchanges recorded)."""
    sites = tmp_path / "sites"
    (sites / "shifty.example").mkdir(parents=True)
    rigs: dict[tuple[str, str], Rig] = {PAGE: _shifty, OTHER: _shifty}
    with rigged_sites(sites, rigs) as server:
        settings = FetchSettings(
            allow_private_network=True, retries=0, per_host_delay=0, resolve=server.resolve_pairs()
        )

        async def run() -> list[str]:
            cache = live_cache(settings, max_kept=max_kept)
            store = EvidenceStore(tmp_path / "bundle")
            fetcher = Fetcher(cache, store)
            try:
                read = []
                for path in (PAGE[1], OTHER[1], PAGE[1]):
                    page = await fetcher.get(f"http://{PAGE[0]}{path}")
                    read.append(page.sha256)
                return read
            finally:
                await fetcher.aclose()
                await cache.aclose()
                store.write_index()

        read = asyncio.run(run())
    return read, read_index(tmp_path / "bundle")


def test_control_a_page_asked_twice_in_one_run_is_one_answer_in_the_bundle(
    tmp_path: Path,
) -> None:
    read, exchanges = _fetch_twice(tmp_path, max_kept=None)
    assert read[0] == read[2]
    assert {e["sha256"] for e in exchanges if e["url"].endswith(PAGE[1])} == {read[2]}


def test_a_page_forgotten_by_the_cache_and_asked_again_is_what_the_bundle_holds(
    tmp_path: Path,
) -> None:
    read, exchanges = _fetch_twice(tmp_path, max_kept=1)
    recorded = {e["sha256"] for e in exchanges if e["url"].endswith(PAGE[1])}
    assert read[2] in recorded


# --- --resume ---------------------------------------------------------------------------


def test_resume_with_another_as_of_does_not_keep_bundles_judged_on_the_old_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Kept bundles were judged on the first date: resuming under another date is refused
    # (exit 2, naming both), and the folder stays one re-check of one date.
    roster = write_roster(tmp_path / "roster", {"learnfinops": DEMO / "training-partner.yaml"})
    out = tmp_path / "run"
    with serve_sites(SITES) as server:
        assert _recheck(roster, out, server, AS_OF) == 3
        capsys.readouterr()
        assert _recheck(roster, out, server, LATER, "--resume") == 2
    err = capsys.readouterr().err
    assert f"--as-of {LATER}" in err
    assert str(AS_OF) in err
    assert _summary(out)["run"]["as_of"] == str(AS_OF)
    report = json.loads((out / "partners" / "learnfinops" / "report.json").read_text())
    assert report["run"]["as_of"] == str(AS_OF)


def test_control_resume_without_as_of_keeps_the_interrupted_runs_date(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster", {"learnfinops": DEMO / "training-partner.yaml"})
    out = tmp_path / "run"
    with serve_sites(SITES) as server:
        assert _recheck(roster, out, server, AS_OF) == 3
        assert (
            main(
                [
                    "recheck",
                    str(roster),
                    "--out",
                    str(out),
                    "--resume",
                    *[
                        a
                        for a in offline_args(server, str(AS_OF))
                        if a != str(AS_OF) and a != "--as-of"
                    ],
                ]
            )
            == 3
        )
    report = json.loads((out / "partners" / "learnfinops" / "report.json").read_text())
    assert report["run"]["as_of"] == _summary(out)["run"]["as_of"] == str(AS_OF)
    assert check_bundle(out / "partners" / "learnfinops").ok


# --- The roster and partner ids ---------------------------------------------------------


@pytest.mark.parametrize(
    "pid", ["../escape", "a/b", ".hidden", "Acme", "acme/../../x", "a" * 65, "-lead", "x.partial"]
)
def test_a_partner_id_that_is_no_folder_name_stops_the_roster(
    tmp_path: Path, pid: str, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        f"partners:\n  - id: {json.dumps(pid)}\n    submission: {DEMO / 'platform.yaml'}\n"
    )
    out = tmp_path / "deep" / "out"
    assert main(["recheck", str(roster), "--out", str(out)]) == 2
    assert "partners[0].id" in capsys.readouterr().err
    assert not (tmp_path / "deep").exists()  # nothing written, nothing fetched


def test_two_roster_entries_cannot_share_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        f"partners:\n  - id: acme\n    submission: {DEMO / 'platform.yaml'}\n"
        f"  - id: acme\n    submission: {DEMO / 'solution.yaml'}\n"
    )
    assert main(["recheck", str(roster), "--out", str(tmp_path / "out")]) == 2
    assert "already the id of partners[0]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- Hostile text in recheck.html / recheck.md ------------------------------------------

HOSTILE_NAME = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> [win](javascript:alert(3)) "
    "![t](http://track.example/p.gif) <http://auto.example> https://bare.example/x "
    "| cell | \u202eevil\n# heading"
)


def test_a_hostile_applicant_name_is_inert_in_recheck_html_and_md(tmp_path: Path) -> None:
    text = (DEMO / "platform.yaml").read_text(encoding="utf-8")
    submission = tmp_path / "hostile.yaml"
    name_line = next(line for line in text.splitlines() if line.strip().startswith("name:"))
    indent = name_line[: len(name_line) - len(name_line.lstrip())]
    submission.write_text(
        text.replace(name_line, f"{indent}name: {json.dumps(HOSTILE_NAME)}", 1), encoding="utf-8"
    )
    roster = write_roster(tmp_path / "roster", {"hostile": submission})
    out = tmp_path / "run"
    with serve_sites(SITES) as server:
        assert _recheck(roster, out, server, AS_OF) in (0, 1, 3)
    assert _partner(out, "hostile")["name"] == HOSTILE_NAME  # the name did reach the summary
    html = (out / "recheck.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "\u202e" not in html
    md = (out / "recheck.md").read_text(encoding="utf-8")
    # Markdown link and image syntax only with its brackets escaped (shown, not obeyed).
    assert "\\[win\\](javascript" in md
    assert "!\\[t\\](http" in md
    assert not re.search(r"(?<!\\)\]\(", md.replace("](partners/hostile/report.html)", ""))
    assert "<script" not in md
    assert "<http://auto.example>" not in md
    assert "https://bare.example" not in md  # a GFM autolink
    assert "\n# heading" not in md
    assert "\u202e" not in md
    # The table row of the partner is one row: the name's '|' and newline are inert.
    (row,) = [line for line in md.splitlines() if line.startswith("| [hostile]")]
    assert row.count(" | ") == 4


def test_the_recheck_views_link_only_partner_ids_that_name_a_folder() -> None:
    # A baseline's recheck.json from elsewhere may hold any id: a removed partner with a
    # hostile id is shown, never linked.
    evil = PartnerResult(
        id='../../x"><script>alert(1)</script>',
        name="n",
        tier="t",
        outcome=None,
        bundle="javascript:alert(1)",
    )
    summary = RecheckSummary.summarise(
        (evil,),
        tool=ToolRef("finops-verifier", "0"),
        run=RecheckRun("s", "f", "2026-11-26"),
        roster=RosterRef("r", "0" * 64),
        baseline=None,
    )
    html, md = render_recheck_html(summary), render_recheck_md(summary)
    assert "<script" not in html
    assert "javascript:" not in html.replace("javascript:alert(1)", "")
    assert 'href="partners/../' not in html
    assert "](partners/../" not in md


def test_a_reference_moved_to_another_page_stops_the_decision(
    tmp_path: Path, reviewed: Path
) -> None:
    sites = shutil.copytree(SITES, tmp_path / "sites")
    moved = sites / "hooli.example" / "blog" / "moved-here"
    moved.mkdir()
    (moved / "index.html").write_text(
        "<html><head><title>Hooli blog</title></head><body><p>We have never used an "
        "outside FinOps training provider.</p></body></html>"
    )
    edited = _edited_training_partner(
        tmp_path, f"url: {REFERENCE_URL}\n", "url: http://hooli.example/blog/moved-here/\n"
    )
    out = _again(tmp_path, reviewed, sites=sites, partners={**BASELINE, "learnfinops": edited})
    report = load_report(out / "partners" / "learnfinops")
    (req,) = [r for r in report.requirements if str(r.id) == "training-capability"]
    # The requirement did read the new page this time.
    assert "http://hooli.example/blog/moved-here/" in {e.url for e in req.evidence if e.sha256}
    decision = _decision(out, "learnfinops", "training-capability")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")


# --- One partner's pages through another's fetch ----------------------------------------


def test_a_page_another_partner_fetched_first_through_a_redirect_is_in_each_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two partners cite one page that now redirects to another host: the second is served
    from the shared cache, and still its bundle alone holds the page, its hops and the
    robots.txt of both hosts, passes ``bundle check`` and replays without a difference."""
    sites = shutil.copytree(SITES, tmp_path / "sites")
    blog = sites / "hooli.example" / "blog" / "finops-training-with-learnfinops"
    shutil.move(blog, sites / "www.hooli.example" / "moved.html")
    blog.with_name(blog.name + ".redirect").write_text("http://www.hooli.example/moved.html")
    submission = DEMO / "training-partner.yaml"
    roster = write_roster(tmp_path / "roster", {"learnfinops": submission, "twin": submission})
    out = tmp_path / "run"
    with serve_sites(sites) as server:
        assert _recheck(roster, out, server, AS_OF, "--concurrency", "2") == 3
        asked = [r for r in server.requests if r[0] == "hooli.example" and "/blog/" in r[1]]
    assert len(asked) == 1  # one fetch for both partners
    for pid in ("learnfinops", "twin"):
        alone = tmp_path / "alone" / pid
        shutil.copytree(out / "partners" / pid, alone)
        exchanges = read_index(alone)
        (blog_x,) = [e for e in exchanges if e["url"] == REFERENCE_URL]
        assert blog_x["final_url"] == "http://www.hooli.example/moved.html"
        assert {e["url"] for e in exchanges if e.get("purpose")} >= {
            "http://hooli.example/robots.txt",
            "http://www.hooli.example/robots.txt",
        }
        assert check_bundle(alone).ok
        capsys.readouterr()
        assert main(["replay", str(alone)]) == 0, pid
        assert "No difference" in capsys.readouterr().out


def test_a_submission_naming_a_program_path_is_that_partners_error_only(
    tmp_path: Path,
) -> None:
    # The partner edits its own submission: `program` names no policy (a path); that
    # partner is `error` with a message, the other is verified as usual.
    text = (DEMO / "training-partner.yaml").read_text(encoding="utf-8")
    assert 'program: "2022"' in text
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text.replace('program: "2022"', 'program: "../../2022"'), "utf-8")
    roster = write_roster(
        tmp_path / "roster", {"hostile": hostile, "stratus": DEMO / "service-provider.yaml"}
    )
    out = tmp_path / "run"
    with serve_sites(SITES) as server:
        assert _recheck(roster, out, server, AS_OF) == 3
    bad, good = _partner(out, "hostile"), _partner(out, "stratus")
    assert bad["outcome"] == "error"
    assert "../../2022" in bad["error"]
    assert bad["bundle"] is None
    assert good["outcome"] == "needs_review"
    assert sorted(p.name for p in (out / "partners").iterdir()) == ["stratus"]


def test_a_page_that_now_redirects_to_a_404_is_listed_as_gone(
    tmp_path: Path, reviewed: Path
) -> None:
    sites = _enterprise_redirected(tmp_path, "http://stratus.example/nothing-here")
    out = _again(tmp_path, reviewed, sites=sites)
    stratus = _partner(out, "stratus")
    gone = {p["url"]: p["after_status"] for p in stratus["pages"]["gone"]}
    assert gone.get(ENTERPRISE) == 404
    decision = _decision(out, "stratus", "enterprise-model")
    assert (decision["carried"], decision["reason"]) == (False, "evidence changed")


def test_a_broken_baseline_bundle_stops_nothing_and_carries_nothing(
    tmp_path: Path, reviewed: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Someone broke one partner's baseline bundle (its report.json is no JSON object): the
    # re-check still verifies every partner, carries none of that bundle's decisions (a
    # person looks again), says so, and the other partner's decision still carries.
    baseline = shutil.copytree(reviewed, tmp_path / "baseline")
    (baseline / "partners" / "stratus" / "report.json").write_text("[]")
    out = _again(tmp_path, baseline)
    assert _partner(out, "stratus")["bundle"] == "partners/stratus"
    assert _partner(out, "stratus")["requirements"]["enterprise-model"] == "needs_review"
    assert not _partner(out, "stratus")["decisions"]
    assert _decision(out, "learnfinops", "training-capability")["carried"] is True
    assert "partners/stratus cannot be read" in caplog.text
    assert "no decision of it is carried over" in caplog.text
