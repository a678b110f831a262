"""A hostile applicant, round r16c: ``ec125f1`` takes a selector longer than 2,048
characters to select every element (``stylesheets._compound``) and reads the deadline
before each selector.

A long selector itself held: whatever it holds, in ``@media``, in a ``data:`` sheet, in a
kept sheet or one read under the deadline, it hides every element, never nothing. **Four
ways around the rules did not hold** (older than ``ec125f1``; a long list inside ``:not()``
is one of them):

1. A rule's selectors were split at every comma, also those inside ``:not(.a, .b)``,
   ``:is()`` and ``[title="a,b"]``: ``.secret:not(.a,.b){display:none}`` was read as
   ``.secret:not(.a`` and `` .b)``, subjects ``.a`` and ``.b``, so the hidden ``.secret``
   read as visible. Now split at commas outside brackets, parentheses and strings.
2. A ``:hover`` or ``::`` anywhere skipped the rule, also inside an attribute
   (``[data-x="::"]``) or a negation (``.secret:not(:hover)`` hides while the pointer is
   elsewhere, that is, for a reader). Now attributes, strings and ``:not(...)`` (to its
   own closing parenthesis: ``:not([title=")"], :hover)``, ``:not(:is(.a), :hover)``)
   are left out of that look.
3. A selector over 2,048 characters holding a ``:hover`` or ``::`` (in a string) was
   skipped before it was taken to select every element. Now the length is looked at first.
4. The subject was cut at the first space, ``)`` or ``]`` even inside parentheses and
   strings, and a class or attribute inside ``:not()``/``:is()`` became a condition on
   the element: ``.secret:is(:not(.a), .x .y)`` read as ``.y``, ``.secret:not([data-x])``
   as needing ``data-x``, both hiding nothing. Now read past them (``_subject``).
"""

from __future__ import annotations

import pytest

from tests.helpers import html_page
from verifier import Page

_SECRET = '<p class="secret" title="a,b" data-x=":: :hover">PRICING</p><div>other</div>'


def _page(css: str, body: str = _SECRET, *, link: bool = False) -> Page:
    if link:
        head = f'<link rel="stylesheet" href="data:text/css,{css}">'
    else:
        head = f"<style>{css}</style>"
    html = f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return html_page(html, "http://a.example/p")


_PAD = "".join(f".pad{i}{{color:red}}" for i in range(1_200))  # past 16 KiB: not kept
assert len(_PAD) > 16 * 1024


@pytest.mark.parametrize("pad", [False, True], ids=["kept", "per-page"])
@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(".secret:not(.a,.b){display:none}", id="comma-in-not"),
        pytest.param(".secret:not(div, span){display:none}", id="tags-in-not"),
        pytest.param(".secret:not(:is(.a, .b)){visibility:hidden}", id="nested-is"),
        pytest.param('.secret[title="a,b"]{display:none}', id="comma-in-attribute"),
        pytest.param(".secret[title='a,b']{display:none}", id="comma-single-quoted"),
        pytest.param('.secret[data-x=":: :hover"]{display:none}', id="pseudo-in-attribute"),
        pytest.param(".secret:not(:hover){display:none}", id="not-hover"),
        pytest.param(".secret:not(:focus-within){display:none}", id="not-focus-within"),
        pytest.param("@media screen{.secret:not(.a,.b){display:none}}", id="comma-in-not-in-media"),
    ],
)
def test_a_rule_read_whole_hides_what_it_selects(rule: str, pad: bool) -> None:
    page = _page((_PAD if pad else "") + rule)
    assert "PRICING" not in page.visible_text
    assert "other" in page.visible_text  # only the subject it names
    (passage,) = page.hidden_passages
    assert passage.text == "PRICING"
    assert rule.split("{")[-2].strip() in passage.reason  # the selector, read whole


@pytest.mark.parametrize("pad", [False, True], ids=["kept", "per-page"])
@pytest.mark.parametrize(
    "selector",
    [
        pytest.param(".secret:not(" + ",".join(f".c{i}" for i in range(600)) + ")", id="not"),
        pytest.param(":is(" + ",".join(f".c{i}" for i in range(600)) + ",.secret)", id="is"),
        pytest.param("p" + "[" * 3_000 + ":hover", id="hover-after"),
        pytest.param('.secret[data-x="::' + "a" * 3_000 + '"]', id="pseudo-in-string"),
        pytest.param(".secret:where(" + ",.c" * 1_000 + ",:not(:hover))", id="where-not-hover"),
    ],
)
def test_a_long_selector_holding_anything_hides_every_element(selector: str, pad: bool) -> None:
    # One selector of more than 2,048 characters (commas inside parentheses, strings or
    # brackets do not split it; a :hover or :: inside does not skip it): every element is
    # read as hidden, never shown.
    page = _page((_PAD if pad else "") + selector + "{display:none}")
    assert "PRICING" not in page.visible_text
    assert "other" not in page.visible_text
    (passage,) = page.hidden_passages
    assert "too long to read: taken to select every element" in passage.reason


