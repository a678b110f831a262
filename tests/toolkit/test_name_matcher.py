"""NameMatcher spares the similarity of names that cannot match, and changes no answer.

``match_name`` as it was (a full difflib ratio for every form) is kept below as the
oracle: :class:`NameMatcher` must give exactly its :class:`Match` (strength, score to the
last bit, form), and ``find`` exactly its exact and weak matches, on thousands of
generated names (random, near misses, prefixes, unicode, legal suffixes, long ones) and
on the entries of every fixture page read as a directory; and membership's
``sort_entries`` must sort those entries as it did with the oracle, in the same order.
"""

from __future__ import annotations

import difflib
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.membership import Findings, Wanted, sort_entries
from tests.helpers import html_page
from verifier.inputs.submission import load_submission
from verifier.toolkit import (
    LEGAL_SUFFIXES,
    Entry,
    Match,
    NameMatcher,
    leads_to,
    links_out,
    match_name,
    name_forms,
    normalize,
    read_entries,
)
from verifier.urls import owned_by, site_of

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
THRESHOLDS = [0.8, 0.5, 0.65, 0.9, 0.95, 1.0, 0.01]
SEEDS = int(os.environ.get("NAME_MATCHER_SEEDS", "4"))
"""Rounds of generated names (``NAME_MATCHER_SEEDS=200`` for a longer search)."""


def match_name_as_it_was(candidate: str, forms: list[str], weak_threshold: float = 0.8) -> Match:
    """``verifier.toolkit.match_name`` before NameMatcher (r18-start), the oracle."""
    norm = normalize(candidate)
    best = Match(candidate, "none", 0.0, forms[0] if forms else "")
    if not norm:
        return best
    for form in forms:
        if norm == form:
            return Match(candidate, "exact", 1.0, form)
        score = difflib.SequenceMatcher(None, norm, form).ratio()
        if norm.split()[:1] == form.split()[:1] and (
            form.startswith(norm) or norm.startswith(form)
        ):
            score = max(score, weak_threshold)
        if score > best.score:
            best = Match(candidate, "weak" if score >= weak_threshold else "none", score, form)
    return best


def sort_entries_as_it_was(entries: list[Entry], hidden: list[Entry], wanted: Wanted) -> Findings:
    """``plugins.membership.sort_entries`` before NameMatcher (r18-start), the oracle."""

    def confirms(entry: Entry, m: Match) -> str:
        if m.strength == "exact" and m.form not in wanted.aliases:
            return f"name {entry.name!r} matches {m.form!r}"
        if leads_to(entry.href, wanted.domain, entry.page, website=wanted.website):
            return f"entry {entry.name!r} links to {entry.href}, on {wanted.domain}"
        return ""

    def match(entry: Entry) -> Match:
        return match_name_as_it_was(entry.name, wanted.forms, wanted.weak_threshold)

    found = Findings([], [], [], [], [])
    for entry in entries:
        m = match(entry)
        if why := confirms(entry, m):
            if links_out(entry.href, entry.page) and not owned_by(entry.href or "", wanted.website):
                found.elsewhere.append(entry)
            else:
                found.confirmed.append((entry, why))
                if entry.href and owned_by(entry.href, wanted.website):
                    found.linked.append(entry)
        elif m.strength == "exact":
            found.by_alias.append((entry, wanted.aliases[m.form]))
        elif m.strength == "weak":
            found.weak.append((entry, m))
    found.weak.sort(key=lambda em: -em[1].score)
    found.unseen.extend(e for e in hidden if confirms(e, match(e)))
    return found


# -- generated names --------------------------------------------------------------------

_SYLLABLES = ["ac", "me", "glo", "bex", "ini", "tech", "lens", "ko", "sta", "tus", "ra", "o"]
_UNICODE = ["é", "ß", "ø", "ı", "İ", "ﬁ", "Å", "ñ", "東京", "Ω", "ǅ", "\u0301", "Ａ", "🙂", "ー"]
_SUFFIXES = ["Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Corp.", "plc", "B.V.", "Pty Ltd", "AG"]


def _word(rng: random.Random) -> str:
    word = "".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4)))
    if rng.random() < 0.15:
        at = rng.randint(0, len(word))
        word = word[:at] + rng.choice(_UNICODE) + word[at:]
    return word.capitalize() if rng.random() < 0.7 else word.upper()


