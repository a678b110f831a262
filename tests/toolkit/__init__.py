"""Tests of the public check-author toolkit, verifier.toolkit."""
