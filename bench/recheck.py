"""``python -m bench recheck``: a renewal re-check of a generated world of partners on loopback.

Not in the default ``make bench`` set: at 300 partners it takes several minutes.

    python -m bench recheck                         # recheck of 30, then 300 partners
    python -m bench recheck --mode loop             # `verify` once per partner, 30 partners
    python -m bench recheck --partners 30 --registry url

The world (:mod:`bench.recheck_world`: N platform partners with ten pages on a host each,
the paginated member directories, working-group pages and a certificate export) is
served by :class:`bench.loopback.LoopbackServer`, every response held back a seeded
random 50-400 ms. ``--mode recheck`` runs ``finops-verify recheck ROSTER`` once (the
command of CONTRACT.md "Renewal re-check"); ``--mode loop`` runs ``finops-verify verify``
once per partner, one after the other, as staff would in a shell loop (the "before" of
issue 10). Both pass the same fetch options: ``--allow-private-network``, ``--allow-port``,
one ``--resolve`` per host, ``--per-host-delay`` and ``--per-host-concurrency``.

Figures printed, per run:

- wall time of the command(s), and the **latency-bound ideal** under the same politeness
  rules and concurrency, computed from the server's request log and the delays it served:

  * one host's chain: with ``k`` requests to the host, per-host delay ``d`` (seconds
    between two starts) and per-host concurrency ``c``, its requests cannot all be
    answered sooner than ``L = r + max((k' - 1) * d + min(t), sum(t) / c)``, where ``t``
    are the delays served for its ``k'`` requests other than ``/robots.txt``, which must
    be answered first: ``r = max(t_robots, d)``, the first other request starting once it
    is answered and ``d`` after it started (0 when it was not asked);
  * ``--mode recheck`` with ``--concurrency N`` partners at a time:
    ``ideal = max(max over every host of L, sum over the partners' own hosts of L / N)``:
    the run lasts at least its slowest host chain (a shared directory, the registry) and
    at least the partners' own chains shared among N workers; the shared hosts are
    worked alongside, so they enter only the first term;
  * ``--mode loop``: the runs are sequential, each bounded by its slowest host chain:
    ``ideal = sum over runs of (max over the hosts it asked of L)``, each run's requests
    being those that arrived while it ran.

  CPU time (the interpreter, parsing) is not in the ideal: the ratio wall / ideal shows
  what the tool adds to the latency it cannot avoid. Neither is the order pages must come
  in besides robots.txt first (a directory's page 2 is known only once page 1 is read),
  nor that a partner's checks end only once the shared pages they read are answered:
  the ideal is a lower bound, below what a perfect tool reaches (the next figure).
  Target: at most 1.15;
- a **perfect tool** (``--mode recheck``; :mod:`bench.recheck_sim`): this run's pages
  replayed, each with the delay the server gave it, through a simulated tool that spends
  no CPU and asks every page the instant the rules allow, holding one of its N places
  per partner until the partner's last page (shared ones included) is answered, and
  again giving its place up while only shared pages are awaited, as this tool does
  (``recheck --concurrency``). It cannot know which answer will be quick, nor read a
  directory's next page before the page linking to it: its time over the ideal is what
  the rules alone cost, the wall time over the second what this tool added;
- requests in all and per host (shared hosts by name, the partners' hosts as min / median
  / max), and every shared directory or group page asked more than once (target in
  ``--mode recheck``: each fetched once);
- peak RSS of the child process(es) running ``finops-verify`` (``os.wait4``'s rusage, the
  largest of the loop's runs), and their CPU seconds (user + system, summed over the
  loop), with the wall time they need at the least on this machine's cores (when that is
  more than the ideal, CPU and not latency bounds the run). Targets: under 300 MB, and
  at the largest world no more than 1.3 times the figure at the smallest;
- whether every partner reached the verdicts its kind was built for (a world the checks
  misread measures nothing);
- which host chain dominates the ideal and by how much.

``--mode recheck`` then runs the command a second time on the same world with
``--baseline`` the first run's folder (``--no-second-run`` skips it) and prints its wall
time, its requests, how many carried the baseline's validators (If-None-Match /
If-Modified-Since) and the **share of 304s** (requests answered 304 Not Modified, the
baseline's bytes re-used), and whether every partner still reached its verdicts.

``--registry url`` (by default run too, at the smallest size) points ``credential-registry``
at a URL template on one host, ``registry.example``, that answers every certificate
look-up: then that host's chain (thousands of requests spaced by the per-host delay)
dominates, and the figures say so.

Exit 1 when a target is missed, 2 when the recheck command is not available yet.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.loopback import Hit, LoopbackServer
from bench.recheck_sim import perfect_tool
from bench.recheck_world import AS_OF, REGISTRY, World, build_world
from verifier.bundle.check import load_report
from verifier.recheck.model import RECHECK_JSON, load_summary
from verifier.run.recheck import cores as run_cores

RATIO_TARGET = 1.15
RSS_TARGET_MB = 300.0
RSS_GROWTH_TARGET = 1.3
TOOL = Path(sys.executable).with_name("finops-verify")


@dataclass(frozen=True)
class SecondRun:
    """What the second run, with ``--baseline``, measured."""

    wall: float
    hits: list[Hit]
    mismatched: list[str]

    def line(self) -> str:
        """Its figures, one line: requests, conditional ones, the share of 304s."""
        n = len(self.hits)
        asked = sum(1 for h in self.hits if h.conditional)
        unchanged = sum(1 for h in self.hits if h.status == 304)
        return (
            f"second run with --baseline: wall {self.wall:.1f} s, {n} requests, {asked} "
            f"conditional, {unchanged} answered 304 ({unchanged / max(n, 1):.0%} of the requests)"
        )


@dataclass
class Figures:
    """What one run measured."""

    label: str
    partners: int
    wall: float
    ideal: float
    peak_rss_mb: float
    cpu: float
    """CPU seconds (user + system) of the finops-verify process(es)."""
    hits: list[Hit]
    dominant: str
    mismatched: list[str] = field(default_factory=list)
    shared_asked: dict[str, int] = field(default_factory=dict)
    """How many times each page of a shared directory or group was asked (0: never)."""
    robots_repeated: int = 0
    """Hosts whose robots.txt was asked more than once."""
    second: SecondRun | None = None
    """The second run, with ``--baseline`` the first (``--mode recheck``)."""
    perfect: tuple[float, float] | None = None
    """The perfect tool's wall time (:mod:`bench.recheck_sim`), holding its place per
    partner and giving it up while the shared pages are read (``--mode recheck``)."""

    @property
    def ratio(self) -> float:
        """Wall time over the ideal."""
        return self.wall / self.ideal if self.ideal else float("inf")


def host_chain(hits: Sequence[Hit], delay: float, concurrency: int) -> float:
    """Seconds one host needs at least to answer ``hits`` (see the module doc)."""
    robots = [h.delay for h in hits if h.path == "/robots.txt"]
    rest = [h.delay for h in hits if h.path != "/robots.txt"]
    if not rest:
        return max(robots, default=0.0)
    # The first other request waits for robots.txt's answer, and starts `delay` after it.
    first = max(max(robots), delay) if robots else 0.0
    return first + max((len(rest) - 1) * delay + min(rest), sum(rest) / concurrency)


def chains(hits: Sequence[Hit], delay: float, concurrency: int) -> dict[str, float]:
    """Each host's chain (:func:`host_chain`) over ``hits``."""
    by_host: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_host[hit.host].append(hit)
    return {host: host_chain(h, delay, concurrency) for host, h in by_host.items()}


