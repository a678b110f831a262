"""registrable_domain and same_site: which hosts belong to one site; join_url."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest

from verifier import urls as urls_module
from verifier.urls import (
    _browser_href,
    join_url,
    normalize_url,
    origin_of,
    owned_by,
    parse_link,
    parse_url,
    registrable_domain,
    same_site,
    site_of,
)


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        pytest.param("https://docs.acme.example/x", "acme.example", id="a subdomain is its site"),
        pytest.param("https://www.acme.example/", "acme.example", id="www does not count"),
        pytest.param("https://shop.acme.co.uk/", "acme.co.uk", id="a second-level suffix is kept"),
        pytest.param("http://127.0.0.1:8080/", "127.0.0.1", id="an IP address is whole"),
        pytest.param("https://acme.github.io/lens", "acme.github.io", id="a GitHub Pages site"),
        pytest.param(
            "https://docs.acme.github.io/", "acme.github.io", id="a subdomain of a Pages site"
        ),
        pytest.param("https://acme.herokuapp.com/", "acme.herokuapp.com", id="a Heroku app"),
        pytest.param("https://acme.substack.com/p/x", "acme.substack.com", id="a Substack"),
        pytest.param(
            "https://acme.s3.amazonaws.com/page.html",
            "acme.s3.amazonaws.com",
            id="an S3 bucket, a suffix of three labels",
        ),
        pytest.param(
            "https://acme.s3.us-east-1.amazonaws.com/",
            "acme.s3.us-east-1.amazonaws.com",
            id="an S3 bucket on a regional endpoint",
        ),
        pytest.param(
            "http://acme.s3-website-us-east-1.amazonaws.com/",
            "acme.s3-website-us-east-1.amazonaws.com",
            id="an S3 website endpoint, region after a dash",
        ),
        pytest.param(
            "http://acme.s3-website.eu-west-1.amazonaws.com/",
            "acme.s3-website.eu-west-1.amazonaws.com",
            id="an S3 website endpoint, region after a dot",
        ),
        pytest.param(
            "https://acme.s3.dualstack.us-gov-west-1.amazonaws.com/",
            "acme.s3.dualstack.us-gov-west-1.amazonaws.com",
            id="an S3 dual-stack endpoint in a GovCloud region",
        ),
        pytest.param(
            "https://acme.z13.web.core.windows.net/",
            "acme.z13.web.core.windows.net",
            id="an Azure Storage static website in a zone",
        ),
        pytest.param(
            "https://acme.blob.core.windows.net/site/index.html",
            "acme.blob.core.windows.net",
            id="an Azure blob container",
        ),
        pytest.param("https://acme.webflow.io/", "acme.webflow.io", id="a Webflow site"),
        pytest.param(
            "https://ec2.us-east-1.amazonaws.com/",
            "amazonaws.com",
            id="an AWS host that is no S3 endpoint is amazonaws.com",
        ),
        pytest.param("github.io", "github.io", id="the hosting domain itself, as a bare host"),
        pytest.param("https://www.github.io/", "github.io", id="the hosting domain with www"),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param("https://acme.example/", "https://docs.acme.example/", True, id="subdomain"),
        pytest.param(
            "https://acme.github.io/", "https://evil.github.io/", False, id="two Pages sites differ"
        ),
        pytest.param(
            "https://acme.netlify.app/", "https://other.netlify.app/", False, id="two Netlify sites"
        ),
        pytest.param(
            "https://acme.github.io/a", "https://acme.github.io/b", True, id="one Pages site"
        ),
        pytest.param(
            "https://github.com/fraudco", "https://github.com/opencost", False, id="two accounts"
        ),
        pytest.param(
            "https://github.com/fraudco", "https://github.com/Fraudco/lens", True, id="one account"
        ),
        pytest.param(
            "https://fraudco.s3.us-east-1.amazonaws.com/",
            "http://otherco.s3.us-east-1.amazonaws.com/globex/",
            False,
            id="two buckets on one regional S3 endpoint",
        ),
        pytest.param(
            "https://fraudco.s3-website-us-east-1.amazonaws.com/",
            "https://otherco.s3-website-us-east-1.amazonaws.com/",
            False,
            id="two buckets on one S3 website endpoint",
        ),
        pytest.param(
            "https://s3.us-east-1.amazonaws.com/fraudco/",
            "https://s3.us-east-1.amazonaws.com/otherco/globex/",
            False,
            id="two buckets addressed by path",
        ),
        pytest.param(
            "https://s3.us-east-1.amazonaws.com/fraudco/",
            "https://s3.us-east-1.amazonaws.com/fraudco/globex/",
            True,
            id="one bucket addressed by path",
        ),
        pytest.param(
            "https://sites.google.com/view/fraudco",
            "http://cloud.google.com/customers/globex/",
            False,
            id="a Google Site is not google.com",
        ),
        pytest.param(
            "https://sites.google.com/view/fraudco",
            "https://sites.google.com/view/otherco/globex",
            False,
            id="two Google Sites",
        ),
        pytest.param(
            "https://acme.vercel.app/", "https://other.vercel.app/", False, id="two Vercel apps"
        ),
        pytest.param(
            "https://acme.azurewebsites.net/",
            "https://other.azurewebsites.net/",
            False,
            id="two Azure web apps",
        ),
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same


@pytest.mark.parametrize(
    ("url", "site"),
    [
        pytest.param("https://docs.acme.example/x", "acme.example", id="a domain is its site"),
        pytest.param("https://github.com/Acme/lens", "github.com/acme", id="a GitHub account"),
        pytest.param("https://www.github.com/acme", "github.com/acme", id="www on GitHub"),
        pytest.param("https://github.com/", "github.com", id="GitHub's own root page"),
        pytest.param(
            "https://github.com/orgs/Acme/repositories",
            "github.com/orgs/acme",
            id="a GitHub organisation's pages, not every organisation's",
        ),
        pytest.param(
            "https://github.com/acme/%2e%2e/globex",
            "github.com/acme/../globex",
            id="an escaped dot segment makes a site of its own (a server may resolve it)",
        ),
        pytest.param(
            "https://uk.linkedin.com/company/acme/about",
            "uk.linkedin.com/company/acme",
            id="a host under a host shared by path follows its rules",
        ),
        pytest.param("https://gist.github.com/acme/1", "gist.github.com/acme", id="a gist"),
        pytest.param("https://acme.gitbook.io/docs", "acme.gitbook.io", id="a GitBook space"),
        pytest.param(
            "https://storage.googleapis.com/acme-site/index.html",
            "storage.googleapis.com/acme-site",
            id="a Cloud Storage bucket by path",
        ),
        pytest.param("https://www.facebook.com/acme", "facebook.com/acme", id="a Facebook page"),
        pytest.param("https://dev.azure.com/acme/", "dev.azure.com/acme", id="an Azure DevOps org"),
        pytest.param(
            "https://www.facebook.com/groups/AcmeFinOps/posts/1",
            "facebook.com/groups/acmefinops",
            id="a Facebook group, not every group",
        ),
        pytest.param(
            "https://www.facebook.com/profile.php?id=100012345",
            "facebook.com/profile.php?id=100012345",
            id="a route naming no owner is a site of its own, its query too",
        ),
        pytest.param(
            "https://github.com/marketplace/actions/acme-cost-report",
            "github.com/marketplace/actions/acme-cost-report",
            id="a GitHub Marketplace listing is no account's",
        ),
        pytest.param(
            "https://www.instagram.com/p/ACME1/", "instagram.com/p/acme1", id="an Instagram post"
        ),
        pytest.param(
            "https://www.youtube.com/watch?v=Acme1",
            "youtube.com/watch?v=Acme1",
            id="a page no rule fits is its own site, its query too",
        ),
        pytest.param(
            "https://x.com/acme/status/123",
            "x.com/acme/status/123",
            id="anyone's post shown under an account's path is no page of the account's",
        ),
        pytest.param("https://fb.com/Acme", "fb.com/acme", id="Facebook's other domain"),
        pytest.param(
            "https://www.facebook.com/acme/videos/111/",
            "facebook.com/acme/videos/111",
            id="a Facebook video shown under a page's path is no page of its own",
        ),
        pytest.param(
            "https://instagr.am/acme/tv/Abc1/",
            "instagr.am/acme/tv/abc1",
            id="Instagram's other domain shows anyone's post under an account too",
        ),
        pytest.param("https://gitlab.com/acme/sub/repo", "gitlab.com/acme", id="a GitLab group"),
        pytest.param(
            "https://sourceforge.net/projects/acme/files/",
            "sourceforge.net/projects/acme",
            id="a SourceForge project",
        ),
        pytest.param("https://medium.com/@acme/post-1", "medium.com/@acme", id="a Medium author"),
        pytest.param(
            "https://medium.com/tag/finops", "medium.com/tag", id="Medium's own pages, by section"
        ),
        pytest.param(
            "https://www.linkedin.com/company/acme/about/",
            "linkedin.com/company/acme",
            id="a LinkedIn company page",
        ),
        pytest.param(
            "https://docs.github.com/en",
            "docs.github.com/en",
            id="another GitHub host is scoped by path as GitHub is (never all of github.com)",
        ),
        pytest.param("github.com", "github.com", id="a bare host is the host's own site"),
        pytest.param(
            "https://sites.google.com/view/Acme/case-studies",
            "sites.google.com/view/acme",
            id="a Google Site (new)",
        ),
        pytest.param(
            "https://sites.google.com/site/acme/home",
            "sites.google.com/site/acme",
            id="a Google Site (classic)",
        ),
        pytest.param(
            "https://s3.amazonaws.com/acme/index.html",
            "s3.amazonaws.com/acme",
            id="an S3 bucket addressed by path",
        ),
        pytest.param(
            "http://acme.s3-website-us-east-1.amazonaws.com/x",
            "acme.s3-website-us-east-1.amazonaws.com",
            id="an S3 website is its bucket's host",
        ),
    ],
)
def test_site_of(url: str, site: str) -> None:
    assert site_of(url) == site


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("https://acme.example/x#top", "https://acme.example/x", id="fragment"),
        pytest.param("https://acme.example/x/", "https://acme.example/x", id="trailing slash"),
        pytest.param("https://www.acme.example/x", "https://acme.example/x", id="www"),
        pytest.param(
            "https://acme.example/x?utm_source=mail&utm_campaign=q3",
            "https://acme.example/x",
            id="utm parameters",
        ),
        pytest.param(
            "https://acme.example/x?gclid=1&fbclid=2&id=7",
            "https://acme.example/x?id=7",
            id="click ids, other parameters kept",
        ),
        pytest.param("HTTPS://ACME.Example:443/x", "https://acme.example/x", id="case, port"),
        pytest.param("http://acme.example:80", "http://acme.example/", id="the root"),
        pytest.param(
            "https://acme.example/x?b=2&a=1", "https://acme.example/x?a=1&b=2", id="order"
        ),
    ],
)
def test_spellings_of_one_page_normalise_alike(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("https://acme.example/A", "https://acme.example/a", id="path case"),
        pytest.param("https://acme.example/x?id=1", "https://acme.example/x?id=2", id="query"),
        pytest.param("https://acme.example:8443/x", "https://acme.example/x", id="another port"),
        pytest.param("http://acme.example/x", "https://acme.example/x", id="scheme"),
    ],
)
def test_different_pages_stay_apart(a: str, b: str) -> None:
    assert normalize_url(a) != normalize_url(b)


_BASES = [
    "http://acme.example/",
    "http://acme.example/docs/page?x=1#top",
    "https://acme.example/docs/",
    "https://ACME.example:443/a/b/../c",
    "http://user:pw@acme.example:8080/dir/file",
    "http://other.example/deep/er/path/",
    "http://acme.example",
    "ftp://acme.example/x",
    "not a url",
    "http://[::1/",
    "https://lensco.example\\@aws.amazon.com/marketplace/pp/x",  # a browser: lensco.example
    "https://lensco.example%5C@aws.amazon.com/marketplace/pp/x",  # the same, once joined
]
_REFS = [
    "/",
    "/about",
    "/about/../team?q=1#f",
    "//cdn.example/x",
    "http://acme.example/x",
    "https://acme.example/x",
    "http:///no-host",
    "http:relative",
    "HTTP://ACME.example/Up",
    "https://acme.example:8443/p?q#f",
    "about",
    "../up",
    "?only=query",
    "#frag",
    "",
    " /spaced",
    "\n\t https://globex.example/ \x00",
    "https://glo\nbex.exa\tmple/a\rb",
    "/with space",
    "/back\\slash",
    "javascript:alert(1)",
    "mailto:x@acme.example",
    "http://[::1",
    "/%zz",
    "/ünï",
]


def _uncached(base: str, ref: str) -> str | None:
    # httpx's join of the reference as a browser reads it (_browser_href, tested below).
    ref = _browser_href(ref, base)
    try:
        return str(httpx.URL(base).join(ref))
    except (httpx.InvalidURL, TypeError, ValueError):
        return None


def test_join_url_answers_as_httpx_whatever_was_joined_before() -> None:
    # Remembered joins are keyed by what a join depends on: asked in any order, after any
    # other base, the answer is what httpx gives for this base and reference.
    pairs = [(b, r) for b in _BASES for r in _REFS]
    for order in (pairs, pairs[::-1], random.Random(3).sample(pairs, len(pairs))):
        for base, ref in order:
            assert join_url(base, ref) == _uncached(base, ref), (base, ref)


def test_a_plain_absolute_path_joins_as_httpx_joins_it() -> None:
    # join_url writes a plain path ("/section-2/page-3/") after the base's origin as
    # httpx writes it, without a join: every base here, with paths made of every
    # character the shortcut takes and of those it leaves to httpx.
    rng = random.Random(7)
    plain = "abcXYZ019-._~"
    paths = ["/", "/a", "/a/", "/A-b_c~d.e/f.", "/x/y/z/"]
    paths += [
        "/"
        + "/".join(
            "".join(rng.choices(plain, k=rng.randint(1, 6))) for _ in range(rng.randint(1, 4))
        )
        + rng.choice(["", "/"])
        for _ in range(300)
    ]
    paths += ["/./a", "/../a", "/a//b", "/.a", "/a/..", "/a%2e", "/a?q", "/a#f", "/ä"]
    for base in [
        *_BASES,
        "http://u:p@acme.example:8080",
        "HTTPS://Acme.Example:443",
        "ftp://acme.example/",
    ]:
        for path in paths:
            assert join_url(base, path) == _uncached(base, path), (base, path)


class _Spelled(str):
    """A string of another type than ``str`` (as a parsed page's strings are)."""


def test_origin_of_answers_the_same_remembered_or_not() -> None:
    # origin_of remembers short strings: asked twice, as a plain string, a string of
    # another type or an httpx.URL, the answer is the one worked out afresh.
    urls = [*_BASES, "http://u:p@acme.example:8080/a", "HTTPS://Acme.Example:443/x", "::", ""]
    urls += ["http://[::1]:8000/", "http://ex ample/", "http://acme.example/" + "a" * 3000]
    for url in urls * 2:
        fresh = urls_module._origin_of(url)
        assert origin_of(url) == fresh, url
        assert origin_of(_Spelled(url)) == fresh, url
        if fresh:
            assert origin_of(httpx.URL(url)) == fresh, url


def test_origin_of_does_not_keep_a_long_url() -> None:
    before = urls_module._origin_of_remembered.cache_info().currsize
    assert origin_of("http://acme.example/" + "b" * 2100) == "http://acme.example"
    assert urls_module._origin_of_remembered.cache_info().currsize == before


def _parsed(parse: Callable[[str], httpx.URL], url: str) -> tuple[str, ...] | type[Exception]:
    try:
        got = parse(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return type(exc)
    return (str(got), got.scheme, got.host, got.path, str(got.params))


def test_parse_url_answers_as_httpx_remembered_or_not() -> None:
    # The checks ask parse_url several questions of each link; asked again (remembered),
    # as a string of another type or too long to remember, it gives what httpx.URL gives,
    # and raises what httpx raises for a malformed URL.
    urls = [*_BASES, "https://github.com/Acme/lens?x=1#f", "HTTP://WWW.Acme.Example:80/A"]
    urls += ["https://aws.amazon.com/marketplace/pp/prodview-x?productId=1", "/relative"]
    urls += ["http://acme.example/" + "c" * 3000, "http://[::1", "http://ex ample/", "::"]
    for url in urls * 2:
        expected = _parsed(httpx.URL, url)
        assert _parsed(parse_url, url) == expected, url
        assert _parsed(parse_url, _Spelled(url)) == expected, url


MALFORMED_HOSTS = [
    "https://xn--zz.example/a/b",  # no punycode: httpx parses it, then raises on .host
    "https://xn--.example/",
    "https://xn--ls8h.la/",  # punycode of a character IDNA refuses
    "http://[::1/",
    "https://lensco.example\\@aws.amazon.com/marketplace/pp/x",  # a browser: lensco.example
    "https://lensco.example%5C@aws.amazon.com/marketplace/pp/x",  # the same, once joined
]


@pytest.mark.parametrize("href", MALFORMED_HOSTS)
def test_a_link_whose_host_cannot_be_read_is_no_url_and_crashes_no_question(href: str) -> None:
    # Pages are hostile: a link on one must never make a check asking where it leads crash
    # (it would turn a fail into an error). site_of and normalize_url answer as for a
    # string that is no URL; the link is on no one's site.
    assert parse_link(href) is None
    assert site_of(href) == href.strip().lower()
    assert not same_site(href, "https://acme.example/")
    assert normalize_url(href) == href


def test_parse_link_gives_what_parse_url_gives_for_a_readable_link() -> None:
    for href in ["https://WWW.Acme.example/x?y=1", "https://xn--bcher-kva.example/shop"]:
        assert parse_link(href) == parse_url(href)
        assert parse_link(href) is not None


@pytest.mark.parametrize(
    ("url", "website", "owned"),
    [
        pytest.param(
            "https://globex.docs-platform.example/x",
            "https://acme.docs-platform.example/",
            False,
            id="another tenant of a platform no list knows",
        ),
        pytest.param(
            "https://acme.docs-platform.example/customers",
            "https://ACME.docs-platform.example./",
            True,
            id="the website's own host, case and final dot aside",
        ),
        pytest.param(
            "https://blog.acme.example/story",
            "https://www.acme.example/",
            True,
            id="a company's subdomain when its website is its domain",
        ),
        pytest.param(
            "https://github.com/globex/x", "https://github.com/acme", False, id="another account"
        ),
        pytest.param("https://xn--zz.acme.example/", "https://acme.example/", False, id="no host"),
        pytest.param(
            "https://github.com/enterprises/globex",
            "https://github.com/enterprises/acme",
            False,
            id="a page of a host shared by path lies under the website's own path",
        ),
        pytest.param(
            "https://github.com/acme/lens/issues",
            "https://github.com/acme",
            True,
            id="a page under the website's path is the applicant's",
        ),
        pytest.param(
            "https://s3.amazonaws.com/AcmeBucket/story.html",
            "https://s3.amazonaws.com/acmebucket",
            False,
            id="an S3 bucket's name keeps its case: AcmeBucket is another bucket",
        ),
    ],
)
def test_owned_by_takes_a_website_on_a_subdomain_for_its_host_alone(
    url: str, website: str, owned: bool
) -> None:
    assert owned_by(url, website) is owned


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(
            "https://www.linkedin.com/pulse/x%3Fa=1",
            "https://www.linkedin.com/pulse/x?a=1",
            False,
            id="an escaped ? is part of the article's name, not a query",
        ),
        pytest.param(
            "https://www.linkedin.com/pulse/a%2Fb",
            "https://www.linkedin.com/pulse/a/b",
            False,
            id="an escaped / is part of its segment",
        ),
        pytest.param(
            "https://github.com/acme%2Fglobex",
            "https://github.com/acme",
            False,
            id="an owner segment holding an escaped / is another owner",
        ),
        pytest.param(
            "https://github.com/%41cme/lens",
            "https://github.com/acme",
            True,
            id="an escaped letter is that letter",
        ),
        pytest.param(
            "https://github.com/%C3%BCber/x",
            "https://github.com/über",
            True,
            id="an escaped letter beyond ASCII is that letter",
        ),
        pytest.param(
            "https://github.com/%C3%9Cber/x",
            "https://github.com/über",
            False,
            id="case is set aside in ASCII only",
        ),
        pytest.param(
            "https://www.youtube.com/@%E2%84%AAacme",
            "https://www.youtube.com/@kacme",
            False,
            id="a Kelvin sign is no k",
        ),
        pytest.param(
            "https://github.com/x%FE/a",
            "https://github.com/x%FF",
            False,
            id="bytes that are no UTF-8 stay apart",
        ),
        pytest.param(
            "https://github.com/acme/..;/globex",
            "https://github.com/acme",
            False,
            id="..; is .. to Tomcat and Jetty",
        ),
        pytest.param(
            "https://github.com/acme/%252e%252e/globex",
            "https://github.com/acme",
            False,
            id="a .. escaped twice is .. to a proxy decoding again",
        ),
        pytest.param(
            "https://x.com/acme/statuses/1",
            "https://x.com/acme",
            False,
            id="anyone's post under the old statuses route",
        ),
        pytest.param(
            "https://www.facebook.com/acme/video/1",
            "https://www.facebook.com/acme",
            False,
            id="anyone's video under a page's path",
        ),
        pytest.param(
            "https://x.com/i/web/status/1",
            "https://x.com/i/web",
            False,
            id="a route of x.com is nobody's account",
        ),
    ],
)
def test_a_path_is_split_into_segments_before_it_is_decoded(a: str, b: str, same: bool) -> None:
    """Round 5 of r25's attacks: site_of split the decoded path, so two pages a server
    tells apart (``pulse/x%3Fa=1`` and ``pulse/x?a=1``) were one site to the checks that
    compare sites alone (community's trusted sites, membership's links elsewhere). And
    r26's: spellings a server may read otherwise, and routes showing anyone's post."""
    assert same_site(a, b) is same
    assert owned_by(a, b) is same


@pytest.mark.parametrize(
    "href",
    [
        " https://www.globex.example/",
        "\n  https://www.globex.example/\n",
        "https://www.glo\nbex.example/",
        "\x01https://www.globex.example/\t",
    ],
)
def test_a_padded_or_broken_href_leads_where_a_browser_goes(href: str) -> None:
    """r26's attacks: a member directory's entry whose link a template padded with spaces
    or broke over lines was read as no link (or as a path in the directory), so the
    entry bearing the applicant's name linked "nowhere" instead of to another company."""
    assert join_url("https://www.finops.example/members/", href) == "https://www.globex.example/"


@pytest.mark.parametrize(
    ("url", "website", "owned"),
    [
        pytest.param(
            "https://s3-external-1.amazonaws.com/walmart-stories/case.html",
            "https://s3-external-1.amazonaws.com/acme-www/index.html",
            False,
            id="another bucket of an S3 endpoint no pattern knows",
        ),
        pytest.param(
            "https://s3-external-1.amazonaws.com/acme-www/customers.html",
            "https://s3-external-1.amazonaws.com/acme-www/index.html",
            True,
            id="a page of the website's own bucket (its index page is its folder)",
        ),
        pytest.param(
            "https://huggingface.co/spaces/walmart/case",
            "https://huggingface.co/acmecloud",
            False,
            id="another account of a host no list knows is shared by path",
        ),
        pytest.param(
            "https://substack.com/@walmartblog/p/case",
            "https://substack.com/@acmecloud",
            False,
            id="another writer's post",
        ),
        pytest.param(
            "https://www.acme.example/customers/globex",
            "https://www.acme.example/en/",
            False,
            id="a website given as a path owns that path only: a person looks at the rest",
        ),
        pytest.param(
            "https://www.acme.example/en/customers/globex",
            "https://www.acme.example/en",
            True,
            id="a page under the website's path",
        ),
        pytest.param(
            "https://docs.acme.example/customers/globex",
            "https://www.acme.example/index.html",
            True,
            id="a website given as its index page is its site's root",
        ),
    ],
)
def test_a_website_given_as_a_path_owns_what_lies_under_it(
    url: str, website: str, owned: bool
) -> None:
    """r26's attacks: a website that is a path on a host no list knows is shared by path
    (an S3 endpoint, huggingface.co, substack.com) owned every other bucket or account
    there, for case studies, framework alignment, the offering and membership."""
    assert owned_by(url, website) is owned


@pytest.mark.parametrize(
    ("href", "joined"),
    [
        ("https:///www.globex.example/", "https://www.globex.example/"),
        ("///www.globex.example/", "https://www.globex.example/"),
        ("https://///www.globex.example/", "https://www.globex.example/"),
        ("////www.globex.example/", "https://www.globex.example/"),
        ("https:\\\\www.globex.example\\a", "https://www.globex.example/a"),
        ("\\\\www.globex.example/", "https://www.globex.example/"),
        ("http:www.globex.example", "http://www.globex.example"),
        # The base's own scheme with fewer than two slashes is a reference on its site.
        ("https:/www.globex.example/", "https://www.finops.example/www.globex.example/"),
        ("https:www.globex.example", "https://www.finops.example/members/www.globex.example"),
        ("/a\\b?q=\\x", "https://www.finops.example/a/b?q=\\x"),
    ],
)
def test_slashes_and_backslashes_are_read_as_a_browser_reads_them(href: str, joined: str) -> None:
    """r26's second attack round: a member's entry linking by ``https:///www.globex.example/``
    (a browser goes to globex.example) was read as a profile page on the directory's own
    site, which ties an entry to nobody, so an impostor named like the member passed."""
    assert join_url("https://www.finops.example/members/", href) == joined


@pytest.mark.parametrize(
    ("url", "website"),
    [
        pytest.param(
            "https://huggingface.co/acme/%2e%2e/walmart/case.html",
            "https://huggingface.co/acme/",
            id="a %2e%2e a server reads as .. after the website's folder",
        ),
        pytest.param(
            "https://s3-external-1.amazonaws.com/walmart/case.html",
            "https://s3-external-1.amazonaws.com/default.zq9x1/",
            id="a bucket named like an index page",
        ),
        pytest.param(
            "https://s3-external-1.amazonaws.com/walmart/case.html",
            "https://s3-external-1.amazonaws.com/index.html",
            id="a bucket named index.html",
        ),
        pytest.param(
            "https://s3-external-1.amazonaws.com/walmart/case.html",
            "https://s3-external-1.amazonaws.com/#/acme-www/",
            id="a bucket shown in a fragment",
        ),
        pytest.param(
            "https://s3-external-1.amazonaws.com/walmart/case.html",
            "https://s3-external-1.amazonaws.com/?bucket=acme-www",
            id="a bucket shown in a query",
        ),
        pytest.param(
            "https://huggingface.co/acme/..%2Fwalmart/case.html",
            "https://huggingface.co/acme/",
            id="a .. hidden in a segment: ..%2Fwalmart",
        ),
        pytest.param(
            "https://s3.cn-north-1.amazonaws.com.cn/walmart/case.html",
            "https://s3.cn-north-1.amazonaws.com.cn/acme/",
            id="another bucket of an S3 endpoint in China",
        ),
        pytest.param(
            "https://commondatastorage.googleapis.com/walmart/case.html",
            "https://commondatastorage.googleapis.com/acme/",
            id="another bucket of Cloud Storage by an older name",
        ),
    ],
)
def test_a_website_whose_path_does_not_say_what_it_owns_owns_nothing_else(
    url: str, website: str
) -> None:
    """r26's second attack round: websites that looked like a path but were read as a
    host's root (an index-like bucket name, a fragment, a query) owned every bucket."""
    assert not owned_by(url, website)


@pytest.mark.parametrize(
    "website",
    [
        "https://www.acme.example/home.php",
        "https://www.acme.example/#/",
        "https://www.acme.example/#home",
        "https://www.acme.example/?lang=en",
        "https://www.acme.example/?hsLang=en&utm_source=x",
        "https://www.acme.example/index.cfm",
    ],
)
def test_a_websites_index_page_query_or_fragment_is_its_root(website: str) -> None:
    """r26's third attack round: the second round's fix made these common ways to write
    a website own nothing but themselves (a real applicant's case studies failed)."""
    assert owned_by("https://www.acme.example/customers/globex", website)
    assert owned_by(
        "https://cloud.acme.example/customers/globex", "https://cloud.acme.example/index.html"
    )
