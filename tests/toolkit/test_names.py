"""text_mentions: a company name found in page text, a one-word name only as a proper noun."""

from __future__ import annotations

import pytest

from verifier.toolkit import text_mentions


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        pytest.param("We helped Shell cut costs.", "Shell plc", "shell", id="a proper noun"),
        pytest.param("Pipe it through shell commands.", "Shell plc", None, id="a common word"),
        pytest.param(
            "Target idle resources first.",
            "Target Corporation",
            "target",
            id="a capital at a sentence's start is a capital (a known limit)",
        ),
        pytest.param(
            "Every team should target idle resources.",
            "Target Corporation",
            None,
            id="a verb is no customer",
        ),
        pytest.param("Sold on eBay.", "eBay", "ebay", id="the capitals as written"),
        pytest.param("Sold on Ebay.", "eBay", None, id="other capitals are another word"),
        pytest.param(
            "Our customer Spendwise saved.",
            "spendwise",
            "spendwise",
            id="a name written in lower case needs a capital",
        ),
        pytest.param(
            "acme cloud economics inc saved",
            "Acme Cloud Economics",
            "acme cloud economics",
            id="a name of several words ignores case",
        ),
        pytest.param("Nestlé saved", "Nestle S.A.", "nestle", id="accents do not count"),
    ],
)
def test_a_one_word_name_is_found_only_as_a_proper_noun(
    text: str, name: str, found: str | None
) -> None:
    assert text_mentions(text, [name]) == found


def test_a_search_a_person_confirms_may_match_a_common_word() -> None:
    assert text_mentions("a leading enterprise", ["Enterprise"], proper=False) == "enterprise"