def recheck_ideal(
    hits: Sequence[Hit], own_hosts: set[str], delay: float, per_host: int, workers: int
) -> tuple[float, str]:
    """The ideal of one recheck run and what bounds it (see the module doc)."""
    each = chains(hits, delay, per_host)
    slowest = max(each, key=each.__getitem__)
    shared_work = sum(v for h, v in each.items() if h in own_hosts) / workers
    if each[slowest] >= shared_work:
        why = f"the chain of {slowest} ({each[slowest]:.1f} s, {_count(hits, slowest)} requests)"
        return each[slowest], why
    return shared_work, f"the partners' own hosts shared among {workers} workers"


def loop_ideal(
    hits: Sequence[Hit],
    runs: Sequence[tuple[float, float]],
    own_hosts: set[str],
    delay: float,
    per_host: int,
) -> tuple[float, str]:
    """The ideal of sequential runs, each bounded by its slowest host chain."""
    total = 0.0
    worst: dict[str, float] = defaultdict(float)
    for start, end in runs:
        each = chains([h for h in hits if start <= h.arrived <= end], delay, per_host)
        if each:
            total += max(each.values())
            for host, value in each.items():
                kind = "the partners' own hosts" if host in own_hosts else host
                worst[kind] += value
    top = max(worst, key=worst.__getitem__, default="nothing")
    return total, f"{top} (its chains sum to {worst.get(top, 0.0):.1f} s over the runs)"


