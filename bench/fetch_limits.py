"""Fetch-layer benchmark: peak memory against 1 GiB bodies, and time to reject hostile
servers against the limits that should stop them.

Memory: each scenario runs in a fresh subprocess (so ru_maxrss is that run's own peak):
a whole ``finops-verify verify`` run whose applicant site serves a 1 GiB body (plain with
no Content-Length, a gzip bomb, a brotli bomb), with the default settings (5 MiB cap).
Time: one LiveSource per hostile case, with a 3 s total deadline; the overshoot is the
time taken beyond the limit that should have ended it.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024 * 1024 * 1024

POLICY = """\
id: bench
program: "2022"
tier: platform
version: "1"
title: bench
requirements:
  - id: offering
    text: Publicly listed offering
    check: offering
"""


def _child(kind: str) -> None:
    """Run in the subprocess: serve a 1 GiB ``kind`` body and verify against it."""
    sys.path.insert(0, str(ROOT))
    from tests.fetch.hostile_server import (
        BEHAVIOURS,
        hostile_server,
        response,
        zeros_brotli,
        zeros_gzip,
    )
    from verifier.cli.main import main

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with hostile_server() as server, tempfile.TemporaryDirectory() as tmp:
        if kind == "gzip":
            body = zeros_gzip(GIB)
            server.route("/lens", response(200, body, {"Content-Encoding": "gzip"}))
        elif kind == "br":
            body = zeros_brotli(GIB)
            server.route("/lens", response(200, body, {"Content-Encoding": "br"}))
        elif kind == "tags":
            # Not 1 GiB: 1.7 million tags that fit under the 5 MiB cap (a parse bomb).
            body = b"<html><body>" + b"<b>" * 1_700_000 + b"</body></html>"
            server.route("/lens", response(200, body))
        else:
            body = b""
            server.route("/lens", BEHAVIOURS["/endless"])  # made as it is sent
        wire = len(body) or GIB
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(POLICY)
        started = time.monotonic()
        code = main(
            [
                "verify",
                str(ROOT / "fixtures/demo/platform.yaml"),
                "--policy",
                str(policy),
                "--out",
                str(Path(tmp) / "report"),
                "--allow-private-network",
                "--ignore-robots",
                "--resolve",
                f"acme.example:80:127.0.0.1:{server.port}",
                "--json",
            ]
        )
        elapsed = time.monotonic() - started
        report = json.loads((Path(tmp) / "report" / "report.json").read_text())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "kind": kind,
                "exit_code": code,
                "summary": report["requirements"][0]["summary"],
                "status": report["requirements"][0]["status"],
                "wire_bytes": wire,
                "rss_before_kib": before,
                "peak_rss_kib": peak,
                "seconds": round(elapsed, 2),
            }
        )
    )


def memory() -> list[dict[str, Any]]:
    """Peak RSS of a whole verify run meeting each hostile body, one subprocess each."""
    rows = []
    for kind in ("plain", "gzip", "br", "tags"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.fetch_limits", "child", kind],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return rows


def rejections() -> list[dict[str, Any]]:
    """Time each hostile case takes to be rejected, against the limit that applies."""
    sys.path.insert(0, str(ROOT))
    from tests.fetch.hostile_server import hostile_server, response, zeros_gzip
    from verifier.errors import FetchError
    from verifier.fetch import FetchSettings, LiveSource

    deadline = 3.0
    rows = []
    with hostile_server() as server:
        server.route("/bomb", response(200, zeros_gzip(GIB // 4), {"Content-Encoding": "gzip"}))
        server.route("/down", response(503, b"down"))
        for i in range(30):
            server.route(f"/r{i}", response(302, b"", {"Location": f"/r{i + 1}"}))
        settings = FetchSettings(
            total_timeout=deadline,
            allow_private_network=True,
            obey_robots=False,
            backoff=0.1,
            resolve=(("site.example:80", f"127.0.0.1:{server.port}"),),
        )
        backoff_max = sum(settings.backoff * 2**i for i in range(settings.retries))
        cases = [
            ("/drip-body", "total deadline", deadline),
            ("/drip-headers", "total deadline", deadline),
            ("/silent", "total deadline", deadline),
            ("/endless", "5 MiB cap", deadline),
            ("/endless-chunked", "5 MiB cap", deadline),
            ("/bomb", "5 MiB cap (256 MiB gzip bomb)", deadline),
            ("/r0", "10 redirects", deadline),
            ("/down", f"{settings.retries + 1} attempts + back-off", backoff_max),
            (
                "/lying-length",
                f"{settings.retries + 1} attempts + back-off",
                backoff_max + deadline,
            ),
        ]

        async def one(path: str) -> tuple[float, str]:
            source = LiveSource(settings)
            started = time.monotonic()
            try:
                await source.get(f"http://site.example{path}")
                reason = "fetched (unexpected)"
            except FetchError as exc:
                reason = exc.reason
            finally:
                await source.aclose()
            return time.monotonic() - started, reason

        for path, limit_name, limit in cases:
            elapsed, reason = asyncio.run(one(path))
            rows.append(
                {
                    "case": path.strip("/"),
                    "limit": limit_name,
                    "limit_s": round(limit, 2),
                    "seconds": round(elapsed, 3),
                    "over_limit_s": round(max(0.0, elapsed - limit), 3),
                    "reason": reason[:70],
                }
            )
    return rows


PEAK_RSS_LIMIT_MB = 200.0
OVERSHOOT_LIMIT_S = 1.0


def run() -> int:
    """Print both tables; 1 when a figure misses its target (200 MB, 1 s over a limit)."""
    failures: list[str] = []
    print(
        "Peak memory of a verify run meeting a 1 GiB body, or a 5 MB page of 1.7 million "
        "tags (default 5 MiB cap, 50,000-tag cap)"
    )
    print(
        f"{'body':8} {'wire bytes':>12} {'RSS start':>10} {'peak RSS':>10} {'seconds':>8}  outcome"
    )
    for r in memory():
        peak = r["peak_rss_kib"] / 1024
        print(
            f"{r['kind']:8} {r['wire_bytes']:>12} {r['rss_before_kib'] / 1024:>8.1f}MB"
            f" {peak:>8.1f}MB {r['seconds']:>8}  {r['status']}: "
            f"{r['summary'].split(': ', 1)[-1][:70]}"
        )
        if peak > PEAK_RSS_LIMIT_MB or r["status"] != "error":
            failures.append(f"{r['kind']}: peak {peak:.1f} MB, status {r['status']}")
    print()
    print("Time to reject hostile servers (3 s total deadline, 5 MiB cap, 3 retries)")
    print(f"{'case':16} {'limit':34} {'seconds':>8} {'over':>6}  reason")
    for r in rejections():
        head = f"{r['case']:16} {r['limit']:34} {r['seconds']:>8} {r['over_limit_s']:>6}"
        print(f"{head}  {r['reason']}")
        if r["over_limit_s"] > OVERSHOOT_LIMIT_S:
            failures.append(f"{r['case']}: {r['over_limit_s']} s over its limit")
    print()
    print("targets met" if not failures else "TARGETS MISSED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "child":
        _child(sys.argv[2])
    else:
        sys.exit(run())
