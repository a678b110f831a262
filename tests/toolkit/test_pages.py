"""One soft-404 rule and one script-shell threshold: what the fetch layer notes for a
reviewer is what ``read_page`` decides on."""

from __future__ import annotations

import httpx
import pytest
import respx

from verifier import Check, CheckContext, NoParams, Outcome
from verifier.fetch.content import (
    SHELL_TEXT_CHARS,
    SHELL_VISIBLE_CHARS,
    reads_like_not_found,
    shape_notes,
    soft_404,
)
from verifier.testing import make_submission, run_check, settings_for
from verifier.toolkit import read_page

URL = "http://pages.test/"


class _ReadsOnePage(Check[NoParams]):
    """Says what ``read_page`` made of the applicant's website, and the page's notes."""

    name = "reads-one-page"

    async def verify(self, ctx: CheckContext[NoParams]) -> Outcome:
        read = await read_page(ctx, URL)
        notes = read.page.notes if read.page is not None else []
        return Outcome.passed(f"{read.state}|{read.reason}|{' / '.join(notes)}")


def _read(html: str) -> tuple[str, str, str]:
    with respx.mock(assert_all_called=True) as router:
        router.get(URL, name="page").mock(httpx.Response(200, html=html))
        result = run_check(
            _ReadsOnePage(),
            make_submission(applicant={"name": "Pages Co", "website": URL}),
            settings=settings_for(None),
        )
    state, reason, notes = result.summary.split("|")
    return state, reason, notes


PROSE = "We help engineering and finance teams understand cloud spend, month after month. "


@pytest.mark.parametrize(
    ("title", "gone", "noted"),
    [
        pytest.param("Page Not Found - Acme", True, True, id="page not found is a soft 404"),
        pytest.param("404", True, True, id="a bare 404 title is a soft 404"),
        pytest.param("Sorry, this page cannot be found", True, True, id="cannot be found too"),
        pytest.param("This page doesn't exist", False, True, id="doesn't exist: a note only"),
        pytest.param("Offer no longer available", False, True, id="no longer available: a note"),
        pytest.param(
            "Proto Lens: the savings others have not found",
            False,
            True,
            id="a real page's words are a note, never gone",
        ),
        pytest.param("Invoice 14045 explained", False, False, id="404 inside a number is not"),
        pytest.param("Acme Lens: pricing", False, False, id="an ordinary title is not"),
    ],
)
def test_a_title_reading_not_found_is_gone_and_noted_by_the_same_rule(
    title: str, gone: bool, noted: bool
) -> None:
    state, reason, notes = _read(f"<html><head><title>{title}</title></head><body><p>{PROSE * 4}")
    assert soft_404(title) is gone
    assert reads_like_not_found(title) is noted
    assert (state == "gone") is gone, reason
    assert ("reads like a 'not found' page" in notes) is noted
    if gone:
        assert reason == f"answered 200 with the title {title!r}"


def _shell(visible: int, hidden: int = 0) -> str:
    text = ("x" * (visible - 1)) + "."
    padding = f"<div hidden>{'y' * hidden}</div>" if hidden else ""
    return (
        f"<html><head><title>App</title><script>boot()</script></head><body><p>{text}</p>{padding}"
    )


@pytest.mark.parametrize(
    ("html", "state", "noted"),
    [
        pytest.param(_shell(SHELL_TEXT_CHARS - 10), "unreadable", True, id="just under: a shell"),
        pytest.param(_shell(SHELL_TEXT_CHARS + 10), "ok", False, id="just over: a page"),
        pytest.param(
            _shell(SHELL_TEXT_CHARS - 10, hidden=500),
            "ok",
            False,
            id="hidden padding: judged by what a visitor sees, enough of it",
        ),
        pytest.param(
            _shell(SHELL_VISIBLE_CHARS - 10, hidden=500),
            "unreadable",
            False,
            id="hidden padding does not make a shell readable",
        ),
        pytest.param(
            _shell(SHELL_VISIBLE_CHARS + 10, hidden=500),
            "ok",
            False,
            id="just over the visible threshold: a page",
        ),
    ],
)
def test_one_rule_decides_a_page_built_by_javascript(html: str, state: str, noted: bool) -> None:
    got, reason, notes = _read(html)
    assert got == state, reason
    assert ("almost no text without JavaScript" in notes) is noted
    if state == "unreadable":
        assert "a page built by JavaScript?" in reason


def test_the_fetch_layer_and_the_toolkit_share_the_rule_not_a_copy() -> None:
    import verifier.toolkit.pages as pages

    assert pages.soft_404 is soft_404
    assert shape_notes.__module__ == soft_404.__module__ == "verifier.fetch.content"


@pytest.mark.parametrize(
    ("html", "state"),
    [
        pytest.param(
            f"<html><head></head><body><svg><title>404</title></svg><p>{PROSE * 4}",
            "gone",
            id="an SVG titled 404 counts too: lxml and browsers disagree around SVG",
        ),
        pytest.param(
            f'<html><head><img src="/t.gif"><title>Page not found</title></head><p>{PROSE * 4}',
            "gone",
            id="a title a stray img moved into the body is still what the tab shows",
        ),
        pytest.param(
            "<html><head></head><body><svg width=0 height=0><foreignObject>"
            f"<title>Page not found</title></foreignObject></svg><p>{PROSE * 4}",
            "gone",
            id="a title where HTML resumes in an SVG is the tab's",
        ),
        pytest.param(
            f"<html><head></head><body><math><mi><title>404</title></mi></math><p>{PROSE * 4}",
            "gone",
            id="a title in MathML text is the tab's",
        ),
        pytest.param(
            f"<html><head></head><body><svg><p><title>404</title></p></svg><p>{PROSE * 4}",
            "gone",
            id="a title in an HTML element a browser moves out of the SVG is the tab's",
        ),
        pytest.param(
            f"<html><head><template><title>Page not found</title></template></head>"
            f"<body><p>{PROSE * 4}",
            "ok",
            id="a template's title is inert",
        ),
        pytest.param(
            f"<html><head><title>Page not found</title></head><body><p>{PROSE * 4}",
            "gone",
            id="the head's title is",
        ),
    ],
)
def test_the_title_the_tab_shows_says_a_page_is_not_found(html: str, state: str) -> None:
    got, reason, _ = _read(html)
    assert got == state, reason
