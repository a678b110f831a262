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
import re
import unicodedata
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
    pattern = rf"(?<!\w){re.escape(form)}(?!\w)"
    for m in re.finditer(pattern, _unaccented(text), re.IGNORECASE):
        seen = m.group()
        if seen == written if written != written.lower() else seen != seen.lower():
            return True
    return False


def some(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` of ``names`` and how many more, for a summary that must stay one
    sentence however long the list: ``"A, B, C, D, E and 9,995 more"``; all of them, comma
    separated, when there are ``limit`` or fewer."""
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} and {rest:,} more" if rest > 0 else shown
