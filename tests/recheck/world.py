"""The world of the renewal re-check's end-to-end tests: a roster of the four demo
applicants, served as `finops-verify demo` serves them, and the same sites a quarter later
with five things changed.

The changed world is built by the test in a tmp folder from ``fixtures/sites/`` (one copy
of the sites in the repository, not two). What changed, and nothing else:

- **a landing page gone**: Stratus' offering page (``stratus.example/finops``) answers 404;
- **certificates expired**: the credential registry now says OpenLens' three practitioner
  certificates expired before the re-check's as-of date;
- **a page's content changed**: Stratus' enterprise page (``stratus.example/enterprise/``),
  the page a reviewer read to pass its ``enterprise-model`` requirement, says something
  else now;
- **a partner removed**: Acme (platform) is no longer on the roster;
- **a partner added**: Initech (``fixtures/recheck/initech.yaml``) is new on the roster.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..helpers import FIXTURES

SITES = FIXTURES / "sites"
DEMO = FIXTURES / "demo"

AS_OF = dt.date(2026, 11, 26)
"""The baseline's as-of date: the demo's own (its verdicts do not age)."""
LATER = dt.date(2026, 11, 27)
"""The second run's as-of date: one day later, so a decision that expired on AS_OF is over."""

BASELINE_ROSTER: Mapping[str, Path] = {
    "acme": DEMO / "platform.yaml",
    "stratus": DEMO / "service-provider.yaml",
    "openlens": DEMO / "solution.yaml",
    "learnfinops": DEMO / "training-partner.yaml",
}
"""Roster id -> submission: the four demo applicants."""
CHANGED_ROSTER: Mapping[str, Path] = {
    "stratus": DEMO / "service-provider.yaml",
    "openlens": DEMO / "solution.yaml",
    "learnfinops": DEMO / "training-partner.yaml",
    "initech": FIXTURES / "recheck" / "initech.yaml",
}
"""The roster a quarter later: Acme removed, Initech added."""

LANDING_GONE = "http://stratus.example/finops"
"""Stratus' offering landing page, gone (404) in the changed world."""
CONTENT_CHANGED = "http://stratus.example/enterprise/"
"""Stratus' enterprise page, whose content changed in the changed world."""
EXPIRED_CERTIFICATES = ("LF-0301", "LF-0302", "LF-0303")
"""OpenLens' practitioner certificates, expired in the changed world."""
EXPIRED_ON = "2026-10-31"
REGISTRY = "http://registry.example/certificates/{}.json"
"""Where the demo's sources (fixtures/sources.yaml) look a certificate up."""


def _site_file(sites: Path, url: str) -> Path:
    """The file of ``sites`` that answers ``url`` (a folder answers with its index.html,
    as :class:`~verifier.sites.SiteServer` serves it)."""
    host, _, path = url.removeprefix("http://").partition("/")
    target = sites / host / path
    return target / "index.html" if target.is_dir() else target


def build_changed_world(dest: Path) -> Path:
    """Copy ``fixtures/sites`` to ``dest`` and change it as the module says; return
    ``dest``. Each change asserts that the copy held what it changes, so a fixture edit
    that moves a page fails here rather than silently testing nothing."""
    shutil.copytree(SITES, dest)

    landing = _site_file(dest, LANDING_GONE)
    assert landing.is_file(), landing
    landing.unlink()  # the server answers 404 for a file it does not have

    page = _site_file(dest, CONTENT_CHANGED)
    html = page.read_text(encoding="utf-8")
    assert "</body>" in html, page
    page.write_text(
        html.replace(
            "</body>",
            "<p>Since October our managed FinOps services are sold through resellers "
            "only.</p>\n</body>",
        ),
        encoding="utf-8",
    )

    for cid in EXPIRED_CERTIFICATES:
        record = _site_file(dest, REGISTRY.format(cid))
        data = json.loads(record.read_text(encoding="utf-8"))
        assert data["certificate_id"] == cid, record
        data["expires"] = EXPIRED_ON
        record.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return dest


def write_roster(folder: Path, partners: Mapping[str, Path]) -> Path:
    """Write ``folder/roster.yaml`` listing ``partners`` (id -> submission) in order;
    return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["partners:"]
    for pid, submission in partners.items():
        lines += [f"  - id: {pid}", f"    submission: {json.dumps(str(submission))}"]
    roster = folder / "roster.yaml"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster


def urls(items: Iterable[Mapping[str, object]]) -> set[str]:
    """The ``url`` of each page change of recheck.json."""
    return {str(i["url"]) for i in items}