def _count(hits: Sequence[Hit], host: str) -> int:
    return sum(1 for h in hits if h.host == host)


def _run(cmd: list[str], log: Path) -> tuple[int, float, float]:
    """Run ``cmd`` with its output to ``log``; its exit code, peak RSS in MB, CPU seconds."""
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, usage.ru_maxrss / 1024, cpu  # Linux: ru_maxrss in kilobytes


def _fetch_options(server: LoopbackServer, args: argparse.Namespace) -> list[str]:
    return [
        "--as-of",
        AS_OF.isoformat(),
        "--allow-private-network",
        "--allow-port",
        str(server.port),
        "--per-host-delay",
        str(args.per_host_delay),
        "--per-host-concurrency",
        str(args.per_host_concurrency),
        *server.resolve_args(),
    ]


def _statuses(bundle: Path) -> dict[str, str]:
    """Each requirement's status in the report.json of ``bundle`` (the typed reader's)."""
    return {str(r.id): str(r.status) for r in load_report(bundle).requirements}


def measure(world: World, out: Path, args: argparse.Namespace, registry: str) -> Figures:
    """Serve ``world``, run the command(s) of ``args.mode`` over it, and measure."""
    sources = world.sources_url if registry == "url" else world.sources
    label = f"{args.mode}, {len(world.partners)} partners, credential registry: {registry}"
    log = out / "commands.log"
    with LoopbackServer(world.sites, seed=args.seed) as server:
        fetch = _fetch_options(server, args)
        got: dict[str, dict[str, str]] = {}
        second: SecondRun | None = None
        perfect: tuple[float, float] | None = None
        own = {p.host for p in world.partners}
        started = time.monotonic()
        if args.mode == "loop":
            runs: list[tuple[float, float]] = []
            rss = cpu = 0.0
            for p in world.partners:
                sub = world.root / "partners" / f"{p.id}.yaml"
                begin = time.monotonic()
                cmd = [str(TOOL), "verify", str(sub), "--out", str(out / p.id)]
                _, peak, spent = _run([*cmd, "--sources", str(sources), "--json", *fetch], log)
                cpu += spent
                runs.append((begin, time.monotonic()))
                rss = max(rss, peak)
                if (out / p.id / "report.json").is_file():
                    got[p.id] = _statuses(out / p.id)
            wall = time.monotonic() - started
            hits = list(server.hits)
            ideal, dominant = loop_ideal(
                hits, runs, own, args.per_host_delay, args.per_host_concurrency
            )
        else:
            cmd = [str(TOOL), "recheck", str(world.roster), "--out", str(out / "recheck")]
            cmd += ["--sources", str(sources), "--concurrency", str(args.concurrency), *fetch]
            cmd += ["--workers", args.workers]
            _, rss, cpu = _run(cmd, log)
            wall = time.monotonic() - started
            hits = list(server.hits)
            got = _verdicts(out / "recheck")
            ideal, dominant = recheck_ideal(
                hits, own, args.per_host_delay, args.per_host_concurrency, args.concurrency
            )
            perfect = _perfect(world, hits, registry, args)
            if args.second_run:
                again = [*cmd[:4], str(out / "recheck2"), *cmd[5:]]
                again += ["--baseline", str(out / "recheck")]
                begin, before = time.monotonic(), len(server.hits)
                _run(again, log)
                verdicts = _verdicts(out / "recheck2")
                second = SecondRun(
                    time.monotonic() - begin,
                    list(server.hits[before:]),
                    [p.id for p in world.partners if verdicts.get(p.id) != p.expected],
                )
    asked: dict[str, int] = defaultdict(int)
    for hit in hits:
        asked[f"{hit.host}{hit.path}"] += 1
    return Figures(
        label=label,
        partners=len(world.partners),
        wall=wall,
        ideal=ideal,
        peak_rss_mb=rss,
        cpu=cpu,
        hits=hits,
        dominant=dominant,
        mismatched=[p.id for p in world.partners if got.get(p.id) != p.expected],
        shared_asked={page: asked.get(page, 0) for page in world.shared_pages},
        robots_repeated=sum(1 for p, n in asked.items() if p.endswith("/robots.txt") and n > 1),
        second=second,
        perfect=perfect,
    )


