"""offering: the landing page is public, on the applicant's site, purchasable or open source."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
import respx

from plugins._signs import marketplace_listing
from plugins.offering import OfferingCheck
from verifier import Status
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

ACME = {"name": "Acme Cloud Economics, Inc.", "website": "http://acme.example/", "employees": 1200}
OPENLENS = {"name": "OpenLens Foundation", "website": "http://openlens.example/", "employees": 12}


def offering(name: str, url: str) -> dict[str, Any]:
    return {"name": name, "landing_page": url}


CASES = [
    pytest.param(
        ACME,
        offering("Acme Lens", "http://acme.example/lens"),
        Status.PASS,
        "Acme Lens is listed at http://acme.example/lens and is purchasable",
        id="a SaaS page with pricing, a trial and a marketplace listing passes",
    ),
    pytest.param(
        OPENLENS,
        offering("OpenLens", "http://openlens.example/"),
        Status.PASS,
        "OpenLens is listed at http://openlens.example/ and is open source",
        id="an open-source project page linking its repository passes",
    ),
    pytest.param(
        ACME,
        offering("Acme Lens", "http://acme.example/lens-retired"),
        Status.FAIL,
        "the landing page http://acme.example/lens-retired answered 404: the page does not exist",
        id="a landing page that is gone fails",
    ),
    pytest.param(
        ACME,
        offering("Acme Vision", "http://acme.example/lens"),
        Status.FAIL,
        "the landing page does not name 'Acme Vision'",
        id="a page that does not name the offering fails",
    ),
    pytest.param(
        ACME,
        offering("Acme Lens", "http://acme.example/about/"),
        Status.FAIL,
        "Acme Lens: the page shows no pricing, trial, marketplace listing or public repository",
        id="a page with no sign of purchase or open source fails",
    ),
    pytest.param(
        {**ACME, "website": "http://acme-corp.example/"},
        offering("Acme Lens", "http://acme.example/lens"),
        Status.NEEDS_REVIEW,
        "Acme Lens is on acme.example, not on the applicant's domain acme-corp.example",
        id="a page on another domain than the applicant's needs review",
    ),
]


@pytest.mark.parametrize(("who", "what", "status", "summary"), CASES)
def test_offering(
    sites: SiteServer, who: dict[str, Any], what: dict[str, Any], status: Status, summary: str
) -> None:
    result = run_check(
        OfferingCheck(), make_submission(applicant=who, offering=what), settings=settings_for(sites)
    )
    assert (result.status, result.summary) == (status, summary)


def test_a_pass_records_what_counted_with_the_page_hash(sites: SiteServer) -> None:
    result = run_check(
        OfferingCheck(),
        make_submission(applicant=ACME, offering=offering("Acme Lens", "http://acme.example/lens")),
        settings=settings_for(sites),
    )
    kinds = [e.kind for e in result.evidence]
    assert kinds[0] == "fetch"
    assert "purchase" in kinds
    marketplace = [e for e in result.evidence if "marketplace listing" in e.detail]
    assert marketplace[0].excerpt == "Acme Lens on AWS Marketplace"
    page_hash = result.evidence[0].sha256
    assert all(e.sha256 == page_hash for e in result.evidence)


def test_words_inside_scripts_do_not_count_as_signs(sites: SiteServer) -> None:
    result = run_check(
        OfferingCheck(),
        make_submission(applicant=ACME, offering=offering("Acme Lens", "http://acme.example/lens")),
        settings=settings_for(sites),
        params={"purchase_terms": ["analytics"]},
    )
    # "analytics" only appears in the page's <script>; the marketplace link still counts.
    assert not any("'analytics'" in e.detail for e in result.evidence)
    assert result.status == Status.PASS
    assert [e.excerpt for e in result.evidence if e.kind == "purchase"] == [
        "Acme Lens on AWS Marketplace"
    ]


def test_no_offering_in_the_submission_fails_as_not_provided(sites: SiteServer) -> None:
    result = run_check(
        OfferingCheck(), make_submission(applicant=ACME), settings=settings_for(sites)
    )
    assert (result.status, result.summary) == (
        Status.FAIL,
        "not provided: the submission has no 'offering'",
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_an_error_after_retries_with_the_attempts_in_evidence(
    sites: SiteServer,
) -> None:
    port = closed_port()
    settings = settings_for(
        sites,
        retries=2,
        backoff=0.01,
        resolve=(*sites.resolve_pairs(), ("down.example:80", f"127.0.0.1:{port}")),
    )
    result = run_check(
        OfferingCheck(),
        make_submission(
            applicant={**ACME, "website": "http://down.example/"},
            offering=offering("Acme Lens", "http://down.example/lens"),
        ),
        settings=settings,
    )
    assert result.status == Status.ERROR
    assert result.summary.startswith(
        "the landing page http://down.example/lens could not be fetched (gave up after 3 "
        "attempts: could not connect"
    )
    (fetch,) = result.evidence
    assert fetch.data["attempts"] == 3
    assert fetch.data["error_type"] == "FetchFailed"


LANDING = "http://lens.test/product"
LENS_CO = {"name": "Lens Co", "website": "http://lens.test/", "employees": 40}
PROSE = "<p>Acme Lens shows where the cloud money goes, team by team, every day.</p>"


def landing(body: str, **declared: str) -> RequirementResult:
    html = f"<html><head><title>Acme Lens</title></head><body>{body}</body></html>"
    with respx.mock(assert_all_called=True) as router:
        router.get(LANDING).mock(httpx.Response(200, html=html))
        return run_check(
            OfferingCheck(),
            make_submission(
                applicant=LENS_CO, offering={**offering("Acme Lens", LANDING), **declared}
            ),
            settings=settings_for(None),
        )


OPEN = f"Acme Lens is listed at {LANDING} and is open source"
SOLD = f"Acme Lens is listed at {LANDING} and is purchasable"


@pytest.mark.parametrize(
    ("body", "declared", "status", "summary"),
    [
        pytest.param(
            f"{PROSE}<p>Released under the MIT License. We have big plans.</p>",
            {},
            Status.NEEDS_REVIEW,
            "Acme Lens: only weak signs that it is sold or open source (the page says "
            "'plans'; the page says 'license'); a person must judge",
            id="a licence and big plans are weak signs a person judges, not a pass",
        ),
        pytest.param(
            f"{PROSE}<a href='https://github.com/someone/dotfiles'>our dotfiles</a>",
            {},
            Status.NEEDS_REVIEW,
            "Acme Lens: only weak signs that it is sold or open source (links to a "
            "repository: https://github.com/someone/dotfiles); a person must judge",
            id="a link to an unrelated repository is a weak sign a person judges, not a pass",
        ),
        pytest.param(
            f"{PROSE}<a href='https://github.com/lensco/acme-lens'>source</a>",
            {},
            Status.PASS,
            OPEN,
            id="a repository whose name is the offering's is open source",
        ),
        pytest.param(
            f"{PROSE}<a href='https://git.lens.test/src/lens'>source</a>",
            {"open_source_repository": "https://git.lens.test/src/lens"},
            Status.NEEDS_REVIEW,
            "Acme Lens: the page links to the declared repository "
            "https://git.lens.test/src/lens, but the declared repository is not on a code "
            "host (as host/owner/name on github.com, gitlab.com, bitbucket.org, "
            "codeberg.org, sourceforge.net); a person must judge",
            id="a declared repository on no code host is for a person to judge (attack2)",
        ),
        pytest.param(
            f"{PROSE}<a href='https://github.com/lensco/tools'>source</a>",
            {"open_source_repository": "https://github.com/lensco/tools/"},
            Status.PASS,
            OPEN,
            id="a link to the declared repository on a code host is open source",
        ),
        pytest.param(
            f"{PROSE}<a href='https://github.com/topics/acme-lens'>#acme-lens</a>"
            "<a href='https://gitlab.com/explore/acme-lens'>explore</a>",
            {},
            Status.FAIL,
            "Acme Lens: the page shows no pricing, trial, marketplace listing or public repository",
            id="a code host's own pages (topics, explore) are no repository (attack2)",
        ),
        pytest.param(
            f"{PROSE}<a href='https://github.com/topics/acme-lens'>#acme-lens</a>",
            {"open_source_repository": "https://github.com/topics/acme-lens"},
            Status.NEEDS_REVIEW,
            "Acme Lens: the page links to the declared repository "
            "https://github.com/topics/acme-lens, but the declared repository is not on a "
            "code host (as host/owner/name on github.com, gitlab.com, bitbucket.org, "
            "codeberg.org, sourceforge.net); a person must judge",
            id="a code host's own page declared as the repository is for a person to judge",
        ),
        pytest.param(
            f"{PROSE}<a href='https://aws.amazon.com/marketplace'>AWS Marketplace</a>"
            "<a href='https://aws.amazon.com/marketplace/search/results?searchTerms=lens'>s</a>"
            "<a href='https://azuremarketplace.microsoft.com/en-us/marketplace/apps'>Azure</a>"
            "<a href='https://cloud.google.com/marketplace/browse?q=lens'>GCP</a>"
            "<a href='https://azuremarketplace.microsoft.com/en-us/marketplace/apps/category/"
            "analytics'>Analytics</a>"
            "<a href='https://aws.amazon.com.evil.test/marketplace/pp/prodview-x'>evil</a>",
            {},
            Status.FAIL,
            "Acme Lens: the page shows no pricing, trial, marketplace listing or public repository",
            id="a marketplace's home, search or category page is no listing (attack2)",
        ),
        pytest.param(
            f"{PROSE}<a href='https://aws.amazon.com/marketplace/pp/prodview-acmelens'>AWS</a>",
            {},
            Status.PASS,
            SOLD,
            id="a marketplace listing is a sign of sale",
        ),
        pytest.param(
            f"{PROSE}<a href='https://azuremarketplace.microsoft.com/en-us/marketplace/apps/"
            "lensco.acme-lens?tab=Overview'>Azure</a>",
            {},
            Status.PASS,
            SOLD,
            id="an Azure Marketplace app past the locale and sections is a listing",
        ),
        pytest.param(
            f"{PROSE}<a href='HTTPS://WWW.AWS.Amazon.COM/marketplace/pp/prodview-acmelens'>AWS</a>",
            {},
            Status.PASS,
            SOLD,
            id="a marketplace listing's host is read whatever its case, www. aside",
        ),
        pytest.param(
            f"{PROSE}<a href='https://aws\uff0eamazon\uff0ecom/marketplace/pp/prodview-acme'>"
            "AWS</a>",
            {},
            Status.PASS,
            SOLD,
            id="a listing whose host is written with full-width dots is the marketplace's",
        ),
        pytest.param(
            f"{PROSE}<a href='https://marketplace.oracle.com/?productId=4242'>Oracle</a>",
            {},
            Status.PASS,
            SOLD,
            id="a listing id in the query is a listing",
        ),
        pytest.param(
            f"{PROSE}<a href='/buy'>Plans &amp; Pricing</a>",
            {},
            Status.PASS,
            SOLD,
            id="plans and pricing is a sign of sale",
        ),
        pytest.param(
            f"{PROSE}<p>From $9 per seat.</p>", {}, Status.PASS, SOLD, id="a per-seat price"
        ),
        pytest.param(
            "<div id='root'></div><script src='/app.js'></script>",
            {},
            Status.NEEDS_REVIEW,
            f"the landing page {LANDING} has almost no text and runs scripts (a page built "
            "by JavaScript?); a person must read it",
            id="a page built by JavaScript needs a person, it is no absence of signs",
        ),
    ],
)
def test_signs_of_sale_and_open_source(
    body: str, declared: dict[str, str], status: Status, summary: str
) -> None:
    result = landing(body, **declared)
    assert (result.status, result.summary) == (status, summary)


def test_a_headings_hidden_words_are_no_topic_and_a_name_is_found_as_whole_words() -> None:
    from plugins._signs import names, visible
    from tests.helpers import html_page

    page = html_page(
        "<html><head><title>Services</title></head><body>"
        '<h1>Cloud<span style="display:none"> FinOps</span> consulting</h1>'
        "<p>Our Lenses practice.</p></body></html>"
    )
    content = visible(page)
    assert content.headings == [("title", "Services"), ("h1", "Cloud consulting")]
    assert not names(content, "Lens")  # "Lens" is not in "Lenses"
    assert names(content, "Cloud consulting")


@pytest.mark.parametrize(
    ("href", "prefixes", "listed"),
    [
        (
            "https://aws.amazon.com/marketplace/pp/prodview-acme",
            ["aws.amazon.com/marketplace"],
            True,
        ),
        (
            "https://AWS.Amazon.com/marketplace/pp/prodview-acme",
            ["www.aws.amazon.com/marketplace"],
            True,
        ),
        ("https://example.com/marketplace/pp/prodview-acme", ["aws.amazon.com/marketplace"], False),
        (
            "https://aws.amazon.com.evil.test/marketplace/pp/x",
            ["aws.amazon.com/marketplace"],
            False,
        ),
        ("https://xn--bcher-kva.example/shop/item-1", ["bücher.example/shop"], True),
        ("https://b%C3%BCcher.example/shop/item-1", ["b%c3%bccher.example/shop"], True),
        (
            "https://aws.amazon.com./marketplace/pp/prodview-acme",
            ["aws.amazon.com/marketplace"],
            True,
        ),
        (
            "https://xn--zz.aws.amazon.com/marketplace/pp/prodview-acme",
            ["aws.amazon.com/marketplace"],
            False,
        ),
        (
            "https://aws.amazon.com../marketplace/pp/prodview-acme",
            ["aws.amazon.com/marketplace"],
            False,
        ),
        (
            "https://lensco.example%5C@aws.amazon.com/marketplace/pp/prodview-acme",
            ["aws.amazon.com/marketplace"],
            False,
        ),
    ],
)
def test_a_marketplace_listing_is_known_by_its_host_however_the_link_writes_it(
    href: str, prefixes: list[str], listed: bool
) -> None:
    """A link is a listing only on a marketplace's own host (case, www. and a fully
    qualified name's final dot aside), also when the policy names the host in Unicode and
    the link in punycode, or with %-escapes. A link whose host httpx cannot read (no
    punycode) leads nowhere: no listing."""
    assert marketplace_listing(href, prefixes) is listed


def test_links_whose_host_cannot_be_read_change_no_verdict() -> None:
    """An applicant's page cannot turn the offering check's fail into an error (a crash)
    with a link to a host that is no punycode, where the check asks whether the link is a
    marketplace listing or a repository."""
    bad = (
        "<a href='https://xn--zz.aws.amazon.com/marketplace/pp/prodview-acme'>buy</a>"
        "<a href='https://xn--zz.example/lensco/acme-lens'>source</a>"
    )
    alone = landing(PROSE)
    with_bad_links = landing(PROSE + bad)
    assert alone.status is Status.FAIL
    assert (with_bad_links.status, with_bad_links.summary) == (alone.status, alone.summary)


def test_a_repository_on_a_fully_qualified_code_host_is_that_repository() -> None:
    from plugins._signs import repository_of

    hosts = ["github.com"]
    assert repository_of("https://github.com./lensco/acme-lens", hosts) == ("lensco", "acme-lens")
    assert repository_of("https://xn--zz.github.com/lensco/acme-lens", hosts) is None
    # Only one final dot: "github.com.." is no host name (a submission is refused it).
    assert repository_of("https://github.com../lensco/acme-lens", hosts) is None


@pytest.mark.parametrize(
    ("website", "landing_page"),
    [
        ("https://acme.docs-platform.example/", "https://globex.docs-platform.example/lens"),
        (
            "https://github.com/marketplace/actions/acme-report",
            "https://github.com/marketplace/actions/acme-lens",
        ),
    ],
)
def test_a_landing_page_of_another_tenant_is_not_on_the_applicants_domain(
    website: str, landing_page: str
) -> None:
    """Another subdomain of the domain the website is on a subdomain of, or another
    listing of a route naming no owner, is not the applicant's (attack r25): a person
    looks, as for any landing page elsewhere."""
    html = (
        "<html><head><title>Acme Lens</title></head><body>"
        f"{PROSE}<p>Pricing: $49 per month. Start a free trial.</p></body></html>"
    )
    with respx.mock(assert_all_called=False) as router:
        router.get(landing_page).mock(httpx.Response(200, html=html))
        result = run_check(
            OfferingCheck(),
            make_submission(
                applicant={**LENS_CO, "website": website},
                offering=offering("Acme Lens", landing_page),
            ),
            settings=settings_for(None),
        )
    assert result.status is Status.NEEDS_REVIEW, result.summary
    assert "not on the applicant's domain" in result.summary
