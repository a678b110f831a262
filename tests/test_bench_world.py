"""The world of ``python -m bench recheck`` is valid: its submissions validate, its roster and
sources name what it serves, and ``verify`` over its loopback server reaches the verdicts
each partner was built for. No timing here: the figures are the bench's."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from bench.loopback import Hit, LoopbackServer
from bench.recheck import host_chain, recheck_ideal
from bench.recheck_sim import perfect_tool
from bench.recheck_world import AS_OF, KINDS, REGISTRY, World, build_world
from verifier.cli.main import main
from verifier.inputs.submission import load_submission
from verifier.run.recheck import UNDER_WAY


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A world of eight partners: the first six are one of each kind."""
    return build_world(tmp_path_factory.mktemp("world"), partners=8, seed=3)


def _verify(world: World, server: LoopbackServer, partner: str, sources: Path) -> int:
    """``verify`` one partner of ``world`` over ``server``, as the bench does but without the
    politeness delay; the report goes to ``out-<partner>/``."""
    return main(
        [
            "verify",
            str(world.root / "partners" / f"{partner}.yaml"),
            "--out",
            str(world.root / f"out-{partner}"),
            "--sources",
            str(sources),
            "--as-of",
            AS_OF.isoformat(),
            "--per-host-delay",
            "0",
            "--retries",
            "0",
            "--allow-private-network",
            "--allow-port",
            str(server.port),
            *server.resolve_args(),
        ]
    )


def test_every_submission_validates_and_the_roster_names_it(world: World) -> None:
    roster = yaml.safe_load(world.roster.read_text())
    assert [p["id"] for p in roster["partners"]] == [p.id for p in world.partners]
    assert {p.kind for p in world.partners} == set(KINDS)
    for entry, partner in zip(roster["partners"], world.partners, strict=True):
        sub = load_submission(world.root / entry["submission"])
        assert sub.applicant.name == partner.name
        assert str(sub.applicant.website) == f"http://{partner.host}/"
        assert (world.sites / partner.host / "product" / "index.html").is_file()


def test_the_sources_point_at_the_world_and_the_export_holds_every_certificate(
    world: World,
) -> None:
    csv_sources = yaml.safe_load(world.sources.read_text())
    assert (world.root / csv_sources["credential-registry"]).is_file()
    url_sources = yaml.safe_load(world.sources_url.read_text())
    assert url_sources["credential-registry"].startswith(f"http://{REGISTRY}/")
    hosts = set(world.hosts())
    for name in ("finops-members", "lf-members", "certified-platforms"):
        assert csv_sources[name].split("/")[2] in hosts
    with (world.root / "certificates.csv").open(newline="") as fh:
        exported = {row["certificate_id"] for row in csv.DictReader(fh)}
    assert exported == {c[0] for p in world.partners for c in p.certificates}
    # The member directory is paginated as the real one: a next link on every page but the last.
    assert sum(1 for page in world.shared_pages if "/members/page/" in page) == 0  # 8 < 30
    big = build_world(world.root.parent / "big", partners=70, seed=3)
    pages = [p for p in big.shared_pages if p.startswith("www.finops.example/members/page/")]
    assert pages == ["www.finops.example/members/page/2/", "www.finops.example/members/page/3/"]
    first = (big.sites / "www.finops.example" / "members" / "index.html").read_text()
    assert '<link rel="next" href="/members/page/2/">' in first


def test_the_server_answers_by_host_serves_robots_and_logs_each_request(world: World) -> None:
    with LoopbackServer(world.sites, min_delay=0.0, max_delay=0.0) as server:
        code = _verify(world, server, "p0001", world.sources_url)
        hits = list(server.hits)
    assert code == 0
    asked = {(h.host, h.path): h.status for h in hits}
    assert asked[("p0001.example", "/robots.txt")] == 200
    assert asked[("p0001.example", "/product")] == 200
    assert asked[("www.finops.example", "/members/")] == 200
    assert sum(1 for h in hits if h.host == REGISTRY and h.path != "/robots.txt") == 12
    # Seeded delays: the same request gets the same delay, within the bounds.
    slow = LoopbackServer(world.sites, min_delay=0.05, max_delay=0.4, seed=1)
    assert slow.delay("a", "/", 0) == slow.delay("a", "/", 0)
    assert all(0.05 <= slow.delay("a", f"/{n}", 0) <= 0.4 for n in range(50))


