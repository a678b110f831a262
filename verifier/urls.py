"""URL helpers shared by the input models, the fetch layer and the checks."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

import httpx
from pydantic import AfterValidator

# Second-level labels under which registrations happen (co.uk, com.au...). Not the whole
# Public Suffix List: enough for the company sites the checks compare, and a wrong guess
# errs towards "different site", which a check reports rather than passes.
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go"})

SHARED_HOSTING = frozenset(
    {
        "github.io",
        "gitlab.io",
        "herokuapp.com",
        "netlify.app",
        "netlify.com",
        "vercel.app",
        "pages.dev",
        "workers.dev",
        "azurewebsites.net",
        "azurestaticapps.net",
        "cloudfront.net",
        "appspot.com",
        "blogspot.com",
        "wordpress.com",
        "wixsite.com",
        "squarespace.com",
        "web.app",
        "firebaseapp.com",
        "s3.amazonaws.com",
        "readthedocs.io",
        "notion.site",
        "fly.dev",
        "onrender.com",
    }
)
"""Hosting domains under which each customer has their own subdomain (``acme.github.io``).
They count as public suffixes, as in the Public Suffix List's private section: a site
there is ``acme.github.io``, never ``github.io``, so another customer's site is not the
applicant's own."""


def check_http_url(value: str) -> str:
    """Validate that ``value`` is an absolute http(s) URL with a host; return it stripped.

    Raises ``ValueError`` with a sentence a person understands.
    """
    text = value.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        raise ValueError("must be an http(s) URL without control characters")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("http", "https"):
        shown = f"'{scheme}:' " if scheme else ""
        raise ValueError(f"must be an http:// or https:// URL, not {shown}{text!r}")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"is not a valid URL: {exc}") from exc
    if not url.host:
        raise ValueError(f"must name a host: {text!r}")
    return text


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
"""A string field that must hold an absolute http(s) URL."""


def registrable_domain(url_or_host: str) -> str:
    """The registrable part of a host: ``docs.acme.example`` -> ``acme.example``.

    Accepts a URL or a bare host; IP addresses are returned whole.
    """
    host = url_or_host
    if "//" in url_or_host:
        host = httpx.URL(url_or_host).host
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    if all(p.isdigit() for p in labels) or ":" in host or len(labels) <= 2:
        return host
    for n in range(len(labels) - 1, 1, -1):  # longest shared-hosting suffix first
        if ".".join(labels[-n:]) in SHARED_HOSTING:
            return ".".join(labels[-n - 1 :]) if n < len(labels) else host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    """Whether two URLs (or hosts) share a registrable domain."""
    return registrable_domain(a) == registrable_domain(b)


TRACKING_PARAMS = frozenset(
    {"gclid", "gbraid", "wbraid", "dclid", "fbclid", "msclkid", "yclid", "igshid", "mc_cid"}
    | {"mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id"}
)
"""Query parameters that say where a visitor came from, not which page they asked for
(besides every ``utm_*`` one): dropped by :func:`normalize_url`."""


def normalize_url(url: str) -> str:
    """The form under which two spellings of one page compare equal.

    Scheme and host lower-case, the default port dropped, the fragment dropped, a trailing
    slash dropped (``/a/`` is ``/a``; the root stays ``/``), ``utm_*`` and the other
    :data:`TRACKING_PARAMS` dropped, the remaining query sorted. The path keeps its case
    (servers may tell ``/A`` from ``/a``). A string httpx cannot parse is returned stripped.
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError):
        return url.strip()
    pairs = sorted(
        (key, value)
        for key, value in parse_qsl(parsed.query.decode("ascii", "replace"), keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    )
    path = parsed.raw_path.decode("ascii", "replace").split("?", 1)[0].rstrip("/") or "/"
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    port = f":{parsed.port}" if parsed.port not in (None, default) else ""
    query = f"?{urlencode(pairs)}" if pairs else ""
    return f"{parsed.scheme}://{parsed.host.rstrip('.')}{port}{path}{query}"
