"""``python -m verifier``."""

from verifier.cli.main import run

run()