@pytest.mark.parametrize("partner", ["p0002", "p0003", "p0004", "p0005", "p0006"])
def test_verify_reaches_the_verdicts_each_kind_is_built_for(world: World, partner: str) -> None:
    built = next(p for p in world.partners if p.id == partner)
    out = world.root / f"out-{partner}"
    with LoopbackServer(world.sites, min_delay=0.0, max_delay=0.0) as server:
        _verify(world, server, partner, world.sources)
    report = json.loads((out / "report.json").read_text())
    got = {r["id"]: r["status"] for r in report["requirements"]}
    assert got == built.expected, built.kind
    # The one requirement the kind changes says why, in its summary.
    changed = [r["summary"] for r in report["requirements"] if r["status"] != "pass"]
    expected_words = {
        "few-practitioners": "8 valid of 12 submitted; 10 required",
        "not-lf-member": "not listed in lf-members",
        "thin-alignment": "only links to 1 finops framework domain(s)",
        "group-only-claimed": "claimed but not confirmed",
        "customer-size-unknown": "is not declared",
    }
    assert len(changed) == 1
    assert expected_words[built.kind] in changed[0].lower(), changed[0]


def test_the_ideal_is_the_slowest_host_chain_or_the_shared_work() -> None:
    def hits(host: str, *delays: float, robots: float | None = None) -> list[Hit]:
        out = [Hit(host, "/robots.txt", 200, robots, 0.0)] if robots is not None else []
        return out + [Hit(host, f"/{n}", 200, d, 0.0) for n, d in enumerate(delays)]

    # Spaced starts bound a host: robots first, then 4 requests 0.25 s apart + the shortest;
    # the first of them starts once robots.txt is answered, and 0.25 s after it at the soonest.
    assert host_chain(hits("a", 0.1, 0.2, 0.3, 0.4, robots=0.3), 0.25, 2) == pytest.approx(
        0.3 + 3 * 0.25 + 0.1
    )
    assert host_chain(hits("a", 0.1, 0.2, 0.3, 0.4, robots=0.1), 0.25, 2) == pytest.approx(
        0.25 + 3 * 0.25 + 0.1
    )
    # Slow answers bound it: 4 x 0.4 s over 2 connections.
    assert host_chain(hits("a", 0.4, 0.4, 0.4, 0.4), 0.0, 2) == pytest.approx(0.8)
    own = hits("p1", 0.1, 0.1) + hits("p2", 0.1, 0.1)
    ideal, why = recheck_ideal([*own, *hits("reg", *[0.1] * 9)], {"p1", "p2"}, 0.25, 2, 2)
    assert ideal == pytest.approx(8 * 0.25 + 0.1)
    assert "reg" in why
    ideal, why = recheck_ideal(own, {"p1", "p2"}, 0.25, 2, 1)
    assert ideal == pytest.approx(2 * (0.25 + 0.1))
    assert "shared among 1" in why


def _at(host: str, path: str, delay: float) -> Hit:
    return Hit(host, path, 200, delay, 0.0)


def test_the_perfect_tool_asks_each_page_as_soon_as_the_politeness_rules_allow() -> None:
    own = [_at("a", "/robots.txt", 0.1), _at("a", "/1", 0.2), _at("a", "/2", 0.3)]
    pages = [("a", "/1"), ("a", "/2")]
    # robots.txt at 0, answered at 0.1; /1 0.25 s after it started; /2 0.25 s later.
    assert perfect_tool(own, [("a", pages)], {}, 0.25, 2, 1) == pytest.approx(0.5 + 0.3)
    # A slow robots.txt holds the host's first page until its answer.
    own[0] = _at("a", "/robots.txt", 0.4)
    assert perfect_tool(own, [("a", pages)], {}, 0.25, 2, 1) == pytest.approx(0.65 + 0.3)
    # One request in flight a host: each waits for the one before.
    assert perfect_tool(own[1:], [("a", pages)], {}, 0.0, 1, 1) == pytest.approx(0.5)
    # A page known only from another is asked once that one is answered.
    chain = [_at("d", "/1", 0.3), _at("d", "/2", 0.1)]
    reads = [("a", [("d", "/1"), ("d", "/2")])]
    assert perfect_tool(chain, reads, {}, 0.25, 2, 1) == pytest.approx(0.25 + 0.1)
    assert perfect_tool(chain, reads, {("d", "/2"): ("d", "/1")}, 0.25, 2, 1) == pytest.approx(0.4)
    # No other page of a host goes into a chain's gaps: it would hold the chain's next
    # page back by the per-host delay (/x at 0.25 would put /2 at 0.5, ending at 0.8).
    hits = [_at("d", "/1", 0.3), _at("d", "/2", 0.3), _at("d", "/x", 0.1)]
    reads = [("a", [("d", "/1"), ("d", "/2"), ("d", "/x")])]
    assert perfect_tool(hits, reads, {("d", "/2"): ("d", "/1")}, 0.25, 2, 1) == pytest.approx(
        0.55 + 0.1
    )
    # A page the run never asked is left out.
    assert perfect_tool(own[1:2], [("a", pages)], {}, 0.25, 2, 1) == pytest.approx(0.2)


