"""The generated world of ``python -m bench recheck``: N platform partners and the shared sites.

:func:`build_world` writes, into a folder, everything a renewal re-check of N certified
platforms needs, as the demo's fixtures do for four applicants (``fixtures/sites``):

- ``sites/<host>/...``: one folder per host name, in :class:`verifier.sites.SiteServer`'s
  layout (``sites/p0001.example/docs/finops-framework/index.html`` answers
  ``http://p0001.example/docs/finops-framework``). Each partner has its own host and ten
  pages: a landing page, its offering's page, a pricing page, a docs index, two docs
  pages linking to Framework capabilities, three case studies, a community page. The
  shared hosts: the FinOps member directory (``www.finops.example/members/``, 30 members
  a page, ``rel="next"`` between pages as the real one), the certified-platform listing
  (same pagination; served, though no requirement of the 2022 platform policy reads it),
  the Linux Foundation's member table (100 rows a page), three working-group pages
  listing contributors, and ``registry.example`` answering one JSON
  file per certificate (the URL-template credential registry).
- ``certificates.csv``: the same certificates as a CSV export (``certificate_id, name,
  certification, issued, expires``).
- ``partners/<id>.yaml``: each partner's submission (tier ``platform``, program 2022).
- ``roster.yaml``: the roster CONTRACT.md "Renewal re-check" fixes.
- ``sources.yaml`` (credential registry: the CSV export) and ``sources-url.yaml`` (the
  URL template on ``registry.example``), both pointing the directories at the world's hosts.

Every partner is one of :data:`KINDS`, drawn with a seeded random generator (same seed,
same world): most pass every requirement; the others miss exactly one thing, so that the
demo's checks reach each verdict: too few valid certificates or no Linux Foundation
membership (``fail``), a framework page naming too few capabilities (``fail``), a
working group only claimed or a customer of undeclared size (``needs_review``).
:attr:`Partner.expected` holds the status each kind is built to reach, per requirement.

Every HTML page weighs ``page_kib`` KiB (75 by default, the content page the issue timed:
15 ms to read with bs4 and lxml): a stylesheet, a site menu, a footer and inline script
data around what the checks read (:class:`_Writer`), so that a run's CPU is a real one.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import json
import random
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import yaml

AS_OF = dt.date(2026, 11, 26)
"""The date the world is judged on (``--as-of``): certificates expire relative to it."""

FINOPS = "www.finops.example"
LF = "www.linuxfoundation.example"
REGISTRY = "registry.example"
MEMBERS_PER_PAGE = 30
LF_ROWS_PER_PAGE = 100
EMPLOYEES = 200
"""Each partner's size: the 2022 table asks 10 practitioners from 100 employees."""
CERTIFICATES = 12
"""Certificates each partner lists: 12 valid ones pass, the ``few-practitioners`` kind
has 4 of them expired (8 < 10)."""

KINDS: dict[str, tuple[float, dict[str, str]]] = {
    # kind: (weight, the requirements it changes from pass to the given status)
    "pass": (0.72, {}),
    "few-practitioners": (0.06, {"practitioners": "fail"}),
    "not-lf-member": (0.05, {"membership": "fail"}),
    "thin-alignment": (0.05, {"framework-alignment": "fail"}),
    "group-only-claimed": (0.06, {"community": "needs_review"}),
    "customer-size-unknown": (0.06, {"case-studies": "needs_review"}),
}
POLICY = Path(__file__).resolve().parent.parent / "policies" / "2022" / "platform.yaml"
REQUIREMENTS = tuple(r["id"] for r in yaml.safe_load(POLICY.read_text("utf-8"))["requirements"])
"""The requirements a partner is judged on: those of the 2022 platform policy."""
GROUPS = {
    "containers": "FinOps for Containers",
    "focus": "FOCUS",
    "sustainability": "FinOps for Sustainability",
}


def _words(text: str) -> list[str]:
    """The words of ``text``: a word list reads best written as words."""
    return text.split()


