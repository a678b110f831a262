"""Issue 11: a roster split across runners (``recheck --shard I/N``), the shards merged
back (``recheck merge``), and the hash chain from a re-check to its baseline (``bundle
check`` on a re-check folder).

Two worlds: a *paper* roster whose submissions do not exist (each partner is ``error``
at once, nothing is fetched: enough for the shard rule and every refusal of merge), and
the demo applicants of world.py re-checked against a baseline on 127.0.0.1 (the merged
shards against one run of the whole roster, and the chain).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from verifier.bundle.chain import check_recheck
from verifier.bundle.check import check_bundle
from verifier.cli.main import main
from verifier.history import HISTORY_FILE, last_run, list_runs
from verifier.inputs.roster import load_roster
from verifier.recheck.model import load_summary
from verifier.recheck.shard import Shard, shard_of
from verifier.report.model import ToolRef
from verifier.run.recheck import RecheckRequest, prepare_out, write_summary
from verifier.sites import SiteServer, serve_sites

from ..helpers import ROOT, offline_args
from .world import (
    AS_OF,
    BASELINE_ROSTER,
    CHANGED_ROSTER,
    LATER,
    SITES,
    build_changed_world,
    write_roster,
)

PAPER_IDS = ("acme", "globex", "initech", "hooli", "umbrella", "soylent", "wayne")


def _paper_roster(folder: Path, ids: tuple[str, ...] = PAPER_IDS) -> Path:
    return write_roster(folder, {pid: folder / "missing" / f"{pid}.yaml" for pid in ids})


def _summary(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "recheck.json").read_text(encoding="utf-8"))
    return data


def _ids(folder: Path) -> list[str]:
    return [p["id"] for p in _summary(folder)["partners"]]


def _timeless(folder: Path) -> dict[str, Any]:
    """recheck.json without what differs between two runs of one world: the times, and
    each partner's report_sha256 (its report.json records when each page was fetched;
    that it is the hash of the bundle's report.json, ``check_recheck`` checks)."""
    data = _summary(folder)
    del data["run"]["started"], data["run"]["finished"]
    for partner in data["partners"]:
        del partner["report_sha256"]
    return data


def _paper_run(roster: Path, out: Path, *extra: str, as_of: str = "2026-11-01") -> int:
    return main(["recheck", str(roster), "--out", str(out), "--as-of", as_of, *extra])


# --- The shard rule ----------------------------------------------------------------


def test_a_partners_shard_is_the_documented_hash_of_its_id() -> None:
    for pid in PAPER_IDS:
        expected = int(hashlib.sha256(pid.encode()).hexdigest()[:16], 16) % 3 + 1
        assert shard_of(pid, 3) == expected, pid


def test_adding_a_partner_moves_no_other_to_another_shard(tmp_path: Path) -> None:
    before = _paper_roster(tmp_path / "before")
    # The new partner comes first: a rule by roster position would move every other.
    after = _paper_roster(tmp_path / "after", ("newco", *PAPER_IDS))
    for i in (1, 2, 3):
        assert _paper_run(before, tmp_path / f"b{i}", "--shard", f"{i}/3") == 3
        assert _paper_run(after, tmp_path / f"a{i}", "--shard", f"{i}/3") == 3
        assert [p for p in _ids(tmp_path / f"a{i}") if p != "newco"] == _ids(tmp_path / f"b{i}")
    # Every partner is in exactly one shard (and this roster fills all three).
    shards = [_ids(tmp_path / f"b{i}") for i in (1, 2, 3)]
    assert all(shards)
    assert sorted(pid for shard in shards for pid in shard) == sorted(PAPER_IDS)


@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ("0/3", "I in '0/3' must be 1 to 3"),
        ("4/3", "I in '4/3' must be 1 to 3"),
        ("1/0", "N in '1/0' must be 1 to 1000"),
        ("2", "'2' is not I/N"),
        ("one/two", "'one/two' is not I/N"),
    ],
    ids=["shards count from 1", "I beyond N", "no shards", "no N", "not numbers"],
)
def test_a_wrong_shard_is_refused_at_the_edge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shard: str, message: str
) -> None:
    roster = _paper_roster(tmp_path)
    assert _paper_run(roster, tmp_path / "out", "--shard", shard) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_shard_cannot_be_narrowed_with_partner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = _paper_roster(tmp_path)
    assert _paper_run(roster, tmp_path / "out", "--shard", "1/2", "--partner", "acme") == 2
    assert "--shard and --partner cannot be combined" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("again", "message"),
    [
        pytest.param((), "resume it with --shard 2/3", id="without --shard"),
        pytest.param(("--shard", "1/3"), "resume it with --shard 2/3", id="as another shard"),
    ],
)
@pytest.mark.parametrize("interrupted", [True, False], ids=["interrupted", "finished"])
def test_a_shards_folder_resumes_only_as_that_shard(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    again: tuple[str, ...],
    message: str,
    interrupted: bool,
) -> None:
    # Resumed as another part of the roster, a shard's folder would mix two runs'
    # partners in one summary (and merge could not tell): refused, saying what to type.
    roster = _paper_roster(tmp_path)
    out = tmp_path / "shard-2"
    if interrupted:  # what a run killed after it started leaves: its state file
        request = RecheckRequest(
            load_roster(roster), (), out, as_of=dt.date(2026, 11, 1), shard=Shard(2, 3)
        )
        prepare_out(request)
    else:
        assert _paper_run(roster, out, "--shard", "2/3") == 3
    before = sorted(p.name for p in out.rglob("*"))
    assert _paper_run(roster, out, "--resume", *again) == 2
    err = capsys.readouterr().err
    assert "holds the re-check of shard 2/3 of the roster" in err
    assert message in err
    assert sorted(p.name for p in out.rglob("*")) == before
    assert _paper_run(roster, out, "--resume", "--shard", "2/3") == 3
    assert set(_ids(out)) == {p for p in PAPER_IDS if shard_of(p, 3) == 2}


def test_a_whole_rosters_folder_does_not_resume_as_a_shard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = _paper_roster(tmp_path)
    assert _paper_run(roster, tmp_path / "whole") == 3
    assert _paper_run(roster, tmp_path / "whole", "--resume", "--shard", "1/3") == 2
    assert "holds the re-check of the whole roster (no --shard): resume it with no --shard" in (
        capsys.readouterr().err
    )


# --- Merge: refusals (paper world) ---------------------------------------------------


