"""The command line, ``finops-verify``: one module per command group.

:mod:`~verifier.cli.main` holds the group, ``verify`` and ``demo``;
:mod:`~verifier.cli.bundle` the commands on a finished bundle (``bundle check``,
``replay``, ``review``); :mod:`~verifier.cli.catalog` those on what is installed
(``plugins``, ``policies``); :mod:`~verifier.cli.options` the options they share and
:mod:`~verifier.cli.exitcodes` what the process returns. A new command goes into the
module of its group, or a new module registered in :mod:`~verifier.cli.main`.
"""

from __future__ import annotations
