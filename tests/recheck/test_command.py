"""``finops-verify recheck``: a roster of the demo applicants re-checked in one run against
the fixture sites on 127.0.0.1 (CONTRACT.md, "Renewal re-check")."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.check import check_bundle
from verifier.bundle.store import read_index
from verifier.cli.exitcodes import ExitCode
from verifier.cli.main import main
from verifier.models import Status, overall_status
from verifier.run.recheck import STATE_FILE, partial_dir
from verifier.run.review import append_decision
from verifier.sites import SiteServer, serve_sites

from ..helpers import FIXTURES, ROOT, interruptible, offline_args

DEMO = {
    "acme": "platform",
    "stratus": "solution",
    "northwind": "service-provider",
    "learnwell": "training-partner",
}
"""Roster id -> the demo submission it re-checks."""
DIRECTORY_HOSTS = ("www.finops.example", "www.linuxfoundation.example")


@pytest.fixture
def server() -> Iterator[SiteServer]:
    """The fixture sites with a request log of this test's own."""
    with serve_sites(FIXTURES / "sites") as served:
        yield served


def write_roster(tmp_path: Path, extra: str = "", ids: dict[str, str] = DEMO) -> Path:
    lines = ["partners:"]
    for pid, sub in ids.items():
        lines += [f"  - id: {pid}", f"    submission: {FIXTURES / 'demo' / (sub + '.yaml')}"]
    path = tmp_path / "roster.yaml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def recheck(server: SiteServer, roster: Path, out: Path, *extra: str) -> int:
    return main(["recheck", str(roster), "--out", str(out), *offline_args(server), *extra])


def summary_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "recheck.json").read_text())
    return data