def _name(rng: random.Random) -> str:
    name = " ".join(_word(rng) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.3:
        name += (", " if rng.random() < 0.5 else " ") + rng.choice(_SUFFIXES)
    return name


def _near_miss(rng: random.Random, name: str) -> str:
    """``name`` with a few edits: letters changed, added, dropped or swapped, words
    added or dropped, case, punctuation and legal suffixes changed."""
    chars = list(name)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(7)
        at = rng.randrange(len(chars) + 1)
        if op == 0 and at < len(chars):
            chars[at] = rng.choice("aeiouxyz")
        elif op == 1:
            chars.insert(at, rng.choice("abcdefgh -.&"))
        elif op == 2 and at < len(chars):
            del chars[at]
        elif op == 3 and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        elif op == 4:
            chars += list(" " + _word(rng))
        elif op == 5:
            chars = list(" ".join(("".join(chars)).split()[:-1]) or "".join(chars))
        else:
            chars += list(" " + rng.choice(_SUFFIXES))
    text = "".join(chars)
    return text.swapcase() if rng.random() < 0.1 else text


def _prefix(rng: random.Random, name: str) -> str:
    """A name that starts the other or that the other starts (the prefix rule)."""
    words = name.split()
    if rng.random() < 0.5:
        return " ".join(words[: rng.randint(1, len(words))])
    return f"{name} {_word(rng)}"


def _candidates(rng: random.Random, names: list[str], count: int) -> Iterator[str]:
    """``count`` names to compare with an applicant called by ``names``."""
    odd = ["", " ", "Inc.", "-", "a", "The", "Ltd & Co", "x" * 130, "ａｃｍｅ", "ACME™"]
    yield from odd
    for _ in range(count):
        base = rng.choice(names)
        kind = rng.randrange(6)
        if kind == 0:
            yield _name(rng)
        elif kind == 1:
            yield _near_miss(rng, base)
        elif kind == 2:
            yield _prefix(rng, base)
        elif kind == 3:
            yield f"{base} {rng.choice(sorted(LEGAL_SUFFIXES))}"
        elif kind == 4:
            yield base.upper() if rng.random() < 0.5 else base
        else:
            yield _near_miss(rng, _prefix(rng, base))


def _applicant(rng: random.Random) -> list[str]:
    """An applicant's name and aliases (up to three); sometimes a long one (difflib
    treats a sequence of 200 characters or more differently)."""
    names = [_name(rng) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.05:
        names.append(" ".join(_word(rng) for _ in range(60)))
    return names


@pytest.mark.parametrize("seed", range(SEEDS))
def test_name_matcher_gives_exactly_the_matches_match_name_gave(seed: int) -> None:
    rng = random.Random(seed)
    compared = found = 0
    for _ in range(30):
        names = _applicant(rng)
        forms = name_forms(names[0], names[1:])
        threshold = rng.choice(THRESHOLDS)
        matcher = NameMatcher(forms, threshold)
        for candidate in _candidates(rng, names, 150):
            expected = match_name_as_it_was(candidate, forms, threshold)
            assert match_name(candidate, forms, threshold) == expected, candidate
            assert matcher.match(candidate) == expected, candidate
            kept = expected if expected.strength != "none" else None
            assert matcher.find(candidate) == kept, (candidate, forms, threshold)
            compared += 1
            found += kept is not None
    # The generated names reach every strength, so the comparison means something.
    assert compared > 3000
    assert 0.05 < found / compared < 0.9


def test_name_matcher_keeps_the_first_of_equal_scores_and_odd_forms() -> None:
    # Duplicate forms, an empty form, a form list without any form: as match_name did.
    for forms in (["acme", "acme"], ["", "acme"], [], ["acme x", "acme y"], ["a" * 300]):
        for threshold in (0.8, 0.0, -1.0, 1.0):
            matcher = NameMatcher(forms, threshold)
            for candidate in ("acme", "acme z", "ACME", "", "a" * 250, "b"):
                expected = match_name_as_it_was(candidate, forms, threshold)
                assert matcher.match(candidate) == expected
                assert matcher.find(candidate) == (
                    expected if expected.strength != "none" else None
                )


def test_a_screened_name_is_one_whose_ratio_cannot_reach_the_threshold() -> None:
    # The screen is what spares the work: a name far from every form is never scored,
    # and one that only the prefix rule makes weak still is.
    matcher = NameMatcher(["acme cloud economics"], 0.8)
    assert matcher.find("Initech") is None
    assert matcher.match("Initech").strength == "none"
    assert matcher.match("Initech").score > 0
    weak = matcher.find("Acme")
    assert weak is not None
    assert (weak.strength, weak.score) == ("weak", 0.8)


# -- the fixture directories ------------------------------------------------------------


def _fixture_entries() -> list[tuple[list[Entry], list[Entry]]]:
    """The entries of every fixture page, read as a directory page."""
    read = []
    for path in sorted(FIXTURES.rglob("*.html")):
        host = path.relative_to(FIXTURES).parts[1]
        page = html_page(path.read_text(encoding="utf-8", errors="replace"), f"http://{host}/")
        shown, hidden = read_entries(page)
        if shown or hidden:
            read.append((shown, hidden))
    return read


def _wanted(name: str, aliases: list[str], website: str, threshold: float) -> Wanted:
    own = normalize(name)
    return Wanted(
        forms=name_forms(name, aliases),
        aliases={form: a for a in aliases if (form := normalize(a)) != own},
        domain=site_of(website),
        website=website,
        weak_threshold=threshold,
    )


def _applicants(rng: random.Random, entries: list[Entry]) -> Iterator[Wanted]:
    """The demo applicants, and applicants named like (or after) the entries."""
    for path in sorted((FIXTURES / "demo").glob("*.yaml")):
        applicant = load_submission(path).applicant
        yield _wanted(applicant.name, list(applicant.aliases), str(applicant.website), 0.8)
    for _ in range(12):
        picked = rng.sample(entries, min(3, len(entries)))
        name = _near_miss(rng, picked[0].name) if rng.random() < 0.5 else picked[0].name
        aliases = [_prefix(rng, e.name) for e in picked[1:]]
        # Its website the entry's link, or another: an entry under its name then links
        # elsewhere.
        website = (rng.random() < 0.5 and picked[0].href) or "https://acme.example/"
        yield _wanted(name, aliases, website, rng.choice(THRESHOLDS))


def test_membership_sorts_every_fixture_directory_as_it_did() -> None:
    rng = random.Random(18)
    directories = _fixture_entries()
    assert len(directories) > 20
    kinds: set[str] = set()
    for shown, hidden in directories:
        for wanted in _applicants(rng, shown + hidden):
            found = sort_entries(shown, hidden, wanted)
            assert found == sort_entries_as_it_was(shown, hidden, wanted), wanted
            kinds |= {k for k, v in vars(found).items() if v}
    # Every list the check decides from was reached at least once.
    assert kinds == {"confirmed", "elsewhere", "by_alias", "weak", "unseen", "linked"}
