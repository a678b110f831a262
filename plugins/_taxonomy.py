"""A published taxonomy (the FinOps Framework's Domains and Capabilities) as data.

The taxonomy file (YAML, under ``policies/``) names each item by its current title and
lists every slug any version of the taxonomy gave its page, so a link written against an
old version still resolves to today's item. :meth:`Taxonomy.classify` turns one link into
what it points to; :meth:`Taxonomy.mentions` finds titles named in text without a link.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from plugins._data import data_dir
from verifier.errors import PolicyError
from verifier.inputs.yamlfile import load, problems
from verifier.toolkit import normalize
from verifier.urls import link_host, parse_link


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Model):
    """One Domain or Capability."""

    title: str = Field(min_length=1)
    """Its current title (the one reports use)."""
    slug: str = Field(min_length=1)
    """The slug of its current page."""
    legacy_slugs: tuple[str, ...] = ()
    """Slugs earlier versions used for its page (or for items merged into it)."""
    former_titles: tuple[str, ...] = ()
    """Titles earlier versions gave it (matched in text, never reported)."""
    domain: str | None = None
    """For a capability: the title of its current domain."""
    retired: str | None = None
    """The version that removed it, if it has no current counterpart."""

    @property
    def label(self) -> str:
        """The title as a report shows it."""
        return f"{self.title} (retired in {self.retired})" if self.retired else self.title


class Taxonomy(_Model):
    """A taxonomy file, validated."""

    name: str
    """What it is ("FinOps Framework")."""
    current_version: str
    """The version whose titles are current."""
    hosts: tuple[str, ...] = Field(min_length=1)
    """Hosts whose links count, without a leading ``www.``."""
    home: str
    """Path of the home page, which names no item."""
    domain_paths: tuple[str, ...]
    """Path prefixes followed by a domain slug."""
    capability_paths: tuple[str, ...]
    """Path prefixes followed by a capability slug."""
    domains: tuple[Item, ...]
    """Every domain."""
    capabilities: tuple[Item, ...]
    """Every capability."""
    _classified: dict[str, Link | None] = PrivateAttr(default_factory=dict)
    # classify's answers by href: every page of a site repeats its menu, and a re-check
    # reads hundreds of pages with the one taxonomy (load_taxonomy keeps it).

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        titles = {d.title for d in self.domains}
        for cap in self.capabilities:
            if cap.domain not in titles:
                raise ValueError(f"capability {cap.title!r} names unknown domain {cap.domain!r}")
        for items in (self.domains, self.capabilities):
            owner: dict[str, str] = {}
            for item in items:
                for slug in (item.slug, *item.legacy_slugs):
                    # One slug for two items would make a link mean either: refuse it.
                    if owner.setdefault(slug, item.title) != item.title:
                        raise ValueError(
                            f"slug {slug!r} is given to {owner[slug]!r} and {item.title!r}"
                        )
        return self

    def classify(self, href: str) -> Link | None:
        """What the absolute URL ``href`` points to; ``None`` when not on a taxonomy host."""
        known = self._classified
        if href in known:
            return known[href]
        link = self._classify(href)
        if len(href) <= _KEPT_HREF and type(href) is str:
            if len(known) >= _KEPT_LINKS:
                known.clear()  # bounded: emptied when full
            known[href] = link
        return link

    def _classify(self, href: str) -> Link | None:
        url = parse_link(href)
        if url is None:
            return None
        # http or https, "www." or not, query, fragment and trailing slash do not matter.
        if url.scheme not in ("http", "https") or link_host(url) not in self.hosts:
            return None
        path = "/" + url.path.strip("/").lower()
        for kind, prefixes, items in (
            ("domain", self.domain_paths, self.domains),
            ("capability", self.capability_paths, self.capabilities),
        ):
            for prefix in prefixes:
                stem = "/" + prefix.strip("/")
                if path == stem:
                    return Link(href, "index", None, "")
                if path.startswith(stem + "/"):
                    slug = path[len(stem) + 1 :].split("/", 1)[0]
                    for item in items:
                        if slug == item.slug or slug in item.legacy_slugs:
                            return Link(href, kind, item, slug)
                    return Link(href, "unknown", None, slug)
        home = "/" + self.home.strip("/")
        return Link(href, "home" if path in (home, "/") else "other", None, "")

    def domain_of(self, capability: Item) -> Item:
        """The domain item of ``capability``."""
        return next(d for d in self.domains if d.title == capability.domain)

    def mentions(self, text: str) -> list[tuple[str, Item, str]]:
        """``(kind, item, title as written)`` for each item named in ``text`` (any version)."""
        haystack = f" {normalize(text)} "
        found = []
        for kind, items in (("domain", self.domains), ("capability", self.capabilities)):
            for item in items:
                for title in (item.title, *item.former_titles):
                    if f" {normalize(title)} " in haystack:
                        found.append((kind, item, title))
                        break
        return found


_KEPT_LINKS = 20_000
_KEPT_HREF = 512
"""How many answers :meth:`Taxonomy.classify` keeps, and for hrefs how long (a menu's
are short; a hostile page's need not be): at most about 10 MB."""


@dataclass(frozen=True)
class Link:
    """What one link points to in a taxonomy."""

    href: str
    """The absolute URL."""
    kind: str
    """``domain``, ``capability``; or ``home``, ``index``, ``unknown`` (an unknown slug),
    ``other`` (another page on a taxonomy host): those name no item."""
    item: Item | None
    """The item, for ``domain`` and ``capability``."""
    slug: str
    """The slug as written in the link."""

    @property
    def legacy(self) -> bool:
        """Whether the link uses a slug of an earlier version."""
        return self.item is not None and self.slug != self.item.slug


@functools.cache
def load_taxonomy(name: str) -> Taxonomy:
    """Load a taxonomy file: a path relative to the bundled ``policies/``, or absolute.

    Raises ``ValueError`` naming the file, line and field of every problem.
    """
    path = Path(name) if Path(name).is_absolute() else data_dir("policies") / name
    if not path.is_file():
        raise ValueError(f"taxonomy file {name!r} not found (looked at {path})")
    try:
        data, lines = load(path, PolicyError, "taxonomy file")
        return Taxonomy.model_validate(data)
    except PolicyError as exc:
        raise ValueError(str(exc)) from exc
    except pydantic.ValidationError as exc:
        found = problems(exc, str(path), lines, Taxonomy)
        raise ValueError("; ".join(str(p) for p in found)) from exc