def partner_urls(out: Path, pid: str) -> set[str]:
    return {e["url"] for e in read_index(out / "partners" / pid) if not e.get("purpose")}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_roster_of_the_demo_applicants_writes_the_contract_folder_fetching_shared_pages_once(
    tmp_path: Path, server: SiteServer, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    roster = write_roster(tmp_path)
    out = tmp_path / "recheck"
    code = recheck(server, roster, out, "--concurrency", "4", "--workers", workers)
    requests = Counter(server.requests)
    data = summary_of(out)

    # The folder CONTRACT.md describes, and nothing half-written left in it.
    assert sorted(p.name for p in out.iterdir()) == [
        "SHA256SUMS",
        "partners",
        "recheck.html",
        "recheck.json",
        "recheck.md",
    ]
    assert sorted(p.name for p in (out / "partners").iterdir()) == sorted(DEMO)
    assert data["schema"] == "finops-verifier/recheck/v1"
    assert data["baseline"] is None
    assert data["roster"]["sha256"] == hashlib.sha256(roster.read_bytes()).hexdigest()
    assert [p["id"] for p in data["partners"]] == list(DEMO)
    for partner in data["partners"]:
        bundle = out / "partners" / partner["id"]
        check = check_bundle(bundle)
        assert check.ok, (partner["id"], check.describe())
        assert partner["bundle"] == f"partners/{partner['id']}"
        assert (
            partner["report_sha256"]
            == hashlib.sha256((bundle / "report.json").read_bytes()).hexdigest()
        )
        report = json.loads((bundle / "report.json").read_text())
        assert partner["requirements"] == {r["id"]: r["status"] for r in report["requirements"]}
        assert partner["outcome"] == report["outcome"]
        assert partner["changes"] == []
        assert partner["error"] is None
    assert data["counts"]["partners"] == 4
    outcomes = Counter(p["outcome"] for p in data["partners"])
    assert {k: data["counts"][k] for k in outcomes} == dict(outcomes)
    # The exit code follows the worst outcome (CONTRACT.md: 0 / 1 / 3).
    assert code == {"pass": 0, "fail": 1}.get(data["outcome"], 3)
    assert f"Outcome: {data['outcome']}" in capsys.readouterr().out

    # SHA256SUMS seals the summary files and each partner's own SHA256SUMS.
    sums = dict(
        reversed(line.split("  ", 1)) for line in (out / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == {"recheck.json", "recheck.html", "recheck.md"} | {
        f"partners/{pid}/SHA256SUMS" for pid in DEMO
    }
    for rel, sha in sums.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha, rel

    # One request per URL over the whole run, though several partners read the same
    # directory pages; each bundle still holds its own copy of them.
    assert max(requests.values()) == 1, requests.most_common(3)
    shared = set.intersection(*(partner_urls(out, pid) for pid in DEMO))
    directory = {u for u in shared if u.split("/")[2] in DIRECTORY_HOSTS}
    assert directory, shared
    for url in directory:
        host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
        assert requests[(host, path)] == 1, url


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_invalid_submission_is_that_partners_error_and_the_others_go_on(
    tmp_path: Path, server: SiteServer, workers: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tier: platform\napplicant: {name: Bad Co, website: 'file:///etc/passwd'}\n")
    roster = write_roster(tmp_path, f"  - id: bad\n    submission: {bad}\n", {"acme": "platform"})
    (tmp_path / "alone-roster").mkdir()
    alone = write_roster(tmp_path / "alone-roster", ids={"acme": "platform"})
    code = recheck(server, roster, tmp_path / "with-bad", "--workers", workers)
    data = summary_of(tmp_path / "with-bad")
    recheck(server, alone, tmp_path / "alone")
    reference = summary_of(tmp_path / "alone")

    bad_entry = data["partners"][1]
    assert bad_entry["id"] == "bad"
    assert bad_entry["outcome"] == "error"
    assert bad_entry["bundle"] is None
    assert bad_entry["requirements"] == {}
    assert str(bad) in bad_entry["error"]
    assert "website" in bad_entry["error"]
    assert not (tmp_path / "with-bad" / "partners" / "bad").exists()
    # The good partner is verified as if it were alone.
    assert data["partners"][0]["requirements"] == reference["partners"][0]["requirements"]
    assert check_bundle(tmp_path / "with-bad" / "partners" / "acme").ok
    # The bad partner adds one error to what the good one alone gives, and the outcome
    # and exit code are the worse of the two.
    alone_counts = reference["counts"]
    assert data["counts"] == {
        **alone_counts,
        "partners": alone_counts["partners"] + 1,
        "error": alone_counts["error"] + 1,
    }
    assert data["outcome"] == overall_status([Status(reference["outcome"]), Status.ERROR])
    assert data["outcome"] in ("error", "fail")
    assert code == ExitCode.for_outcome(data["outcome"])
    assert code in (1, 3)


def test_a_bad_roster_exits_2_naming_file_line_and_field_before_any_fetch(
    tmp_path: Path, server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("partners:\n  - id: acme\n    submision: acme.yaml\n")
    assert recheck(server, roster, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert f"{roster}:3: partners[0].submision" in err
    assert "did you mean" in err
    assert server.requests == []
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(
    tmp_path: Path, server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_roster(tmp_path, ids={"acme": "platform"})
    used = tmp_path / "used"
    used.mkdir()
    (used / "something").write_text("x")
    assert recheck(server, roster, used) == 2
    assert "--resume" in capsys.readouterr().err
    assert recheck(server, roster, tmp_path / "out", "--baseline", str(tmp_path)) == 2
    assert "recheck.json" in capsys.readouterr().err
    assert recheck(server, roster, tmp_path / "out", "--partner", "acmee") == 2
    assert "did you mean" in capsys.readouterr().err
    assert main(["recheck", str(roster), "--resume"]) == 2  # resume names its folder
    assert recheck(server, roster, used, "--resume") == 2  # ... and one of a re-check
    assert "no re-check to resume" in capsys.readouterr().err
    assert sorted(p.name for p in used.iterdir()) == ["something"]
    assert server.requests == []


def test_json_flag_prints_the_summary_path_and_outcome(
    tmp_path: Path, server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_roster(tmp_path, ids={"acme": "platform"})
    code = recheck(server, roster, tmp_path / "out", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "outcome": summary_of(tmp_path / "out")["outcome"],
        "exit_code": code,
        "recheck": str(tmp_path / "out" / "recheck.json"),
    }


def _without_times(data: dict[str, Any]) -> dict[str, Any]:
    # Two runs differ in their times only: the run's, and those inside each report.json
    # (fetched_at), hence its hash.
    data = dict(data, run={**data["run"], "started": None, "finished": None})
    data["partners"] = [dict(p, report_sha256=None) for p in data["partners"]]
    return data


def test_resume_after_a_crash_keeps_finished_partners_and_ends_as_an_uninterrupted_run(
    tmp_path: Path, server: SiteServer
) -> None:
    roster = write_roster(tmp_path)
    whole = tmp_path / "whole"
    recheck(server, roster, whole)
    # A crash after two partners finished: one was in flight (its partial folder is
    # left), the last had not started, and the summary (written last) is not there.
    crashed = tmp_path / "crashed"
    recheck(server, roster, crashed)
    for name in ("recheck.json", "recheck.html", "recheck.md", "SHA256SUMS"):
        (crashed / name).unlink()
    (crashed / "partners" / "northwind").rename(partial_dir(crashed, "northwind"))
    shutil.rmtree(crashed / "partners" / "learnwell")
    server.requests.clear()

    assert recheck(server, roster, crashed, "--resume") == recheck_code(whole)
    asked = {f"http://{h}{p}" for h, p in server.requests}
    kept_only = (partner_urls(whole, "acme") | partner_urls(whole, "stratus")) - (
        partner_urls(whole, "northwind") | partner_urls(whole, "learnwell")
    )
    assert kept_only
    assert not (kept_only & asked)
    assert not partial_dir(crashed, "northwind").exists()
    assert _without_times(summary_of(crashed)) == _without_times(summary_of(whole))
    for pid in DEMO:
        assert check_bundle(crashed / "partners" / pid).ok


def recheck_code(out: Path) -> int:
    return {"pass": 0, "fail": 1}.get(summary_of(out)["outcome"], 3)


def test_a_broken_bundle_is_made_again_on_resume(tmp_path: Path, server: SiteServer) -> None:
    roster = write_roster(tmp_path, ids={"acme": "platform", "stratus": "solution"})
    out = tmp_path / "out"
    recheck(server, roster, out)
    report = out / "partners" / "acme" / "report.json"
    report.write_text(report.read_text().replace('"pass"', '"fail"', 1))
    assert not check_bundle(out / "partners" / "acme").ok
    acme, stratus = partner_urls(out, "acme"), partner_urls(out, "stratus")
    server.requests.clear()
    recheck(server, roster, out, "--resume")
    asked = {f"http://{h}{p}" for h, p in server.requests}
    assert check_bundle(out / "partners" / "acme").ok
    assert acme - stratus <= asked  # acme's own pages: fetched again
    assert not (stratus - acme) & asked  # the intact bundle was kept


def _subprocess(server: SiteServer, roster: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verifier",
            "recheck",
            str(roster),
            "--out",
            str(out),
            *offline_args(server),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible,
    )


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux: /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_gone(pids: list[int]) -> None:
    """Wait until none of ``pids`` runs (a zombie has ended), at most a minute."""
    for _ in range(3000):
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return
        time.sleep(0.02)
    raise AssertionError(f"worker processes still running: {alive}")


def _wait_for_a_finished_partner(proc: subprocess.Popen[str], out: Path) -> None:
    # Polls the file system, not the clock: the test waits for a state, not for a time.
    while proc.poll() is None:
        if (out / "partners").is_dir() and any(
            not p.name.startswith(".") for p in (out / "partners").iterdir()
        ):
            return
        time.sleep(0.02)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_an_interrupted_run_resumes_to_the_summary_of_an_uninterrupted_one(
    tmp_path: Path, server: SiteServer, how: str, workers: str
) -> None:
    roster = write_roster(tmp_path)
    # One partner at a time, slowed by the politeness delay: the run is caught midway.
    slow = ("--concurrency", "1", "--per-host-delay", "0.05")
    whole = tmp_path / "whole"
    recheck(server, roster, whole, *slow)
    out = tmp_path / "out"
    proc = _subprocess(server, roster, out, *slow, "--workers", workers)
    _wait_for_a_finished_partner(proc, out)
    server.hold()  # the run waits where it is: a loaded machine cannot let it finish first
    try:
        children = child_pids(proc.pid)
        assert len(children) == (0 if workers == "1" else 2), children
        # The workers were forked from the command, not started as interpreters that
        # import it again: they have its command line.
        command = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert all(Path(f"/proc/{c}/cmdline").read_bytes() == command for c in children)
        proc.send_signal(signal.SIGKILL if how == "kill -9" else signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        # No worker outlives the run, even one whose parent was killed: its input closes.
        wait_gone(children)
    finally:
        server.release()
    finished = sorted(p.name for p in (out / "partners").iterdir() if not p.name.startswith("."))
    assert finished, "killed before any partner finished"
    assert len(finished) < len(DEMO), finished
    assert not (out / "recheck.json").exists()
    if how == "Ctrl-C":
        # Stopped cleanly: nothing half-written, and it says how to go on.
        assert proc.returncode == 130
        assert "--resume" in err
        assert str(out) in err
        assert not [p for p in (out / "partners").iterdir() if p.name.startswith(".")]
    else:
        assert proc.returncode == -signal.SIGKILL
    assert (out / STATE_FILE).is_file()
    server.requests.clear()

    assert recheck(server, roster, out, "--resume", *slow) == recheck_code(whole)
    asked = {f"http://{h}{p}" for h, p in server.requests}
    rest = set().union(*(partner_urls(whole, pid) for pid in DEMO if pid not in finished))
    kept_only = set().union(*(partner_urls(whole, pid) for pid in finished)) - rest
    assert not (kept_only & asked), kept_only & asked
    assert _without_times(summary_of(out)) == _without_times(summary_of(whole))
    assert not (out / STATE_FILE).exists()
    for pid in DEMO:
        assert check_bundle(out / "partners" / pid).ok


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_dead_site_is_bounded_by_the_deadline_and_the_others_go_on(
    tmp_path: Path, server: SiteServer, workers: str
) -> None:
    """A partner whose site accepts connections and never answers: its requirements that
    read the site are ``error`` saying the deadline passed; the run ends, and the other
    partner is verified. (The robots.txt asked of the silent site ends at the read
    timeout, 3 s, after the 1 s deadline: the partner ends then, not at the default 20.)"""
    dead_sub = tmp_path / "dead.yaml"
    dead_sub.write_text(
        (FIXTURES / "demo" / "platform.yaml").read_text().replace("acme.example", "dead.example")
    )
    roster = write_roster(
        tmp_path, f"  - id: dead\n    submission: {dead_sub}\n", {"acme": "platform"}
    )
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections complete in the kernel; nobody ever answers
        port = silent.getsockname()[1]
        recheck(
            server,
            roster,
            tmp_path / "out",
            "--check-timeout",
            "1",
            "--read-timeout",
            "3",
            "--resolve",
            f"dead.example:80:127.0.0.1:{port}",
            "--workers",
            workers,
        )
    data = summary_of(tmp_path / "out")
    dead = json.loads((tmp_path / "out" / "partners" / "dead" / "report.json").read_text())
    offering = next(r for r in dead["requirements"] if r["id"] == "offering")
    assert offering["status"] == "error"
    assert offering["summary"] == "the check did not finish within 1s"
    assert data["partners"][1]["outcome"] == "error"
    assert data["partners"][0]["bundle"] == "partners/acme"
    assert check_bundle(tmp_path / "out" / "partners" / "acme").ok


def test_baseline_decisions_carry_over_while_they_hold_and_expired_ones_are_listed(
    tmp_path: Path, server: SiteServer
) -> None:
    roster = write_roster(tmp_path, ids={"acme": "platform", "stratus": "solution"})
    before = tmp_path / "q3"
    recheck(server, roster, before)
    assert summary_of(before)["partners"][1]["requirements"]["specialization"] == "needs_review"
    append_decision(
        before / "partners" / "stratus",
        requirement="specialization",
        decision="pass",
        reviewer="J. Smith",
        reason="read the support contract",
    )
    append_decision(
        before / "partners" / "acme",
        requirement="membership",
        decision="pass",
        reviewer="A. Auditor",
        reason="checked by phone",
        expires=dt.date(2026, 2, 1),
        now=dt.datetime(2026, 1, 15, tzinfo=dt.UTC),
    )
    after = tmp_path / "q4"
    recheck(server, roster, after, "--baseline", str(before), "--as-of", "2026-03-01")
    data = summary_of(after)
    acme, stratus = data["partners"]
    assert data["baseline"] == {
        "path": str(before),
        "started": summary_of(before)["run"]["started"],
    }

    # Carried: the evidence is the same; the line names its origin and the new report.
    bundle = after / "partners" / "stratus"
    (line,) = [json.loads(x) for x in (bundle / "review.jsonl").read_text().splitlines()]
    new_sha = hashlib.sha256((bundle / "report.json").read_bytes()).hexdigest()
    old_sha = hashlib.sha256((before / "partners" / "stratus" / "report.json").read_bytes())
    assert line["report_sha256"] == new_sha
    assert line["carried"] == {
        "bundle": str(before / "partners" / "stratus"),
        "report_sha256": old_sha.hexdigest(),
        "as_of": "2026-03-01",
    }
    assert (line["reviewer"], line["reason"]) == ("J. Smith", "read the support contract")
    assert stratus["decisions"][0]["carried"] is True
    assert stratus["requirements"]["specialization"] == "pass"  # the effective status
    assert "J. Smith" in (bundle / "report.html").read_text()  # re-rendered with it
    assert check_bundle(bundle).ok  # and re-sealed

    # Not carried: expired before the as-of date, listed for a person to look again.
    assert not (after / "partners" / "acme" / "review.jsonl").exists()
    (record,) = acme["decisions"]
    assert record["carried"] is False
    assert record["reason"] == "expired"
    assert "2026-02-01" in record["detail"]
    assert "expired" in (after / "recheck.md").read_text()


def test_the_next_partner_starts_fetching_while_one_whose_checks_ended_writes_its_bundle(
    tmp_path: Path, server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--concurrency`` counts the partners being checked: one writing its bundle has
    left that count, so with one at a time the next is already fetching meanwhile."""
    import verifier.run.verify as verify

    roster = write_roster(tmp_path, ids={"acme": "platform", "stratus": "solution"})
    website = (FIXTURES / "demo" / "solution.yaml").read_text().split("website: ", 1)[1]
    second = website.split("/")[2]  # the host of stratus's own site
    write = verify._write_bundle
    seen: list[bool] = []

    def slow_write(store: Any, report: Any, prep: Any, request: Any) -> None:
        if ".acme." in prep.out.name:
            # Polls the server's log, not the clock: stratus's first request is awaited.
            for _ in range(1500):
                if any(host == second for host, _path in list(server.requests)):
                    break
                time.sleep(0.02)
            seen.append(any(host == second for host, _ in list(server.requests)))
        write(store, report, prep, request)

    monkeypatch.setattr(verify, "_write_bundle", slow_write)
    recheck(server, roster, tmp_path / "out", "--concurrency", "1", "--workers", "1")
    assert seen == [True]
    assert check_bundle(tmp_path / "out" / "partners" / "acme").ok
    assert check_bundle(tmp_path / "out" / "partners" / "stratus").ok


def test_partners_handed_on_together_read_their_inputs_one_per_turn_of_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch hands its partners on together (a worker gets its jobs at once): each
    reads its inputs in a turn of the event loop of its own, so that between two the
    loop serves the partners already checking (a page answered, a place given)."""
    import verifier.run.recheck as recheck_module
    from verifier.errors import InputError
    from verifier.host import build_host
    from verifier.inputs.roster import load_roster
    from verifier.run.verify import RunParts

    read = load_roster(write_roster(tmp_path))
    request = recheck_module.RecheckRequest(read, read.partners, tmp_path / "out")
    turns = 0
    seen: list[int] = []

    def prepare(*_args: Any) -> Any:
        seen.append(turns)
        raise InputError("not read in this test")

    monkeypatch.setattr(recheck_module, "prepare", prepare)

    async def go() -> list[str | None]:
        async def count() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        counter = asyncio.create_task(count())
        preparing = asyncio.Lock()
        parts = RunParts(build_host())
        day = dt.date(2026, 11, 1)
        results = await asyncio.gather(
            *(
                recheck_module.run_partner(request, parts, p, day, preparing=preparing)
                for p in read.partners
            )
        )
        counter.cancel()
        return [r.outcome for r in results]

    assert asyncio.run(go()) == ["error"] * len(DEMO)
    assert len(seen) == len(DEMO)
    assert len(set(seen)) == len(seen), seen  # each in a turn of its own


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_partner_reads_its_submission_before_it_waits_for_a_place(
    tmp_path: Path, server: SiteServer, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """With one partner checked at a time, the next one's submission is read (and found
    invalid) while the first is still fetching: reading inputs takes no place."""
    import verifier.run.recheck as recheck_module
    from verifier.fetch import LiveSource
    from verifier.run.pool import WorkerPool

    bad = tmp_path / "bad.yaml"
    bad.write_text("tier: platform\napplicant: {name: Bad Co, website: 'file:///etc/passwd'}\n")
    roster = write_roster(tmp_path, f"  - id: bad\n    submission: {bad}\n", {"acme": "platform"})
    told: dict[str, asyncio.Event] = {}
    held: list[str] = []
    asked: list[str] = []

    def event() -> asyncio.Event:
        return told.setdefault("bad", asyncio.Event())  # made in the run's own loop

    def noting(run: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = await run(*args, **kwargs)
            if getattr(result, "id", None) == "bad":
                event().set()
            return result

        return wrapper

    get = LiveSource.get

    async def holding_get(self: LiveSource, url: str) -> Any:
        # acme's first page waits until bad's result is in (or 30 s, in which case bad
        # waited for acme's place).
        asked.append(url)
        if "robots.txt" not in url and len(asked) == 1:
            try:
                await asyncio.wait_for(event().wait(), 30)
                held.append("released by bad's result")
            except TimeoutError:
                held.append("timed out")
        return await get(self, url)

    monkeypatch.setattr(recheck_module, "run_partner", noting(recheck_module.run_partner))
    monkeypatch.setattr(WorkerPool, "run", noting(WorkerPool.run))
    monkeypatch.setattr(LiveSource, "get", holding_get)
    args = ("--concurrency", "1", "--workers", workers)
    recheck(server, roster, tmp_path / "out", *args)
    assert held == ["released by bad's result"]
    data = summary_of(tmp_path / "out")
    assert [p["outcome"] for p in data["partners"]][1] == "error"
    assert check_bundle(tmp_path / "out" / "partners" / "acme").ok


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_partner_waiting_only_for_a_shared_directory_gives_its_place_to_the_next(
    tmp_path: Path, server: SiteServer, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """With one partner checked at a time, the first whose checks only wait for the member
    directory (a source's page, read by every partner) gives its place up: the next
    partner asks its own pages meanwhile, and both bundles are whole."""
    from verifier.fetch import LiveSource

    roster = write_roster(tmp_path, ids={"acme": "platform", "openlens": "solution"})
    directory = "http://www.finops.example/members/"
    told: list[asyncio.Event] = []
    held: list[str] = []
    get = LiveSource.get

    def event() -> asyncio.Event:
        if not told:
            told.append(asyncio.Event())  # made in the run's own loop
        return told[0]

    async def holding_get(self: LiveSource, url: str) -> Any:
        # The directory's first answer waits until openlens asks a page of its own (or
        # 30 s, in which case openlens waited for acme's place).
        if "openlens.example" in url:
            event().set()
        if url == directory and not held:
            held.append("holding")
            try:
                await asyncio.wait_for(event().wait(), 30)
                held.append("released by openlens's own page")
            except TimeoutError:
                held.append("timed out")
        return await get(self, url)

    monkeypatch.setattr(LiveSource, "get", holding_get)
    args = ("--concurrency", "1", "--workers", workers)
    recheck(server, roster, tmp_path / "out", *args)
    assert held == ["holding", "released by openlens's own page"]
    data = summary_of(tmp_path / "out")
    assert [p["id"] for p in data["partners"]] == ["acme", "openlens"]
    for pid in ("acme", "openlens"):
        assert check_bundle(tmp_path / "out" / "partners" / pid).ok
        assert directory in partner_urls(tmp_path / "out", pid)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_partner_taking_its_place_has_its_site_s_robots_txt_read_before_its_checks_ask(
    tmp_path: Path, server: SiteServer, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """A partner that waited for its place has robots.txt of its website read as it takes
    it, before any of its checks asks a page (its first page then waits only for the
    per-host delay); each robots.txt is still read once, and recorded in the bundle."""
    from verifier.fetch import LiveSource

    roster = write_roster(tmp_path, ids={"acme": "platform", "openlens": "solution"})
    order: list[str] = []
    get, robots = LiveSource.get, LiveSource._fetch_robots

    async def noting_get(self: LiveSource, url: str) -> Any:
        order.append(f"page {url}")
        return await get(self, url)

    async def noting_robots(self: LiveSource, url: str) -> Any:
        order.append(f"robots {url}")
        return await robots(self, url)

    monkeypatch.setattr(LiveSource, "get", noting_get)
    monkeypatch.setattr(LiveSource, "_fetch_robots", noting_robots)
    recheck(server, roster, tmp_path / "out", "--concurrency", "1", "--workers", workers)
    # The first partner too (a place was free: it asked for it all the same).
    for pid, host in (("acme", "acme.example"), ("openlens", "openlens.example")):
        own = [e for e in order if f"//{host}/" in e]
        assert own[0] == f"robots http://{host}/robots.txt"
        assert sum(e.startswith(f"robots http://{host}/") for e in order) == 1
        assert f"http://{host}/robots.txt" in {
            e["url"] for e in read_index(tmp_path / "out" / "partners" / pid)
        }
        assert check_bundle(tmp_path / "out" / "partners" / pid).ok