def _perfect(
    world: World, hits: Sequence[Hit], registry: str, args: argparse.Namespace
) -> tuple[float, float]:
    """The perfect tool's wall time over this run's pages, holding and giving up places."""
    own: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for hit in sorted(hits, key=lambda h: h.arrived):
        own[hit.host].append((hit.host, hit.path))
    partners = [(p.host, [*own[p.host], *world.shared_reads(p, registry)]) for p in world.partners]
    rules = (world.revealed_by, args.per_host_delay, args.per_host_concurrency, args.concurrency)
    return perfect_tool(hits, partners, *rules), perfect_tool(hits, partners, *rules, park=True)


def _verdicts(folder: Path) -> dict[str, dict[str, str]]:
    """Each partner's requirement statuses in the recheck.json of ``folder``."""
    if not (folder / RECHECK_JSON).is_file():
        return {}
    return {str(e.id): dict(e.requirements) for e in load_summary(folder).partners}


def report(fig: Figures, mode: str, own_hosts: set[str]) -> list[str]:
    """Print one run's figures; return the targets it missed."""
    missed = []
    print(f"== {fig.label}")
    print(f"   wall {fig.wall:.1f} s, latency-bound ideal {fig.ideal:.1f} s, ratio {fig.ratio:.2f}")
    print(f"   the ideal is bounded by {fig.dominant}")
    if fig.perfect is not None:
        hold, park = fig.perfect
        print(
            f"   a perfect tool (no CPU, every page asked as soon as the rules allow;"
            f" bench/recheck_sim.py): {hold:.1f} s ({hold / fig.ideal:.2f} x the ideal),"
            f" {park:.1f} s ({park / fig.ideal:.2f} x) giving up its place while the shared"
            f" pages are read, as this tool does; wall over that {fig.wall / park:.2f}"
        )
    per_host: dict[str, int] = defaultdict(int)
    for hit in fig.hits:
        per_host[hit.host] += 1
    own = sorted(n for h, n in per_host.items() if h in own_hosts)
    print(f"   requests: {len(fig.hits)} ({len(fig.hits) / max(fig.partners, 1):.1f} per partner)")
    for host, n in sorted(per_host.items()):
        if host not in own_hosts:
            print(f"     {host}: {n}")
    if own:
        print(
            f"     each partner's own host: min {own[0]}, median {statistics.median(own):g}, "
            f"max {own[-1]}"
        )
    by_count: dict[int, list[str]] = defaultdict(list)
    for page, n in fig.shared_asked.items():
        by_count[n].append(page)
    print(
        "   shared directory and group pages: "
        + ", ".join(f"{len(pages)} asked {n} time(s)" for n, pages in sorted(by_count.items()))
    )
    if by_count.get(0):
        print(f"     never asked: {', '.join(by_count[0][:3])}")
    print(f"   hosts whose robots.txt was asked more than once: {fig.robots_repeated}")
    if mode == "recheck" and any(n > 1 for n in by_count):
        missed.append("each shared directory page fetched once")
    cores = run_cores()  # those the command may run on, as --workers auto counts them
    print(
        f"   peak RSS of finops-verify: {fig.peak_rss_mb:.0f} MB; its CPU: {fig.cpu:.1f} s "
        f"({fig.cpu / max(fig.partners, 1):.2f} s per partner; spread over {cores} core(s), "
        f"at least {fig.cpu / cores:.1f} s of wall time: "
        + ("more" if fig.cpu / cores > fig.ideal else "less")
        + " than the latency-bound ideal)"
    )
    if fig.mismatched:
        shown = ", ".join(fig.mismatched[:5])
        print(f"   partners without their expected verdicts: {len(fig.mismatched)} ({shown})")
        missed.append("every partner reaches its expected verdicts")
    if fig.second is not None:
        print(f"   {fig.second.line()}")
        if fig.second.mismatched:
            shown = ", ".join(fig.second.mismatched[:5])
            print(f"   second run: partners without their expected verdicts: {shown}")
            missed.append("every partner reaches its expected verdicts in the second run")
    if fig.ratio > RATIO_TARGET:
        missed.append(f"ratio {fig.ratio:.2f} > {RATIO_TARGET}")
    if fig.peak_rss_mb >= RSS_TARGET_MB:
        missed.append(f"peak RSS {fig.peak_rss_mb:.0f} MB >= {RSS_TARGET_MB:.0f} MB")
    return missed


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The bench's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench recheck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--mode", choices=["recheck", "loop"], default="recheck")
    parser.add_argument(
        "--partners",
        type=int,
        action="append",
        help="world size (repeatable) [default: 30 and 300; 30 with --mode loop]",
    )
    parser.add_argument(
        "--registry",
        choices=["csv", "url", "both"],
        default="both",
        help="credential registry: the CSV export, the URL template (run at "
        "the smallest size), or both [default: both]",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="partners at a time, --mode recheck [default: 16]",
    )
    parser.add_argument(
        "--workers",
        default="auto",
        help="--mode recheck: the command's --workers (N or auto) [default: auto]",
    )
    parser.add_argument("--per-host-delay", type=float, default=0.25)
    parser.add_argument("--per-host-concurrency", type=int, default=2)
    parser.add_argument(
        "--page-kib",
        type=int,
        default=75,
        help="size of each HTML page, grown with markup and script as a real "
        "site's (0: about 1 KiB) [default: 75]",
    )
    parser.add_argument(
        "--no-second-run",
        dest="second_run",
        action="store_false",
        help="--mode recheck: skip the second run with --baseline (the share of 304s)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the world and the reports")
    args = parser.parse_args(argv)
    if not args.partners:
        args.partners = [30] if args.mode == "loop" else [30, 300]
    return args