@pytest.mark.parametrize("link", [False, True], ids=["style", "data-link"])
def test_a_long_selector_in_media_or_a_data_sheet_hides_every_element(link: bool) -> None:
    css = "@media screen{p" + "%5B" * 3_000 + "{display:none}}"  # `[` in a data: URL
    page = _page(css if link else css.replace("%5B", "["), link=link)
    assert "other" not in page.visible_text
    (passage,) = page.hidden_passages
    assert "(a selector of 3001 characters, too long to read" in passage.reason


def test_the_bound_is_on_the_selector_not_its_comments_or_list() -> None:
    # 2,048 characters exactly is read; a long list of short selectors is read one by
    # one; a long comment is not part of the selector.
    exact = ".secret" + " " * (2_048 - 14) + "*.other"  # 2,048 with the subject .other
    assert len(exact) == 2_048
    page = _page(exact + "{display:none}", '<p class="other">x</p><p>PRICING</p>')
    assert "PRICING" in page.visible_text
    long_list = ",".join(f".c{i}" for i in range(2_000)) + "{display:none}"
    comment = ".secret/*" + "x" * 5_000 + "*/{display:none}"
    for css in (long_list, comment):
        page = _page(css, '<p class="c7 secret">gone</p><p>PRICING</p>')
        assert "PRICING" in page.visible_text
        assert "gone" not in page.visible_text


@pytest.mark.parametrize(
    "rule",
    [
        ".secret:hover{display:none}",
        "a:not(.x):hover .secret{display:none}",
        "body:focus-within .secret,div:active .secret{display:none}",
        ".secret::before{display:none}",
        ".secret:is(.a, .b)::after{display:none}",
    ],
)
def test_rules_that_hide_only_on_interaction_or_generated_content_still_hide_nothing(
    rule: str,
) -> None:
    # The legitimate side: a menu shown on :hover, a ::before badge; and framework CSS
    # with :is()/:where() lists is read per subject, not as hiding every element.
    page = _page(rule + ":where(.prose,.card) .x:is(h1,h2){display:none}")
    assert "PRICING" in page.visible_text
    assert "other" in page.visible_text
    assert not page.hidden_passages


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param('.secret:not([title=")"], :hover){display:none}', id="paren-in-string"),
        pytest.param(".secret:not(:is(.a), :hover){display:none}", id="nested-parens"),
        pytest.param('.secret[data-y="]:hover"]{display:none}', id="bracket-in-string"),
        pytest.param(".secret:NOT(:focus){display:none}", id="upper-case-not"),
    ],
)
def test_a_negation_is_read_to_its_own_closing_parenthesis(rule: str) -> None:
    # `:not(A, :hover)` hides while the visitor does nothing: a `)` or `]` in a string,
    # or a parenthesis nested in the negation, must not leave its `:hover` outside.
    page = _page(rule, '<p class="secret" data-y="]:hover">PRICING</p><div>other</div>')
    assert "PRICING" not in page.visible_text
    (passage,) = page.hidden_passages
    assert passage.text.startswith("PRICING")
    assert "{display:none} of the page's <style>" in passage.reason


@pytest.mark.parametrize(
    "rule",
    [
        ".secret:is(:not(.a), .x .y){display:none}",
        ".secret:not(:is(.a), .b c){display:none}",
        '.secret:not([title=") x"]){display:none}',
        ".secret:where(:not(.a) , .b){display:none}",
        ".secret:not([data-shown]){display:none}",
        "main > .secret:not(.a > .b){display:none}",
    ],
)
def test_the_subject_is_read_past_parentheses_and_strings(rule: str) -> None:
    # The subject is the compound after the last combinator outside parentheses,
    # brackets and strings; what :not() or :is() holds is no condition on the element
    # (`.secret:not([data-shown])` does not need a data-shown attribute).
    page = _page(rule, '<main><p class="secret">PRICING</p></main><div>other</div>')
    assert "PRICING" not in page.visible_text
    assert "other" in page.visible_text
    (passage,) = page.hidden_passages
    assert passage.text == "PRICING"
    subject = rule.removeprefix("main > ").split("{")[0]
    assert f"the rule {subject} {{display:none}} of the page's <style>" == passage.reason
