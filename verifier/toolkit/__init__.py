"""The check author's toolkit: the rules every check that reads the web needs.

Everything here is public and stable, like :mod:`verifier` itself, and knows nothing of
any certification program: the built-in checks use it exactly as a third party's would.

- :mod:`verifier.toolkit.pages`: :func:`read_page` fetches a page and says what became of
  it (``ok``, ``gone``, ``fault``, ``unreadable``), so that a 404 counts as absence, a 503
  as a fault, and a page a program cannot read as neither.
- :mod:`verifier.toolkit.names`: comparable forms of company and person names,
  :func:`match_name` (exact, weak, none; :class:`NameMatcher` for many names),
  :func:`text_mentions` and the one whole-word matcher (:func:`says`, :func:`whole_words`).
- :mod:`verifier.toolkit.text`: the passage around a word, the links a visitor sees,
  what a page hides (:func:`record_hidden` quotes it as evidence), :func:`some`.
- :mod:`verifier.toolkit.directory`: the entries of a page that lists organisations,
  across its next pages (:func:`read_directory`), with the hidden ones set apart.

A check reads::

    from verifier.toolkit import read_page, text_mentions

    read = await read_page(ctx, url)
    if read.state == "gone":
        return Outcome.failed(f"{url} {read.reason}")
    if read.state != "ok":
        return Outcome.error(f"{url} {read.reason}")
    if text_mentions(read.page.visible_text, [ctx.submission.applicant.name]):
        ...

Functions that walk a page's tree (:func:`read_entries`, :func:`candidates`...) say so:
run them through ``ctx.read`` so that a hostile page cannot stall the run.
"""

from __future__ import annotations

from verifier.toolkit.directory import (
    Candidate,
    Directory,
    Entry,
    Listing,
    candidates,
    decide_entry,
    entries_of,
    leads_to,
    links_in,
    links_out,
    next_page,
    read_directory,
    read_entries,
)
from verifier.toolkit.names import (
    LEGAL_SUFFIXES,
    Match,
    NameMatcher,
    match_name,
    name_forms,
    normalize,
    person_key,
    says,
    text_mentions,
    whole_words,
    words,
)
from verifier.toolkit.pages import GONE, PageState, Read, built_by_javascript, read_page
from verifier.toolkit.text import (
    MAX_RECORDED,
    QUOTE,
    excerpt,
    hidden_links,
    hidden_text,
    page_links,
    record_hidden,
    some,
)

__all__ = [
    "GONE",
    "LEGAL_SUFFIXES",
    "MAX_RECORDED",
    "QUOTE",
    "Candidate",
    "Directory",
    "Entry",
    "Listing",
    "Match",
    "NameMatcher",
    "PageState",
    "Read",
    "built_by_javascript",
    "candidates",
    "decide_entry",
    "entries_of",
    "excerpt",
    "hidden_links",
    "hidden_text",
    "leads_to",
    "links_in",
    "links_out",
    "match_name",
    "name_forms",
    "next_page",
    "normalize",
    "page_links",
    "person_key",
    "read_directory",
    "read_entries",
    "read_page",
    "record_hidden",
    "says",
    "some",
    "text_mentions",
    "whole_words",
    "words",
]
