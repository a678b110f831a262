"""A hostile applicant's sixth round: the one reading of a page's title (4e7e631).

read_page now decides a soft 404 from ``page.view.title``, which is only a ``<title>`` that
is a direct child of the parsed ``<head>``. A non-head element written in the head before
the title (here a 1x1 tracking ``<img>``) closes the head, in lxml as in a browser's HTML
parser, so the ``<title>`` lands in the body. A browser still shows it: ``document.title``
is the first HTML ``<title>`` in tree order, wherever it sits. The site's catch-all "not
found" page (answering 200) carries the site's header, which names and prices the
offering, so the landing page read ``ok`` and the requirement passed (at 4e7e631^ the
same page was ``gone`` and failed). Fixed: read_page reads ``Page.document_title``, the
first ``<title>`` wherever it sits (not an SVG's, a template's or a noscript's), which
is what the tab shows; the test that was a strict xfail now passes.

Pages are ``fixtures/gaming/atk6-own.example`` (served by the ``gaming_settings`` fixture).
"""

from __future__ import annotations

from tests.gaming.c1_support import assert_protoco_page_gone, protoco_offering
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

OWN = "http://atk6-own.example"


def offering(settings: FetchSettings, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant``."""
    return protoco_offering(settings, OWN, variant)


def test_control_a_soft_404_titled_in_the_head_fails(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "clean-404")
    assert_protoco_page_gone(result)


def test_a_soft_404_whose_title_follows_a_stray_head_element_is_gone(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "pixel-404")
    assert_protoco_page_gone(result)
