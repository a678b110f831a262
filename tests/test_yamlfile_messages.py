"""How each kind of validation error reads in a problem: the table of
:func:`verifier.inputs.yamlfile.problems`' messages, one row per kind of error."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import BaseModel, ConfigDict, Field

from verifier.errors import InputError
from verifier.inputs import yamlfile


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""


class _Form(BaseModel):
    """A file with one field of each kind a person gets wrong."""

    model_config = ConfigDict(extra="forbid", strict=True)
    title: str = Field(default="x", min_length=1, max_length=5)
    count: int = Field(default=1, ge=1, lt=10_000_000)
    share: float = Field(default=0.5, gt=0, le=1)
    enabled: bool = True
    tags: list[str] = Field(default_factory=lambda: ["a"], min_length=1, max_length=2)
    inner: _Inner = Field(default_factory=_Inner)
    website: str = ""

    @pydantic.field_validator("website")
    @classmethod
    def _http(cls, value: str) -> str:
        if value and not value.startswith("http"):
            raise ValueError("must start with http:// or https://")
        return value


class _Required(BaseModel):
    id: str


def _problem(text: str, model: type[BaseModel] = _Form) -> tuple[int | None, str, str]:
    data, lines = yamlfile.load_text(text, "form.yaml", InputError)
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    (problem,) = yamlfile.problems(info.value, "form.yaml", lines, model)
    return problem.line, problem.field, problem.message


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        pytest.param(
            "titel: Acme\n",
            "titel",
            "unknown field 'titel'; did you mean 'title'?",
            id="a misspelt field names the closest known one",
        ),
        pytest.param(
            "inner: {zzz: 1}\n",
            "inner.zzz",
            "unknown field 'zzz' (allowed here: name)",
            id="an unknown field far from any lists the fields allowed there",
        ),
        pytest.param(
            "count: many\n",
            "count",
            "must be a whole number, not 'many'",
            id="text where a whole number belongs says what it must be",
        ),
        pytest.param(
            "enabled: 3\n",
            "enabled",
            "must be true or false, not 3",
            id="a number where true or false belongs",
        ),
        pytest.param(
            "tags: {a: 1}\n",
            "tags",
            "must be a list, not dict",
            id="a mapping where a list belongs is named by its type",
        ),
        pytest.param(
            "count: 0\n",
            "count",
            "must be at least 1, not 0",
            id="a number under its lower bound",
        ),
        pytest.param(
            "count: 20000000\n",
            "count",
            "must be less than 10,000,000, not 20000000",
            id="a large bound is written with thousands separators",
        ),
        pytest.param(
            "share: 0\n",
            "share",
            "must be more than 0, not 0",
            id="a float bound that is whole reads as a whole number",
        ),
        pytest.param(
            'title: ""\n',
            "title",
            "must not be empty",
            id="empty text",
        ),
        pytest.param(
            "title: Acme Lens\n",
            "title",
            "is 9 characters long; the limit is 5",
            id="text over its limit says its length",
        ),
        pytest.param(
            "tags: []\n",
            "tags",
            "needs at least 1 item",
            id="a list under its minimum",
        ),
        pytest.param(
            "tags: [a, b, c]\n",
            "tags",
            "has 3 items; the limit is 2",
            id="a list over its limit says how many it has",
        ),
        pytest.param(
            "website: acme.example\n",
            "website",
            "must start with http:// or https://",
            id="a validator's own message loses pydantic's prefix",
        ),
    ],
)
def test_message(text: str, field: str, message: str) -> None:
    assert _problem(text) == (1, field, message)


def test_a_missing_field_is_required() -> None:
    assert _problem("{}\n", _Required) == (1, "id", "required field is missing")
