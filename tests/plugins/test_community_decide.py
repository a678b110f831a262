"""community as gather + pure decide: what a group page's gathered facts decide,
table-tested without a page or a server."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from plugins.community import Decision, Finding, ItemFacts, PageFacts, decide
from verifier import Hidden

OWN = ["acme cloud economics"]
ALIASES = {"acme ce": "Acme CE"}


def item(key: int, form: str | None = None, **facts: Any) -> ItemFacts:
    """An item of a listing: by default seen, naming ``form``, untied, held by nothing."""
    values: dict[str, Any] = {
        "key": key,
        "holders": frozenset(),
        "text": f"item {key}",
        "hidden": None,
        "part": None,
        "form": form,
        "tied": False,
        "full": f"item {key} in full",
        "full_form": None,
        "tied_hidden": False,
    }
    return ItemFacts(**(values | facts))


def page(*items: ItemFacts, **facts: Any) -> PageFacts:
    values: dict[str, Any] = {
        "items": list(items),
        "byline_names": False,
        "article": None,
        "page_names": False,
    }
    return PageFacts(**(values | facts))


CARD = item(1, "acme cloud economics")
ALIAS_CARD = item(1, "acme ce", holders=frozenset({9}))
HIDDEN_CARD = item(1, None, hidden="display:none", full_form="acme cloud economics")


AWAY_CARD = item(1, "acme cloud economics", holders=frozenset({9}), away="https://acme.example/")


CASES = [
    pytest.param(page(CARD), Decision("listed", CARD, OWN[0]), id="the name on a card lists"),
    pytest.param(
        page(AWAY_CARD, item(9, "acme cloud economics")),
        Decision("linked-away", AWAY_CARD, OWN[0]),
        id="the name on a card linking to another organisation's site, and the grid around it",
    ),
    pytest.param(
        page(ALIAS_CARD),
        Decision("alias", ALIAS_CARD, "acme ce"),
        id="an alias on a card without a link to the applicant is only claimed",
    ),
    pytest.param(
        page(item(1, "acme ce", tied=True)),
        Decision("listed", item(1, "acme ce", tied=True), "acme ce"),
        id="an alias on a card linking to the applicant lists",
    ),
    pytest.param(
        page(ALIAS_CARD, item(9, "acme ce", tied=True)),
        Decision("alias", ALIAS_CARD, "acme ce"),
        id="a grid's link does not tie the alias of an untied card it holds",
    ),
    pytest.param(
        page(CARD, byline_names=True),
        Decision("byline"),
        id="a byline naming the applicant takes the listing back",
    ),
    pytest.param(
        page(CARD, article="its address is in a /blog/ section"),
        Decision("article", CARD, OWN[0]),
        id="an article's listing is its author's word",
    ),
    pytest.param(
        page(HIDDEN_CARD),
        Decision("hidden", unseen=(Hidden("item 1 in full", "display:none"),)),
        id="a hidden card naming the applicant is set aside for a person",
    ),
    pytest.param(
        page(
            item(
                1,
                None,
                part="aria-hidden",
                full_form="acme cloud economics",
                holders=frozenset({2}),
            ),
            item(2, None, hidden="display:none", full_form="acme cloud economics"),
        ),
        Decision("hidden", unseen=(Hidden("item 1 in full", "aria-hidden"),)),
        id="only the smallest hidden item is quoted, not the grid holding it",
    ),
    pytest.param(
        page(item(1, None, hidden="display:none", full_form="acme ce")),
        Decision("absent"),
        id="a hidden alias without a link to the applicant is nothing",
    ),
    pytest.param(
        page(ALIAS_CARD, HIDDEN_CARD),
        Decision("hidden", unseen=(Hidden("item 1 in full", "display:none"),)),
        id="hidden content that would have listed comes before an untied alias",
    ),
    pytest.param(
        page(item(1), byline_names=True),
        Decision("author-only"),
        id="named only in a byline: an author, not a participant",
    ),
    pytest.param(
        page(item(1), page_names=True),
        Decision("elsewhere"),
        id="named elsewhere on the page, not in the listing",
    ),
    pytest.param(page(), Decision("no-listing"), id="a page without a listing"),
    pytest.param(page(item(1)), Decision("absent"), id="a listing without the applicant"),
]


@pytest.mark.parametrize(("facts", "expected"), CASES)
def test_decide(facts: PageFacts, expected: Decision) -> None:
    assert decide(facts, OWN, ALIASES) == expected


def test_the_table_covers_every_finding() -> None:
    covered = {case.values[1].finding for case in CASES}
    assert covered == set(get_args(Finding))
