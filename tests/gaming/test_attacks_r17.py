"""A hostile applicant, round r17: pages read from lxml's own tree (issue 10, ``51bb4d3``).

The fetch layer now parses every page into lxml's own tree, in one C call that no
deadline stops (``verifier.fetch.treeread.parse_tree``), and reads its view, titles and
shape notes from it; bs4's tree is built only when a check walks ``page.soup``.

1. **An element of many attributes** (denial of service): lxml's tree adds each
   attribute at the end of its element's list by walking the list, so building the tree
   costs the square of an element's distinct attributes, where bs4's parse of the same
   page (lxml's parser calling back, no tree) is linear. Measured outside the suite
   (``parse_tree`` alone, this machine): 40,000 attributes on one ``<p>`` (269 KB) 2.1-2.7 s
   against 14 ms for bs4's parse; 600,000 (4.6 MB, under the 5 MiB body cap, one ``<``)
   still parsing after 10 minutes of CPU, killed. The page reader thread cannot be
   stopped, so every such page held a reader thread for many minutes. **Got through;
   fixed**: the same parse without a tree counts each start tag's attributes first
   (linear: 0.12 s for 5 MiB of attributes), and a page with an element of more than 256
   is refused as too complex to parse (``FetchTooLarge``), never read in part (a
   ``hidden`` written as its 300th attribute must not be dropped). A page filled with
   tags of 256 attributes each parses in 0.44 s. Repeated names are one attribute and
   cost nothing (2,500,000 ``a`` on one tag: 2 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from plugins.membership import MembershipCheck
from verifier.fetch.treeread import MAX_ATTRIBUTES, TooComplex, parse_tree, read_markup
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

BASE = "http://acme.example/"


def _many(n: int, last: str = "") -> str:
    """A ``<p>`` of ``n`` distinct attributes (``last`` written after them)."""
    names = " ".join(f"a{i}" for i in range(n))
    return f"<html><body><p {names} {last}>Acme is a member</p></body></html>"


@pytest.mark.parametrize("n", [MAX_ATTRIBUTES + 1, 20_000])
def test_an_element_of_too_many_distinct_attributes_is_refused_before_its_tree_is_built(
    n: int,
) -> None:
    # 20,000 attributes took 0.6 s to build into lxml's tree, 600,000 more than 10 min.
    with pytest.raises(TooComplex) as caught:
        parse_tree(_many(n))
    assert str(caught.value) == (
        f"an element with {n:,} attributes, over the 256 the parser reads in time"
    )


def test_a_hiding_attribute_past_the_limit_is_not_dropped_but_refused() -> None:
    # Dropping what follows the 256th attribute would read `hidden` as absent: the page
    # is refused whole instead.
    with pytest.raises(TooComplex):
        read_markup(_many(MAX_ATTRIBUTES, last="hidden"), BASE)


def test_an_element_of_256_attributes_or_of_one_name_repeated_is_read_whole() -> None:
    read = read_markup(_many(MAX_ATTRIBUTES - 1, last="hidden"), BASE)
    assert read.view.visible_text == ""
    assert [(h.text, h.reason) for h in read.view.hidden] == [
        ("Acme is a member", "the hidden attribute")
    ]
    # A name written 5,000 times is one attribute, to lxml as to a browser (the first).
    repeated = "<p " + 'style="" ' * 5_000 + 'style="display:none">Acme</p><p>Seen</p>'
    assert read_markup(repeated, BASE).view.visible_text == "Acme Seen"


def test_a_directory_of_an_element_of_too_many_attributes_is_an_error_naming_it(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    page = tmp_path / "dir.example" / "members" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(_many(300).replace("Acme is a member", "<li>Acme</li>"))
    server = fake_sites(tmp_path)
    result = run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Acme", "website": "http://acme.example/"}),
        {"sources": ["finops-members"]},
        settings=settings_for(server),
        sources={"finops-members": "http://dir.example/members/"},
    )
    assert result.status == "error"
    assert result.summary == (
        "finops-members: could not read the directory: http://dir.example/members/ could not "
        "be fetched (too complex to parse: an element with 300 attributes, over the 256 the "
        "parser reads in time)"
    )
