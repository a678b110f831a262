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
    "NameMatcher",
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
    """Compare ``candidate`` with the applicant's normalised ``forms``.

    The name is ``exact`` when it normalises to one of the forms; else the form most
    similar to it (the first of equals) gives the score (difflib's ratio, or
    ``weak_threshold`` when one of the two starts with the other and they share their
    first word), ``weak`` from ``weak_threshold`` on, else ``none``. To compare many
    names with the same forms, :class:`NameMatcher` does it once for all of them."""
    return NameMatcher(forms, weak_threshold).match(candidate)


class NameMatcher:
    """The applicant's normalised ``forms``, ready to be compared with many names (a
    directory's entries): :meth:`match` is :func:`match_name`, and :meth:`find` gives
    only the matches that count, ``exact`` or ``weak``, without working out how little
    a name that cannot reach ``weak_threshold`` resembles the forms.

    A re-check compares every partner with every entry of the shared directories: with
    difflib's full ratio for each pair, that was the check's largest cost. Each form is
    prepared once (difflib indexes its second sequence), and :meth:`find` screens a pair
    with upper bounds of the ratio (the name's letters found in the form, then difflib's
    letters in common) before the ratio itself. One instance is used by one thread at a
    time (difflib's matchers keep the name being compared).
    """

    def __init__(self, forms: Iterable[str], weak_threshold: float = 0.8) -> None:
        self.forms = list(forms)
        """The normalised forms, in the order given (the first of equals wins)."""
        self.weak_threshold = weak_threshold
        """Similarity from which a different name is ``weak``."""
        self._exact = frozenset(self.forms)
        self._prepared = [
            (form, form.split()[:1], frozenset(form), difflib.SequenceMatcher(None, "", form))
            for form in self.forms
        ]

    def match(self, candidate: str) -> Match:
        """How ``candidate`` matches the forms, its score worked out in full (as
        :func:`match_name`)."""
        return self._best(candidate, screen=False)

    def find(self, candidate: str) -> Match | None:
        """How ``candidate`` matches the forms when it is ``exact`` or ``weak``: the same
        :class:`Match` as :meth:`match`; ``None`` when that would be ``none``."""
        best = self._best(candidate, screen=True)
        return None if best.strength == "none" else best

    def _best(self, candidate: str, *, screen: bool) -> Match:
        norm = normalize(candidate)
        best = Match(candidate, "none", 0.0, self.forms[0] if self.forms else "")
        if not norm:
            return best
        if norm in self._exact:
            return Match(candidate, "exact", 1.0, norm)
        threshold, first = self.weak_threshold, norm.split()[:1]
        for form, form_first, letters, matcher in self._prepared:
            # "Acme" listed where the applicant is "Acme Cloud Economics": same first word(s).
            prefix = first == form_first and (form.startswith(norm) or norm.startswith(form))
            # The ratio is 2 * matches / (both lengths), and the matches are at most the
            # form's length and at most the name's letters found in the form (a bound
            # under real_quick_ratio's, in the same formula), then at most the letters the
            # two have in common (quick_ratio): either bound under the threshold, so is the
            # score, and the form cannot give a weak match. Only find() skips it:
            # match() keeps every score. tests/toolkit/test_name_matcher.py compares them.
            screened = screen and not prefix
            if screened:
                shared = min(sum(map(letters.__contains__, norm)), len(form))
                if 2.0 * shared / (len(norm) + len(form)) < threshold:
                    continue
            matcher.set_seq1(norm)
            if screened and matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if prefix:
                score = max(score, threshold)
            if score > best.score:
                best = Match(candidate, "weak" if score >= threshold else "none", score, form)
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