@pytest.fixture
def paper(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A paper roster, its three shard folders, and a run of the whole roster."""
    roster = _paper_roster(tmp_path / "roster")
    shards = [tmp_path / f"shard-{i}" for i in (1, 2, 3)]
    for i, folder in enumerate(shards, 1):
        assert _paper_run(roster, folder, "--shard", f"{i}/3") == 3
    assert _paper_run(roster, tmp_path / "whole") == 3
    return roster, shards


def _merge(out: Path, *folders: Path) -> int:
    return main(["recheck", "merge", *map(str, folders), "--out", str(out)])


def test_merged_paper_shards_equal_one_run_of_the_roster(
    tmp_path: Path, paper: tuple[Path, list[Path]]
) -> None:
    _, shards = paper
    # Given in any order: the roster's order comes back.
    assert _merge(tmp_path / "merged", *reversed(shards)) == 3
    assert _timeless(tmp_path / "merged") == _timeless(tmp_path / "whole")
    assert _summary(tmp_path / "merged")["shard"] is None
    assert check_recheck(tmp_path / "merged").ok


def _refused(capsys: pytest.CaptureFixture[str], folders: list[Path], because: str) -> str:
    """Merge ``folders``: refused (exit 2) saying ``because``, nothing left in --out."""
    out = folders[0].parent / "merged"
    assert _merge(out, *folders) == 2
    err = capsys.readouterr().err
    assert because in err, err
    assert not out.exists() or not any(out.iterdir())  # nothing half-merged is left
    return err


def test_a_missing_shard_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, _two, three) = paper
    _refused(capsys, [one, three], "shard 2 of 3 is missing")


def test_a_shard_given_twice_is_refused_naming_both_folders(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, two, three) = paper
    again = tmp_path / "two-again"
    shutil.copytree(two, again)
    _refused(capsys, [one, two, again, three], f"shard 2/3 is given twice: {two} and {again}")


def test_a_shard_of_another_roster_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, _two, three) = paper
    other = _paper_roster(tmp_path / "other", (*PAPER_IDS, "newco"))
    assert _paper_run(other, tmp_path / "other-2", "--shard", "2/3") == 3
    other_2 = tmp_path / "other-2"
    err = _refused(capsys, [one, other_2, three], f"{other_2} is a shard of another run than {one}")
    assert "roster file (SHA-256)" in err


def test_a_shard_of_another_as_of_date_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    roster, (one, two, _three) = paper
    assert _paper_run(roster, tmp_path / "later-3", "--shard", "3/3", as_of="2026-12-01") == 3
    err = _refused(capsys, [one, two, tmp_path / "later-3"], "as-of date")
    assert "2026-12-01, not 2026-11-01" in err


def _rewrite(folder: Path, **changes: Any) -> None:
    """``folder``'s recheck.json changed and the folder sealed again, as another version
    of the tool (or a person with the tool) would have written it: it passes its check."""
    write_summary(folder, replace(load_summary(folder), **changes))
    assert check_recheck(folder).ok


def test_a_shard_of_another_tool_version_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, two, three) = paper
    _rewrite(three, tool=ToolRef("finops-verifier", "0.0.1"))
    _refused(capsys, [one, two, three], f"{three} was written by finops-verifier 0.0.1")


def test_a_partner_in_a_shard_its_id_does_not_choose_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, two, three) = paper
    summary = load_summary(one)
    assert summary.shard is not None
    # Shard 1 relabelled as 2 (and shard 2 as 1): all N present, each partner once.
    _rewrite(one, shard=replace(summary.shard, index=2))
    (pid, *_) = _ids(one)
    _refused(capsys, [two, one, three], f"lists partner {pid}, whose id")


def test_a_partner_listed_twice_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, two, three) = paper
    summary = load_summary(two)
    assert summary.shard is not None
    first = summary.partners[0]
    places = (*summary.shard.places, summary.shard.places[0])
    _rewrite(
        two,
        partners=(*summary.partners, first),
        shard=replace(summary.shard, places=places),
    )
    _refused(capsys, [one, two, three], f"partner {first.id} is listed twice in {two}")


def test_an_unfinished_or_altered_shard_is_refused(
    tmp_path: Path, paper: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, (one, two, three) = paper
    (two / "SHA256SUMS").unlink()
    _refused(capsys, [one, two, three], f"{two} is unfinished")
    assert main(["bundle", "check", str(two)]) == 2
    assert f"{two} is not a finished re-check folder" in capsys.readouterr().err
    html = three / "recheck.html"
    html.write_text(html.read_text().replace("error", "pass"))
    check = f"{three} fails its check (finops-verify bundle check {three}):\nchanged: recheck.html"
    _refused(capsys, [one, three], check)


# --- Merge and the chain on a real world ---------------------------------------------


def _recheck(roster: Path, out: Path, server: SiteServer, as_of: str, *extra: str) -> int:
    return main(["recheck", str(roster), "--out", str(out), *extra, *offline_args(server, as_of)])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The baseline (world.py's first run), then in the changed world one run of the
    whole changed roster and three shards of it, all with that baseline, and the shards
    merged."""
    root = tmp_path_factory.mktemp("shards")
    baseline = root / "baseline"
    with serve_sites(SITES) as server:
        assert (
            _recheck(write_roster(root / "r1", BASELINE_ROSTER), baseline, server, str(AS_OF)) == 3
        )
    roster = write_roster(root / "r2", CHANGED_ROSTER)
    codes = {}
    with serve_sites(build_changed_world(root / "sites")) as server:
        base = ("--baseline", str(baseline))
        codes["whole"] = _recheck(roster, root / "whole", server, str(LATER), *base)
        for i in (1, 2, 3):
            out = root / f"shard-{i}"
            codes[f"shard-{i}"] = _recheck(
                roster, out, server, str(LATER), *base, "--shard", f"{i}/3"
            )
    codes["merged"] = _merge(root / "merged", *(root / f"shard-{i}" for i in (1, 2, 3)))
    return {"root": root, "baseline": baseline, "codes": codes}


def test_three_merged_shards_equal_one_run_with_the_same_diff(runs: dict[str, Any]) -> None:
    root: Path = runs["root"]
    whole, merged = root / "whole", root / "merged"
    assert _timeless(merged) == _timeless(whole)
    # The diff is there, not empty: two regressions, Initech new, Acme removed (listed
    # by its own shard only, last, as one run lists it).
    assert _summary(merged)["counts"]["regressions"] == 2
    assert _ids(merged) == [*CHANGED_ROSTER, "acme"]
    assert runs["codes"]["merged"] == runs["codes"]["whole"] == 1
    # Each shard re-checked only its own partners, and the partners' bundles still pass.
    for i in (1, 2, 3):
        assert all(shard_of(p, 3) == i for p in _ids(root / f"shard-{i}"))
    for pid in CHANGED_ROSTER:
        check = check_bundle(merged / "partners" / pid)
        assert check.ok, (pid, check.describe())
    merged_check = check_recheck(merged, baseline=runs["baseline"])
    assert merged_check.ok, merged_check.describe()


def test_the_chain_links_a_run_to_its_baseline_and_bundle_check_verifies_it(
    runs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    whole: Path = runs["root"] / "whole"
    baseline: Path = runs["baseline"]
    link = hashlib.sha256((baseline / "SHA256SUMS").read_bytes()).hexdigest()
    assert _summary(whole)["baseline_sha256sums"] == link
    assert _summary(baseline)["baseline_sha256sums"] is None  # the first of the chain
    assert main(["bundle", "check", str(whole)]) == 0  # the baseline at its recorded path
    out = capsys.readouterr().out
    assert f"the link to the baseline {baseline} holds" in out
    assert "ok: " in out


def test_a_baseline_resealed_after_an_edit_breaks_the_chain_naming_both_folders(
    runs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole: Path = runs["root"] / "whole"
    edited = tmp_path / "baseline"
    shutil.copytree(runs["baseline"], edited)
    assert main(["bundle", "check", str(whole), "--baseline", str(edited)]) == 0  # control
    capsys.readouterr()
    # A partner's pass turned into... anything: the baseline's summary edited and its
    # SHA256SUMS written again, so the folder passes its own check.
    _rewrite(edited, outcome="pass")
    assert main(["bundle", "check", str(edited)]) == 0
    capsys.readouterr()
    assert main(["bundle", "check", str(whole), "--baseline", str(edited)]) == 1
    out = capsys.readouterr().out
    assert "problem: the hash chain is broken" in out
    assert f"{whole}/recheck.json" in out
    assert f"{edited}/SHA256SUMS" in out


def test_a_partner_bundle_altered_in_a_recheck_folder_is_named(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "whole"
    shutil.copytree(runs["root"] / "whole", folder)
    report = folder / "partners" / "stratus" / "report.md"
    report.write_text(report.read_text() + "\nall good\n")
    check = check_recheck(folder)
    assert not check.ok
    assert check.changed == ["partners/stratus/report.md"]


# --- What users copy from docs/recheck.md ----------------------------------------------

RECHECK_DOC = ROOT / "docs" / "recheck.md"


def _block(after: str, language: str) -> str:
    """The first fenced block of ``language`` after the heading ``after``."""
    text = RECHECK_DOC.read_text(encoding="utf-8")
    found = re.search(rf"^### {re.escape(after)}$.*?^```{language}\n(.*?)^```$", text, re.M | re.S)
    assert found is not None, (after, language)
    return found[1]


def test_the_documented_workflow_runs_n_shards_then_merges_them_all() -> None:
    workflow = yaml.safe_load(_block("From GitHub Actions: N runners, then the merge", "yaml"))
    jobs = workflow["jobs"]
    count = workflow["env"]["N"]
    shard = jobs["shard"]
    assert shard["strategy"]["matrix"]["shard"] == list(range(1, count + 1))
    steps = "\n".join(str(s.get("run", "")) for s in shard["steps"])
    assert 'recheck roster.yaml --shard "${{ matrix.shard }}/$N"' in steps
    assert '--as-of "${{ needs.plan.outputs.as_of }}"' in steps  # one date for all shards
    (upload,) = [s for s in shard["steps"] if s.get("uses", "").startswith("actions/upload")]
    assert upload["with"]["name"] == "shard-${{ matrix.shard }}"
    merge = jobs["merge"]
    assert merge["needs"] == "shard"
    (download,) = [s for s in merge["steps"] if s.get("uses", "").startswith("actions/download")]
    assert download["with"] == {"pattern": "shard-*", "path": "shards"}
    runs = [str(s.get("run", "")) for s in merge["steps"]]
    assert (
        "finops-verify recheck merge shards/shard-* --out recheck --history history/history.sqlite"
        in runs
    )
    kept = {
        s["with"]["name"]: s
        for s in merge["steps"]
        if s.get("uses", "").startswith("actions/upload")
    }
    assert set(kept) == {"recheck", "history"}  # the merged folder, and the history file
    # Both are kept when a partner fails.
    assert kept["recheck"]["if"] == kept["history"]["if"] == "always()"
    assert "--no-history" in steps  # a shard is no run of the roster: the merge records it


def test_the_documented_cron_line_is_five_fields_and_a_recheck() -> None:
    (line,) = _block("From cron", "").strip().splitlines()
    fields = line.split(None, 5)
    assert fields[:5] == ["0", "6", "1", "1,4,7,10", "*"]
    assert "finops-verify recheck roster.yaml --out" in fields[5]
    assert "%" not in fields[5].replace("\\%", "")  # cron ends the command at a bare %


def test_a_recheck_json_naming_a_partner_outside_the_folder_sends_the_check_nowhere(
    tmp_path: Path, paper: tuple[Path, list[Path]]
) -> None:
    _, (one, _two, _three) = paper
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "report.json").write_text("{}")
    summary = load_summary(one)
    hostile = replace(summary.partners[0], id="../../outside", bundle="partners/../../outside")
    write_summary(one, replace(summary, partners=(hostile, *summary.partners[1:])))
    check = check_recheck(one)
    assert not check.ok
    assert "lists partner '../../outside', an id that cannot name a folder" in check.describe()
    assert check.checked == 3  # recheck.json, .html, .md: nothing outside was opened


def test_a_partner_folder_that_is_a_link_is_reported_and_not_followed(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "whole"
    shutil.copytree(runs["root"] / "whole", folder)
    elsewhere = tmp_path / "elsewhere"
    (folder / "partners" / "stratus").rename(elsewhere)
    (folder / "partners" / "stratus").symlink_to(elsewhere)
    check = check_recheck(folder)
    assert not check.ok
    assert "problem: partners/stratus: a symbolic link (not followed)" in check.describe()
    assert not any(p.startswith("partners/stratus/") for p in check.changed + check.added)


def test_the_merged_run_is_recorded_in_the_rosters_history_as_one_complete_run(
    runs: dict[str, Any],
) -> None:
    # Every run re-checked the roster at r2/; the shards and the merge record in the
    # history file beside it (the default), the merge as a run of the whole roster.
    root: Path = runs["root"]
    roster, db = root / "r2" / "roster.yaml", root / "r2" / HISTORY_FILE
    recorded = {Path(run.folder).name: run for run in list_runs(db, roster)}
    assert set(recorded) == {"whole", "shard-1", "shard-2", "shard-3", "merged"}
    assert [name for name, run in recorded.items() if not run.complete] == [
        "shard-1",
        "shard-2",
        "shard-3",
    ]
    assert recorded["merged"].counts == recorded["whole"].counts
    assert recorded["merged"].outcome == recorded["whole"].outcome == "fail"
    # So the next quarter's `--baseline last` is the merged folder, never a shard.
    assert Path(last_run(db, roster).folder).name == "merged"
    assert _summary(root / "merged")["history"] == str(db.resolve())


def test_a_merge_whose_roster_is_not_here_needs_a_history_named(
    paper: tuple[Path, list[Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster, shards = paper
    roster.rename(tmp_path / "elsewhere.yaml")
    assert _merge(tmp_path / "merged", *shards) == 2
    err = capsys.readouterr().err
    assert "which is not here" in err
    assert "--history FILE" in err
    assert not (tmp_path / "merged").exists()
    # Named, it is recorded there.
    db = tmp_path / "named.sqlite"
    assert (
        main(
            [
                "recheck",
                "merge",
                *map(str, shards),
                "--out",
                str(tmp_path / "merged"),
                "--history",
                str(db),
            ]
        )
        == 3
    )
    assert [Path(run.folder).name for run in list_runs(db)] == ["merged"]
