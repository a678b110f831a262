"""The one whole-word matcher: a phrase is never found inside a longer word."""

from __future__ import annotations

import pytest

from verifier.toolkit import says, text_mentions, whole_words


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        pytest.param("Try Acme Lens today.", "lens", True, id="a word in a sentence"),
        pytest.param("Contact lenses", "lens", False, id="not inside a longer word"),
        pytest.param("Error 404", "404", True, id="a number as a word"),
        pytest.param("Invoice 14045", "404", False, id="not inside a longer number"),
        pytest.param("FinOps-certified", "finops", True, id="a hyphen ends a word"),
        pytest.param(
            "Cloud Financial Management", "cloud financial management", True, id="a phrase"
        ),
        pytest.param(
            "cloud (financial) management", "cloud financial", False, id="phrase as written"
        ),
        pytest.param("we use C++ daily", "c++", True, id="regex characters are literal"),
        pytest.param("anything at all", " ", False, id="a blank phrase is never said"),
    ],
)
def test_says_finds_whole_words_ignoring_case(text: str, phrase: str, found: bool) -> None:
    assert says(text, phrase) is found


def test_whole_words_takes_several_phrases_and_an_optional_plural() -> None:
    pattern = whole_words(["member", "contributor"], plural=True)
    assert pattern is not None
    assert [m.group() for m in pattern.finditer("Members, contributors; membership")] == [
        "Members",
        "contributors",
    ]
    assert whole_words(["", "  "]) is None


def test_whole_words_can_keep_case() -> None:
    pattern = whole_words(["Shell"], ignore_case=False)
    assert pattern is not None
    assert pattern.search("shell commands") is None
    assert pattern.search("Shell plc") is not None


def test_text_mentions_uses_the_same_matcher_for_one_word_names() -> None:
    # "Lens" is a proper noun here, and a whole word: found; inside "Lenses" it is not.
    assert text_mentions("Acme Lens ships today", ["Lens"]) == "lens"
    assert text_mentions("Lenses ship today", ["Lens"]) is None
