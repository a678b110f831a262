"""Excerpts quoted in evidence are cut at word boundaries, with an ellipsis where cut."""

from __future__ import annotations

from verifier.toolkit.text import excerpt

TEXT = (
    "Our consultancy delivered cloudcostoptimisation programmes for Contoso Retail "
    "across twelve countries, reducing waste substantially within eighteen months."
)


def test_excerpt_never_cuts_a_word_and_marks_each_cut_side() -> None:
    # 20 characters either side of "Contoso" fall inside "cloudcostoptimisation" and
    # "twelve": both are left out whole, and each cut side gets an ellipsis.
    assert excerpt(TEXT, "Contoso", 20) == "…programmes for Contoso Retail across…"


def test_excerpt_of_the_whole_text_has_no_ellipsis() -> None:
    assert excerpt("Contoso Retail", "contoso") == "Contoso Retail"


def test_excerpt_without_the_needle_is_the_start_cut_at_a_word() -> None:
    assert excerpt(TEXT, "absent", 10) == "Our consultancy…"


def test_excerpt_keeps_the_needle_inside_a_long_word() -> None:
    text = "x" * 50 + "Contoso" + "y" * 50 + " tail"
    got = excerpt(text, "Contoso", 10)
    assert "Contoso" in got
    assert got.startswith("…")


def test_excerpt_quotes_the_needle_after_letters_whose_lower_case_is_longer() -> None:
    # "İ".lower() is two characters: an index found in the lowered text pointed past the
    # needle (or past the end: an IndexError crashed the check quoting a Turkish page).
    text = "İ" * 200 + " Acme Lens shows where the cloud money goes"
    got = excerpt(text, "cloud money", 10)
    assert "cloud money" in got
    assert excerpt("İstanbul: Acme Lens", "acme lens") == "İstanbul: Acme Lens"
    assert excerpt("word " * 40 + "our İstanbul office", "İSTANBUL", 4) == "…our İstanbul…"