_SYLLABLES = _words("ka lo vin ter sa mi ro den ta fi nu bel co ra zen dor pa li mo ver")
NAME_SIMILARITY = 0.6
"""Two partners' names are at most this similar (``difflib`` ratio), well under the 0.8 from
which membership takes a listed name for a similar one: a world of look-alike names would
measure the name matcher's doubts, not a re-check."""
_FIRST = _words(
    "Ada Bruno Carla Dev Elif Femi Gita Hugo Inés Jon Kai Lena Milo Noor Omar Pia Rui "
    "Sara Theo Uma Vera Wade Xia Yara Zeno"
)
_LAST = _words(
    "Abara Brandt Castillo Dube Eklund Fischer Gomez Hale Ito Jovanovic Kaur Lindgren "
    "Moreau Ng Okoye Park Quist Rahman Silva Tanaka"
)
_CUSTOMERS = (
    "Globex Corporation",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Wayne Retail",
    "Tyrell Biotech",
    "Cyberdyne Motors",
    "Soylent Foods",
    "Wonka Confectionery",
    "Vandelay Industries",
    "Oscorp Energy",
    "Massive Dynamic",
)
_INDUSTRIES = ("Manufacturing", "Retail", "Healthcare", "Logistics", "Energy", "Media")
_CAPABILITIES = (
    ("understand-usage-cost", "Understand Usage &amp; Cost", "data-ingestion", "Data Ingestion"),
    ("understand-usage-cost", "Understand Usage &amp; Cost", "cost-allocation", "Cost Allocation"),
    ("understand-usage-cost", "Understand Usage &amp; Cost", "reporting-analytics", "Reporting"),
    ("quantify-business-value", "Quantify Business Value", "forecasting", "Forecasting"),
    ("quantify-business-value", "Quantify Business Value", "budgeting", "Budgeting"),
    ("optimize-usage-cost", "Optimize Usage &amp; Cost", "rate-optimization", "Rate Optimization"),
    ("optimize-usage-cost", "Optimize Usage &amp; Cost", "workload-optimization", "Workloads"),
)


@dataclass(frozen=True)
class Partner:
    """One generated partner: its roster id, names, host and the kind it was built as."""

    id: str
    name: str
    short: str
    product: str
    host: str
    kind: str
    certificates: tuple[tuple[str, str, str], ...]  # (id, holder, expires)

    @property
    def expected(self) -> dict[str, str]:
        """The status each requirement is built to reach."""
        return {req: KINDS[self.kind][1].get(req, "pass") for req in REQUIREMENTS}


