"""An example finops-verifier plugin: the applicant publishes a security.txt.

- ``pass``: ``/.well-known/security.txt`` answers 2xx with a ``Contact:`` line (and an
  ``Expires:`` line when ``require_expires`` is set);
- ``fail``: it is missing (404, 410) or has no ``Contact:`` line;
- ``error``: it could not be fetched, or the server answered another status (a 503 says
  nothing about the file: a fault is never a fail).

Telling absence from a fault is the toolkit's :func:`verifier.toolkit.read_page`, the same
rule the built-in checks use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verifier import Check, CheckContext, Outcome, Params, hookimpl
from verifier.toolkit import read_page


class SecurityTxtParams(Params):
    """Params of ``security-txt``."""

    require_expires: bool = False
    """Also require an ``Expires:`` line (RFC 9116 makes it mandatory)."""


class SecurityTxtCheck(Check[SecurityTxtParams]):
    """The applicant's website publishes a security contact."""

    name = "security-txt"
    version = "1.0"
    Params = SecurityTxtParams
    description = "Website publishes /.well-known/security.txt with a contact"

    async def verify(self, ctx: CheckContext[SecurityTxtParams]) -> Outcome:
        """Fetch security.txt and look for the required fields."""
        website = ctx.submission.applicant.website.rstrip("/")
        # security.txt is plain text: any 2xx body will do (html=False).
        read = await read_page(ctx, f"{website}/.well-known/security.txt", html=False)
        if read.state == "gone" and read.page is not None:
            return Outcome.failed(f"no security.txt ({read.page.status})")
        if read.state != "ok" or read.page is None:
            return Outcome.error(f"security.txt {read.reason}")
        page = read.page
        fields = {
            line.split(":", 1)[0].strip().lower() for line in page.text.splitlines() if ":" in line
        }
        wanted = ["contact", *(["expires"] if ctx.params.require_expires else [])]
        missing = [f for f in wanted if f not in fields]
        if missing:
            ctx.evidence("search", f"security.txt lacks {', '.join(missing)}", page=page)
            return Outcome.failed(f"security.txt has no {', '.join(missing)} line")
        ctx.evidence("text", "security.txt names a contact", page=page, excerpt=page.text[:200])
        return Outcome.passed("security.txt publishes a contact")


@hookimpl
def register_checks(register: Callable[[Check[Any]], None]) -> None:
    """Register the example check."""
    register(SecurityTxtCheck())
