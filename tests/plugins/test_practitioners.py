"""The practitioners check: counts, bands of both program tables, registries, faults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml

from plugins.practitioners import PractitionersCheck, PractitionersParams
from tests.plugins.conftest import DOWN
from tests.plugins.registry_helpers import (
    FIXTURE_CSV,
    FIXTURE_TEMPLATE,
    FOCP,
    FOCUS,
    PRO,
    ROOT,
    cert,
    people,
    policy_params,
    submitted,
    write_registry,
)
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.inputs.submission import MAX_ITEMS
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

P2022 = policy_params("2022/platform.yaml", "practitioners")
P2025 = policy_params("2025/platform.yaml", "practitioners")
SP2025 = policy_params("2025/service-provider.yaml", "practitioners")
AS_OF = dt.date(2026, 1, 1)


def verify_csv(
    tmp_path: Path,
    registry: list[dict[str, str]],
    listed: list[dict[str, str]],
    employees: int | None,
    params: dict[str, Any] = P2022,
) -> RequirementResult:
    """Run the check with ``registry`` as a CSV export and ``listed`` submitted."""
    path = write_registry(tmp_path / "registry.csv", registry)
    applicant = {"name": "Acme", "website": "http://acme.example/", "employees": employees}
    return run_check(
        PractitionersCheck(),
        make_submission(applicant=applicant, practitioners=listed),
        params,
        sources={"credential-registry": path},
        as_of=AS_OF,
    )


def certificates(result: RequirementResult) -> list[Any]:
    """The per-certificate evidence items."""
    return [e for e in result.evidence if e.kind == "certificate"]


# ---------------------------------------------------------------- 2022: every band

BANDS_2022 = [
    pytest.param(6000, 50, Status.PASS, id="5000+ employees with exactly 50 valid passes"),
    pytest.param(5000, 49, Status.FAIL, id="5000 employees with 49 valid fails"),
    pytest.param(4999, 35, Status.PASS, id="4999 employees with exactly 35 valid passes"),
    pytest.param(500, 34, Status.FAIL, id="500 employees with 34 valid fails"),
    pytest.param(499, 10, Status.PASS, id="499 employees with exactly 10 valid passes"),
    pytest.param(100, 9, Status.FAIL, id="100 employees with 9 valid fails"),
    pytest.param(99, 3, Status.PASS, id="99 employees with exactly 3 valid passes"),
    pytest.param(0, 2, Status.FAIL, id="0 employees with 2 valid fails"),
]


@pytest.mark.parametrize(("employees", "valid", "expected"), BANDS_2022)
def test_2022_table_band_thresholds(
    tmp_path: Path, employees: int, valid: int, expected: Status
) -> None:
    rows = people(valid)
    result = verify_csv(tmp_path, rows, submitted(rows), employees)
    assert result.status is expected, result.summary
    assert result.summary.startswith(f"{valid} valid of {valid} submitted; ")


def test_summary_names_the_band_and_counts(tmp_path: Path) -> None:
    rows = people(37)
    bad = [cert("X-1", "Late Larry", expires="2025-06-30"), cert("X-2", "Other Person")]
    listed = [*submitted(rows), submitted(bad)[0], {"name": "Wrong Name", "certificate_id": "X-2"}]
    result = verify_csv(
        tmp_path, rows + bad, [*listed, {"name": "N", "certificate_id": "X-3"}], 1200
    )
    assert result.status is Status.PASS
    # A pass still names every entry that did not count.
    assert result.summary == (
        "37 valid of 40 submitted; 35 required for 500-4999 employees; not confirmed: "
        "Late Larry (X-1), Wrong Name (X-2), N (X-3) (the evidence says why)"
    )
    assert len(certificates(result)) == 40


# ---------------------------------------------------------------- what does not count

THREE = people(3)  # 0-99 employees need 3: replacing one valid certificate must fail
NOT_COUNTED = [
    pytest.param(
        [*THREE[:2], cert("E-1", "Eve Expired", expires="2025-12-31")],
        submitted([*THREE[:2], cert("E-1", "Eve Expired")]),
        "expired on 2025-12-31",
        id="an expired certificate does not count",
    ),
    pytest.param(
        THREE[:2],
        [*submitted(THREE[:2]), submitted(THREE)[0]],
        "duplicate of entry 1",
        id="a duplicated certificate counts once",
    ),
    pytest.param(
        THREE[:2],
        [*submitted(THREE[:2]), {"name": "Nobody", "certificate_id": "NOPE-1"}],
        "knows no certificate NOPE-1",
        id="a certificate unknown to the registry does not count",
    ),
    pytest.param(
        THREE,
        [
            *submitted(THREE[:2]),
            {"name": "Someone Else", "certificate_id": THREE[2]["certificate_id"]},
        ],
        "names the holder",
        id="a certificate of another person does not count",
    ),
    pytest.param(
        [*THREE[:2], cert("W-1", "Pat Pro", PRO)],
        submitted([*THREE[:2], cert("W-1", "Pat Pro")]),
        "certifies 'FinOps Certified Professional'",
        id="another certification does not count for the 2022 table",
    ),
    pytest.param(
        [*THREE[:2], cert("S-2", THREE[0]["name"])],
        submitted([*THREE[:2], cert("S-2", THREE[0]["name"])]),
        "already counted",
        id="one holder with two certificates counts once",
    ),
]


@pytest.mark.parametrize(("registry", "listed", "reason"), NOT_COUNTED)
def test_certificate_that_does_not_count(
    tmp_path: Path, registry: list[dict[str, str]], listed: list[dict[str, str]], reason: str
) -> None:
    result = verify_csv(tmp_path, registry, listed, 50)
    assert result.status is Status.FAIL
    assert result.summary == (
        "2 valid of 3 submitted; 3 required for 0-99 employees; not confirmed: "
        f"{listed[-1]['name']} ({listed[-1]['certificate_id']}) (the evidence says why)"
    )
    last = certificates(result)[-1]
    assert last.data["verdict"] == "invalid"
    assert reason in last.detail


COUNTED = [
    pytest.param(
        cert("E-2", "Eve Edge", expires="2026-01-01"), "Eve Edge", id="valid on its last day counts"
    ),
    pytest.param(cert("N-1", "Doe, Jane"), "Jane Doe", id="a name in another word order counts"),
    pytest.param(cert("N-2", "José Müller"), "JOSE MULLER", id="case and accents do not matter"),
]


@pytest.mark.parametrize(("row", "name"), COUNTED)
def test_certificate_that_counts(tmp_path: Path, row: dict[str, str], name: str) -> None:
    listed = [*submitted(THREE[:2]), {"name": name, "certificate_id": row["certificate_id"]}]
    result = verify_csv(tmp_path, [*THREE[:2], row], listed, 50)
    assert result.status is Status.PASS, result.summary


def test_missing_employees_is_not_provided(tmp_path: Path) -> None:
    result = verify_csv(tmp_path, THREE, submitted(THREE), None)
    assert result.status is Status.FAIL
    assert "not provided: applicant.employees" in result.summary


def test_no_practitioners_listed_fails(tmp_path: Path) -> None:
    result = verify_csv(tmp_path, THREE, [], 50)
    assert result.status is Status.FAIL
    assert result.summary == "not provided: 0 valid of 0 submitted; 3 required for 0-99 employees"


# ---------------------------------------------------------------- 2025: three columns


def columns_for(table: dict[str, Any], employees: int) -> dict[str, int]:
    """Required count per certification for ``employees``, read from the params."""
    params = PractitionersParams.model_validate(table)
    return {c.certification: c.band(employees)[0].required for c in params.columns}


BANDS_2025 = [
    pytest.param(P2025, employees, id=f"platform 2025 at {employees} employees")
    for employees in (5000, 500, 100, 99)
] + [
    pytest.param(SP2025, employees, id=f"service provider 2025 at {employees} employees")
    for employees in (7000, 4999, 499, 0)
]


@pytest.mark.parametrize(("params", "employees"), BANDS_2025)
def test_2025_every_column_at_its_threshold_passes(
    tmp_path: Path, params: dict[str, Any], employees: int
) -> None:
    need = columns_for(params, employees)
    rows = [r for c, n in need.items() for r in people(n, c)]
    result = verify_csv(tmp_path, rows, submitted(rows), employees, params)
    assert result.status is Status.PASS, result.summary
    for c, n in need.items():
        assert f"{c}: {n} valid, {n} required" in result.summary


@pytest.mark.parametrize("short", [FOCP, PRO, FOCUS])
@pytest.mark.parametrize(("params", "employees"), BANDS_2025[:4])
def test_2025_one_short_in_any_column_fails(
    tmp_path: Path, params: dict[str, Any], employees: int, short: str
) -> None:
    need = columns_for(params, employees)
    need[short] -= 1
    rows = [r for c, n in need.items() for r in people(n, c)]
    result = verify_csv(tmp_path, rows, submitted(rows), employees, params)
    assert result.status is Status.FAIL, result.summary


def test_2025_a_professional_does_not_stand_in_for_a_practitioner(tmp_path: Path) -> None:
    need = columns_for(P2025, 50)  # <100: 5 practitioners, 1 professional, 2 FOCUS analysts
    rows = people(4, FOCP) + people(2, PRO) + people(2, FOCUS)
    result = verify_csv(tmp_path, rows, submitted(rows), 50, P2025)
    assert need[FOCP] == 5
    assert result.status is Status.FAIL
    assert f"{FOCP}: 4 valid, 5 required" in result.summary
    assert "(8 submitted; <100 employees)" in result.summary


def test_2025_one_person_counts_toward_each_certification_held(tmp_path: Path) -> None:
    rows = [*people(5, FOCP)]
    holder = rows[0]["name"]
    rows += [
        cert("J-P", holder, PRO),
        cert("J-F1", holder, FOCUS),
        cert("J-F2", "Ann Other", FOCUS),
    ]
    result = verify_csv(tmp_path, rows, submitted(rows), 50, P2025)
    assert result.status is Status.PASS, result.summary


# ---------------------------------------------------------------- both kinds of registry

DEMO = yaml.safe_load((ROOT / "fixtures" / "demo" / "platform.yaml").read_text())["practitioners"]


@pytest.mark.parametrize(
    "registry",
    [
        pytest.param(FIXTURE_CSV, id="a CSV export gives the demo's verdicts"),
        pytest.param(FIXTURE_TEMPLATE, id="a URL template answering JSON gives the same verdicts"),
    ],
)
def test_demo_applicant_in_either_registry(sites: SiteServer, registry: str | Path) -> None:
    result = run_check(
        PractitionersCheck(),
        make_submission(
            applicant={"name": "Acme", "website": "http://acme.example/", "employees": 1200},
            practitioners=DEMO,
        ),
        P2022,
        settings=settings_for(sites),
        sources={"credential-registry": registry},
        as_of=AS_OF,
    )
    assert result.status is Status.PASS
    assert result.summary == (
        "37 valid of 40 submitted; 35 required for 500-4999 employees; not confirmed: "
        "Kwame Lindqvist (LF-1038), Sam Taylor (LF-1039), Mateo Kimura (LF-1040) (the "
        "evidence says why)"
    )
    verdicts = {e.data["certificate_id"]: e.data["verdict"] for e in certificates(result)}
    assert [k for k, v in verdicts.items() if v != "valid"] == ["LF-1038", "LF-1039", "LF-1040"]


# ---------------------------------------------------------------- faults are never fails

TEMPLATE = "http://registry.test/certificates/{certificate_id}.json"


def json_record(row: dict[str, str]) -> httpx.Response:
    return httpx.Response(200, json=row)


def verify_url(listed: list[dict[str, str]], employees: int) -> RequirementResult:
    applicant = {"name": "Acme", "website": "http://acme.example/", "employees": employees}
    return run_check(
        PractitionersCheck(),
        make_submission(applicant=applicant, practitioners=listed),
        P2022,
        settings=settings_for(None),
        sources={"credential-registry": TEMPLATE},
        as_of=AS_OF,
    )


def mock_registry(router: respx.MockRouter, rows: list[dict[str, str]], down: set[str]) -> None:
    for row in rows:
        cid = row["certificate_id"]
        answer = httpx.Response(503) if cid in down else json_record(row)
        router.get(TEMPLATE.format(certificate_id=cid), name=f"record {cid}").mock(answer)


FAULTS = [
    pytest.param(
        4, {3}, Status.PASS, id="one look-up failing after enough valid ones still passes"
    ),
    pytest.param(3, {2}, Status.ERROR, id="a failed look-up that could close the gap is an error"),
    pytest.param(
        3,
        {0, 1, 2},
        Status.ERROR,
        id="a registry answering 503 is an error",
    ),
    pytest.param(1, {0}, Status.FAIL, id="too few submitted fails whatever the registry says"),
]


@pytest.mark.parametrize(("n", "down", "expected"), FAULTS)
def test_registry_faults(n: int, down: set[int], expected: Status) -> None:
    rows = people(n)
    with respx.mock(assert_all_called=True) as router:
        mock_registry(router, rows, {rows[i]["certificate_id"] for i in down})
        result = verify_url(submitted(rows), 50)
    assert result.status is expected, result.summary
    faulty = [e for e in certificates(result) if e.data["verdict"] == "fault"]
    assert len(faulty) == len(down)
    assert all("503" in e.detail for e in faulty)


def test_registry_host_that_refuses_connections_is_an_error(settings: FetchSettings) -> None:
    result = run_check(
        PractitionersCheck(),
        make_submission(practitioners=submitted(THREE)),
        P2022,
        settings=settings,
        sources={"credential-registry": f"http://{DOWN}/{{certificate_id}}"},
        as_of=AS_OF,
    )
    assert result.status is Status.ERROR
    assert "3 could not be looked up" in result.summary


def test_registry_answering_something_else_than_a_record_is_a_fault() -> None:
    rows = people(3)
    with respx.mock(assert_all_called=True) as router:
        mock_registry(router, rows[:2], set())
        router.get(TEMPLATE.format(certificate_id=rows[2]["certificate_id"])).mock(
            httpx.Response(200, text="<html>maintenance</html>")
        )
        result = verify_url(submitted(rows), 50)
    assert result.status is Status.ERROR
    assert "answered an HTML page, not a JSON credential record" in certificates(result)[-1].detail


def test_registry_answering_broken_json_is_a_fault() -> None:
    rows = people(3)
    with respx.mock(assert_all_called=True) as router:
        mock_registry(router, rows[:2], set())
        router.get(TEMPLATE.format(certificate_id=rows[2]["certificate_id"])).mock(
            httpx.Response(200, json={"certificate_id": rows[2]["certificate_id"]})
        )
        result = verify_url(submitted(rows), 50)
    assert result.status is Status.ERROR
    assert "did not answer a credential record: name is missing" in certificates(result)[-1].detail


def test_registry_404_means_no_such_certificate() -> None:
    rows = people(3)
    with respx.mock(assert_all_called=True) as router:
        mock_registry(router, rows[:2], set())
        router.get(TEMPLATE.format(certificate_id=rows[2]["certificate_id"])).mock(
            httpx.Response(404)
        )
        result = verify_url(submitted(rows), 50)
    assert result.status is Status.FAIL
    assert "knows no certificate" in certificates(result)[-1].detail


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            "http://registry.test/all.json",
            "no {certificate_id} placeholder",
            id="a URL without the placeholder is an error",
        ),
        pytest.param(
            None, "no source named 'credential-registry'", id="a run without a registry is an error"
        ),
    ],
)
def test_unusable_registry_is_an_error(source: str | None, message: str) -> None:
    result = run_check(
        PractitionersCheck(),
        make_submission(practitioners=submitted(THREE)),
        P2022,
        sources={"credential-registry": source} if source else {},
        as_of=AS_OF,
    )
    assert result.status is Status.ERROR
    assert message in result.summary


@pytest.mark.parametrize(
    ("have", "expected"),
    [
        pytest.param(
            {FOCP: 4, PRO: 1, FOCUS: 2},
            Status.ERROR,
            id="2025 one failed look-up could make up one missing practitioner",
        ),
        pytest.param(
            {FOCP: 4, PRO: 0, FOCUS: 2},
            Status.FAIL,
            id="2025 one failed look-up cannot make up two missing certificates",
        ),
    ],
)
def test_2025_fault_decides_only_a_gap_it_could_close(
    have: dict[str, int], expected: Status
) -> None:
    rows = [r for c, n in have.items() for r in people(n, c)]
    flaky = cert("FLAKY-1", "Flo Flaky")
    with respx.mock(assert_all_called=True) as router:
        mock_registry(router, [*rows, flaky], {"FLAKY-1"})
        applicant = {"name": "Acme", "website": "http://acme.example/", "employees": 50}
        result = run_check(
            PractitionersCheck(),
            make_submission(applicant=applicant, practitioners=submitted([*rows, flaky])),
            P2025,
            settings=settings_for(None),
            sources={"credential-registry": TEMPLATE},
            as_of=AS_OF,
        )
    assert result.status is expected, result.summary


def test_certificate_id_cannot_leave_its_path_segment() -> None:
    hostile = "../../admin?x=1#f"
    with respx.mock(assert_all_called=True) as router:
        route = router.get(
            "http://registry.test/certificates/..%2F..%2Fadmin%3Fx%3D1%23f.json", name="quoted id"
        ).mock(httpx.Response(404))
        result = verify_url([{"name": "Mallory", "certificate_id": hostile}], 50)
    assert route.call_count == 1
    assert result.status is Status.FAIL


def test_certificate_ids_compare_ignoring_case(tmp_path: Path) -> None:
    listed = [*submitted(THREE[:2]), {"name": THREE[2]["name"], "certificate_id": "p-prac-2"}]
    result = verify_csv(tmp_path, THREE, listed, 50)
    assert result.status is Status.PASS, result.summary


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        pytest.param(
            [{"certification": FOCP, "table": [{"min_employees": 100, "required": 10}]}],
            "one band must start at min_employees 0",
            id="a table leaving small companies without a band is rejected",
        ),
        pytest.param(
            [{"certification": FOCP, "table": [{"min_employees": 0, "required": 1}] * 2}],
            "two bands start at the same min_employees",
            id="two bands with the same minimum are rejected",
        ),
        pytest.param(
            [{"certification": FOCP, "table": [{"min_employees": 0, "required": 1}]}] * 2,
            "a certification appears in two columns",
            id="a certification in two columns is rejected",
        ),
    ],
)
def test_params_that_cannot_be_a_table_are_rejected(
    columns: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PractitionersParams.model_validate({"columns": columns})


def test_certificates_under_names_with_added_words_make_it_a_question_not_a_fail(
    tmp_path: Path,
) -> None:
    # 0-99 employees: 3 required. Two match exactly, one is "Holder X Middle" for "Holder X".
    rows = people(3)
    listed = submitted(rows)
    rows[2] = {**rows[2], "name": rows[2]["name"].replace("Holder", "Holder Middle")}
    result = verify_csv(tmp_path, rows, listed, employees=50)
    assert result.status == Status.NEEDS_REVIEW
    assert result.summary == (
        "2 valid of 3 submitted; 3 required for 0-99 employees; not confirmed: "
        f"{listed[2]['name']} ({listed[2]['certificate_id']}) (the evidence says why); 1 more "
        "certificate(s) name their holder with added words (a middle name or initial): met "
        "if a person confirms them"
    )
    # Two short even with it: a fail, whatever a person would say of the one.
    assert verify_csv(tmp_path, rows[1:], listed[1:], employees=50).status == Status.FAIL


def test_the_most_practitioners_a_submission_holds_give_a_one_sentence_summary(
    tmp_path: Path,
) -> None:
    rows = people(MAX_ITEMS)  # 1,000: the list limit
    result = verify_csv(tmp_path, rows, submitted(rows), employees=6000)
    assert (result.status, result.summary) == (
        Status.PASS,
        "1,000 valid of 1,000 submitted; 50 required for 5000+ employees",
    )
    assert len(certificates(result)) == MAX_ITEMS  # the detail stays in the evidence


@pytest.mark.parametrize("dots", [".", ".."])
def test_an_id_of_dots_is_looked_up_as_no_record_not_as_the_registry_folder(dots: str) -> None:
    """With a template whose id is a whole path segment, "." or ".." would ask the
    registry's folder (or its parent): an answer that is no record made the look-up a
    fault, and the check an error. No certificate has such an id: it is not found."""
    template = "http://registry.test/certificates/{certificate_id}"
    rows = people(2)
    with respx.mock(assert_all_called=False) as router:
        for row in rows:
            one = template.format(certificate_id=row["certificate_id"])
            router.get(one).mock(httpx.Response(200, json=row))
        router.route().mock(httpx.Response(200, html="<html><body>Registry home</body></html>"))
        result = run_check(
            PractitionersCheck(),
            make_submission(
                applicant={"name": "Acme", "website": "http://acme.example/", "employees": 50},
                practitioners=[*submitted(rows), {"name": "Jane Doe", "certificate_id": dots}],
            ),
            P2022,
            settings=settings_for(None),
            sources={"credential-registry": template},
            as_of=AS_OF,
        )
    assert result.status is Status.FAIL, result.summary
    assert f"not confirmed: Jane Doe ({dots})" in result.summary
