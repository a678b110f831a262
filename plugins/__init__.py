"""The built-in checks, bundled policies and the offline demo of finops-verifier.

Registered through the ``finops_verifier`` entry-point group like any third party's
plugin. One module per kind of requirement; FinOps knowledge lives here and in the
policies, never in :mod:`verifier`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plugins._data import data_dir
from plugins.attestation import AttestationCheck
from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.instructors import InstructorsCheck
from plugins.landing_page import LandingPageCheck
from plugins.membership import MembershipCheck
from plugins.offering import OfferingCheck
from plugins.practitioners import PractitionersCheck
from verifier import Check, DemoSpec, hookimpl

CHECKS: tuple[type[Check[Any]], ...] = (
    MembershipCheck,
    OfferingCheck,
    FrameworkAlignmentCheck,
    CaseStudiesCheck,
    PractitionersCheck,
    CommunityCheck,
    LandingPageCheck,
    InstructorsCheck,
    AttestationCheck,
)
"""Every built-in check class."""


@hookimpl
def register_checks(register: Callable[[Check[Any]], None]) -> None:
    """Register every built-in check."""
    for cls in CHECKS:
        register(cls())


@hookimpl
def register_policy_dirs(register: Callable[[Path], None]) -> None:
    """Register the bundled policies (and their sources.yaml)."""
    register(data_dir("policies"))


@hookimpl
def register_demos(register: Callable[[DemoSpec], None]) -> None:
    """Register the offline demo: fixture sites and one submission per tier."""
    fixtures = data_dir("fixtures")
    demo = fixtures / "demo"
    register(
        DemoSpec(
            name="partner-certification",
            sites=fixtures / "sites",
            submissions=tuple(sorted(demo.glob("*.yaml"))),
            sources=fixtures / "sources.yaml",
            # The fixtures' certificates expire from 2029 on: judge on a fixed day so the
            # demo shows the same verdicts whenever it runs.
            as_of=dt.date(2026, 11, 26),
        )
    )
