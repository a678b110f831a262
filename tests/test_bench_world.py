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
from bench.recheck import host_chain, recheck_ideal, served_bound
from bench.recheck_world import AS_OF, KINDS, REGISTRY, World, build_world
from verifier.cli.main import main
from verifier.inputs.submission import load_submission


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

    # Spaced starts bound a host: robots first, then 4 requests 0.25 s apart + the shortest.
    assert host_chain(hits("a", 0.1, 0.2, 0.3, 0.4, robots=0.2), 0.25, 2) == pytest.approx(
        0.2 + 3 * 0.25 + 0.1
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


def test_the_chains_as_served_are_each_host_s_span_shared_among_the_places() -> None:
    hits = [
        Hit("p1", "/robots.txt", 200, 0.2, 10.0),
        Hit("p1", "/a", 200, 0.3, 10.25),  # p1: 10.0 to 10.55
        Hit("p2", "/a", 200, 0.1, 11.0),
        Hit("p2", "/b", 200, 0.4, 11.5),  # p2: 11.0 to 11.9
        Hit("dir", "/1", 200, 0.2, 10.0),
        Hit("dir", "/2", 200, 0.2, 10.3),  # dir: 10.0 to 10.5
    ]
    assert served_bound(hits, {"p1", "p2"}, 1) == pytest.approx(0.55 + 0.9)
    assert served_bound(hits, {"p1", "p2"}, 2) == pytest.approx(0.9)  # p2's own span
    assert served_bound(hits, {"p1", "p2"}, 4) == pytest.approx(0.9)
    assert served_bound(hits[:2], {"p1"}, 1) == pytest.approx(0.55)
