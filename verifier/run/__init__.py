"""The runs that compose the parts: a verification, a replay, a review.

:mod:`~verifier.run.verify` takes a run from its input files to a sealed report folder
(validate everything, run the engine, write the reports, seal);
:mod:`~verifier.run.replay` runs a bundle again offline from its own captures.
"""

from __future__ import annotations
