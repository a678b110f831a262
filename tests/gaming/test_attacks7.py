"""A hostile applicant's seventh round: ``Page.document_title`` (829b516).

``document_title`` is the first ``<title>`` in the parsed tree that has no ``<svg>``,
``<math>``, ``<template>`` or ``<noscript>`` ancestor. But an SVG ``<foreignObject>`` (like
MathML's ``<mi>``/``<annotation-xml encoding="text/html">`` and SVG's ``<desc>``) is an HTML
integration point: a browser's HTML parser puts a ``<title>`` written there in the HTML
namespace, and ``document.title`` is the first HTML ``<title>`` in tree order, so the tab
shows it. The site's catch-all "not found" page (answering 200, no title in the head) puts
its title in a zero-size ``<svg><foreignObject>``: ``document_title`` skips it and reads
``""``, the page reads ``ok`` and the header's naming and price pass the offering
requirement (the control, the same page with the title in the head, failed as gone).
Fixed: a ``<title>`` in SVG or MathML is skipped only when nothing but SVG/MathML
containers stand between it and its ``<svg>``/``<math>``, and that ``<svg>`` holds no HTML
element a browser moves out of it; the strict xfail is a passing test.

Pages are ``fixtures/gaming/atk7-own.example`` (served by the ``gaming_settings`` fixture).
"""

from __future__ import annotations

from tests.gaming.c1_support import assert_protoco_page_gone, protoco_offering
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

OWN = "http://atk7-own.example"


def offering(settings: FetchSettings, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant``."""
    return protoco_offering(settings, OWN, variant)


def test_control_a_soft_404_titled_in_the_head_fails(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "clean-404")
    assert_protoco_page_gone(result)


def test_a_soft_404_titled_inside_an_svg_foreign_object_is_gone(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "foreign-404")
    assert_protoco_page_gone(result)
