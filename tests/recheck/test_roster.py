"""The renewal roster is validated at the edge: file, line, field, did you mean; the
submissions it names are not read (a bad one is that partner's error, not the roster's)."""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from pathlib import Path

import pytest

from verifier.errors import InputError, RosterError
from verifier.inputs import yamlfile
from verifier.inputs.roster import MAX_PARTNERS, load_roster, select_partners

GOOD = """\
program: "2022"
sources: sources.yaml
partners:
  - id: acme
    submission: partners/acme.yaml
    certified_since: 2023-05-01
    renewal_due: 2027-05-01
  - id: globex-2
    submission: globex.yaml
    program: "2025"
    sources: globex-sources.yaml
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sources.yaml").write_text("finops-members: http://127.0.0.1:1/m\n")
    (tmp_path / "globex-sources.yaml").write_text("lf-members: http://127.0.0.1:1/l\n")
    path = tmp_path / "roster.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert isinstance(info.value, InputError)  # the CLI's exit 2, never a traceback
    return str(info.value)


def test_a_good_roster_resolves_paths_against_its_own_folder(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    roster = load_roster(path)
    assert roster.ids() == ["acme", "globex-2"]
    assert roster.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    acme, globex = roster.partners
    # The submissions are not read (partners/acme.yaml does not even exist).
    assert acme.submission == tmp_path / "partners" / "acme.yaml"
    assert acme.program == "2022"  # the roster's program
    assert acme.sources == tmp_path / "sources.yaml"
    assert acme.certified_since == dt.date(2023, 5, 1)
    assert acme.renewal_due == dt.date(2027, 5, 1)
    assert acme.line == 4
    assert globex.program == "2025"  # its own program wins over the roster's
    assert globex.sources == tmp_path / "globex-sources.yaml"
    assert globex.renewal_due is None


def test_a_roster_read_from_another_folder_still_finds_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.chdir("/")
    roster = load_roster(path)
    assert roster.partners[0].submission.parent.parent == tmp_path
    assert roster.partners[0].sources == tmp_path / "sources.yaml"


BAD = [
    pytest.param(
        GOOD.replace("  - id: acme\n    submission", "  - id: acme\n    submision"),
        ":5: partners[0].submision: unknown field 'submision'; did you mean 'submission'?",
        id="a misspelt field names its line and the field meant",
    ),
    pytest.param(
        GOOD.replace("  - id: acme\n    submission: partners/acme.yaml\n", "  - id: acme\n"),
        ":4: partners[0].submission: required field is missing",
        id="a partner without a submission",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", "id: acme"),
        ":8: partners[1].id: 'acme' is already the id of partners[0], line 4",
        id="an id given twice names both lines",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", "id: Globex"),
        "partners[1].id: 'Globex' is not a partner id: use lowercase letters, digits and '-'",
        id="capitals in an id",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", "id: ../etc"),
        "partners[1].id: '../etc' is not a partner id",
        id="an id that would name another folder",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", 'id: "globex\\n"'),
        "partners[1].id: 'globex\\n' is not a partner id",
        id="an id ending in a line break",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", "id: -rf"),
        "partners[1].id: '-rf' is not a partner id",
        id="an id a shell takes for an option",
    ),
    pytest.param(
        GOOD.replace("id: globex-2", "id: 42"),
        "partners[1].id: must be text, not 42",
        id="a number for an id",
    ),
    pytest.param(
        GOOD.replace("renewal_due: 2027-05-01", "renewal_due: 20270501"),
        ":7: partners[0].renewal_due: must be a date (YYYY-MM-DD), not 20270501",
        id="a number for a date is not read as a Unix time",
    ),
    pytest.param(
        GOOD.replace("renewal_due: 2027-05-01", "renewal_due: 2027-05-01T10:00:00"),
        "partners[0].renewal_due: must be a date (YYYY-MM-DD), not a date and time",
        id="a date and time for a date",
    ),
    pytest.param(
        GOOD.replace("renewal_due: 2027-05-01", 'renewal_due: "2027-02-30"'),
        "partners[0].renewal_due: '2027-02-30' is not a day of the calendar",
        id="a day that does not exist",
    ),
    pytest.param(
        GOOD.replace("renewal_due: 2027-05-01", "renewal_due: 2022-05-01"),
        ":7: partners[0].renewal_due: 2022-05-01 comes before the first certification, on "
        "2023-05-01",
        id="a renewal before the certification",
    ),
    pytest.param(
        GOOD.replace("sources: sources.yaml", "sources: nope.yaml"),
        ":2: sources: file 'nope.yaml' not found",
        id="a roster sources file that is not there",
    ),
    pytest.param(
        GOOD.replace("sources: globex-sources.yaml", "sources: gone.yaml"),
        ":11: partners[1].sources: file 'gone.yaml' not found",
        id="a partner's sources file that is not there",
    ),
    pytest.param(
        GOOD.replace("submission: globex.yaml", 'submission: "a\\x00b"'),
        "partners[1].submission: 'a\\x00b' holds a control character",
        id="a control character in a path",
    ),
    pytest.param(
        GOOD.replace("submission: globex.yaml", 'submission: " "'),
        "partners[1].submission: must not be empty",
        id="an empty path",
    ),
    pytest.param(
        'program: "2022"\npartners: []\n',
        ":2: partners: lists no partner; a roster needs at least one",
        id="a roster of nobody",
    ),
    pytest.param(
        GOOD.replace("partners:", "partner:"),
        "unknown field 'partner'; did you mean 'partners'?",
        id="a misspelt top-level field",
    ),
    pytest.param(
        "- id: acme\n",
        "must be a YAML mapping with 'partners' at the top level",
        id="a list instead of a mapping",
    ),
    pytest.param(
        GOOD.replace('program: "2022"', "program: [2022"),
        "is not valid YAML",
        id="a YAML syntax error",
    ),
    pytest.param(
        GOOD + "  - &p {id: x, submission: x.yaml}\n  - *p\n",
        "aliases (*name) are not accepted",
        id="an alias",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_a_wrong_roster_is_refused_naming_file_line_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = refused(tmp_path, text)
    assert str(tmp_path / "roster.yaml") in message
    assert expected in message


def test_every_problem_of_a_roster_is_listed_at_once_in_file_order(tmp_path: Path) -> None:
    text = GOOD.replace("id: acme", "id: ACME").replace("submission: globex.yaml", "submision: g")
    message = refused(tmp_path, text)
    assert "has 3 problems" in message
    lines = message.splitlines()[1:]
    assert [line.split(":")[1] for line in lines] == ["4", "8", "9"]
    assert "partners[0].id: 'ACME' is not a partner id" in lines[0]
    assert "partners[1].submission: required field is missing" in lines[1]
    assert "partners[1].submision: unknown field" in lines[2]
    # A wrong item does not also make pydantic call the list empty.
    assert "no partner" not in message


def test_a_program_written_as_a_number_means_the_same(tmp_path: Path) -> None:
    roster = load_roster(write(tmp_path, GOOD.replace('program: "2022"', "program: 2022")))
    assert roster.program == "2022"
    assert roster.partners[0].program == "2022"


def test_the_roster_is_bounded_like_every_input_file(tmp_path: Path) -> None:
    many = "".join(f"  - {{id: p{i}, submission: p{i}.yaml}}\n" for i in range(MAX_PARTNERS + 1))
    message = refused(tmp_path, "partners:\n" + many)
    assert f"partners: has {MAX_PARTNERS + 1:,} items; the limit is {MAX_PARTNERS:,}" in message
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (yamlfile.MAX_FILE_BYTES + 1))
    with pytest.raises(RosterError, match="larger than"):
        load_roster(path)
    with pytest.raises(RosterError, match="does not exist"):
        load_roster(tmp_path / "missing.yaml")


def test_the_roster_is_read_once_so_a_pipe_works(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    fifo = tmp_path / "roster.fifo"
    import os
    import threading

    os.mkfifo(fifo)
    text = GOOD.replace("sources: sources.yaml\n", "").replace(
        "    sources: globex-sources.yaml\n", ""
    )
    feeder = threading.Thread(target=lambda: fifo.write_text(text))
    feeder.start()
    roster = load_roster(fifo)
    feeder.join()
    assert roster.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert roster.ids() == ["acme", "globex-2"]


def test_partner_selection_keeps_roster_order_and_suggests_the_closest_id(
    tmp_path: Path,
) -> None:
    roster = load_roster(write(tmp_path, GOOD))
    assert select_partners(roster, []) == roster.partners
    chosen = select_partners(roster, ["globex-2", "acme", "acme"])
    assert [p.id for p in chosen] == ["acme", "globex-2"]
    with pytest.raises(RosterError) as info:
        select_partners(roster, ["acme", "acne"])
    message = str(info.value)
    assert "--partner names a partner that" in message
    assert "no partner 'acne'; did you mean 'acme'?" in message


def test_an_unknown_partner_in_a_long_roster_is_not_answered_with_every_id(
    tmp_path: Path,
) -> None:
    many = "".join(f"  - {{id: partner-{i}, submission: p{i}.yaml}}\n" for i in range(300))
    roster = load_roster(write(tmp_path, "partners:\n" + many))
    with pytest.raises(RosterError) as info:
        select_partners(roster, ["zzz"])
    message = str(info.value)
    assert "no partner 'zzz'; none of its 300 ids is close" in message
    assert "partner-17" not in message
