"""Issue 11, conditional re-fetching end to end: the four demo applicants re-checked twice
against a real 127.0.0.1 server that answers ETag / Last-Modified and 304, the second run
with ``--baseline`` the first.

Asserted from the server's own log: the second run sent If-None-Match / If-Modified-Since
for the pages that carried validators and got 304s; the verdicts and every capture's hash
equal the first run's; the evidence says "unchanged since ... (HTTP 304)"; each bundle of
the second run passes ``bundle check`` and ``replay`` on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from verifier import sites as sites_module
from verifier.bundle.check import check_bundle
from verifier.bundle.store import read_index
from verifier.cli.main import main
from verifier.sites import SiteServer, serve_sites

from ..helpers import offline_args
from .world import AS_OF, BASELINE_ROSTER, SITES, write_roster

LAST_MODIFIED = "Mon, 31 Aug 2026 12:00:00 GMT"
BODY_ON_304 = "/about/members"
"""A path the server answers 304 *with a body* (HTTP forbids one) in the second run."""


@dataclass(frozen=True)
class Asked:
    """One request the server answered."""

    host: str
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int


class Conditional:
    """How the fixture sites answer in these tests: each file with an ETag (a hash of it)
    and a Last-Modified, and 304 to a request whose If-None-Match is that ETag; every
    file request logged with the conditional headers it carried."""

    def __init__(self, server: SiteServer) -> None:
        self.server = server
        self.asked: list[Asked] = []
        self.body_on_304 = False

    def answer(self, handler: _Handler) -> bool:
        """Answer ``handler``'s request when it names a file; ``False`` otherwise."""
        host = (handler.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = urlsplit(handler.path).path
        file = self.server.resolve(host, path)
        if file is None or file.suffix == ".redirect":
            return False
        body = file.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        sent = handler.headers.get("If-None-Match")
        status = 304 if sent == etag else 200
        self.asked.append(Asked(host, path, sent, handler.headers.get("If-Modified-Since"), status))
        handler.send_response(status)
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", LAST_MODIFIED)
        if status == 304:
            handler.end_headers()
            if self.body_on_304 and path == BODY_ON_304:
                handler.wfile.write(b"<html>not the page</html>")  # HTTP forbids it
            return True
        kind = "text/html; charset=utf-8" if file.suffix == ".html" else "application/json"
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return True


class _Handler(sites_module._Handler):
    """The fixture sites' handler, answering files through the server's :class:`Conditional`."""

    def do_GET(self) -> None:
        if not getattr(self.server, "conditional").answer(self):  # noqa: B009
            super().do_GET()  # a redirect or a 404, as the fixture sites answer them


@contextmanager
def conditional_sites(root: Path) -> Iterator[tuple[SiteServer, Conditional]]:
    """The fixture sites of ``root`` served on 127.0.0.1, answering as :class:`Conditional`
    says, for the ``with`` block."""
    with serve_sites(root) as server:
        conditional = Conditional(server)
        setattr(server, "conditional", conditional)  # noqa: B010
        server.RequestHandlerClass = _Handler  # read at each request: none was made yet
        yield server, conditional


def _recheck(roster: Path, out: Path, server: SiteServer, *extra: str) -> int:
    return main(
        [
            "recheck",
            str(roster),
            "--out",
            str(out),
            *extra,
            *offline_args(server, AS_OF.isoformat()),
        ]
    )


def _captures(bundle: Path) -> dict[str, tuple[Any, Any]]:
    """URL asked -> (status, sha256) of each page of ``bundle`` (robots.txt left out)."""
    return {
        e["url"]: (e.get("status"), e.get("sha256"))
        for e in read_index(bundle)
        if not e.get("purpose")
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Asked], list[Asked]]:
    """Run 1, then run 2 with ``--baseline`` run 1, on one unchanged world: both folders
    and the requests the server logged during each. Run 2 again in two worker processes
    is left beside them (``run2-workers``)."""
    root = tmp_path_factory.mktemp("conditional")
    roster = write_roster(root / "roster", BASELINE_ROSTER)
    with conditional_sites(SITES) as (server, conditional):
        assert _recheck(roster, root / "run1", server) == 3
        first = list(conditional.asked)
        conditional.asked.clear()
        conditional.body_on_304 = True
        assert _recheck(roster, root / "run2", server, "--baseline", str(root / "run1")) == 3
        second = list(conditional.asked)
        again = ("--baseline", str(root / "run1"), "--workers", "2")
        assert _recheck(roster, root / "run2-workers", server, *again) == 3
    return root / "run1", root / "run2", first, second


