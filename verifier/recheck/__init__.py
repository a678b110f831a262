"""The renewal re-check's pure parts: recheck.json, the diff, the carry-over rule.

:mod:`~verifier.recheck.model` is recheck.json as a typed value;
:mod:`~verifier.recheck.diff` compares a baseline with this run (statuses, pages);
:mod:`~verifier.recheck.carry` decides which staff decisions carry over;
:mod:`~verifier.recheck.views` renders recheck.html and recheck.md. None of them runs a
partner or fetches anything: the ``recheck`` command composes them around runs.
"""

from __future__ import annotations
