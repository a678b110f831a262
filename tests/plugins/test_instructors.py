"""The instructors check, over the fixture registry (CSV and URL template) and faults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from plugins.instructors import InstructorsCheck
from tests.plugins.conftest import DOWN
from tests.plugins.registry_helpers import (
    FIXTURE_CSV,
    FIXTURE_TEMPLATE,
    TTT,
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

PARAMS = policy_params("2022/training-partner.yaml", "instructors")
GRACE = {"name": "Grace Hopkins", "certificate_id": "LF-3001"}
TOMAS = {"name": "Tomas Lindgren", "certificate_id": "LF-3002"}
LAPSED = {"name": "Old Trainer", "certificate_id": "LF-9003"}  # expired 2023-01-01
PRACTITIONER = {"name": "Jane Doe", "certificate_id": "LF-0001"}  # not a trainer
UNKNOWN = {"name": "Ghost Teacher", "certificate_id": "LF-0000"}


def verify(
    training: dict[str, Any] | None, registry: str | Path, server: SiteServer | None
) -> RequirementResult:
    fields = {"tier": "training-partner"} | ({"training": training} if training else {})
    return run_check(
        InstructorsCheck(),
        make_submission(**fields),
        PARAMS,
        settings=settings_for(server),
        sources={"credential-registry": registry},
        as_of=dt.date(2026, 1, 1),
    )


CASES = [
    pytest.param(
        {"instructors": [GRACE, TOMAS]},
        Status.PASS,
        "all 2 instructor(s) hold a valid",
        id="trainers with valid certificates pass",
    ),
    pytest.param(
        {"instructors": [GRACE, LAPSED]},
        Status.FAIL,
        "expired on 2023-01-01",
        id="a lapsed trainer certificate fails",
    ),
    pytest.param(
        {"instructors": [GRACE, PRACTITIONER]},
        Status.FAIL,
        "certifies 'FinOps Certified Practitioner'",
        id="a practitioner certificate is not train-the-trainer",
    ),
    pytest.param(
        {"instructors": [UNKNOWN]},
        Status.FAIL,
        "knows no certificate LF-0000",
        id="an unknown certificate fails",
    ),
    pytest.param(
        {"instructors": [{"name": "Tom Lind", "certificate_id": "LF-3002"}]},
        Status.FAIL,
        "names the holder 'Tomas Lindgren'",
        id="someone else's certificate fails",
    ),
    pytest.param(
        {"instructors": []},
        Status.FAIL,
        "not provided: instructor-led courses are taught",
        id="no instructors while instructor-led is not provided",
    ),
    pytest.param(
        None,
        Status.FAIL,
        "not provided: the submission has no 'training'",
        id="no training section is not provided",
    ),
    pytest.param(
        {"instructor_led": False, "instructors": [LAPSED]},
        Status.NOT_APPLICABLE,
        "no instructor-led courses",
        id="no instructor-led courses is not applicable",
    ),
]


@pytest.mark.parametrize(
    "registry",
    [
        pytest.param(FIXTURE_TEMPLATE, id="URL registry"),
        pytest.param(FIXTURE_CSV, id="CSV registry"),
    ],
)
@pytest.mark.parametrize(("training", "expected", "phrase"), CASES)
def test_instructors(
    sites: SiteServer,
    registry: str | Path,
    training: dict[str, Any] | None,
    expected: Status,
    phrase: str,
) -> None:
    result = verify(training, registry, sites)
    assert result.status is expected, result.summary
    assert phrase in result.summary


TEMPLATE = "http://registry.test/{certificate_id}.json"
RECORD = {
    "certificate_id": "LF-3001",
    "name": "Grace Hopkins",
    "certification": TTT,
    "issued": "2022-11-01",
    "expires": "",
}


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        pytest.param(httpx.Response(503), Status.ERROR, id="a registry answering 503 is an error"),
        pytest.param(
            httpx.Response(
                200,
                json=RECORD
                | {"certificate_id": "LF-3002", "name": "Tomas Lindgren", "expires": "2024-01-01"},
            ),
            Status.FAIL,
            id="an expired trainer fails even when the registry is flaky",
        ),
    ],
)
def test_registry_faults(second: httpx.Response, expected: Status) -> None:
    with respx.mock(assert_all_called=True) as router:
        router.get(TEMPLATE.format(certificate_id="LF-3001"), name="grace").mock(
            httpx.Response(503)
        )
        router.get(TEMPLATE.format(certificate_id="LF-3002"), name="tomas").mock(second)
        result = verify({"instructors": [GRACE, TOMAS]}, TEMPLATE, None)
    assert result.status is expected, result.summary
    assert any(e.data.get("verdict") == "fault" for e in result.evidence)


def test_registry_host_that_refuses_connections_is_an_error(settings: FetchSettings) -> None:
    result = run_check(
        InstructorsCheck(),
        make_submission(training={"instructors": [GRACE]}),
        PARAMS,
        settings=settings,
        sources={"credential-registry": f"http://{DOWN}/{{certificate_id}}.json"},
    )
    assert result.status is Status.ERROR
    assert "could not be read for 1 of 1 instructor(s)" in result.summary


def test_a_trainer_named_with_a_middle_initial_needs_a_person(tmp_path: Path) -> None:
    from tests.plugins.registry_helpers import cert, write_registry

    trainer = str(PARAMS["certification"])
    registry = write_registry(
        tmp_path / "registry.csv",
        [
            cert("LF-3001", "Grace M. Hopkins", trainer),
            cert("LF-3002", "Tomas Lindgren", trainer),
        ],
    )
    result = verify({"instructors": [GRACE, TOMAS]}, registry, None)
    assert result.status == Status.NEEDS_REVIEW
    assert result.summary.startswith("1 of 2 instructor(s) (Grace Hopkins) hold a valid")


def test_the_most_instructors_a_submission_holds_failing_give_a_one_sentence_summary(
    tmp_path: Path,
) -> None:
    # A practitioner certificate is not the trainer certification: every instructor fails.
    rows = people(MAX_ITEMS)  # 1,000: the list limit
    registry = write_registry(tmp_path / "registry.csv", rows)
    result = verify({"instructors": submitted(rows)}, registry, None)
    assert result.status is Status.FAIL
    assert result.summary.startswith(
        "1,000 of 1,000 instructor(s) do not hold a valid FinOps Certified Practitioner "
        "Train-the-Trainer: Holder PRAC 000 (it certifies 'FinOps Certified Practitioner'"
    )
    assert result.summary.endswith(" and 997 more")
    assert len(result.summary) < 500
    # Each certificate's verdict is still in the evidence, one item each.
    assert sum(e.kind == "certificate" for e in result.evidence) == MAX_ITEMS
