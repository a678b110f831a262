"""Names the applicant writes cannot decide verdicts by being empty or common.

A name the checks look for in text, or compare with a certificate holder's, that
normalises to nothing ("®") or only to common words ("we", "The", "Inc.") is bad input:
exit 2 naming the file, the line, the field and the value, before anything is fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_input_errors import GOOD, write
from tests.test_input_limits import verify_offline
from verifier import names
from verifier.names import normalize
from verifier.sites import SiteServer

STUDY = "case_studies:\n  - url: https://acme.example/customers/globex\n    customer: Globex\n"
"""Lines 9-11 after GOOD."""

EMPTY = "normalises to nothing (matching ignores case, accents, punctuation, symbols and "
COMMON = "is a common word that would match any page"

CASES = [
    pytest.param(
        GOOD.replace("name: Acme Cloud Economics, Inc.", 'name: "®"'),
        f":3: applicant.name: '®' {EMPTY}legal forms such as Inc.), so it would be found in "
        "any text; give the name the pages use",
        id="an applicant name of a symbol normalises to nothing",
    ),
    pytest.param(
        GOOD.replace("name: Acme Lens", "name: '® — ©'"),
        f":7: offering.name: '® — ©' {EMPTY}",
        id="an offering name of symbols normalises to nothing and is found in any text",
    ),
    pytest.param(
        GOOD + STUDY + "    customer_aliases: [we]\n",
        f":12: case_studies[0].customer_aliases[0]: 'we' {COMMON} (matching reads it as 'we')",
        id="a customer alias 'we' would pass a case study that names no customer",
    ),
    pytest.param(
        GOOD + STUDY.replace("customer: Globex", "customer: This"),
        f":11: case_studies[0].customer: 'This' {COMMON}",
        id="a customer named 'This' is a common word",
    ),
    pytest.param(
        GOOD.replace("  website:", "  aliases: [Acme, Inc.]\n  website:"),
        f":4: applicant.aliases[1]: 'Inc.' {COMMON} (matching reads it as 'inc')",
        id="an alias that is only a legal form is a common word",
    ),
    pytest.param(
        GOOD.replace("  website:", "  aliases: [Our Company]\n  website:"),
        f":4: applicant.aliases[0]: 'Our Company' {COMMON} (matching reads it as 'our')",
        id="an alias of common words and a legal form is refused",
    ),
    pytest.param(
        GOOD + "practitioners:\n  - {name: '…', certificate_id: LF-1}\n",
        ":10: practitioners[0].name: '…' normalises to nothing (matching ignores case, "
        "accents, punctuation and symbols), so it names no one; give the name on the certificate",
        id="a practitioner name of punctuation normalises to nothing",
    ),
    pytest.param(
        GOOD + "training:\n  instructors:\n    - {name: The, certificate_id: LF-2}\n",
        ":11: training.instructors[0].name: 'The' is a common word, not a person's name",
        id="an instructor named 'The' is a common word",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_name_that_normalises_to_nothing_or_to_a_common_word_exits_2_before_any_fetch(
    tmp_path: Path,
    sites: SiteServer,
    capsys: pytest.CaptureFixture[str],
    text: str,
    expected: str,
) -> None:
    path = write(tmp_path, text)
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}{expected}" in err


@pytest.mark.parametrize(
    "name",
    [
        "3M",
        "X Corp.",
        "Apple",
        "Target",
        "The Home Depot",
        "We Work Remotely",
        "Ana Sá",
        "AB InBev",
    ],
)
def test_real_names_with_short_or_common_words_are_accepted(tmp_path: Path, name: str) -> None:
    from verifier.inputs.submission import load_submission

    text = GOOD.replace("name: Acme Cloud Economics, Inc.", f"name: {name}")
    text += f"practitioners:\n  - {{name: {name}, certificate_id: LF-1}}\n"
    assert load_submission(write(tmp_path, text)).applicant.name == name


NAMES = [
    "Acme Cloud Economics, Inc.",
    "Globex Corporation",
    "Initech S.A.",
    "Ünïcode GmbH & Co. KG",
    "®",
    "The Co",
    "Doe, Jane",
    "Ana Sá",
    "  jane   DOE ",
]


@pytest.mark.parametrize("name", NAMES)
def test_validation_normalises_names_exactly_as_the_checks_compare_them(name: str) -> None:
    # The checks compare names with the public toolkit's normalisers; this keeps them and
    # the submission's validation (verifier.names) from drifting apart.
    import verifier.names as core
    import verifier.toolkit.names as checks

    assert core.normalize(name) == checks.normalize(name)
    assert core.person_key(name) == checks.person_key(name)
    assert core.LEGAL_SUFFIXES == checks.LEGAL_SUFFIXES


def test_a_page_text_normalised_again_is_remembered_within_bounds() -> None:
    # A check looks for each of its names in the same page text: the text's form is kept
    # among the last 16, for texts of up to 256 KiB, and only as plain strings.
    names._normalize_text.cache_clear()
    text = "Acme Cloud Economics, Inc. runs FinOps for Globex. " * 100
    assert normalize(text) == names._normalize(text)
    assert normalize(text) == names._normalize(text)
    assert names._normalize_text.cache_info().hits == 1
    for i in range(40):
        normalize(f"{text} page {i}")
    assert names._normalize_text.cache_info().currsize == 16
    huge = "word " * (names._TEXT // 5 + 1)
    assert normalize(huge) == names._normalize(huge)
    assert names._normalize_text.cache_info().currsize == 16  # not among them

    class Kept(str):
        pass  # a page's own string type: never a cache key

    before = names._normalize_text.cache_info().misses
    normalize(Kept(text + " kept"))
    assert names._normalize_text.cache_info().misses == before


def _reference_plain(text: str) -> str:
    # What names compare by, as CONTRACT.md says: NFKD, combining marks dropped, lower case.
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@pytest.mark.parametrize(
    "text",
    [
        "Acme Cloud Economics, Inc.",
        "Inés Okoye · Ana Sá — café déjà vu © 2026",
        "ＡＣＭＥ ﬁnops Straße İstanbul Ǆ",
        "日本語のテキスト and Ørsted A/S",
        "e\u0301\u0301 a\u0345 \U0001d400\U0001d401 \u00ad\u200b",
        "Ac\u0301me " * 5000 + "tail",
    ],
)
def test_names_compare_without_case_or_accents_in_any_text(text: str) -> None:
    """A company's name compares the same in a short name and in a page's whole text,
    whatever script or accents the text holds (the comparison of long texts skips the
    ASCII runs, and must drop exactly the marks a character-by-character pass drops)."""
    assert names._plain(text) == _reference_plain(text)
    assert normalize(text) == normalize(_reference_plain(text))
