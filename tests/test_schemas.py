"""The JSON Schemas of schemas/ (issue 13): current with the models, accepted by the files
the project ships and writes, strict where the tool is strict, printed by `schema NAME`.

Validation is jsonschema's (Draft 2020-12), the library an editor's YAML language server
follows too: a schema that only our own code read could agree with our code by accident.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifier.cli.main import main
from verifier.errors import InputError
from verifier.inputs import yamlfile
from verifier.inputs.policy import load_policy
from verifier.inputs.roster import load_roster
from verifier.inputs.submission import load_submission
from verifier.schemas import FOLDER, NAMES, file_name, render, write_all
from verifier.sites import SiteServer

from .helpers import FIXTURES, ROOT, offline_args
from .recheck.test_roster import GOOD as GOOD_ROSTER

DEMO = sorted((FIXTURES / "demo").glob("*.yaml"))
POLICIES = sorted(p for p in (ROOT / "policies").glob("20*/*.yaml"))
MODELINE = "# yaml-language-server: $schema=../../schemas/submission.schema.json"


def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FOLDER / file_name(name)).read_text(encoding="utf-8"))
    return data


def validator(name: str) -> jsonschema.Draft202012Validator:
    found = schema(name)
    jsonschema.Draft202012Validator.check_schema(found)
    return jsonschema.Draft202012Validator(found)


def as_json(path: Path) -> Any:
    """A YAML file as an editor's language server sees it: the tool's own reading, then
    JSON's types (a YAML date such as 2027-05-01 is a string there)."""
    data, _ = yamlfile.load(path, InputError, "file")
    return json.loads(json.dumps(data, default=str))


def errors(name: str, data: Any) -> list[str]:
    """Every error's message, with those under an ``anyOf`` (an optional part: the
    language server shows the deepest one)."""
    out: list[str] = []
    pending = list(validator(name).iter_errors(data))
    while pending:
        error = pending.pop(0)
        out.append(error.message)
        pending += error.context or []
    return out


# ---------------------------------------------------------------- current


@pytest.mark.parametrize("name", NAMES)
def test_the_committed_schema_is_what_the_models_give(name: str) -> None:
    committed = (FOLDER / file_name(name)).read_text(encoding="utf-8")
    assert committed == render(name), (
        f"schemas/{file_name(name)} is out of date with the models: run "
        "`python -m verifier.schemas` and commit the result"
    )


def test_the_generator_writes_every_schema(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in FOLDER.glob("*.json"))
    for path in written:
        assert path.read_text(encoding="utf-8") == (FOLDER / path.name).read_text("utf-8")


