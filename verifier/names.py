"""Comparable forms of names, the names too empty or too common to look for, and the one
whole-word matcher.

Company names compare with :func:`normalize`: case, accents, punctuation and legal forms
("Inc.", "GmbH", "S.A."...) do not count, as CONTRACT.md says ("Source names"). Person
names compare with :func:`person_key`: case, accents, punctuation, spacing and word order
do not count, but no word is dropped ("Ana Sá" is not "Ana", although "sa" is a legal form
for a company). Nothing here is FinOps knowledge: it is how company and person names are
written anywhere, which is why the core holds it and the built-in checks use it.

A submission names what the checks look for in fetched text, so a name that normalises to
nothing would be "found" in any text, and one made only of common words ("we", "our",
"the") on almost any page. :func:`company_name_problem` and :func:`person_name_problem`
say why such a name is refused when the submission is read (exit 2, before any fetch).

:func:`whole_words` is how the project finds a word or phrase in text without finding it
inside a longer word ("Lens" is not in "Lenses", "404" not in "14045"): the checks, the
fetch layer's "not found" rule and the toolkit all build their patterns with it. It lives
here, in a module that imports nothing of the project, so that every layer can use it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "plc",
        "pty",
        "pte",
        "oy",
        "oyj",
        "ab",
        "as",
        "kk",
        "se",
        "sl",
        "ug",
        "lda",
        "ltda",
    }
)
"""Legal-form words, after punctuation is removed ("S.A." -> "s a" -> handled as "sa")."""

COMMON_WORDS = frozenset(
    {
        # How a page speaks of a company without naming it ("we", "our platform").
        *("we", "us", "our", "ours", "you", "your", "they", "them", "their", "it", "its"),
        *("i", "me", "my", "he", "him", "his", "she", "her"),
        # Articles and demonstratives ("the", "this").
        *("a", "an", "the", "this", "that", "these", "those"),
        # Joining words, which normalisation keeps ("&" becomes "and").
        *("and", "or", "of", "for", "to", "in", "on", "at", "by", "with", "from"),
    }
)
"""Words that occur on almost every English page. A name made only of these (and of legal
forms, for a company) would match any page, so it is refused. Kept small on purpose: a
real name that happens to be a common word elsewhere ("Apple", "Target") is a name."""


def _plain(name: str) -> str:
    """Lower case, accents removed: ``"Ana Sá"`` -> ``"ana sa"``."""
    if name.isascii():
        return name.lower()  # what NFKD leaves of ASCII, with no combining mark to drop
    # A page's whole text is compared, and a Python loop over each of its characters cost
    # five times the rest (6.7 ms of a 75 KiB page): only the runs beyond ASCII, where
    # the marks are, are looked at one character at a time.
    return _BEYOND_ASCII.sub(_unmarked, unicodedata.normalize("NFKD", name)).lower()


_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")


def _unmarked(run: re.Match[str]) -> str:
    # A run of characters beyond ASCII without its combining marks (what NFKD split an
    # accent into). A short one is remembered: a text repeats the same few (an acute).
    text = run.group()
    return _without_marks(text) if len(text) <= 8 else _drop_marks(text)


@functools.lru_cache(maxsize=4096)
def _without_marks(run: str) -> str:
    return _drop_marks(run)


def _drop_marks(text: str) -> str:
    return "".join(c for c in text if not unicodedata.combining(c))


def person_key(name: str) -> str:
    """Comparable form of a person's name, word order ignored: ``"Doe, Jane"`` and
    ``"jane  DOE"`` -> ``"doe jane"``. Unlike :func:`normalize`, no word is dropped."""
    return " ".join(sorted(_NOT_WORD.sub(" ", _plain(name)).split()))


def words(text: str) -> list[str]:
    """The words of a name, compared: lower case, accents and punctuation removed, ``&``
    read as "and", initials joined: ``"S.A. & Co"`` -> ``["sa", "and", "co"]``."""
    text = _plain(text).replace("&", " and ")
    # "S.A." and "S. A." collapse to "sa" (then a legal suffix like any other).
    text = _INITIALS.sub(r"\1\2", text)
    return _NOT_WORD.sub(" ", text).split()


_INITIALS = re.compile(r"\b([a-z])\.\s?([a-z])\.")
_NOT_WORD = re.compile(r"[^\w]+")


def normalize(name: str) -> str:
    """Comparable form: ``"Acme Cloud Economics, Inc."`` -> ``"acme cloud economics"``.

    A short string (a name, a directory entry) is remembered: a re-check compares every
    partner with the same entries of the same directory. So are the last few texts of up
    to :data:`_TEXT` characters (a page's visible text): a check looks for each of its
    names in the same page, and each look normalised the whole text again."""
    if len(name) > _SHORT:
        if len(name) > _TEXT or type(name) is not str:
            return _normalize(name)
        return _normalize_text(name)
    # Remembered as a plain string: a page's string (``tag.string``) would keep its whole
    # parsed page alive in the cache for the rest of the run.
    return _normalize_short(name if type(name) is str else str(name))


_SHORT = 256
"""The longest string :func:`normalize` remembers among many."""
_TEXT = 256 * 1024
"""The longest text :func:`normalize` remembers among its last few (16: at most about
8 MB with their forms)."""


@functools.lru_cache(maxsize=16)
def _normalize_text(text: str) -> str:
    return _normalize(text)


@functools.lru_cache(maxsize=16_384)
def _normalize_short(name: str) -> str:
    return _normalize(name)


def _normalize(name: str) -> str:
    kept = words(name)
    while len(kept) > 1 and kept[-1] in LEGAL_SUFFIXES:
        kept.pop()
    return " ".join(kept)


def company_name_problem(name: str) -> str | None:
    """Why the company or product ``name`` cannot be looked for in text, or ``None``."""
    form = normalize(name)
    if not form:
        return (
            "normalises to nothing (matching ignores case, accents, punctuation, symbols and "
            "legal forms such as Inc.), so it would be found in any text"
        )
    if all(w in COMMON_WORDS or w in LEGAL_SUFFIXES for w in form.split()):
        return f"is a common word that would match any page (matching reads it as {form!r})"
    return None


def person_name_problem(name: str) -> str | None:
    """Why the person's ``name`` cannot be compared with a certificate holder's, or ``None``."""
    key = person_key(name)
    if not key:
        return (
            "normalises to nothing (matching ignores case, accents, punctuation and "
            "symbols), so it names no one"
        )
    if all(w in COMMON_WORDS for w in key.split()):
        return f"is a common word, not a person's name (matching reads it as {key!r})"
    return None


def whole_words(
    phrases: Iterable[str], *, plural: bool = False, ignore_case: bool = True
) -> re.Pattern[str] | None:
    """A pattern that finds any of ``phrases`` as whole words, or ``None`` when no phrase is
    left once blanks are dropped (a pattern of nothing would match everywhere).

    A phrase is matched as written (regex characters are literal), never inside a longer
    word: ``whole_words(["lens"])`` finds "Lens" in "Acme Lens." but not in "Lenses".

    :param plural: also accept each phrase followed by an "s" ("member" finds "Members").
    :param ignore_case: match regardless of case (the default).
    """
    kept = [re.escape(p) for p in phrases if p.strip()]
    if not kept:
        return None
    plural_s = "s?" if plural else ""
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<!\w)(?:{'|'.join(kept)}){plural_s}(?!\w)", flags)


def says(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` as whole words, ignoring case (see
    :func:`whole_words`); a blank phrase is never said."""
    pattern = whole_words([phrase])
    return pattern is not None and pattern.search(text) is not None