def test_the_perfect_tool_holds_a_place_per_partner_until_its_shared_pages_are_read() -> None:
    hits = [_at("a", "/", 0.1), _at("b", "/", 0.1), _at("c", "/", 0.1)]
    hits += [_at("d", f"/{n}", 0.4) for n in (1, 2, 3)]
    chain = {("d", "/2"): ("d", "/1"), ("d", "/3"): ("d", "/2")}
    shared = [("d", "/1"), ("d", "/2"), ("d", "/3")]
    partners = [(h, [(h, "/"), *shared]) for h in "abc"]
    # The directory is read once, by the first partner: 1.2 s; the others then each need
    # their own page, one at a time.
    assert perfect_tool(hits, partners, chain, 0.25, 2, 1) == pytest.approx(1.2 + 0.1 + 0.1)
    # Two places: a and b wait for the directory together; c then.
    assert perfect_tool(hits, partners, chain, 0.25, 2, 2) == pytest.approx(1.3)
    # Giving its place up once its own host is read, c starts as soon as a's or b's own
    # page is answered, and all end with the directory...
    assert perfect_tool(hits, partners, chain, 0.25, 2, 2, park=True) == pytest.approx(1.2)
    # ... with at most UNDER_WAY x places partners unfinished: with one place, the next
    # partner waits for the directory, then needs its own page.
    hosts = [f"p{n}" for n in range(UNDER_WAY + 1)]
    hits = [_at(h, "/", 0.1) for h in hosts] + [_at("d", f"/{n}", 0.4) for n in (1, 2, 3)]
    partners = [(h, [(h, "/"), *shared]) for h in hosts]
    assert perfect_tool(hits, partners, chain, 0.25, 2, 1, park=True) == pytest.approx(1.3)
    assert perfect_tool(hits, partners[:-1], chain, 0.25, 2, 1, park=True) == pytest.approx(1.2)


def test_the_world_says_which_page_reveals_which_and_what_each_partner_reads(
    world: World, tmp_path: Path
) -> None:
    # Each directory page after the first is known from the one before (rel="next").
    larger = build_world(tmp_path / "world", partners=70, seed=3, page_kib=0)
    for later, before in larger.revealed_by.items():
        assert later[0] == before[0]
        assert f'rel="next" href="{later[1]}"' in _page_text(larger, *before)
    assert ("www.finops.example", "/members/page/3/") in larger.revealed_by
    assert len(larger.revealed_by) == sum("/page/" in page for page in larger.shared_pages)
    by_kind = {p.kind: p for p in world.partners}
    claimed = world.shared_reads(by_kind["pass"], "csv")
    groups = [p for _, p in claimed if p.startswith("/wg/")]
    assert len(groups) == 1
    only_claimed = world.shared_reads(by_kind["group-only-claimed"], "csv")
    assert not [p for _, p in only_claimed if p.startswith("/wg/")]
    looked_up = [p for h, p in world.shared_reads(by_kind["pass"], "url") if h == REGISTRY]
    assert len(looked_up) == len(by_kind["pass"].certificates)


def _page_text(world: World, host: str, path: str) -> str:
    return (world.sites / host / path.strip("/") / "index.html").read_text("utf-8")