@dataclass
class World:
    """What :func:`build_world` wrote, and where."""

    root: Path
    partners: list[Partner]
    sites: Path
    roster: Path
    sources: Path
    sources_url: Path
    pages: int = 0
    shared_pages: list[str] = field(default_factory=list)
    """``host/path`` of every page of a shared directory or group (for the fetched-once check)."""
    revealed_by: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(host, path) of each directory page after the first -> the page that links to it
    (``rel="next"``): a tool knows the one only once it has read the other."""

    def hosts(self) -> list[str]:
        """Every host name the world serves."""
        return sorted(p.name for p in self.sites.iterdir() if p.is_dir())

    def shared_reads(self, partner: Partner, registry: str) -> list[tuple[str, str]]:
        """(host, path) of the pages of shared hosts ``partner``'s checks may read: every
        directory page, its working group's page when its submission links it, and with
        the URL-template ``registry`` its certificates' look-ups (the bench's perfect tool,
        :mod:`bench.recheck_sim`, keeps those a run asked)."""
        pages = [(h, p) for h, p in (_split(page) for page in self.shared_pages)]
        group = _group(partner)
        pages = [(h, p) for h, p in pages if not p.startswith("/wg/") or p == f"/wg/{group}/"]
        if partner.kind == "group-only-claimed":
            pages = [(h, p) for h, p in pages if not p.startswith("/wg/")]
        if registry == "url":
            pages += [(REGISTRY, f"/certificates/{c}.json") for c, _, _ in partner.certificates]
        return pages


def _split(page: str) -> tuple[str, str]:
    """``host/path`` -> (host, /path)."""
    host, _, path = page.partition("/")
    return host, "/" + path


def _group(p: Partner) -> str:
    """The working group ``p`` contributes to (its submission's community claim)."""
    return list(GROUPS)[int(p.id[1:]) % len(GROUPS)]


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


@dataclass(frozen=True)
class _Writer:
    """Writes a world's pages, each grown to ``kib`` KiB as a real site's page is: an
    inline stylesheet, a site menu of markup-heavy links (on a partner's own pages), a
    footer, and the inline script data a site builder leaves, so that reading a page costs what it
    does on the web (0: the pages as written, about 1 KiB)."""

    sites: Path
    kib: int

    def page(self, host: str, path: str, text: str, menu: bool = True) -> None:
        """Write ``text`` as the page of ``host`` + ``path`` (``path/index.html``)."""
        target = self.sites / host / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.grow(text, host, menu), encoding="utf-8")

    def grow(self, text: str, host: str, menu: bool) -> str:
        """``text`` with the weight of a real page (see the class doc)."""
        if not self.kib:
            return text
        text = text.replace("</head>", f"<style>{_CSS}</style></head>", 1)
        if menu:
            text = text.replace("<body>", f"<body>{_menu(host)}", 1)
        # Some text of its own, as every real page has: a page of a few names and a large
        # script would be a shell that scripts fill in (verifier.fetch.content).
        text = text.replace("</body>", f"{_FOOTER}</body>", 1)
        missing = self.kib * 1024 - len(text.encode("utf-8"))
        if missing > 64:
            rng = random.Random(f"{host}{len(text)}")
            data = rng.randbytes((missing - 64) // 2).hex()
            text = text.replace("</body>", f'<script>window.__STATE__="{data}";</script></body>')
        return text


_CSS = "".join(
    f".c{n}{{padding:{n % 9}px {n % 7}px;font-weight:{400 + n % 3 * 100};color:#{n % 7}{n % 5}3;"
    f"border-radius:{n % 5}px}}"
    for n in range(80)
)
"""An inline stylesheet of harmless rules (no rule hides anything)."""
_FOOTER = (
    '<footer class="site-footer"><p>Copyright 2026. All rights reserved. The names and logos '
    "shown are trademarks of their owners and are used here to identify them. This site uses "
    "cookies to remember your settings and to measure how it is used; you can change your "
    "choice at any time from the privacy settings. Questions about this site, its content or "
    "your data go to the team through the contact page, which answers within two working "
    "days.</p></footer>"
)
_MENU_WORDS = _words(
    "Overview Solutions Integrations Security Careers Events Webinars Partners Support "
    "Status Company Leadership Resources Guides Developers Community Academy Trust Legal "
    "Newsroom Roadmap Changelog Templates Calculator Glossary"
)


def _menu(host: str) -> str:
    """A site's mega menu: 100 links of two words, each with an icon and tracking data."""
    rng = random.Random(host)
    items = []
    for n in range(100):
        label = " ".join(rng.sample(_MENU_WORDS, 2))
        items.append(
            f'<li class="menu-item menu-item-type-post_type menu-item-object-page menu-item-{n}">'
            f'<a class="menu-link" data-track="nav-{n}" href="/section-{n // 10}/page-{n}/">'
            f'<svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
            f'<path d="M{n % 16} 0L16 {n % 9}L{n % 5} 16Z"/></svg><span>{label}</span></a></li>'
        )
    return f'<nav class="mega-menu" aria-label="All pages"><ul>{"".join(items)}</ul></nav>'


def _names(count: int, rng: random.Random) -> list[str]:
    """``count`` made-up company names of two words, no two of them alike."""
    names: list[str] = []
    forms: list[str] = []
    for _ in range(count * 50):
        if len(names) == count:
            return names
        words = ["".join(rng.choices(_SYLLABLES, k=3)).capitalize() for _ in range(2)]
        form = " ".join(words).lower()
        if all(
            difflib.SequenceMatcher(None, form, other).ratio() < NAME_SIMILARITY for other in forms
        ):
            names.append(" ".join(words))
            forms.append(form)
    raise ValueError(f"could not make {count} distinct partner names")


def _partners(count: int, rng: random.Random) -> list[Partner]:
    names = _names(count, rng)
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    out = []
    for i in range(1, count + 1):
        short = names[i - 1]
        # The first partners cover every kind, so that even a world of a few partners
        # reaches each verdict; the others are drawn.
        kind = kinds[i - 1] if i <= len(kinds) else rng.choices(kinds, weights)[0]
        certs = []
        for j in range(CERTIFICATES):
            expired = kind == "few-practitioners" and j < 4
            expires = AS_OF - dt.timedelta(days=30 + j) if expired else AS_OF.replace(year=2030)
            holder = f"{_FIRST[(i + j) % len(_FIRST)]} {_LAST[(i * 7 + j) % len(_LAST)]}"
            certs.append((f"LF-{i:04d}{j:02d}", holder, expires.isoformat()))
        out.append(
            Partner(
                id=f"p{i:04d}",
                name=f"{short}, Inc.",
                short=short,
                product=f"{short} Insight",
                host=f"p{i:04d}.example",
                kind=kind,
                certificates=tuple(certs),
            )
        )
    return out


def _partner_site(write: _Writer, p: Partner, rng: random.Random) -> tuple[list[str], list[str]]:
    """Write a partner's ten pages; return its alignment pages and case-study customers."""
    nav = (
        f'<header><nav><a href="/">{p.short}</a> <a href="/product">{p.product}</a> '
        '<a href="/docs/">Docs</a> <a href="/customers/">Customers</a></nav></header>'
    )
    foot = f"<footer><p>© 2026 {escape(p.name)}</p></footer>"
    write.page(
        p.host,
        "/",
        _page(
            f"{p.short} — cloud cost clarity",
            f"{nav}<main><h1>Cloud cost clarity for every team</h1><p>{p.short} builds "
            f"{p.product}, the FinOps platform for engineering and finance teams.</p></main>{foot}",
        ),
    )
    write.page(
        p.host,
        "/product",
        _page(
            f"{p.product} — FinOps platform",
            f"{nav}<main><h1>{p.product}</h1><p>Allocate, forecast and optimize cloud spend.</p>"
            f'<a href="/pricing/">See plans &amp; pricing</a><h2>Buy {p.product}</h2>'
            "<p>Available as SaaS with a monthly or annual subscription.</p></main>" + foot,
        ),
    )
    write.page(
        p.host,
        "/pricing/",
        _page(
            f"Pricing — {p.product}",
            f"{nav}<main><h1>Plans and pricing</h1><p>Team, Business and Enterprise plans, billed "
            "monthly or annually.</p></main>" + foot,
        ),
    )
    write.page(
        p.host,
        "/docs/",
        _page(
            f"Docs — {p.product}",
            f'{nav}<main><h1>Documentation</h1><ul><li><a href="/docs/finops-framework">'
            'FinOps Framework mapping</a></li><li><a href="/docs/optimization">Optimization</a>'
            "</li></ul></main>" + foot,
        ),
    )
    caps = list(_CAPABILITIES)
    rng.shuffle(caps)
    # A thin page links 2 capabilities of 1 domain (the policy asks 3 domains and 6).
    first = (
        [c for c in caps if c[0] == "understand-usage-cost"][:2]
        if p.kind == "thin-alignment"
        else caps[:4]
    )
    second = [] if p.kind == "thin-alignment" else caps[4:]
    for path, title, chosen in (
        ("/docs/finops-framework", "How {} maps to the FinOps Framework", first),
        ("/docs/optimization", "Optimizing cloud spend with {}", second),
    ):
        rows = "".join(
            f"<tr><td>{escape(p.product)} feature {n + 1}</td><td><a href="
            f'"https://www.finops.org/framework/domains/{d}/">{dn}</a>: <a href='
            f'"https://www.finops.org/framework/capabilities/{c}/">{cn}</a></td></tr>'
            for n, (d, dn, c, cn) in enumerate(chosen)
        )
        write.page(
            p.host,
            path,
            _page(
                title.format(p.product),
                f"{nav}<main><h1>{title.format(p.product)}</h1><p>{p.product} follows the "
                '<a href="https://www.finops.org/framework/">FinOps Framework</a>.</p>'
                f'<table class="mapping"><tbody>{rows}</tbody></table></main>{foot}',
            ),
        )
    customers = rng.sample(_CUSTOMERS, 3)
    for n, customer in enumerate(customers):
        slug = customer.lower().split()[0]
        saving = rng.randint(12, 41)
        accounts = rng.randint(40, 2400)
        industry = rng.choice(_INDUSTRIES)
        write.page(
            p.host,
            f"/customers/{slug}",
            _page(
                f"{customer} saves {saving}% with {p.product}",
                f'{nav}<main><article class="case-study"><p>Customer story · {industry}</p>'
                f"<h1>{customer} cuts cloud waste by {saving}% with {p.product}</h1>"
                f"<p>{customer} runs {accounts} cloud accounts. Story {n + 1}: its teams moved "
                f"{['budgets', 'forecasts', 'showback'][n]} into {p.product} in "
                f"{rng.randint(2, 11)} weeks, and now close the month in {rng.randint(1, 5)} "
                f"days.</p><p>{_prose(rng, 200)}</p><ul><li>{saving}% less idle compute</li>"
                f"<li>{accounts // 3} "
                f"teams with their own reports</li></ul></article></main>{foot}",
            ),
        )
    write.page(
        p.host,
        "/community/",
        _page(
            f"{p.short} in the community",
            f"{nav}<main><h1>{p.short} in the FinOps community</h1><p>Our engineers take part in "
            "the FinOps Foundation's working groups.</p></main>" + foot,
        ),
    )
    return ["/docs/finops-framework", "/docs/optimization"], customers


_PROSE = _words(
    "team teams cost costs cloud account accounts month week spend budget forecast owner "
    "owners product engineer engineers finance review reviews report reports tag tags "
    "rule rules alert alerts saving savings compute storage network cluster clusters "
    "service services region regions commitment commitments plan plans usage unit units "
    "metric metrics dashboard dashboards process change changes goal goals quarter "
    "quarters"
)


def _prose(rng: random.Random, words: int) -> str:
    """``words`` words of a story's own text: no two stories share a run of five words, so
    two case studies of one site are two pages (the site's menu is the same on both)."""
    return " ".join(rng.choices(_PROSE, k=words)) + "."


def _submission(p: Partner, alignment: list[str], customers: list[str]) -> dict[str, object]:
    group = _group(p)
    claim: dict[str, str] = {"group": f"{GROUPS[group]} Working Group"}
    if p.kind != "group-only-claimed":
        claim["url"] = f"http://{FINOPS}/wg/{group}/"
    return {
        "program": "2022",
        "tier": "platform",
        "applicant": {
            "name": p.name,
            "aliases": [p.short],
            "website": f"http://{p.host}/",
            "employees": EMPLOYEES,
        },
        "offering": {"name": p.product, "landing_page": f"http://{p.host}/product"},
        "alignment_pages": [f"http://{p.host}{path}" for path in alignment],
        "case_studies": [
            {
                "url": f"http://{p.host}/customers/{c.lower().split()[0]}",
                "customer": c,
                **_size(p, n),
            }
            for n, c in enumerate(customers)
        ],
        "practitioners": [{"name": h, "certificate_id": c} for c, h, _ in p.certificates],
        "community": [claim],
    }


def _size(p: Partner, n: int) -> dict[str, int]:
    """The declared size of a partner's n-th customer: all large, except that the
    ``customer-size-unknown`` kind leaves its second undeclared and its third too small, so
    that only a person can say whether two customers are mid-to-large."""
    if p.kind != "customer-size-unknown":
        return {"customer_employees": 5000 + n}
    return {} if n == 1 else {"customer_employees": 5000 if n == 0 else 300}


def _paginated(
    world: World,
    write: _Writer,
    host: str,
    base: str,
    title: str,
    items: list[str],
    per: int,
    wrap: tuple[str, str],
) -> list[str]:
    """Write a directory split in pages (``base``, ``base/page/2/``...); return their paths."""
    chunks = [items[i : i + per] for i in range(0, len(items), per)] or [[]]
    paths = [base if n == 0 else f"{base}page/{n + 1}/" for n in range(len(chunks))]
    for n, chunk in enumerate(chunks):
        nxt = paths[n + 1] if n + 1 < len(chunks) else None
        head_next = f'<link rel="next" href="{nxt}">' if nxt else ""
        pager = (
            f'<nav class="pagination"><span class="current">{n + 1}</span>'
            + (f'<a class="next page-numbers" href="{nxt}">Next »</a>' if nxt else "")
            + "</nav>"
        )
        text = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}'
            f"</title>{head_next}</head>\n<body><main><h1>{title}</h1>{wrap[0]}"
            + "\n".join(chunk)
            + f"{wrap[1]}{pager}</main></body>\n</html>\n"
        )
        write.page(host, paths[n], text, menu=False)
        if nxt:
            world.revealed_by[(host, nxt)] = (host, paths[n])
    return [f"{host}{p}" for p in paths]


