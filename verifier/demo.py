"""``finops-verify demo``: verify bundled submissions against bundled offline sites.

A plugin registers a :class:`DemoSpec` through the ``register_demos`` hook; the demo
serves its sites folder on 127.0.0.1 and runs a real verification of each submission,
with the fetch layer resolving the sites' host names to that server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoSpec:
    """An offline demo."""

    name: str
    """Short name, shown while it runs."""
    sites: Path
    """Folder of sites, one sub-folder per host name (see :mod:`verifier.sites`)."""
    submissions: tuple[Path, ...]
    """Submission files to verify, in order."""
    sources: Path
    """A sources file pointing every source at the offline sites."""
    as_of: dt.date | None = None
    """The date the demo is judged on (its fixtures' certificates expire one day); ``None``:
    today. ``demo --as-of`` overrides it."""