def test_the_second_run_asks_conditionally_and_gets_304s(
    runs: tuple[Path, Path, list[Asked], list[Asked]],
) -> None:
    _, _, first, second = runs
    assert first
    assert all(a.if_none_match is None and a.status == 200 for a in first)
    # Every page file answered 200 with an ETag in run 1 is asked with it in run 2 and
    # answered 304; robots.txt (the tool's own) is asked without one.
    pages = [a for a in second if a.path != "/robots.txt"]
    assert pages
    assert {(a.host, a.path) for a in pages} <= {(a.host, a.path) for a in first}
    for a in pages:
        assert a.if_none_match is not None, a
        assert a.if_modified_since == LAST_MODIFIED, a
        assert a.status == 304, a
    assert all(a.if_none_match is None for a in second if a.path == "/robots.txt")


def test_verdicts_and_capture_hashes_equal_the_first_runs(
    runs: tuple[Path, Path, list[Asked], list[Asked]],
) -> None:
    run1, run2, _, second = runs
    one = json.loads((run1 / "recheck.json").read_text())
    two = json.loads((run2 / "recheck.json").read_text())
    for a, b in zip(one["partners"], two["partners"], strict=True):
        assert (a["id"], a["outcome"], a["requirements"]) == (
            b["id"],
            b["outcome"],
            b["requirements"],
        )
        assert b["changes"] == []
        assert b["pages"] == {"changed": [], "gone": [], "new": []}
        assert _captures(run1 / a["bundle"]) == _captures(run2 / b["bundle"]), a["id"]
    # Counted: every 304 a partner's bundle re-used, summed; each partner had some.
    per_partner = {
        p["id"]: sum(1 for e in read_index(run2 / p["bundle"]) if e.get("revalidated"))
        for p in two["partners"]
    }
    assert all(n > 0 for n in per_partner.values()), per_partner
    assert {p["id"]: p["not_modified"] for p in two["partners"]} == per_partner
    assert two["not_modified"] == sum(per_partner.values())
    assert one["not_modified"] == 0
    assert (
        f"Unchanged (HTTP 304): {two['not_modified']} page(s)" in (run2 / "recheck.md").read_text()
    )
    # The 304 that came with a body: its bytes never read, the baseline's page used.
    assert any(a.path == BODY_ON_304 and a.status == 304 for a in second)


def test_the_evidence_says_unchanged_since_the_first_fetch(
    runs: tuple[Path, Path, list[Asked], list[Asked]],
) -> None:
    run1, run2, _, _ = runs
    bundle = run2 / "partners" / "acme"
    first = {e["url"]: e["fetched_at"] for e in read_index(run1 / "partners" / "acme")}
    report = json.loads((bundle / "report.json").read_text())
    details = [
        (e["url"], e["detail"])
        for r in report["requirements"]
        for e in r["evidence"]
        if e["kind"] == "fetch" and "(HTTP 304)" in e["detail"]
    ]
    assert details
    for url, detail in details:
        assert f"unchanged since {first[url]} (HTTP 304)" in detail
    assert "unchanged since" in (bundle / "report.html").read_text()


def test_each_second_run_bundle_passes_bundle_check_and_replay_on_its_own(
    runs: tuple[Path, Path, list[Asked], list[Asked]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, run2, _, _ = runs
    for bundle in sorted((run2 / "partners").iterdir()):
        check = check_bundle(bundle)
        assert check.ok, check.describe()
        assert main(["replay", str(bundle)]) == 0, capsys.readouterr().out


def _cited(bundle: Path) -> dict[str, tuple[str, str]]:
    """URL -> (cited baseline bundle, its fetched_at) of each exchange answered 304, the
    same in captures/index.json and in report.json's fetch evidence."""
    cited = {}
    for e in read_index(bundle):
        if e.get("revalidated"):
            baseline = e["revalidated"]["baseline"]
            cited[e["url"]] = (baseline["bundle"], baseline["fetched_at"])
    report = json.loads((bundle / "report.json").read_text())
    for r in report["requirements"]:
        for e in r["evidence"]:
            again = (e.get("data") or {}).get("revalidated")
            if e["kind"] == "fetch" and again:
                shown = (again["baseline"]["bundle"], again["baseline"]["fetched_at"])
                assert cited[e["url"]] == shown, (bundle.name, e["url"])
    return cited


def test_a_page_answered_304_cites_the_partners_own_baseline_bundle(
    runs: tuple[Path, Path, list[Asked], list[Asked]],
) -> None:
    """A shared page (a member directory) is asked again once for every partner, with the
    validators of one partner's baseline bundle; each partner's bundle cites its own
    baseline bundle, which holds the same capture, never another partner's."""
    run1, run2, _, _ = runs
    for run in (run2, run2.parent / "run2-workers"):
        shared_seen = 0
        for bundle in sorted((run / "partners").iterdir()):
            own = run1 / "partners" / bundle.name
            first = {e["url"]: e for e in read_index(own)}
            cited = _cited(bundle)
            assert cited, bundle.name
            for url, (where, fetched_at) in cited.items():
                assert where == str(own), (run.name, bundle.name, url, where)
                assert fetched_at == first[url]["fetched_at"]
            shared_seen += "www.finops.example" in " ".join(cited)
        assert shared_seen > 1  # the directory's 304 is cited by several partners
