"""The history file (docs/history.md): three runs of a changing roster recorded and read
back through `finops-verify history`, the docs' query, the migration of a version-1
file, the refusal of a newer one, and a run killed during its write."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verifier.cli.main import main
from verifier.errors import InputError
from verifier.history import (
    SCHEMA_VERSION,
    connect,
    last_run,
    list_runs,
    partner_timeline,
    record_recheck,
    schema,
)
from verifier.history import record as record_module

from ..helpers import ROOT
from .folders import World, make_run

DOCS = ROOT / "docs" / "history.md"
V1_FIXTURE = Path(__file__).with_name("history-v1.sqlite")

RUN1: World = {
    "acme": {"membership": "pass", "practitioners": "pass"},
    "globex": {"membership": "fail", "practitioners": "pass"},
    "hooli": {"membership": "pass", "practitioners": "pass"},
}
RUN2: World = {
    "acme": {"membership": "pass", "practitioners": "fail"},  # a regression
    "globex": {"membership": "pass", "practitioners": "pass"},  # an improvement
    "hooli": {"membership": "pass", "practitioners": "needs_review"},  # attention
}
RUN3: World = {
    "acme": {"membership": "pass", "practitioners": "pass"},  # an improvement again
    "globex": {"membership": "pass", "practitioners": "pass"},
    "hooli": {"membership": "pass", "practitioners": "needs_review"},
}


def three_runs(tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """Three finished re-checks of one roster, each against the one before, recorded in
    ``history.sqlite`` beside the roster; the roster, the history and the folders."""
    roster = tmp_path / "roster.yaml"
    roster.write_text("partners: []\n")
    db = tmp_path / "history.sqlite"
    one = make_run(tmp_path / "r1", roster, RUN1, 26)
    two = make_run(tmp_path / "r2", roster, RUN2, 27, baseline=(one, RUN1))
    three = make_run(tmp_path / "r3", roster, RUN3, 28, baseline=(two, RUN2))
    assert [record_recheck(db, f) for f in (one, two, three)] == [1, 2, 3]
    return roster, db, [one, two, three]


def test_history_lists_each_run_with_its_counts_and_regressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, _db, folders = three_runs(tmp_path)
    assert main(["history", "--roster", str(roster)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("run ")]
    assert len(lines) == 3
    assert "as of 2026-11-26" in lines[0]
    assert "pass 2, fail 1" in lines[0]
    assert "regressions 0" in lines[0]
    assert lines[0].endswith(str(folders[0].resolve()))
    assert "as of 2026-11-27" in lines[1]
    assert "pass 1, fail 1, needs_review 1" in lines[1]
    assert "regressions 1" in lines[1]
    assert "outcome fail" in lines[1]
    assert "regressions 0" in lines[2]
    assert "pass 2, fail 0, needs_review 1" in lines[2]


def test_a_partner_timeline_marks_each_change_with_its_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, _db, _ = three_runs(tmp_path)
    assert main(["history", "acme", "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    blocks = dict(re.findall(r"^(\S+)\n((?:  .*\n)+)", out, re.MULTILINE))
    practitioners = blocks["practitioners"].splitlines()
    assert len(practitioners) == 3  # one line per run
    assert "* " not in practitioners[0]
    assert "fail  * regression (was pass)" in practitioners[1]
    assert "practitioners is fail on day 27" in practitioners[1]
    assert "pass  * improvement (was fail)" in practitioners[2]
    assert all("*" not in line for line in blocks["membership"].splitlines())

    assert main(["history", "hooli", "--roster", str(roster)]) == 0
    hooli = capsys.readouterr().out
    assert "needs_review  * attention (was pass)" in hooli
    assert hooli.count("*") == 2  # the outcome and practitioners, in run 2 only


def test_json_output_parses_and_says_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _roster, db, _ = three_runs(tmp_path)
    assert main(["history", "--history", str(db), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["id"], r["as_of"], r["counts"]["regressions"]) for r in runs] == [
        (1, "2026-11-26", 0),
        (2, "2026-11-27", 1),
        (3, "2026-11-28", 0),
    ]
    assert main(["history", "globex", "--history", str(db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    steps = data["requirements"]["membership"]
    assert [(s["status"], s["change"], s["before"]) for s in steps] == [
        ("fail", None, None),
        ("pass", "improvement", "fail"),
        ("pass", None, None),
    ]


def test_an_unknown_partner_or_a_missing_file_is_exit_2_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _roster, db, _ = three_runs(tmp_path)
    assert main(["history", "acmee", "--history", str(db)]) == 2
    err = capsys.readouterr().err
    assert "no partner 'acmee' in the history" in err
    assert "did you mean 'acme'?" in err
    missing = tmp_path / "elsewhere" / "history.sqlite"
    assert main(["history", "--history", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"no history at {missing}" in err
    assert "Traceback" not in err
    assert not missing.exists()  # reading never creates one
    assert main(["history"]) == 2
    assert "--history FILE" in capsys.readouterr().err


def _docs_query() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Which partners failed any requirement in the last N runs", 1)[1]
    found = re.search(r"```sql\n(.*?)```", section, re.DOTALL)
    assert found is not None, "docs/history.md lost its example query"
    return found.group(1)


def test_the_docs_query_names_the_partners_that_failed_in_the_last_n_runs(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("partners: []\n")
    db = tmp_path / "history.sqlite"
    ok = {"membership": "pass"}
    bad = {"membership": "fail"}
    # Five runs; the query's N is 4, so run 1 is too old to count.
    worlds = [
        {"old": bad, "recent": ok, "never": ok, "back": ok},
        {"old": ok, "recent": ok, "never": ok, "back": bad},
        {"old": ok, "recent": ok, "never": ok, "back": ok},
        {"old": ok, "recent": ok, "never": ok, "back": ok},
        {"old": ok, "recent": bad, "never": ok, "back": ok},
    ]
    for day, world in enumerate(worlds, start=20):
        record_recheck(db, make_run(tmp_path / f"r{day}", roster, world, day))
    conn = sqlite3.connect(db)
    try:
        found = [row[0] for row in conn.execute(_docs_query())]
    finally:
        conn.close()
    assert found == ["back", "recent"]


def _schema(conn: sqlite3.Connection) -> dict[str, set[tuple[str, str, int]]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {t: {(c[1], c[2], c[3]) for c in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    out["indexes"] = {
        (r[0], "", 0)
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql")
    }
    return out


def test_a_version_1_file_is_migrated_forward_keeping_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    shutil.copy(V1_FIXTURE, db)
    fresh = connect(tmp_path / "fresh.sqlite")
    migrated = connect(db)
    try:
        assert migrated.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        # The same tables, columns and indexes as a file made by this version.
        assert _schema(migrated) == _schema(fresh)
        assert migrated.execute("SELECT kind FROM runs").fetchall() == [("recheck",)]
    finally:
        migrated.close()
        fresh.close()
    (run,) = list_runs(db)
    assert (run.kind, run.as_of, run.counts["fail"], run.folder) == (
        "recheck",
        "2026-08-30",
        1,
        "/srv/renewals/2026q3",
    )
    timeline = partner_timeline(db, "acme")
    practitioners = timeline.requirements["practitioners"]
    assert [(s.status, s.machine) for s in practitioners] == [("pass", "needs_review")]


def test_a_newer_file_is_refused_with_exit_2_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _roster, db, _ = three_runs(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    assert main(["history", "--history", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"is version {SCHEMA_VERSION + 1}, written by a newer finops-verifier" in err
    assert "upgrade finops-verifier" in err
    assert "Traceback" not in err
    assert db.read_bytes() == before


def test_a_file_that_is_no_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database, just notes\n" * 100)
    assert main(["history", "--history", str(text)]) == 2
    assert "is not a finops-verifier history file" in capsys.readouterr().err
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    assert main(["history", "--history", str(other)]) == 2
    assert "no finops-verifier history" in capsys.readouterr().err


def _counts(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("runs", "partner_outcomes", "requirement_statuses")
        )
    finally:
        conn.close()


def test_a_failure_inside_the_write_leaves_no_half_recorded_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster, db, folders = three_runs(tmp_path)
    before = _counts(db)
    fourth = make_run(tmp_path / "r4", roster, RUN1, 29)
    calls = []
    real = record_module._insert_partner

    def second_partner_fails(conn: sqlite3.Connection, run_id: int, p: object) -> None:
        calls.append(p)
        if len(calls) == 2:  # the run row and one partner are written by now
            raise RuntimeError("injected: the process dies here")
        real(conn, run_id, p)  # type: ignore[arg-type]

    monkeypatch.setattr(record_module, "_insert_partner", second_partner_fails)
    with pytest.raises(RuntimeError, match="injected"):
        record_recheck(db, fourth)
    assert len(calls) == 2
    assert _counts(db) == before
    assert [r.folder for r in list_runs(db)] == [str(f.resolve()) for f in folders]


KILLED = """
import os, signal, sys
from pathlib import Path
from verifier.history import record as r
real = r._insert_partner
def die(conn, run_id, p):
    real(conn, run_id, p)
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9, inside the transaction
r._insert_partner = die
r.record_recheck(Path(sys.argv[1]), Path(sys.argv[2]))
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_during_the_write_leaves_the_history_consistent(tmp_path: Path) -> None:
    roster, db, _folders = three_runs(tmp_path)
    before = _counts(db)
    fourth = make_run(tmp_path / "r4", roster, RUN1, 29)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(db), str(fourth)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    # The next opening rolls the unfinished transaction back.
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert _counts(db) == before
    assert record_recheck(db, fourth) == 4  # and the run can be recorded again
    assert _counts(db)[0] == before[0] + 1


