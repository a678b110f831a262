"""Names: comparable forms of company and person names, and finding a name in text.

Company names compare with :func:`normalize`: case, punctuation and legal suffixes do not
count (CONTRACT.md: "Matching is on the applicant's name and aliases, ignoring case,
punctuation and legal suffixes (Inc., LLC, Ltd, GmbH, Corp., S.A., ...)"). Person names
(certificate holders) compare with :func:`person_key` instead: case, accents,
punctuation, spacing and word order do not count, but no word is ever dropped ("Ana Sá" is
not "Ana", although "sa" is a legal suffix for companies).

A word or phrase is found in text with :func:`says` (or a pattern from
:func:`whole_words`): never inside a longer word. A name is found with
:func:`text_mentions`, which also knows that a one-word name must be written as a proper
noun. The normalisers are those the submission is validated with
(:mod:`verifier.names`), so a name accepted there is looked for the same way here.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from verifier.names import LEGAL_SUFFIXES, normalize, person_key, says, whole_words, words

__all__ = [
    "LEGAL_SUFFIXES",
    "Match",
    "match_name",
    "name_forms",
    "normalize",
    "person_key",
    "says",
    "text_mentions",
    "whole_words",
    "words",
]


def name_forms(name: str, aliases: Iterable[str] = ()) -> list[str]:
    """Every normalised form to look for: the name and each alias, without duplicates."""
    forms = [normalize(n) for n in (name, *aliases)]
    return [f for f in dict.fromkeys(forms) if f]


@dataclass(frozen=True)
class Match:
    """How well one candidate name matches the applicant."""

    candidate: str
    """The name as found."""
    strength: str
    """``exact`` (a normalised form equals it), ``weak`` (similar), or ``none``."""
    score: float
    """Similarity of the best form, 0 to 1."""
    form: str
    """The normalised form that matched best."""


def match_name(candidate: str, forms: list[str], weak_threshold: float = 0.8) -> Match:
    """Compare ``candidate`` with the applicant's normalised ``forms``."""
    norm = normalize(candidate)
    best = Match(candidate, "none", 0.0, forms[0] if forms else "")
    if not norm:
        return best
    for form in forms:
        if norm == form:
            return Match(candidate, "exact", 1.0, form)
        score = difflib.SequenceMatcher(None, norm, form).ratio()
        # "Acme" listed where the applicant is "Acme Cloud Economics": same first word(s).
        if norm.split()[:1] == form.split()[:1] and (
            form.startswith(norm) or norm.startswith(form)
        ):
            score = max(score, weak_threshold)
        if score > best.score:
            best = Match(candidate, "weak" if score >= weak_threshold else "none", score, form)
    return best


def text_mentions(text: str, names: Iterable[str], *, proper: bool = True) -> str | None:
    """The normalised form of the first of ``names`` (as written, or normalised) that
    ``text`` mentions as whole words, or ``None``.

    Case, punctuation and legal suffixes do not count, except for a name whose form is one
    word: a common word is a name only as a proper noun ("Shell plc" is not found in "shell
    commands", nor "Target Corporation" in "target idle resources", see
    ``fixtures/gaming/atk-words.example``). Such a name must occur with its capitals as
    written ("eBay", "Shell"); one written all in lower case must occur with a capital.
    ``proper=False`` drops that rule, for a search whose find a person confirms anyway
    (a customer's alias: "Enterprise" in "a leading enterprise" is shown for review).
    """
    haystack = f" {normalize(text)} "
    for name in names:
        form = normalize(name)
        if not form or f" {form} " not in haystack:
            continue
        if not proper or " " in form or _proper_noun(text, name, form):
            return form
    return None


def _unaccented(text: str) -> str:
    """``text`` without accents, its case kept (normalisation drops accents too)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _proper_noun(text: str, name: str, form: str) -> bool:
    """Whether ``text`` writes the one-word name ``form`` (``name`` as written) with its
    capitals: as written, or with a capital when it is written in lower case."""
    written = next((w for w in re.findall(r"\w+", _unaccented(name)) if w.casefold() == form), form)
    pattern = whole_words([form])
    for m in pattern.finditer(_unaccented(text)) if pattern else ():
        seen = m.group()
        if seen == written if written != written.lower() else seen != seen.lower():
            return True
    return False
