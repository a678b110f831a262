"""The example check keeps the rules every check must keep: the conformance kit of
``verifier.testing``, as a third party would run it on its own check."""

from __future__ import annotations

from finops_verifier_example import SecurityTxtCheck

from verifier.testing import assert_check_conforms


def test_security_txt_conforms() -> None:
    # The default example (a minimal submission, no params) makes it fetch security.txt
    # from the applicant's website: it needs no Check.example of its own.
    assert_check_conforms(SecurityTxtCheck())
