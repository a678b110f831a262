"""Organisation-name matching: case, punctuation and legal suffixes do not count.

Person names (certificate holders) are compared with :func:`person_key` instead: case,
accents, punctuation, spacing and word order do not count, but no word is ever dropped
("Ana Sá" is not "Ana", although "sa" is a legal suffix for companies).

CONTRACT.md: "Matching is on the applicant's name and aliases, ignoring case, punctuation
and legal suffixes (Inc., LLC, Ltd, GmbH, Corp., S.A., ...)". Used by every check that
looks for a company by name (membership, case studies, community, certified listings).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# One normalisation for the checks and for the submission's validation, which refuses a
# name that would normalise to nothing or to a common word.
from verifier.names import LEGAL_SUFFIXES as LEGAL_SUFFIXES
from verifier.names import normalize as normalize
from verifier.names import person_key as person_key
from verifier.names import words as words


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


def text_mentions(text: str, forms: list[str]) -> str | None:
    """The first form that occurs in ``text`` as whole words (normalised), or ``None``."""
    haystack = f" {normalize(text)} "
    for form in forms:
        if f" {form} " in haystack:
            return form
    return None


def some(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` of ``names`` and how many more, for a summary that must stay one
    sentence however long the list: ``"A, B, C, D, E and 9,995 more"``; all of them, comma
    separated, when there are ``limit`` or fewer."""
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown
