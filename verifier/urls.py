"""URL helpers shared by the input models, the fetch layer and the checks."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Annotated
from urllib.parse import (
    parse_qsl,
    quote_from_bytes,
    unquote,
    unquote_to_bytes,
    urlencode,
    urlsplit,
)

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
        "substack.com",
        "medium.com",
        "wixsite.com",
        "squarespace.com",
        "web.app",
        "firebaseapp.com",
        "s3.amazonaws.com",
        "web.core.windows.net",
        "blob.core.windows.net",
        "webflow.io",
        "readthedocs.io",
        "notion.site",
        "fly.dev",
        "onrender.com",
        "gitbook.io",
        "amplifyapp.com",
        "ghost.io",
        "hashnode.dev",
        "myshopify.com",
        "zendesk.com",
        "pantheonsite.io",
        "wpengine.com",
        "glitch.me",
        "streamlit.app",
    }
)
"""Hosting domains under which each customer has their own subdomain (``acme.github.io``).
They count as public suffixes, as in the Public Suffix List's private section: a site
there is ``acme.github.io``, never ``github.io``, so another customer's site is not the
applicant's own. Suffixes with a variable label (a region, a zone) are
:data:`SHARED_HOSTING_PATTERN`."""

_S3_ENDPOINT = re.compile(
    r"s3(?:-website|-fips|-external-1)?(?:[.-](?:dualstack\.)?[a-z]{2}(?:-[a-z]+)+-\d+)?"
    r"\.amazonaws\.com(?:\.cn)?"
)
# S3 endpoints: s3, and per region s3.<region>, s3-<region> (legacy), s3.dualstack.<region>,
# s3-website-<region>, s3-website.<region> (regions such as us-east-1, us-gov-west-1).

SHARED_HOSTING_PATTERN = re.compile(rf"{_S3_ENDPOINT.pattern}|z\d+\.web\.core\.windows\.net")
"""The :data:`SHARED_HOSTING` suffixes that hold a region or zone, matched whole: Amazon
S3's regional and website endpoints (``acme.s3.us-east-1.amazonaws.com``,
``acme.s3-website-us-east-1.amazonaws.com``, ``acme.s3-website.eu-west-1.amazonaws.com``)
and Azure Storage static websites in a zone (``acme.z13.web.core.windows.net``): each
bucket or account is its own site."""


MAX_URL_LENGTH = 2083
"""Longest URL a person may write in a file we read (the longest every browser opens).
The fetch layer has its own, larger cap for URLs that pages redirect to."""

# A host name as DNS has it once IDNA-encoded: labels of letters, digits, hyphens (not at
# either end) and underscores (some real subdomains have them), 1-63 characters each.
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def check_http_url(value: str) -> str:
    """Validate that ``value`` is an absolute http(s) URL with a valid host, a port in
    1-65535 if any, and at most :data:`MAX_URL_LENGTH` characters; return it stripped.

    Raises ``ValueError`` with a sentence a person understands. Whatever passes here can
    still be refused at fetch time by the operator's settings (a port not allowed, an
    address that is internal), but never for its syntax.
    """
    text = value.strip()
    if len(text) > MAX_URL_LENGTH:
        raise ValueError(f"is a URL of {len(text):,} characters; the limit is {MAX_URL_LENGTH:,}")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise ValueError("must be an http(s) URL without control characters")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("http", "https"):
        shown = f"'{scheme}:' " if scheme else ""
        raise ValueError(f"must be an http:// or https:// URL, not {shown}{text[:80]!r}")
    try:
        url = httpx.URL(text)
        url.host  # noqa: B018 - decodes the IDNA host, which may be malformed
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError (IDNA) is a ValueError
        raise ValueError(f"is not a valid URL: {exc}") from exc
    if not url.host:
        raise ValueError(f"must name a host: {text!r}")
    problem = _host_problem(url.raw_host.decode("ascii", "replace"))
    if problem:
        raise ValueError(problem)
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError(f"names port {url.port}; a port is a number from 1 to 65535")
    return text


def _host_problem(host: str) -> str | None:
    """Why ``host`` (IDNA-encoded, as httpx holds it) cannot be a web host, or ``None``."""
    if ":" in host:  # an IPv6 literal, brackets removed
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"has an invalid IPv6 address {host!r}"
        return None
    name = host.lower().removesuffix(".")  # "acme.example." is a fully qualified name
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        shown = name.replace("%20", " ")
        return (
            f"has an invalid host {shown[:80]!r}: a host is an IP address or a name of "
            "dot-separated labels of letters, digits and hyphens, without spaces"
        )
    return None


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
    for n in range(len(labels), 1, -1):  # longest shared-hosting suffix first
        suffix = ".".join(labels[-n:])
        if suffix in SHARED_HOSTING or SHARED_HOSTING_PATTERN.fullmatch(suffix):
            return ".".join(labels[-n - 1 :]) if n < len(labels) else host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


PATH_SCOPED_HOSTS: dict[str, tuple[tuple[str, int], ...]] = {
    # host: (first path segment, or "" for any: how many segments name the owner)
    "github.com": (("orgs", 2), ("users", 2), ("sponsors", 2), ("", 1)),
    "raw.githubusercontent.com": (("", 1),),
    "gitlab.com": (("", 1),),
    "bitbucket.org": (("", 1),),
    "codeberg.org": (("", 1),),
    "sourceforge.net": (("projects", 2), ("p", 2)),
    "medium.com": (("", 1),),  # @user, or a publication
    "linkedin.com": (("company", 2), ("in", 2), ("showcase", 2), ("school", 2)),
    "dev.to": (("", 1),),
    "x.com": (("", 1),),
    "twitter.com": (("", 1),),
    "youtube.com": (("@", 1), ("c", 2), ("channel", 2), ("user", 2)),
    "sites.google.com": (("view", 2), ("site", 2)),
    "storage.googleapis.com": (("", 1),),  # a bucket addressed by path
    "commondatastorage.googleapis.com": (("", 1),),  # the same, by older names
    "storage.cloud.google.com": (("", 1),),
    "dev.azure.com": (("", 1),),
    "facebook.com": (("groups", 2), ("people", 3), ("", 1)),
    "fb.com": (("groups", 2), ("people", 3), ("", 1)),
    "instagram.com": (("", 1),),
    "instagr.am": (("", 1),),
}
"""Hosts that many organisations share by path: on them a site is the host and the
owner's path segments (``github.com/acme``, ``linkedin.com/company/acme``,
``sourceforge.net/projects/acme``, ``medium.com/@acme`` or ``medium.com/<publication>``,
``sites.google.com/view/acme``),
not the host, so another account's page is not the applicant's own. A rule
``("projects", 2)`` takes the first two segments when the first is ``projects``;
``("@", 1)`` the first when it starts with ``@``; ``("", 1)`` the first whatever it is.
A path no rule fits (``linkedin.com/pulse/<article>``) is a site of its own, the host
and the whole path: nobody's page there is another's; the host's root is the host. So is
a path with a ``.`` or ``..`` segment (``github.com/acme/%2e%2e/globex``, which a server
may read as ``github.com/globex``). A host under one of these (``uk.linkedin.com``,
``gist.github.com``) is scoped by the same rules, its site named by its own host. An S3
endpoint addressed by path (``s3.us-east-1.amazonaws.com/<bucket>``, any region) is
scoped by its bucket too (:data:`SHARED_HOSTING_PATTERN`)."""

_BY_FIRST_SEGMENT = (("", 1),)

_FACEBOOK_ROUTES = frozenset(
    {"profile.php", "permalink.php", "photo.php", "story.php", "p", "watch", "events", "pg"}
    | {"share", "sharer", "sharer.php", "reel", "photos", "posts", "hashtag", "login", "help"}
    | {"photo", "pages", "media", "video.php", "notes", "marketplace", "search", "stories"}
    | {"reels", "l.php", "business", "gaming"}
)
_X_ROUTES = frozenset({"i", "search", "hashtag", "home", "explore", "intent", "share"})
_INSTAGRAM_ROUTES = frozenset({"p", "reel", "reels", "stories", "explore", "tv", "s", "accounts"})
NO_OWNER_ROUTES: dict[str, frozenset[str]] = {
    "github.com": frozenset({"marketplace", "apps", "features", "topics", "collections"}),
    "x.com": _X_ROUTES,
    "twitter.com": _X_ROUTES,
    "facebook.com": _FACEBOOK_ROUTES,
    "fb.com": _FACEBOOK_ROUTES,
    "instagram.com": _INSTAGRAM_ROUTES,
    "instagr.am": _INSTAGRAM_ROUTES,
}
"""First path segments of a :data:`PATH_SCOPED_HOSTS` host that name no owner (a route of
the host's own: ``github.com/marketplace/actions/<name>``,
``facebook.com/profile.php?id=<n>``, ``instagram.com/p/<post>``): such a page is a site of
its own, its whole path and query, never one every account under the route shares.
Not every route is listed: :func:`owned_by` also asks a page to lie under the website's
own path."""

_FACEBOOK_POSTS = frozenset(
    {"videos", "video", "posts", "photos", "photo", "reels", "reel", "permalink.php", "story.php"}
)
_INSTAGRAM_POSTS = frozenset({"p", "reel", "reels", "tv"})
_X_POSTS = frozenset({"status", "statuses"})
OTHERS_UNDER_OWNER: dict[str, frozenset[str]] = {
    "x.com": _X_POSTS,
    "twitter.com": _X_POSTS,
    "instagram.com": _INSTAGRAM_POSTS,
    "instagr.am": _INSTAGRAM_POSTS,
    "facebook.com": _FACEBOOK_POSTS,
    "fb.com": _FACEBOOK_POSTS,
}
"""Second path segments under which a host shows anyone's post at any owner's path
(``x.com/<anyone>/status/<id>``): such a page is a site of its own."""


def site_of(url_or_host: str) -> str:
    """The site a URL is on, as a string two URLs of one site share: the registrable
    domain (:func:`registrable_domain`), and on a :data:`PATH_SCOPED_HOSTS` host the owner's
    path segments too, lower case: ``https://github.com/Acme/lens`` -> ``github.com/acme``,
    ``https://www.linkedin.com/company/acme/about`` -> ``linkedin.com/company/acme``.

    Accepts a URL or a bare host (a bare host is the host's own site). A string httpx
    cannot parse is returned stripped and lower case, so it equals no other site.
    Remembered for strings of up to 2,048 characters: a re-check asks it of the same
    directory links for every partner.
    """
    if len(url_or_host) > _REMEMBERED_URL:
        return _site_of(url_or_host)
    # A plain string is remembered, never a page's own (a tag's string keeps its page).
    plain = url_or_host if type(url_or_host) is str else str(url_or_host)
    return _site_of_remembered(plain)


_REMEMBERED_URL = 2048


@functools.lru_cache(maxsize=16_384)
def _site_of_remembered(url_or_host: str) -> str:
    return _site_of(url_or_host)


def _site_of(url_or_host: str) -> str:
    if "//" not in url_or_host:
        return registrable_domain(url_or_host)
    url = parse_link(url_or_host.strip())
    if url is None:
        return url_or_host.strip().lower()
    host = _host_key(url)
    domain = registrable_domain(host)
    rules = PATH_SCOPED_HOSTS.get(host) or PATH_SCOPED_HOSTS.get(domain)
    if not rules and "website" not in host and _S3_ENDPOINT.fullmatch(host):
        rules = _BY_FIRST_SEGMENT  # path-style S3: the bucket is the first segment
    if not rules:
        return domain
    segments = _segments(url)
    if any(_dotted(segment) for segment in segments):
        return "/".join([host, *segments])  # whose it is depends on how a server reads it
    scoped = host if host in PATH_SCOPED_HOSTS else domain
    if (segments and segments[0] in NO_OWNER_ROUTES.get(scoped, ())) or (
        len(segments) > 1 and segments[1] in OTHERS_UNDER_OWNER.get(scoped, ())
    ):
        query = url.query.decode("ascii", "replace")
        return "/".join([host, *segments]) + (f"?{query}" if query else "")
    for first, count in rules:
        head = segments[0] if segments else ""
        fits = (
            (first == "" and head)
            or (first == "@" and head.startswith("@") and len(head) > 1)
            or (first not in ("", "@") and head == first)
        )
        if fits and len(segments) >= count:
            return "/".join([host, *segments[:count]])
    # No rule names an owner (linkedin.com/pulse/<article>, linkedin.com/products/<p>,
    # youtube.com/watch?v=<video>): the page, its query too, is its own site, never the
    # host's, which would make every member's page one.
    query = url.query.decode("ascii", "replace")
    return "/".join([host, *segments]) + (f"?{query}" if query and segments else "")


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host[:port]`` of ``url``: what robots.txt applies to (RFC 9309), so the
    key the fetch layer reads it by and finds it again by. ``""`` for a string httpx
    cannot parse.

    Remembered for strings of up to 2,048 characters: each run of a re-check notes the
    origin of every URL it fetched, the shared directory pages' for every partner."""
    if isinstance(url, str) and len(url) <= _REMEMBERED_URL:
        # A plain string is remembered, never a page's own (a tag's string keeps its page).
        return _origin_of_remembered(url if type(url) is str else str(url))
    return _origin_of(url)


@functools.lru_cache(maxsize=16_384)
def _origin_of_remembered(url: str) -> str:
    return _origin_of(url)


def _origin_of(url: str | httpx.URL) -> str:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


def parse_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, remembered for the last strings of up to 2,048 characters it was
    asked: the checks ask several questions of each link of a page (is it a marketplace
    listing, a repository, a framework page?), each of which parsed it again. Raises what
    ``httpx.URL`` raises (``httpx.InvalidURL``, ``ValueError``) for a malformed one."""
    if len(url) <= _REMEMBERED_URL:
        # A plain string is remembered, never a page's own (a tag's string keeps its page).
        return _parsed_remembered(url if type(url) is str else str(url))
    return httpx.URL(url)


@functools.lru_cache(maxsize=4_096)
def _parsed_remembered(url: str) -> httpx.URL:
    return httpx.URL(url)


def parse_link(url: str) -> httpx.URL | None:
    """:func:`parse_url` for a link a page gave (hostile input): the URL, or ``None`` when
    httpx cannot read it, its host included, or a browser would read it otherwise. httpx
    decodes a punycode host only when asked for it (``url.host``), so
    ``https://xn--zz.example/`` parses, then raises there; and a browser reads a backslash
    as ``/`` where httpx keeps it, so ``https://a.example\\@b.example/`` leads to
    ``a.example``, not the ``b.example`` httpx says. Such a link leads nowhere a check can
    tell, and must not make a check that asks where it leads crash, nor mislead it."""
    if "\\" in url:
        return None
    try:
        parsed = parse_url(url)
        parsed.host  # noqa: B018 - decodes the IDNA host, which may be malformed
    except (httpx.InvalidURL, ValueError):  # UnicodeError (IDNA) is a ValueError
        return None
    if b"%5c" in parsed.userinfo.lower():
        return None  # the backslash of a joined link, which httpx writes %5C
    return parsed


def link_host(url: httpx.URL) -> str:
    """The host a link is judged by: ``www.`` aside, and a fully qualified name's one
    final dot (``aws.amazon.com.`` is ``aws.amazon.com``; ``aws.amazon.com..`` is no
    host a name resolves to, and stays as written)."""
    return url.host.removesuffix(".").removeprefix("www.")


_ABSOLUTE_REF = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\s\\]*)?\Z")
"""A reference with a scheme and a plain host: joined, it depends on the base's scheme."""
_ROOTED_REF = re.compile(r"/(?:[^/\s\\][^\s\\]*)?\Z")
"""A reference by absolute path: joined, it depends on the base's scheme and host only."""
_JOINED: dict[tuple[str, str], str | None] = {}
_MAX_JOINED = 50_000
_REMEMBERED_JOIN = 512
"""The longest reference and joined URL, together, :func:`join_url` remembers. A menu
link's are a few dozen characters; a page's long ones are not (20,000 relative links on
a page whose URL is 8,000 characters long would leave 160 MB of joined URLs behind)."""


def join_url(base: str, ref: str) -> str | None:
    """``ref`` (an ``href``, a ``Location``) made absolute against ``base``: read as a
    browser reads it (the WHATWG URL standard: C0 controls and spaces around it dropped,
    tabs and newlines in it removed, its slashes and backslashes as :func:`_browser_href`
    says), then joined exactly as
    ``str(httpx.URL(base).join(ref))``; ``None`` when either is malformed. (A link
    ``" https://globex.example/"``, or one a template broke over two lines, leads where a
    visitor's click goes, not nowhere.)

    Remembered: a page's menu links are joined again on every page of its site, and
    joining costs a few parses. A reference by absolute path (``/about``) or by a plain
    ``http(s)://host/...`` is remembered per scheme and host of the base (what its join
    depends on: RFC 3986, section 5.2.2), any other per whole base; only short ones
    (:data:`_REMEMBERED_JOIN`), so what is kept stays small whatever the pages hold.
    """
    if type(ref) is not str and isinstance(ref, str):
        ref = str(ref)  # remembered as a plain string: a tag's string keeps its page alive
    ref = _browser_href(ref, base)
    if _PLAIN_PATH.match(ref) and len(base) <= _REMEMBERED_URL:
        # A plain absolute path ("/section-2/page-3/"): httpx keeps it as written, after
        # the base's scheme and host as httpx writes them (the tests compare it with
        # httpx's join on hostile bases and references).
        origin = _origin_remembered(base)
        return None if origin is None else origin + ref
    scope = _scope(base) if _ABSOLUTE_REF.match(ref) or _ROOTED_REF.match(ref) else base
    key = (scope, ref)
    try:
        return _JOINED[key]
    except KeyError:
        pass
    try:
        joined: str | None = str(httpx.URL(base).join(ref))
    except (httpx.InvalidURL, TypeError, ValueError):
        joined = None
    if len(ref) + len(joined or "") > _REMEMBERED_JOIN:
        return joined  # not remembered: a menu link's are short, a hostile page's need not be
    if len(_JOINED) >= _MAX_JOINED:
        _JOINED.clear()  # bounded: emptied when full
    _JOINED[key] = joined
    return joined


def _browser_href(ref: str, base: str) -> str:
    """``ref`` as a browser reads an ``href`` on an http(s) page ``base`` before resolving
    it (WHATWG URL): leading and trailing C0 controls and spaces dropped, every tab and
    newline removed; before the query and fragment, ``\\`` read as ``/``; after
    ``https:`` (or none), a run of slashes other than two read as the start of a host
    (``https:///globex.example/`` and ``///globex.example/`` go to globex.example), except
    after the base's own scheme and fewer than two (``https:/a`` is the path ``/a``)."""
    ref = ref.strip(_C0_AND_SPACE)
    if "\t" in ref or "\n" in ref or "\r" in ref:
        ref = ref.translate(_NO_TAB_OR_NEWLINE)
    if "\\" not in ref and not _ODD_START.match(ref):
        return ref
    ends = [i for i in (ref.find("?"), ref.find("#")) if i >= 0]
    cut = min(ends) if ends else len(ref)
    head, tail = ref[:cut].replace("\\", "/"), ref[cut:]
    scheme = _SCHEME_SLASHES.match(head)
    if scheme is not None:
        name, slashes, rest = scheme.group(1).lower(), len(scheme.group(2)), head[scheme.end() :]
        if name == base.split(":", 1)[0].lower() and slashes < 2:
            head = "/" * slashes + rest  # relative to the base, as the browser reads it
        else:
            head = f"{name}://{rest}"
    elif head.startswith("//"):
        head = "//" + head.lstrip("/")
    return head + tail


_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_NO_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_ODD_START = re.compile(r"///|https?:(?!//[^/])", re.IGNORECASE)
"""A start a browser reads otherwise than httpx: three slashes, or an http(s) scheme not
followed by exactly two."""
_SCHEME_SLASHES = re.compile(r"(https?):(/*)", re.IGNORECASE)

_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
_PLAIN_PATH = re.compile(rf"/(?:{_SEGMENT}(?:/{_SEGMENT})*/?)?\Z")
"""An absolute path of plain segments: letters, digits, ``-._~``, none empty, none
starting with a dot (so no ``.`` or ``..`` segment): nothing a join rewrites."""


@functools.lru_cache(maxsize=4_096)
def _origin_remembered(base: str) -> str | None:
    # What httpx writes before the path of a reference joined to ``base``; None when it
    # cannot parse the base (then every join of it is None).
    try:
        joined = str(httpx.URL(base).join("/"))
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    return joined[:-1]


def _scope(base: str) -> str:
    # "scheme://netloc" of the base as the join reads it (its normalised form); the whole
    # base when httpx cannot parse it (then every join of it is None, remembered as such).
    if len(base) > _REMEMBERED_URL or type(base) is not str:
        return _scope_of(base)  # a page's long URL (or a page's own string) is not kept
    return _scope_remembered(base)


@functools.lru_cache(maxsize=16_384)
def _scope_remembered(base: str) -> str:
    return _scope_of(base)


def _scope_of(base: str) -> str:
    try:
        parts = urlsplit(str(httpx.URL(base)))
    except (httpx.InvalidURL, TypeError, ValueError):
        return base
    return f"\x00{parts.scheme}://{parts.netloc}"


def same_site(a: str, b: str) -> bool:
    """Whether two URLs (or hosts) are on one site (:func:`site_of`): one registrable
    domain, and on a host shared by path (``github.com``) one owner."""
    return site_of(a) == site_of(b)


def owned_by(url: str, website: str) -> bool:
    """Whether ``url`` is on the site of ``website``, an applicant's website: the same
    site (:func:`site_of`), and, when the website is on a subdomain of its site
    (``acme.docs-platform.example``, not ``www.acme.example``), the same host too. Such a
    domain may be a platform many share: no list of shared hosts knows them all, and a
    page of another of its subdomains (``globex.docs-platform.example``) is not the
    applicant's. On a host shared by path (``github.com``), the page must also lie under
    the website's own path; so must it wherever the website is a path (not a host's root
    or its index page): ``s3-external-1.amazonaws.com/acme-www/`` or
    ``huggingface.co/acme``, on a host no list knows is shared by path, owns no other
    bucket or account there, and ``acme.example/en/`` owns ``acme.example/en/customers``
    but not ``acme.example/customers`` (a person looks at that one). A URL whose host
    cannot be read is nobody's."""
    site = site_of(website)
    if site_of(url) != site:
        return False
    host = _site_host(website)
    folder = _folder(website)
    if "/" in site or folder != []:
        # A host shared by path, or a website given as a path: the page must lie under
        # the website's folder. Its owner segments alone could be a route of the host's
        # own that no list names (github.com/enterprises/<anyone>, facebook.com/pg/<x>).
        return host is not None and _site_host(url) == host and _under(url, folder)
    if host is None or host == site:
        return True
    return _site_host(url) == host


def _folder(website: str) -> list[str] | None:
    # The segments of the website's path, an index page at its end aside ("index.html" of
    # acme.example/index.html; a query and a fragment say nothing of what it owns: #/ of
    # a single-page site); None when no folder tells what the website owns: an unreadable
    # one, or a path a server may read otherwise (%2e%2e).
    own = parse_link(website.strip())
    if own is None:
        return None
    segments = _segments(own)
    if any(_dotted(s) for s in segments):
        return None
    raw = own.raw_path.split(b"?", 1)[0]
    if segments and _INDEX_PAGE.fullmatch(segments[-1]) and not raw.endswith(b"/"):
        # A bucket or an account named like one is its owner's on a host shared by path
        # that a rule knows (its site holds the name); on one no rule knows, such a
        # website owns the host, as its bare root does (README, "Known limits").
        return segments[:-1]
    return segments


_INDEX_PAGE = re.compile(r"(?:index|default|home)\.[a-z0-9]{2,5}")
"""A folder's own page by another name (``index.html``, ``default.aspx``, ``home.php``)."""


def _under(url: str, below: list[str] | None) -> bool:
    # Whether url's path, segment by segment (case aside, as site_of sets it aside),
    # starts with the website's folder (_folder); never for a path a server may read
    # otherwise, nor under no folder (None).
    page = parse_link(url.strip())
    if page is None or below is None:
        return False
    segments = _segments(page)
    return segments[: len(below)] == below and not any(_dotted(s) for s in segments)


def _dotted(segment: str) -> bool:
    # Whether a server could read a "." or ".." in the segment: as written, decoded once
    # more or twice (a proxy decoding again: %252e), split where it decodes to "/" or "\"
    # (..%2Fglobex, which a server decoding the path reads as ../globex), or before a ";"
    # parameter (..;, which Tomcat and Jetty read as ..).
    for _ in range(3):
        for piece in _SLASHES.split(segment):
            if piece.split(";", 1)[0] in (".", ".."):
                return True
        segment = unquote(segment)
    return False


_SLASHES = re.compile(r"[/\\]")


def _segments(url: httpx.URL) -> list[str]:
    # The path's segments as sites compare them: in lower case, except on an S3 endpoint
    # addressed by path, whose older buckets' names keep their case (AcmeBucket and
    # acmebucket are two buckets, anyone may own the second). Split before they are
    # decoded, each written back in one spelling: an escaped "/" or "?" stays inside its
    # segment (linkedin.com/pulse/x%3Fa=1 is not the page x with the query a=1), "%41"
    # is "a".
    host = _host_key(url)
    kept = "website" not in host and _S3_ENDPOINT.fullmatch(host) is not None
    raw = url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
    out = []
    for segment in raw.split("/"):
        if segment:
            # As bytes: case folded in ASCII only (str.lower() made the Kelvin sign a "k"),
            # bytes that are no UTF-8 kept as they are (not all one U+FFFD).
            octets = unquote_to_bytes(segment)
            out.append(quote_from_bytes(octets if kept else octets.lower(), safe=_SEGMENT_SAFE))
    return out


_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
"""What a path segment holds unescaped (RFC 3986 ``pchar``, but "%")."""


def where(url: str, website: str) -> tuple[str, str]:
    """How a message names the place of ``url`` and of the applicant's ``website`` when
    :func:`owned_by` says no: their sites, or their hosts when both share one site (a
    domain others may share), or the URLs themselves when they share one host too."""
    if site_of(url) != site_of(website):
        return site_of(url), site_of(website)
    page, own = _site_host(url), _site_host(website)
    if page is None or own is None or page == own:
        return url, website  # one host shared by path: the page is not under the website's
    return page, own


def _site_host(url: str) -> str | None:
    # The host of a URL string as sites compare it (_host_key); None for an unreadable one.
    parsed = parse_link(url.strip())
    return None if parsed is None else _host_key(parsed)


def _host_key(url: httpx.URL) -> str:
    # The host as sites compare it: lower case, "www." and final dots aside (link_host
    # sets aside one final dot only: a link's host is judged as a browser would go there).
    return url.host.lower().rstrip(".").removeprefix("www.")


TRACKING_PARAMS = frozenset(
    {"gclid", "gbraid", "wbraid", "dclid", "fbclid", "msclkid", "yclid", "igshid", "mc_cid"}
    | {"mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id"}
)
"""Query parameters that say where a visitor came from, not which page they asked for
(besides every ``utm_*`` one): dropped by :func:`normalize_url`."""


def normalize_url(url: str) -> str:
    """The form under which two spellings of one page compare equal.

    Scheme and host lower-case, a leading ``www.`` dropped (``www.acme.example`` and
    ``acme.example`` serve one site), the default port dropped, the fragment dropped, a trailing
    slash dropped (``/a/`` is ``/a``; the root stays ``/``), ``utm_*`` and the other
    :data:`TRACKING_PARAMS` dropped, the remaining query sorted. The path keeps its case
    (servers may tell ``/A`` from ``/a``). A string httpx cannot parse is returned stripped.
    """
    parsed = parse_link(url.strip())
    if parsed is None:
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
    host = parsed.host.rstrip(".").removeprefix("www.")
    return f"{parsed.scheme}://{host}{port}{path}{query}"