def test_recording_a_folder_again_replaces_its_record(tmp_path: Path) -> None:
    _roster, db, folders = three_runs(tmp_path)
    before = _counts(db)
    assert record_recheck(db, folders[1]) == 4  # a --resume of a finished run records again
    assert _counts(db) == before
    assert [(r.id, r.as_of) for r in list_runs(db)] == [
        (1, "2026-11-26"),
        (4, "2026-11-27"),
        (3, "2026-11-28"),
    ]


def test_an_unfinished_or_altered_folder_is_not_recorded(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("partners: []\n")
    db = tmp_path / "history.sqlite"
    folder = make_run(tmp_path / "r1", roster, RUN1, 26)
    (folder / "SHA256SUMS").unlink()
    with pytest.raises(InputError, match="is not a finished run"):
        record_recheck(db, folder)
    other = make_run(tmp_path / "r2", roster, RUN1, 27)
    report = other / "partners" / "acme" / "report.json"
    report.write_bytes(report.read_bytes().replace(b'"pass"', b'"fail"', 1))
    with pytest.raises(InputError, match="the bundle changed after the run"):
        record_recheck(db, other)
    assert not db.exists()  # read first: nothing was written, not even the file


def test_baseline_last_is_the_latest_complete_recheck_of_this_roster(tmp_path: Path) -> None:
    roster, db, folders = three_runs(tmp_path)
    # Later, but only one partner of three (a --partner run, or one shard): not complete.
    subset = make_run(tmp_path / "r4", roster, {"acme": RUN1["acme"]}, 29, roster_partners=3)
    record_recheck(db, subset)
    # Later still, but of another roster file (a copy elsewhere is another roster).
    other = tmp_path / "copy" / "roster.yaml"
    other.parent.mkdir()
    other.write_text(roster.read_text())
    record_recheck(db, make_run(tmp_path / "r5", other, RUN1, 30))
    assert Path(last_run(db, roster).folder) == folders[2].resolve()
    # However the roster is named on the command line.
    relative = Path(os.path.relpath(roster))
    assert last_run(db, relative).id == 3
    assert [r.complete for r in list_runs(db, roster)] == [True, True, True, False]


def test_a_migration_that_fails_half_way_leaves_the_file_at_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.sqlite"
    shutil.copy(V1_FIXTURE, db)
    steps = (*schema.MIGRATIONS[1], "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setitem(schema.MIGRATIONS, 1, steps)
    with pytest.raises(InputError):
        connect(db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = {c[1] for c in conn.execute("PRAGMA table_info(runs)")}
        assert "kind" not in columns  # the first step was rolled back with the rest
    finally:
        conn.close()
    monkeypatch.undo()
    assert [r.kind for r in list_runs(db)] == ["recheck"]