# ---------------------------------------------------------------- input files


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.name)
def test_a_demo_submission_names_its_schema_and_is_valid(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    # The path is relative to the file, as the YAML language server reads it.
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == (FOLDER / "submission.schema.json").resolve()
    assert errors("submission", as_json(path)) == []


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_bundled_policies_are_valid(path: Path) -> None:
    assert errors("policy", as_json(path)) == []


@pytest.mark.parametrize(
    "path",
    [ROOT / "policies" / "sources.yaml", FIXTURES / "sources.yaml"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_sources_files_are_valid(path: Path) -> None:
    assert errors("sources", as_json(path)) == []


# The roster of the roster tests: every field, both levels.
ROSTER = GOOD_ROSTER


def test_a_roster_is_valid(tmp_path: Path) -> None:
    (tmp_path / "roster.yaml").write_text(ROSTER)
    assert errors("roster", as_json(tmp_path / "roster.yaml")) == []


def _misspell(data: dict[str, Any], path: tuple[str | int, ...], key: str, wrong: str) -> None:
    target: Any = data
    for part in path:
        target = target[part]
    target[wrong] = target.pop(key)


# (schema, file, where the field is, the field, its misspelling)
MISSPELT = [
    ("submission", FIXTURES / "demo" / "platform.yaml", ("applicant",), "aliases", "aliasses"),
    ("submission", FIXTURES / "demo" / "platform.yaml", (), "case_studies", "case_study"),
    (
        "submission",
        FIXTURES / "demo" / "training-partner.yaml",
        ("training",),
        "instructors",
        "instructor",
    ),
    (
        "policy",
        ROOT / "policies" / "2022" / "platform.yaml",
        ("requirements", 0),
        "params",
        "parms",
    ),
    ("policy", ROOT / "policies" / "2022" / "platform.yaml", (), "title", "titel"),
]


@pytest.mark.parametrize(
    ("name", "path", "where", "key", "wrong"), MISSPELT, ids=lambda v: str(v).split("/")[-1]
)
def test_a_misspelt_field_is_refused_by_the_schema_as_by_the_tool(
    tmp_path: Path, name: str, path: Path, where: tuple[str | int, ...], key: str, wrong: str
) -> None:
    data = as_json(path)
    assert errors(name, data) == []
    _misspell(data, where, key, wrong)
    found = errors(name, data)
    assert any(f"'{wrong}' was unexpected" in e for e in found), found
    # The tool refuses the same file: the schema is no stricter nor looser than it here.
    bad = tmp_path / path.name
    bad.write_text(json.dumps(data))
    load = load_submission if name == "submission" else lambda p: load_policy(p, None)
    with pytest.raises(InputError) as refused:
        load(bad)
    assert wrong in str(refused.value) + "".join(str(p) for p in refused.value.problems)


def test_a_misspelt_roster_field_is_refused_by_the_schema_as_by_the_tool(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER.replace("renewal_due:", "renewal_date:"))
    found = errors("roster", as_json(path))
    assert any("'renewal_date' was unexpected" in e for e in found), found
    with pytest.raises(InputError) as refused:
        load_roster(path)
    assert "renewal_date" in "".join(str(p) for p in refused.value.problems)


def test_an_unquoted_program_is_accepted_as_by_the_tool(tmp_path: Path) -> None:
    # YAML reads `program: 2022` as a number, which the tool takes as the text "2022":
    # an editor must not flag it.
    path = tmp_path / "s.yaml"
    text = (FIXTURES / "demo" / "platform.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('program: "2022"', "program: 2022"))
    assert as_json(path)["program"] == 2022
    assert errors("submission", as_json(path)) == []
    assert load_submission(path).program == "2022"


def test_a_wrong_type_is_refused_with_the_field() -> None:
    data = as_json(FIXTURES / "demo" / "platform.yaml")
    data["applicant"]["employees"] = "many"
    found = list(validator("submission").iter_errors(data))
    assert [list(e.absolute_path) for e in found] == [["applicant", "employees"]]


# ---------------------------------------------------------------- files a run writes


def strict(node: Any) -> Any:
    """A copy of a schema in which every object with listed properties allows no other:
    validating a file against it shows the schema names every field the tool writes."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(v) for v in node]
    return node


@pytest.fixture(scope="module")
def recheck_folders(tmp_path_factory: pytest.TempPathFactory, sites: SiteServer) -> Path:
    """Two re-checks of the demo: Acme (platform) and a partner whose submission is
    invalid, then the invalid one alone against the first as baseline (Acme removed): a
    report.json, and recheck.json with an error, a baseline and a change."""
    base = tmp_path_factory.mktemp("recheck")
    bad = base / "bad.yaml"
    bad.write_text(
        "tier: platform\napplicant: {name: Bad Co, website: http://bad.example/}\nx: 1\n"
    )
    first = base / "roster.yaml"
    first.write_text(
        "partners:\n"
        f"  - {{id: acme, submission: {FIXTURES / 'demo' / 'platform.yaml'}}}\n"
        f"  - {{id: bad, submission: {bad}, renewal_due: 2027-05-01}}\n"
    )
    second = base / "roster2.yaml"
    second.write_text(f"partners:\n  - {{id: bad, submission: {bad}}}\n")
    args = offline_args(sites)
    assert main(["recheck", str(first), "--out", str(base / "q3"), "--no-history", *args]) == 3
    again = ["recheck", str(second), "--out", str(base / "q4"), "--no-history", *args]
    assert main([*again, "--baseline", str(base / "q3")]) == 3
    return base


def test_a_report_json_the_demo_writes_is_valid_and_every_field_is_in_the_schema(
    recheck_folders: Path,
) -> None:
    report = json.loads((recheck_folders / "q3" / "partners" / "acme" / "report.json").read_text())
    assert report["requirements"]
    assert report["requirements"][0]["evidence"]
    assert errors("report", report) == []
    jsonschema.Draft202012Validator(strict(schema("report"))).validate(report)


def test_a_recheck_json_is_valid_and_every_field_is_in_the_schema(recheck_folders: Path) -> None:
    for run in ("q3", "q4"):
        summary = json.loads((recheck_folders / run / "recheck.json").read_text())
        assert errors("recheck", summary) == []
        jsonschema.Draft202012Validator(strict(schema("recheck"))).validate(summary)
    # The second run holds what the first does not: a baseline, a removed partner.
    assert summary["baseline"] is not None
    assert any(p["outcome"] is None and p["changes"] for p in summary["partners"])


def test_a_report_with_an_unknown_status_is_refused() -> None:
    report = {"schema": "finops-verifier/report/v1", "outcome": "passed", "requirements": []}
    assert any("'passed' is not valid" in e for e in errors("report", report))


def test_the_strict_check_can_fail() -> None:
    # The test above would prove nothing if `strict` allowed an unknown field.
    report = {"schema": "finops-verifier/report/v1", "run": {"startd": "2026-01-01"}}
    assert errors("report", report) == []
    with pytest.raises(jsonschema.ValidationError, match="'startd' was unexpected"):
        jsonschema.Draft202012Validator(strict(schema("report"))).validate(report)


# ---------------------------------------------------------------- the command


@pytest.mark.parametrize("name", NAMES)
def test_schema_prints_the_committed_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert capsys.readouterr().out == (FOLDER / file_name(name)).read_text(encoding="utf-8")


def test_schema_with_a_wrong_name_says_did_you_mean_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "submision"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no schema 'submision'; did you mean 'submission'?" in captured.err
    assert "recheck" in captured.err  # the known names, to pick from
    assert "Traceback" not in captured.err


def test_the_wheel_ships_the_schemas_beside_the_fixtures() -> None:
    # In an installed package the demo files are plugins/_data/fixtures/demo/: their
    # `$schema=../../schemas/...` line resolves only if the schemas sit beside fixtures/.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fixtures" = "plugins/_data/fixtures"' in text
    assert '"schemas" = "plugins/_data/schemas"' in text


def test_each_schema_names_its_dialect_and_a_title() -> None:
    for name in NAMES:
        found = copy.deepcopy(schema(name))
        assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert found["title"].startswith("finops-verifier ")