def run(argv: Sequence[str] = ()) -> int:
    """Build the worlds, run them, print the figures; 1 when a target is missed."""
    args = parse_args(argv)
    if args.mode == "recheck":
        probe = subprocess.run([str(TOOL), "recheck", "--help"], capture_output=True, check=False)
        if probe.returncode != 0:
            print("recheck: `finops-verify recheck` is not available yet; run --mode loop")
            return 2
    print(
        f"recheck: {args.mode} mode, pages of {args.page_kib} KiB, per-host delay "
        f"{args.per_host_delay} s, per-host concurrency {args.per_host_concurrency}"
        + (f", {args.concurrency} partners at a time" if args.mode == "recheck" else "")
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-recheck-"))
    missed: list[str] = []
    rss: dict[int, float] = {}
    try:
        sizes = sorted(set(args.partners))
        plan = [(n, "csv") for n in sizes if args.registry in ("csv", "both")]
        if args.registry in ("url", "both"):
            plan.append((sizes[0], "url"))
        for n, registry in plan:
            folder = tmp / f"{n}-{registry}"
            world = build_world(folder / "world", n, args.seed, args.page_kib)
            fig = measure(world, folder, args, registry)
            missed += [
                f"{fig.label}: {m}"
                for m in report(fig, args.mode, {p.host for p in world.partners})
            ]
            if registry == "csv":
                rss[n] = fig.peak_rss_mb
            else:
                registry_hits = _count(fig.hits, REGISTRY)
                print(
                    f"   {REGISTRY} answered {registry_hits} look-ups: at least "
                    f"{max(registry_hits - 1, 0) * args.per_host_delay:.0f} s at one per "
                    f"{args.per_host_delay} s"
                )
            print()
        if len(rss) > 1:
            small, large = min(rss), max(rss)
            growth = rss[large] / rss[small]
            print(
                f"peak RSS {rss[small]:.0f} MB at {small} partners, {rss[large]:.0f} MB at "
                f"{large}: x{growth:.2f}"
            )
            if growth > RSS_GROWTH_TARGET:
                missed.append(f"peak RSS grows x{growth:.2f} > x{RSS_GROWTH_TARGET}")
    finally:
        if args.keep:
            print(f"world and reports kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for item in missed:
        print(f"TARGET MISSED: {item}")
    return 1 if missed else 0
