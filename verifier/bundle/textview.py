"""The "read the captured text" view: ``captures/<sha256>.txt`` beside each archived body.

An archived page is the applicant's HTML, byte for byte: opened in a browser, it would
run its scripts. The text view is what a person needs to read it safely: the text
extracted from the HTML (no element, attribute, script, style or URL survives: a
``<script>`` is dropped, ``onerror=`` and ``javascript:`` hrefs are attributes and never
text), every control character made visible, written as a ``.txt`` file, which a browser
shows as plain text and never runs. The files are written before the bundle is sealed,
so SHA256SUMS covers them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bs4 import BeautifulSoup

from verifier.bundle.store import CAPTURES, atomic_write, is_sha256
from verifier.fetch.content import sniff_type
from verifier.safetext import safe_text

TEXT_SUFFIX = ".txt"
"""The text view of ``captures/<sha256>`` is ``captures/<sha256>.txt``."""
_DROPPED = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
# Elements whose content is no text a visitor reads (code, styling, embedded documents).


def text_view_name(sha256: str) -> str:
    """The bundle-relative path of the text view of capture ``sha256``."""
    return f"{CAPTURES}/{sha256}{TEXT_SUFFIX}"


def text_of(body: bytes) -> str:
    """The readable text of an archived body: an HTML page's text (scripts, styles and
    markup dropped), any other text decoded as UTF-8; controls made visible. A binary
    body (PDF, image) gives one line saying what it is."""
    kind = sniff_type(body)
    if kind == "text/html":
        soup = BeautifulSoup(body, "lxml")
        for tag in soup.find_all(_DROPPED):
            tag.decompose()
        raw = soup.get_text("\n")
    elif kind.startswith("text/") or kind in ("application/json", "application/xml"):
        raw = body.decode("utf-8", errors="replace")
    else:
        return f"({kind}, {len(body):,} bytes: no text to show; see the archived copy)\n"
    lines = (" ".join(line.split()) for line in raw.splitlines())
    kept = "\n".join(line for line in lines if line)
    return safe_text(kept, keep="\n") + "\n"


def write_text_views(directory: Path, shas: Iterable[str]) -> list[Path]:
    """Write the text view of each capture ``shas`` names that ``directory`` holds;
    returns the paths written (a capture missing or unreadable gets none)."""
    written = []
    for sha in sorted(set(shas)):
        source = directory / CAPTURES / sha
        if not is_sha256(sha) or not source.is_file():
            continue
        target = directory / text_view_name(sha)
        atomic_write(target, text_of(source.read_bytes()).encode("utf-8"))
        written.append(target)
    return written
