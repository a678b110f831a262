"""The evidence bundle: the folder a run leaves behind, and everything that checks it.

:mod:`~verifier.bundle.store` writes captured bodies under ``captures/`` (named by their
SHA-256) and the capture index; :mod:`~verifier.bundle.files` reads a bundle that may
come from anyone (regular files only, bounded); :mod:`~verifier.bundle.warc` writes the
WARC file; :mod:`~verifier.bundle.decisions` holds the review decisions of
``review.jsonl``; :mod:`~verifier.bundle.check` seals a bundle (SHA256SUMS) and checks
one. The layout of the folder is described in docs/bundle.md.
"""

from __future__ import annotations
