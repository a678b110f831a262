"""Issue 11's history, end to end through the command line: three re-checks of a roster
on a changing world (tests/recheck/world.py), each with ``--baseline last``, recorded in
the default history beside the roster; then `history` and `history PARTNER` show what
changed, and ``--baseline last`` refuses a last run whose folder is gone."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from verifier.cli.main import main
from verifier.history import SCHEMA_VERSION, list_runs
from verifier.sites import SiteServer, serve_sites

from ..helpers import offline_args
from ..recheck.world import AS_OF, DEMO, LATER, SITES, build_changed_world, write_roster

ROSTER = {"stratus": DEMO / "service-provider.yaml", "openlens": DEMO / "solution.yaml"}
"""Two partners the changed world changes: Stratus' offering page is gone, OpenLens'
certificates expired."""


def _recheck(roster: Path, out: Path, server: SiteServer, as_of: str, *extra: str) -> int:
    return main(["recheck", str(roster), "--out", str(out), *extra, *offline_args(server, as_of)])


def _summary(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "recheck.json").read_text(encoding="utf-8"))
    return data


def test_three_runs_on_a_changing_world_make_a_history_with_each_change_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_roster(tmp_path / "renewals", ROSTER)
    db = roster.parent / "history.sqlite"
    changed = build_changed_world(tmp_path / "changed")
    one, two, three = (tmp_path / f"run{i}" for i in (1, 2, 3))
    with serve_sites(SITES) as server:
        # The first run has no history yet: `last` would have nothing to name.
        assert (
            _recheck(roster, tmp_path / "none", server, AS_OF.isoformat(), "--baseline", "last")
            == 2
        )
        assert "holds no complete re-check of the roster" in capsys.readouterr().err
        assert _recheck(roster, one, server, AS_OF.isoformat()) == 3  # both need review
        # A verification recorded in the same file is not a re-check of the roster.
        assert (
            main(
                [
                    "verify",
                    str(ROSTER["openlens"]),
                    "--out",
                    str(tmp_path / "verify"),
                    "--history",
                    str(db),
                    *offline_args(server, AS_OF.isoformat()),
                ]
            )
            == 3
        )
    with serve_sites(changed) as server:
        assert _recheck(roster, two, server, LATER.isoformat(), "--baseline", "last") == 1
    with serve_sites(SITES) as server:
        assert _recheck(roster, three, server, AS_OF.isoformat(), "--baseline", "last") == 3
    capsys.readouterr()

    # Each `last` was the run before, and recheck.json says where the run is recorded.
    assert _summary(one)["baseline"] is None
    assert _summary(two)["baseline"]["path"] == str(one.resolve())  # type: ignore[index]
    assert _summary(three)["baseline"]["path"] == str(two.resolve())  # type: ignore[index]
    assert _summary(three)["history"] == str(db.resolve())
    runs = list_runs(db)
    assert [(r.kind, r.folder) for r in runs] == [
        ("recheck", str(one.resolve())),
        ("verify", str((tmp_path / "verify").resolve())),
        ("recheck", str(two.resolve())),
        ("recheck", str(three.resolve())),
    ]
    assert [r.counts["regressions"] for r in runs] == [0, 0, 2, 0]

    assert main(["history", "--roster", str(roster)]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("run ")]
    assert len(lines) == 3  # the roster's runs: the verification has no roster
    assert "partners 2: pass 0, fail 2" in lines[1]
    assert "regressions 2" in lines[1]

    assert main(["history", "stratus", "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    offering = out.split("\noffering\n", 1)[1].splitlines()[:3]
    assert "pass" in offering[0]
    assert "*" not in offering[0]
    assert "fail  * regression (was pass)" in offering[1]
    assert "pass  * improvement (was fail)" in offering[2]
    assert out.count("* regression") == 1  # the offering, nothing else

    assert main(["history", "openlens", "--history", str(db), "--json"]) == 0
    timeline = json.loads(capsys.readouterr().out)
    practitioners = [(s["status"], s["change"]) for s in timeline["requirements"]["practitioners"]]
    assert practitioners == [("pass", None), ("fail", "regression"), ("pass", "improvement")]
    # The verification is recorded under its submission file's name.
    assert main(["history", "solution", "--history", str(db), "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert [(s["run"], s["status"]) for s in verified["outcomes"]] == [(2, "needs_review")]
    assert verified["name"] == timeline["name"]

    # The last run's folder is gone: said, exit 2, before anything is fetched.
    shutil.rmtree(three)
    with serve_sites(SITES) as server:
        code = _recheck(roster, tmp_path / "run4", server, AS_OF.isoformat(), "--baseline", "last")
        assert code == 2
        assert server.requests == []
    err = capsys.readouterr().err
    assert f"was written to {three.resolve()}, which no longer holds recheck.json" in err
    assert not (tmp_path / "run4").exists()


def test_no_history_records_nothing_and_a_newer_history_stops_a_run_before_fetching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = write_roster(tmp_path / "renewals", {"openlens": ROSTER["openlens"]})
    with serve_sites(SITES) as server:
        out = tmp_path / "run"
        assert _recheck(roster, out, server, AS_OF.isoformat(), "--no-history") == 3
        assert _summary(out)["history"] is None
        assert not (roster.parent / "history.sqlite").exists()
        assert (
            _recheck(
                roster,
                tmp_path / "x",
                server,
                AS_OF.isoformat(),
                "--no-history",
                "--baseline",
                "last",
            )
            == 2
        )
        assert "--baseline last reads the history" in capsys.readouterr().err

        newer = tmp_path / "newer.sqlite"
        conn = sqlite3.connect(newer)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
        asked = len(server.requests)
        assert (
            _recheck(roster, tmp_path / "y", server, AS_OF.isoformat(), "--history", str(newer))
            == 2
        )
        verify = ["verify", str(ROSTER["openlens"]), "--out", str(tmp_path / "v")]
        assert main([*verify, "--history", str(newer), *offline_args(server)]) == 2
        assert len(server.requests) == asked  # refused before anything was fetched
    err = capsys.readouterr().err
    assert err.count("written by a newer finops-verifier") == 2
    assert not (tmp_path / "y").exists()
    assert not (tmp_path / "v").exists()