def build_world(root: Path, partners: int = 300, seed: int = 7, page_kib: int = 75) -> World:
    """Write a world of ``partners`` partners into ``root`` (created); see the module doc."""
    rng = random.Random(seed)
    sites = root / "sites"
    write = _Writer(sites, page_kib)
    (root / "partners").mkdir(parents=True, exist_ok=True)
    people = _partners(partners, rng)
    world = World(
        root, people, sites, root / "roster.yaml", root / "sources.yaml", root / "sources-url.yaml"
    )
    roster = []
    for p in people:
        alignment, customers = _partner_site(write, p, rng)
        sub = root / "partners" / f"{p.id}.yaml"
        sub.write_text(yaml.safe_dump(_submission(p, alignment, customers), sort_keys=False))
        roster.append(
            {
                "id": p.id,
                "submission": f"partners/{p.id}.yaml",
                "certified_since": dt.date(2024, 5, 1),
                "renewal_due": AS_OF + dt.timedelta(days=int(p.id[1:]) % 365),
            }
        )
        for cid, holder, expires in p.certificates:
            body = {
                "certificate_id": cid,
                "name": holder,
                "certification": "FinOps Certified Practitioner",
                "issued": "2024-01-15",
                "expires": expires,
            }
            target = sites / REGISTRY / "certificates" / f"{cid}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(body, indent=2) + "\n")
    # Shared directories: the member directory lists everyone, in a shuffled order, among
    # other members; the Linux Foundation's table leaves out the not-lf-member kind.
    members = [
        f'<a class="member-logo" href="http://{p.host}/"><img src="/logos/{p.id}.svg" '
        f'alt="{escape(p.name)}"></a>'
        for p in people
    ] + [
        f'<a class="member-logo" href="https://m{n}.example/"><img src="/logos/m{n}.svg" '
        f'alt="Member {n} Holdings"></a>'
        for n in range(10)
    ]
    rng.shuffle(members)
    shared = _paginated(
        world,
        write,
        FINOPS,
        "/members/",
        "FinOps Foundation Members",
        members,
        MEMBERS_PER_PAGE,
        ('<div class="logo-grid">', "</div>"),
    )
    listed = [
        f'<div class="card"><h3>{escape(p.product)}</h3><p>{escape(p.name)}</p></div>'
        for p in people
        if p.kind == "pass"
    ]
    shared += _paginated(
        world,
        write,
        FINOPS,
        "/members/finops-certified-platform/",
        "FinOps Certified Platforms",
        listed,
        MEMBERS_PER_PAGE,
        ("<div>", "</div>"),
    )
    rows = [
        f"<tr><td>{escape(p.name)}</td><td>Silver</td><td>2021</td></tr>"
        for p in people
        if p.kind != "not-lf-member"
    ]
    shared += _paginated(
        world,
        write,
        LF,
        "/about/members/",
        "Linux Foundation Members",
        rows,
        LF_ROWS_PER_PAGE,
        ('<table class="members-table"><tbody>', "</tbody></table>"),
    )
    for slug, group in GROUPS.items():
        cards = "".join(
            f'<div class="contributor-card"><h4>{escape(p.certificates[0][1])}</h4>'
            f"<p>{escape(p.name)}</p></div>"
            for p in people
            if _group(p) == slug
        )
        write.page(
            FINOPS,
            f"/wg/{slug}/",
            _page(
                f"{group} - FinOps Foundation",
                f"<main><h1>{group}</h1><p>This Working Group writes guidance.</p><h2>Contributors"
                f'</h2><div class="wg-contributors">{cards}</div></main>',
            ),
        )
        shared.append(f"{FINOPS}/wg/{slug}/")
    world.shared_pages = shared
    with (root / "certificates.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["certificate_id", "name", "certification", "issued", "expires"])
        for p in people:
            for cid, holder, expires in p.certificates:
                out.writerow([cid, holder, "FinOps Certified Practitioner", "2024-01-15", expires])
    common = {
        "finops-members": f"http://{FINOPS}/members/",
        "lf-members": f"http://{LF}/about/members/",
        "certified-platforms": f"http://{FINOPS}/members/finops-certified-platform/",
    }
    world.sources.write_text(yaml.safe_dump({**common, "credential-registry": "certificates.csv"}))
    world.sources_url.write_text(
        yaml.safe_dump(
            {
                **common,
                "credential-registry": f"http://{REGISTRY}/certificates/{{certificate_id}}.json",
            }
        )
    )
    world.roster.write_text(
        yaml.safe_dump(
            {"program": "2022", "sources": "sources.yaml", "partners": roster}, sort_keys=False
        )
    )
    world.pages = sum(1 for _ in sites.rglob("index.html"))
    return world
