"""The credential registry reader: a malformed CSV names its file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from plugins import _credentials
from plugins._credentials import (
    Credential,
    Lookup,
    RegistryError,
    close_person,
    judge,
    read_csv,
    same_person,
)
from tests.plugins.registry_helpers import FIXTURE_CSV

HEADER = "certificate_id,name,certification,issued,expires\n"

MALFORMED = [
    pytest.param(
        "id,name\nLF-1,Jane\n",
        ":1: the header lacks certificate_id",
        id="a header without the fields",
    ),
    pytest.param(
        HEADER + "LF-1,Jane Doe,FinOps Certified Practitioner,2023-01-01\n",
        ":2: expected 5 fields",
        id="a row with too few fields",
    ),
    pytest.param(
        HEADER + "LF-1,Jane Doe,FOCP,2023-01-01,,extra\n",
        ":2: expected 5 fields",
        id="a row with too many fields",
    ),
    pytest.param(
        HEADER + "LF-1,Jane Doe,FOCP,2023-01-01,\nLF-2,Jo Roe,FOCP,01/02/2023,\n",
        ":3: issued '01/02/2023' is not an ISO date",
        id="a date that is not ISO",
    ),
    pytest.param(
        HEADER + "LF-1,,FOCP,2023-01-01,\n", ":2: name is missing", id="a row without a name"
    ),
    pytest.param(
        HEADER + "LF-1,Jane Doe,FOCP,2023-01-01,\nLF-1,Jo Roe,FOCP,2023-01-01,\n",
        ":3: certificate LF-1 is also at",
        id="a certificate id twice",
    ),
    pytest.param(
        HEADER + 'LF-1,"Jane Doe,FOCP,2023-01-01,\n', "not valid CSV", id="an unterminated quote"
    ),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_malformed_csv_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(content)
    with pytest.raises(RegistryError) as info:
        read_csv(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_csv_with_bom_extra_columns_and_timestamps_reads(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffCertificate_ID,Name,Certification,Issued,Expires,Country\n"
        "LF-1,Jane Doe,FOCP,2023-01-01T10:00:00Z,,US\n",
        encoding="utf-8",
    )
    records, digest = read_csv(path)
    assert records["lf-1"].issued == dt.date(2023, 1, 1)
    assert records["lf-1"].expires is None
    assert len(digest) == 64


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths the CSV parser is run on from now on (the table is kept per content)."""
    monkeypatch.setattr(_credentials, "_PARSED", type(_credentials._PARSED)())
    parsed: list[Path] = []
    parse = _credentials._parse_csv

    def counting(path: Path, raw: bytes) -> Any:
        parsed.append(path)
        return parse(path, raw)

    monkeypatch.setattr(_credentials, "_parse_csv", counting)
    return parsed


def test_an_export_read_again_is_parsed_once_and_a_changed_one_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A re-check reads one export for every partner: the same bytes are parsed once and
    # give the same records; new bytes at the same path are read as they are now, errors
    # too.
    parsed = _count_parses(monkeypatch)
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "LF-1,Jane Doe,FOCP,2023-01-01,\n")
    first, digest = read_csv(path)
    again, digest_again = read_csv(path)
    assert len(parsed) == 1
    assert dict(again) == dict(first)
    assert digest_again == digest
    path.write_text(HEADER + "LF-2,Jo Roe,FOCP,2023-01-01,\n")
    changed, digest_changed = read_csv(path)
    assert list(changed) == ["lf-2"]
    assert len(parsed) == 2  # the new bytes, parsed anew
    assert digest_changed != digest
    path.write_text(HEADER + "LF-2,Jo Roe,FOCP,01/02/2023,\n")
    with pytest.raises(RegistryError, match=":2: "):
        read_csv(path)


def test_one_export_copied_into_many_bundles_is_parsed_once_each_copy_naming_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A re-check keeps a copy of the export in each partner's bundle and the checks read
    # the copy: the same bytes at 3 paths are parsed once, and each record says where it
    # was read (the copy the evidence points at, with its line).
    parsed = _count_parses(monkeypatch)
    content = HEADER + "LF-7,Jane Doe,FOCP,2023-01-01,\nLF-8,Jo Roe,FOCP,2023-01-01,\n"
    copies = [tmp_path / f"bundle{n}" / "export.csv" for n in range(3)]
    for path in copies:
        path.parent.mkdir()
        path.write_text(content)
        records, _ = read_csv(path)
        assert records["lf-8"].where == f"{path}:3"
        assert sorted(records) == ["lf-7", "lf-8"]
        assert len(records) == 2
    assert len(parsed) == 1


def test_fixture_registry_reads() -> None:
    records, _ = read_csv(FIXTURE_CSV)
    assert len(records) > 50


@pytest.mark.parametrize(
    ("recorded", "submitted", "same"),
    [
        pytest.param("Jane Doe", "jane  doe", True, id="case and spaces do not matter"),
        pytest.param("Doe, Jane", "Jane Doe", True, id="word order does not matter"),
        pytest.param("Jane Q. Doe", "Jane Doe", False, id="a middle initial makes another name"),
        pytest.param("Samantha Reid", "Sam Taylor", False, id="another person differs"),
        pytest.param("José Núñez", "Jose NUNEZ", True, id="accents do not matter"),
        pytest.param("Mary-Ann O'Neil", "Mary Ann O Neil", True, id="punctuation does not matter"),
        pytest.param("Ana Sá", "Ana", False, id="a surname that is a legal suffix is kept"),
        pytest.param("Kim Co", "Kim", False, id="a surname Co is not stripped as a company suffix"),
        pytest.param("Lee Inc", "Lee", False, id="no company suffix is stripped from a person"),
        pytest.param("", "", False, id="an empty name is nobody"),
    ],
)
def test_same_person(recorded: str, submitted: str, same: bool) -> None:
    assert same_person(recorded, submitted) is same


def test_a_holder_whose_surname_looks_like_a_legal_suffix_is_not_the_shorter_name() -> None:
    record = Credential("LF-9", "Ana Sá", "FOCP", None, None, "test.csv:2")
    verdict = judge("Ana", Lookup("LF-9", record), ["FOCP"], dt.date(2026, 1, 1))
    assert verdict.status == "invalid"
    assert verdict.reason == "the registry names the holder 'Ana Sá', not 'Ana' (similarity 0.67)"


@pytest.mark.parametrize(
    ("recorded", "submitted", "close"),
    [
        pytest.param("Jane Q. Doe", "Jane Doe", True, id="an added middle initial is close"),
        pytest.param("Jane Doe", "Jane Marie Doe", True, id="an added middle name is close"),
        pytest.param("Ana Sá", "Ana", False, id="one word is too little to be close"),
        pytest.param("Ana Sá", "Ana Se", False, id="a resemblance is not closeness"),
        pytest.param("Jane Doe", "Jane Doe", False, id="the same name is same, not close"),
    ],
)
def test_close_person(recorded: str, submitted: str, close: bool) -> None:
    assert close_person(recorded, submitted) is close


def test_a_certificate_under_a_name_with_a_middle_initial_needs_a_person() -> None:
    record = Credential("LF-9", "Jane Q. Doe", "FOCP", None, None, "test.csv:2")
    verdict = judge("Jane Doe", Lookup("LF-9", record), ["FOCP"], dt.date(2026, 1, 1))
    assert verdict.status == "review"
    assert "a person must confirm they are the same person" in verdict.reason
