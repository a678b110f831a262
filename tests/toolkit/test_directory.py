"""Reading a directory page is gathering candidates, then a pure decision on each: the
decision is table-tested here without a page or a server."""

from __future__ import annotations

import pytest

from verifier.toolkit import Candidate, Listing, decide_entry

HREF = "https://acme.example/"


@pytest.mark.parametrize(
    ("candidate", "seen", "hidden"),
    [
        pytest.param(
            Candidate("link", "Acme Cloud Economics", "Acme Cloud Economics", HREF),
            Listing("Acme Cloud Economics", HREF, None),
            None,
            id="a visible link is a listing with its link",
        ),
        pytest.param(
            Candidate("img-alt", "Acme logo", "Acme logo"),
            Listing("Acme", None, None),
            None,
            id="a logo's alt text names the organisation without the word logo",
        ),
        pytest.param(
            Candidate("list-item", "  Acme\n  Cloud  ", "  Acme\n  Cloud  "),
            Listing("Acme Cloud", None, None),
            None,
            id="spacing is collapsed",
        ),
        pytest.param(
            Candidate("link", "Acme", "Acme", HREF, hidden="display:none"),
            None,
            Listing("Acme", HREF, "display:none"),
            id="a hidden element is no listing, only set aside with why",
        ),
        pytest.param(
            Candidate("list-item", "Acme Cloud Economics", "Acme", HREF, part_hidden="hidden"),
            Listing("Acme", HREF, None),
            Listing("Acme Cloud Economics", HREF, "hidden"),
            id="a hidden part of a name: what shows is listed, the full name set aside",
        ),
        pytest.param(
            Candidate("list-item", "Acme", "Acme", HREF, link_hidden="aria-hidden"),
            Listing("Acme", None, None),
            Listing("Acme", HREF, "aria-hidden"),
            id="a hidden link: the name is listed without it, the link set aside",
        ),
        pytest.param(
            Candidate("link", "Next »", "Next »", "https://dir.example/?page=2"),
            None,
            None,
            id="a pagination link lists nobody",
        ),
        pytest.param(
            Candidate("link", "2", "2", "https://dir.example/?page=2"),
            None,
            None,
            id="a page number lists nobody",
        ),
        pytest.param(Candidate("link", "A", "A"), None, None, id="one character is no name"),
        pytest.param(
            Candidate("list-item", "x" * 121, "x" * 121), None, None, id="a paragraph is no name"
        ),
        pytest.param(
            Candidate("list-item", "Acme Cloud", "", part_hidden="visibility:hidden"),
            None,
            Listing("Acme Cloud", None, "visibility:hidden"),
            id="an element whose whole text is hidden lists nobody a visitor sees",
        ),
    ],
)
def test_decide_entry(candidate: Candidate, seen: Listing | None, hidden: Listing | None) -> None:
    assert decide_entry(candidate) == (seen, hidden)
