"""Company-size tables as params: how many certificates a company of a given size needs.

A table is a list of bands, each from a minimum headcount up to the next band's; one
starts at 0 so that every size has a band. A :class:`Column` pairs a certification with
its table (program 2022 has one column; program 2025 three that do not substitute).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from verifier import Params


class Band(Params):
    """One row of a company-size table."""

    min_employees: int = Field(ge=0)
    """Smallest headcount of the band (the band runs up to the next row's minimum)."""
    required: int = Field(ge=0)
    """Certificates required in the band."""
    label: str | None = None
    """How the published table names the band ("<100"); default "500-4999" or "5000+"."""


class Column(Params):
    """One certification and its table."""

    certification: str = Field(min_length=1)
    """The certification as the registry names it."""
    table: list[Band] = Field(min_length=1)
    """Bands by company size; one must start at 0 employees."""

    @model_validator(mode="after")
    def _covers_every_size(self) -> Column:
        mins = [b.min_employees for b in self.table]
        if len(set(mins)) != len(mins):
            raise ValueError("two bands start at the same min_employees")
        if 0 not in mins:
            raise ValueError("one band must start at min_employees 0")
        return self

    def band(self, employees: int) -> tuple[Band, str]:
        """The band of ``employees`` and its label."""
        rows = sorted(self.table, key=lambda b: -b.min_employees)
        for i, b in enumerate(rows):
            if employees >= b.min_employees:
                upper = f"-{rows[i - 1].min_employees - 1}" if i else "+"
                return b, b.label or f"{b.min_employees}{upper}"
        raise AssertionError("a band starts at 0")  # guaranteed by the validator
