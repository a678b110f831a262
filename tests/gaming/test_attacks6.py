"""A hostile applicant's sixth round: the one reading of a page's title (4e7e631).

read_page now decides a soft 404 from ``page.view.title``, which is only a ``<title>`` that
is a direct child of the parsed ``<head>``. A non-head element written in the head before
the title (here a 1x1 tracking ``<img>``) closes the head, in lxml as in a browser's HTML
parser, so the ``<title>`` lands in the body. A browser still shows it: ``document.title``
is the first HTML ``<title>`` in tree order, wherever it sits. The site's catch-all "not
found" page (answering 200) carries the site's header, which names and prices the
offering, so the landing page reads ``ok`` and the requirement passes. At 4e7e631^ the
same page was ``gone`` and failed.

Pages are ``fixtures/gaming/atk6-own.example`` (served by the ``gaming_settings`` fixture).
"""

from __future__ import annotations

import pytest

from plugins.offering import OfferingCheck
from tests.gaming.c1_support import judge, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

OWN = "http://atk6-own.example"


def offering(settings: FetchSettings, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant``."""
    fields = {
        "applicant": {"name": "Protoco", "website": f"{OWN}/"},
        "offering": {"name": "Proto Lens", "landing_page": f"{OWN}/{variant}/"},
    }
    params = policy_params("2022", "platform", "offering")
    return judge(OfferingCheck(), settings, params, **fields)


def test_control_a_soft_404_titled_in_the_head_fails(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "clean-404")
    assert result.status == Status.FAIL, result.summary
    assert "answered 200 with the title 'Page not found — Protoco'" in result.summary


@pytest.mark.xfail(
    strict=True,
    reason=(
        "verifier/toolkit/pages.py:83 reads the soft-404 title from page.view.title "
        "(verifier/fetch/visibility.py:243: head.find('title', recursive=False)); a stray "
        "<img> in the head moves the <title> into the body (lxml and browsers alike), the "
        "browser still shows it as the page's title, read_page says 'ok' and the catch-all "
        "404 page's header passes the offering requirement"
    ),
)
def test_a_soft_404_whose_title_follows_a_stray_head_element_is_gone(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "pixel-404")
    assert result.status == Status.FAIL, result.summary
    assert "answered 200 with the title 'Page not found — Protoco'" in result.summary
