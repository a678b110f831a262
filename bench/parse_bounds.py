"""Parse-bound benchmark: one whole verification against pages built to be slow to read.

Each page fits under the default caps (5 MiB body, 50,000 tags): 45,000 nested ``<div>``
with text, 49,000 sibling paragraphs, 26,000 links each with 12 attributes, misnested
formatting tags, a page hiding half its elements through 2,000 ``<style>`` rules, a
member directory of 12,000 nested lists, and a class bomb: 700 elements each carrying the
600 classes that key 32 two-class ``<style>`` rules each; and CSS values once read in
time quadratic in their length (an inline style of 200,000 digits, a sheet of 16,000).
The applicant's offering page, alignment page and both member directories are that page,
so every page-reading check reads it.

Each case runs a whole ``finops-verify verify`` in a fresh subprocess, twice: with the
default ``--parse-timeout`` (20 s), and with ``--parse-timeout 1``. Target: the wall time
of the verification stays within the parse timeout + 2 s, and a page that took longer to
read than the timeout makes its requirements ``error`` with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLACK_S = 2.0

POLICY = """\
id: bench-parse
program: "2022"
tier: platform
version: "1"
title: bench
requirements:
  - id: membership
    text: Member
    check: membership
    params: {sources: [finops-members, lf-members]}
  - id: offering
    text: Publicly listed offering
    check: offering
  - id: framework-alignment
    text: Alignment
    check: framework-alignment
    params: {taxonomy: framework/finops-framework.yaml, min_domains: 1, min_capabilities: 1}
"""

SUBMISSION = """\
tier: platform
applicant: {name: Acme Cloud Economics, website: "http://acme.example/", employees: 50}
offering: {name: Acme Lens, landing_page: "http://acme.example/page"}
alignment_pages: ["http://acme.example/page"]
"""


def _html(body: str, head: str = "") -> bytes:
    return f"<html><head><title>Acme Lens</title>{head}</head><body>{body}</body></html>".encode()


def pages() -> dict[str, bytes]:
    """The hostile pages, each under 5 MiB and 50,000 tags."""
    attrs = " ".join(f'data-a{j}="v{j}"' for j in range(12))
    rules = "".join(f".h{i}{{display:none}}" for i in range(2000))
    bomb_rules = "".join(f".c{i}.z{j}{{display:none}}" for i in range(600) for j in range(32))
    bomb_classes = " ".join(f"c{i}" for i in range(600))
    return {
        # Closing tags count against the cap too (it counts "<"), so most are left open.
        "nested": _html("<div>Acme Lens " * 45_000),
        "wide": _html("".join(f"<p>Acme Lens pricing {i}" for i in range(49_000))),
        "attributes": _html("".join(f'<a href="/c{i}" {attrs}>cap {i}' for i in range(26_000))),
        "misnested": _html("<b><i><u><s>Acme " * 12_000),
        "styled": _html(
            "".join(f'<p class="h{i % 4000} k">Acme Lens {i}' for i in range(45_000)),
            f"<style>{rules}</style>",
        ),
        "directory": _html(
            "<ul>" + "<li><a href='https://x.example/'>Member</a><ul>" * 12_000 + "</ul>"
        ),
        "class-bomb": _html(
            "".join(f'<p class="{bomb_classes}">Acme Lens {i}' for i in range(700)),
            f"<style>{bomb_rules}</style>",
        ),
        # CSS values read in time quadratic in their length before round r16b (a kept
        # sheet is read with no deadline, an inline style whole between two checks).
        "css-values": _html(
            f'<p style="left:{"1" * 200_000}!">Acme Lens</p>'
            f'<p style="transform:{"a" * 200_000}(">Acme Lens</p>',
            f"<style>.k{{left:{'1' * 16_000}!}}</style>",
        ),
    }


def _child(kind: str, parse_timeout: str) -> None:
    """Run in the subprocess: serve page ``kind`` and verify against it."""
    sys.path.insert(0, str(ROOT))
    from tests.fetch.hostile_server import hostile_server, response
    from verifier.cli.main import main

    body = pages()[kind]
    with hostile_server() as server, tempfile.TemporaryDirectory() as tmp:
        server.route("/page", response(200, body, {"Content-Type": "text/html"}))
        for name, text in (
            ("policy.yaml", POLICY),
            ("submission.yaml", SUBMISSION),
            (
                "sources.yaml",
                "finops-members: http://acme.example/page\nlf-members: http://acme.example/page\n",
            ),
        ):
            (Path(tmp) / name).write_text(text)
        started = time.monotonic()
        code = main(
            [
                "verify",
                str(Path(tmp) / "submission.yaml"),
                "--policy",
                str(Path(tmp) / "policy.yaml"),
                "--sources",
                str(Path(tmp) / "sources.yaml"),
                "--out",
                str(Path(tmp) / "report"),
                "--allow-private-network",
                "--ignore-robots",
                "--per-host-delay",
                "0",
                "--parse-timeout",
                parse_timeout,
                "--resolve",
                f"acme.example:80:127.0.0.1:{server.port}",
                "--json",
            ]
        )
        report = json.loads((Path(tmp) / "report" / "report.json").read_text())
        elapsed = time.monotonic() - started
    print(
        json.dumps(
            {
                "kind": kind,
                "bytes": len(body),
                "tags": body.count(b"<"),
                "exit_code": code,
                "seconds": round(elapsed, 2),
                "statuses": {r["id"]: r["status"] for r in report["requirements"]},
                "reasons": sorted(
                    {r["summary"][:90] for r in report["requirements"] if r["status"] == "error"}
                ),
            }
        )
    )


def measure() -> list[dict[str, Any]]:
    """One row per page and parse timeout, each from a fresh subprocess."""
    rows = []
    for kind in pages():
        for timeout in ("20", "1"):
            started = time.monotonic()
            out = subprocess.run(
                [sys.executable, "-m", "bench.parse_bounds", "child", kind, timeout],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - started
            lines = out.stdout.strip().splitlines()
            if out.returncode != 0 or not lines:
                raise SystemExit(f"{kind}: the child failed:\n{out.stderr[-2000:]}")
            row = json.loads(lines[-1])
            row.update(parse_timeout=float(timeout), process_seconds=round(wall, 2))
            rows.append(row)
    return rows


def run() -> int:
    """Print the table; 1 when a verification outlasts its parse timeout + 2 s."""
    failures: list[str] = []
    print("One verification against pages built to be slow to read (under the default caps)")
    print(f"{'page':11} {'bytes':>9} {'tags':>7} {'timeout':>7} {'verify s':>9}  statuses")
    for r in measure():
        statuses = " ".join(f"{k}={v}" for k, v in r["statuses"].items())
        print(
            f"{r['kind']:11} {r['bytes']:>9} {r['tags']:>7} {r['parse_timeout']:>7g}"
            f" {r['seconds']:>9}  {statuses}"
        )
        for reason in r["reasons"]:
            print(f"{'':48}error: {reason}")
        if r["seconds"] > r["parse_timeout"] + SLACK_S:
            failures.append(f"{r['kind']} at {r['parse_timeout']:g} s: {r['seconds']} s")
    print()
    print("targets met" if not failures else "TARGETS MISSED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "child":
        _child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(run())
