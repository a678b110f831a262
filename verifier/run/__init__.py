"""The runs that compose the parts: a verification, a replay, a review.

:mod:`~verifier.run.verify` takes a run from its input files to a sealed report folder
(validate everything, run the engine, write the reports, seal);
:mod:`~verifier.run.replay` runs a bundle again offline from its own captures;
:mod:`~verifier.run.review` records a person's decision on a bundle (check it, append to
review.jsonl, render report.html again, re-seal).
"""

from __future__ import annotations
