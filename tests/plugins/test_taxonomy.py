"""The Framework taxonomy file: loads, and a broken one is refused with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins._taxonomy import load_taxonomy

BUNDLED = "framework/finops-framework.yaml"


def test_the_bundled_framework_has_four_current_domains_and_every_capability_in_one() -> None:
    tax = load_taxonomy(BUNDLED)
    assert [d.title for d in tax.domains] == [
        "Understand Usage & Cost",
        "Quantify Business Value",
        "Optimize Usage & Cost",
        "Manage the FinOps Practice",
    ]
    assert len([c for c in tax.capabilities if not c.retired]) == 22
    assert all(tax.domain_of(c) for c in tax.capabilities)


@pytest.mark.parametrize(
    ("href", "title"),
    [
        pytest.param(
            "https://www.finops.org/framework/capabilities/manage-shared-cloud-cost/",
            "Allocation",
            id="a 2022 capability merged into a current one resolves to it",
        ),
        pytest.param(
            "https://www.finops.org/framework/capabilities/cloud-policy-governance/",
            "Governance, Policy & Risk",
            id="a 2024 slug resolves to the 2026 title",
        ),
        pytest.param(
            "https://www.finops.org/framework/domains/organizational-alignment/",
            "Manage the FinOps Practice",
            id="a 2022 domain resolves to its current domain",
        ),
        pytest.param(
            "https://WWW.FinOps.org/framework/capabilities/onboarding-workloads/",
            "Onboarding Workloads",
            id="a retired capability still resolves and host case does not matter",
        ),
    ],
)
def test_links_of_every_version_resolve_to_the_current_item(href: str, title: str) -> None:
    link = load_taxonomy(BUNDLED).classify(href)
    assert link is not None
    assert link.item is not None
    assert link.item.title == title


@pytest.mark.parametrize(
    ("href", "kind"),
    [
        pytest.param(
            "https://www.finops.org/framework/", "home", id="the framework home names nothing"
        ),
        pytest.param("https://www.finops.org/", "home", id="the site root names nothing"),
        pytest.param(
            "https://www.finops.org/framework/capabilities/", "index", id="an index names nothing"
        ),
        pytest.param(
            "https://www.finops.org/framework/capabilities/made-up/",
            "unknown",
            id="an unknown slug names nothing",
        ),
        pytest.param(
            "https://www.finops.org/members/", "other", id="another finops page names nothing"
        ),
    ],
)
def test_links_that_name_no_item(href: str, kind: str) -> None:
    link = load_taxonomy(BUNDLED).classify(href)
    assert link is not None
    assert link.kind == kind
    assert link.item is None


def test_a_link_elsewhere_is_not_a_framework_link() -> None:
    assert (
        load_taxonomy(BUNDLED).classify("https://finops.example/framework/capabilities/allocation/")
        is None
    )


def test_a_slug_given_to_two_items_is_refused_with_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "tax.yaml"
    bad.write_text(
        "name: T\ncurrent_version: '1'\nhosts: [t.example]\nhome: /\n"
        "domain_paths: [/d/]\ncapability_paths: [/c/]\n"
        "domains: [{title: A, slug: a}, {title: B, slug: b, legacy_slugs: [a]}]\n"
        "capabilities: []\n"
    )
    with pytest.raises(ValueError, match="slug 'a' is given to 'A' and 'B'") as err:
        load_taxonomy(str(bad))
    assert str(bad) in str(err.value)


def test_a_link_classified_again_gets_the_same_answer_from_a_bounded_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every page of a site repeats its menu: classify keeps its answers, by href, for
    # short hrefs only and at most a bounded number; each answer is the one a fresh
    # taxonomy gives.
    from plugins import _taxonomy

    kept = load_taxonomy(BUNDLED)
    hrefs = [
        "https://www.finops.example/framework/capabilities/allocation/",
        "https://finops.example/framework/domains/understand-usage-cost/",
        "https://finops.example/framework/",
        "https://finops.example/",
        "https://evil.example/framework/capabilities/allocation/",
        "https://www.finops.example@evil.example/framework/",
        "ftp://finops.example/framework/",
        "not a url",
        "https://finops.example/framework/capabilities/" + "x" * 600,
    ]
    fresh = _taxonomy.Taxonomy.model_validate(kept.model_dump())
    for _ in range(2):
        assert [kept.classify(h) for h in hrefs] == [fresh._classify(h) for h in hrefs]
    assert hrefs[-1] not in kept._classified  # too long to keep
    monkeypatch.setattr(_taxonomy, "_KEPT_LINKS", 3)
    for n in range(10):
        kept.classify(f"https://finops.example/page-{n}/")
    assert len(kept._classified) <= 3


def test_a_link_whose_host_cannot_be_read_is_not_a_framework_link() -> None:
    # httpx parses https://xn--zz.finops.org/... and raises only when asked for its host.
    assert load_taxonomy(BUNDLED).classify("https://xn--zz.finops.org/framework/") is None


def test_a_fully_qualified_framework_host_is_the_framework_and_a_backslash_is_no_link() -> None:
    tax = load_taxonomy(BUNDLED)
    link = tax.classify("https://www.finops.org./framework/capabilities/allocation/")
    assert link is not None
    assert link.item is not None
    # A browser reads the backslash as "/": the link leads to lensco.example.
    assert tax.classify("https://lensco.example\\@www.finops.org/framework/") is None
