"""finops-verifier: the public API for plugin authors.

Everything in ``__all__`` is stable; anything else may change. A plugin module looks like::

    from verifier import Check, CheckContext, Outcome, Params, hookimpl

    class MyParams(Params):
        minimum: int = 1

    class MyCheck(Check[MyParams]):
        name = "my-check"
        version = "1.0"
        Params = MyParams

        async def verify(self, ctx: CheckContext[MyParams]) -> Outcome:
            page = await ctx.fetch(ctx.submission.applicant.website)
            ...
            return Outcome.passed("...")

    @hookimpl
    def register_checks(register):
        register(MyCheck())

and is installed under the entry-point group ``finops_verifier``.

The rules a check that reads the web needs (a 404 is absence, a 503 a fault; names found
as whole words; directory pages) are the toolkit's, :mod:`verifier.toolkit`; the most used
of them (:func:`read_page`, :class:`Read`, :func:`says`, :func:`text_mentions`) are
re-exported here.
"""

from __future__ import annotations

import pluggy

from verifier._version import __version__
from verifier.checks import Check, CheckContext, CheckExample, NoParams, Params
from verifier.demo import DemoSpec
from verifier.errors import FetchError, VerifierError
from verifier.fetch.page import Hop, Page
from verifier.fetch.visibility import Heading, Hidden, Link
from verifier.inputs.sources import Source
from verifier.inputs.submission import Submission
from verifier.models import Evidence, Outcome, Requirement, Status, overall_status
from verifier.toolkit import Read, read_page, says, text_mentions
from verifier.urls import normalize_url, registrable_domain, same_site, site_of

hookimpl = pluggy.HookimplMarker("finops_verifier")
"""Decorator marking a plugin's hook implementations (see :mod:`verifier.hookspecs`)."""

__all__ = [
    "Check",
    "CheckContext",
    "CheckExample",
    "DemoSpec",
    "Evidence",
    "FetchError",
    "Heading",
    "Hidden",
    "Hop",
    "Link",
    "NoParams",
    "Outcome",
    "Page",
    "Params",
    "Read",
    "Requirement",
    "Source",
    "Status",
    "Submission",
    "VerifierError",
    "__version__",
    "hookimpl",
    "normalize_url",
    "overall_status",
    "read_page",
    "registrable_domain",
    "same_site",
    "says",
    "site_of",
    "text_mentions",
]
