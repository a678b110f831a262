"""The files a person writes, validated at the edge: nothing downstream sees a raw dict.

:mod:`~verifier.inputs.yamlfile` reads YAML with line numbers and limits;
:mod:`~verifier.inputs.submission`, :mod:`~verifier.inputs.policy` and
:mod:`~verifier.inputs.sources` turn each file into its model, naming file, line and
field on any mistake; :mod:`~verifier.inputs.copies` reads each file once and keeps the
bytes that were parsed, for the bundle. A new input file (the renewal roster) goes here.
"""

from __future__ import annotations
