"""A hostile applicant's eighth round: ``Page.document_title`` (542543f).

``_foreign`` trusts an ``<svg>`` to keep its ``<title>`` foreign unless it holds one of
``_BREAKOUT``'s HTML elements. But the HTML parsing spec also ends foreign content at a
``<font>`` start tag carrying a ``color``, ``face`` or ``size`` attribute, and ``font`` is
not in ``_BREAKOUT``. In a browser ``<svg><font color="white"></font><title>…</title></svg>``
pops the ``<svg>``, so the ``<font>`` and the ``<title>`` after it are HTML elements in the
body and the tab shows that title; lxml keeps both inside the ``<svg>``, ``_foreign`` calls
the title an SVG tooltip, ``document_title`` reads ``""`` and the catch-all "not found" page
(answering 200) passes the offering on its header's naming and price. The control (the
title in the head) fails as gone.

Pages are ``fixtures/gaming/atk8-own.example`` (served by the ``gaming_settings`` fixture).

Fixed at the right depth: read_page no longer bets on one reading of which ``<title>`` the
tab shows. A "not found" title anywhere a browser could show it (every ``<title>`` but an
inert one, SVG's included: ``Page.every_title``) makes the page gone; ``font`` also ends
foreign content for ``Page.document_title``. The strict xfail is a passing test.
"""

from __future__ import annotations

from tests.gaming.c1_support import assert_protoco_page_gone, protoco_offering
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

OWN = "http://atk8-own.example"


def offering(settings: FetchSettings, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant``."""
    return protoco_offering(settings, OWN, variant)


def test_control_a_soft_404_titled_in_the_head_fails(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "clean-404")
    assert_protoco_page_gone(result)


def test_a_soft_404_titled_after_a_font_color_in_an_svg_is_gone(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "font-404")
    assert_protoco_page_gone(result)
