"""What a group page calls itself: its title (the one the tab shows) and its top headings."""

from __future__ import annotations

import pytest

from plugins._groups import namings
from tests.helpers import html_page


@pytest.mark.parametrize(
    ("html", "texts"),
    [
        pytest.param(
            "<html><head><title>FinOps for AI Working Group</title></head><body><h1>Members</h1>",
            ["FinOps for AI Working Group", "Members"],
            id="the head's title and the h1",
        ),
        pytest.param(
            "<html><head></head><body><title>FinOps for AI Working Group</title><h1>Members</h1>",
            ["FinOps for AI Working Group", "Members"],
            id="a title in the body is still what the tab shows",
        ),
        pytest.param(
            "<html><head></head><body><svg><title>FinOps for AI Working Group</title></svg>"
            "<h1>Members</h1>",
            ["Members"],
            id="an SVG's title is no naming",
        ),
    ],
)
def test_a_page_is_named_by_its_tab_title_and_top_headings(html: str, texts: list[str]) -> None:
    assert [n.text for n in namings(html_page(html))] == texts
