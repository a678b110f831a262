"""Conditional re-fetching: asking again only whether a page changed since the baseline.

A renewal re-check with a baseline knows what each page answered last time. When that
answer carried a validator (``ETag``, ``Last-Modified``), the page is asked with
``If-None-Match`` / ``If-Modified-Since``, and a ``304 Not Modified`` stands for the
baseline's bytes: they are copied into the new bundle (same SHA-256), so the bundle stays
self-contained, and the evidence says "unchanged since <date> (HTTP 304)".

An applicant controls its server, and the baseline folder is a folder on disk: a 304 is
evidence only when every one of these holds, else it is a fault (``error``), never a
verdict (:func:`revive` and :meth:`~verifier.fetch.client.LiveSource.get` say which):

- the request that got it carried the validators of a baseline capture of that URL, sent
  at the end of the same redirect chain the baseline capture followed;
- the baseline capture is a regular file of the baseline bundle, listed in its
  SHA256SUMS, whose bytes hash to the SHA-256 its index recorded (checked when used);
- a Content-Length the 304 states (the size a 200 would have) is the baseline's.

Validators are read from a baseline bundle whose captures/index.json matches its
SHA256SUMS; a malformed ETag (not ``"..."`` or ``W/"..."``, control characters, over
:data:`MAX_VALIDATOR` characters) is not sent, nor a Last-Modified that cannot be read or
is later than the capture itself (a server clock in the future would make every later
change look "not modified"). Weak ETags are sent (If-None-Match compares weakly): the
server then vouches that the page means the same; the evidence says the ETag was weak.

One URL may be read by many partners of a run through one shared fetch cache, each with
its own baseline bundle: the URL is asked conditionally only when every baseline capture
of it agrees (same bytes, Content-Type, status, redirects and validators; a baseline
that recorded it gone, failed or without usable validators disagrees); otherwise it is
asked without validators, as any page (:class:`ConditionalBook`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from verifier.bundle.files import MAX_JSON, read_regular
from verifier.bundle.store import CAPTURES, INDEX, is_sha256
from verifier.errors import BundleError, FetchFailed
from verifier.fetch.page import Hop, Page
from verifier.models import Evidence

__all__ = [
    "BaselineCapture",
    "ConditionalBook",
    "RevalidatedPage",
    "Validators",
    "own_citation",
    "recorded_revalidation",
    "revive",
    "validators_of",
]

MAX_VALIDATOR = 512
"""Longest ETag or Last-Modified value sent back (characters)."""
_ETAG = re.compile(r'(W/)?"[\x21\x23-\x7e]*"')
"""An entity-tag (RFC 9110 8.8.3), visible ASCII only: nothing that could end a header."""
_DATE_TEXT = re.compile(r"[\x20-\x7e]+")
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Validators:
    """What a capture can be asked again with (either may be absent, not both)."""

    etag: str | None = None
    """Its ``ETag``, as the server wrote it (``"abc"`` or ``W/"abc"``)."""
    last_modified: str | None = None
    """Its ``Last-Modified``, as the server wrote it (an HTTP date)."""

    @property
    def weak(self) -> bool:
        """Whether the ETag is weak (``W/``): same meaning, not necessarily same bytes."""
        return bool(self.etag and self.etag.startswith("W/"))

    def request_headers(self) -> dict[str, str]:
        """The conditional request headers these validators make."""
        sent = {}
        if self.etag:
            sent["if-none-match"] = self.etag
        if self.last_modified:
            sent["if-modified-since"] = self.last_modified
        return sent

    def to_json(self) -> dict[str, str | None]:
        """captures/index.json ``validators``."""
        return {"etag": self.etag, "last_modified": self.last_modified}


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _http_date(text: str) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def validators_of(headers: Mapping[str, Any], fetched_at: object) -> Validators | None:
    """The validators a capture with these response ``headers`` (lower-case names),
    fetched at ``fetched_at`` (ISO 8601), may be asked again with; ``None``: none usable
    (see the module docstring for what is refused and why)."""
    etag = headers.get("etag")
    if not (isinstance(etag, str) and len(etag) <= MAX_VALIDATOR and _ETAG.fullmatch(etag.strip())):
        etag = None
    modified = headers.get("last-modified")
    if (
        isinstance(modified, str)
        and len(modified) <= MAX_VALIDATOR
        and _DATE_TEXT.fullmatch(modified)
    ):
        when = _http_date(modified)
        limits = [
            m
            for m in (
                _moment(str(fetched_at)),
                _http_date(str(headers.get("date", ""))) if headers.get("date") else None,
            )
            if m is not None
        ]
        if when is None or not limits or any(when > limit for limit in limits):
            modified = None
    else:
        modified = None
    if etag is None and modified is None:
        return None
    return Validators(etag.strip() if etag else None, modified)


@dataclass(frozen=True)
class BaselineCapture:
    """A page as a baseline bundle recorded it, with the validators to ask it again."""

    bundle: Path
    """The baseline bundle holding its bytes (``captures/<sha256>``)."""
    url: str
    """The URL asked."""
    final_url: str
    """Where it answered, after redirects."""
    hops: tuple[Hop, ...]
    """The redirects followed to get there."""
    status: int
    """The status it answered with (200)."""
    headers: Mapping[str, str]
    """The kept response headers (the new page keeps them: same bytes, same type)."""
    sha256: str
    """The SHA-256 of its bytes, as the index and SHA256SUMS record it."""
    size: int | None
    """Its size in bytes, as the index records it."""
    fetched_at: str
    """When its bytes were fetched (or last confirmed, for a capture itself re-used)."""
    since: str
    """Since when these bytes are known: the first fetch of a chain of 304s."""
    validators: Validators
    """What it is asked again with."""

    def key(self) -> tuple[object, ...]:
        """What two captures of one URL must share to stand for one answer: the Content-Type
        too, as a 304 revives one capture with its headers for every partner, and the type
        decides how the bytes are read (HTML or not, their charset)."""
        return (
            self.final_url,
            self.hops,
            self.status,
            self.sha256,
            self.validators,
            self.headers.get("content-type"),
        )

    def chain(self) -> str:
        """The redirect chain, for a message: ``a -> b -> c`` (or ``no redirect``)."""
        if not self.hops:
            return "no redirect"
        return " -> ".join([*(h.url for h in self.hops), self.final_url])


def _text_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _hops(value: object) -> tuple[Hop, ...] | None:
    if not isinstance(value, list):
        return None
    hops = []
    for h in value:
        if not isinstance(h, dict):
            return None
        url, status, location = h.get("url"), h.get("status"), h.get("location")
        if not (isinstance(url, str) and isinstance(status, int) and isinstance(location, str)):
            return None
        hops.append(Hop.from_json(h))
    return tuple(hops)


def capture_of(bundle: Path, exchange: Mapping[str, Any]) -> BaselineCapture | None:
    """The baseline capture an index exchange describes, when it can be asked again
    conditionally: a page (not robots.txt, not a fault) that answered 200 with usable
    validators; ``None`` otherwise."""
    url, sha, status = exchange.get("url"), exchange.get("sha256"), exchange.get("status")
    fetched_at = exchange.get("fetched_at")
    if (
        exchange.get("purpose") is not None
        or exchange.get("error") is not None
        or not isinstance(url, str)
        or not isinstance(sha, str)
        or not is_sha256(sha)
        or status != 200
        or not isinstance(fetched_at, str)
    ):
        return None
    headers = _text_map(exchange.get("headers"))
    recorded = exchange.get("validators")
    if isinstance(recorded, dict):
        # Written by this version: the validators as this tool read them then; read
        # through the same rules again (the index is data from a folder on disk).
        named = _text_map(recorded)
        source = {
            "etag": named.get("etag"),
            "last-modified": named.get("last_modified"),
            "date": headers.get("date"),
        }
    else:
        source = dict(headers)  # a bundle of an earlier version: its kept headers
    validators = validators_of({k: v for k, v in source.items() if v is not None}, fetched_at)
    hops = _hops(exchange.get("hops") or [])
    final_url = exchange.get("final_url") or url
    if validators is None or hops is None or not isinstance(final_url, str):
        return None
    again = exchange.get("revalidated")
    since = again.get("since") if isinstance(again, dict) else None
    size = exchange.get("size")
    return BaselineCapture(
        bundle=bundle,
        url=url.strip(),
        final_url=final_url,
        hops=hops,
        status=200,
        headers=headers,
        sha256=sha,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        fetched_at=fetched_at,
        since=since if isinstance(since, str) and _moment(since) else fetched_at,
        validators=validators,
    )


class ConditionalBook:
    """The baseline captures a run may ask again conditionally, by URL asked.

    Built from the baseline bundles of the partners re-checked (:meth:`add_bundle`). A URL
    whose baseline captures disagree (different bytes, Content-Type, redirects, status or
    validators: two partners' baselines fetched it at different times) has none: it is
    asked without validators, so that no partner's bundle is judged on another's old
    bytes, nor read as another's type. A
    baseline that recorded the URL gone, failed, or answering without a validator that
    can be asked again disagrees too: else the partner whose baseline judged the page
    gone would read it ``ok`` on a 304 to another partner's validators.
    """

    def __init__(self) -> None:
        self._captures: dict[str, BaselineCapture] = {}
        self._conflicting: set[str] = set()
        self.problems: list[str] = []
        """Baseline bundles whose validators were not used, and why."""

    def __len__(self) -> int:
        return len(self._captures)

    def get(self, url: str) -> BaselineCapture | None:
        """The baseline capture ``url`` (stripped) is asked again with, if any."""
        return self._captures.get(url.strip())

    def add(self, capture: BaselineCapture) -> None:
        """Consider ``capture`` for its URL (see the class docstring)."""
        url = capture.url
        if url in self._conflicting:
            return
        known = self._captures.get(url)
        if known is None:
            self._captures[url] = capture
        elif known.key() != capture.key():
            self._disagree(url)

    def _disagree(self, url: str) -> None:
        """Ask ``url`` (stripped) without validators, whatever other baselines say."""
        self._captures.pop(url.strip(), None)
        self._conflicting.add(url.strip())

    def add_bundle(self, bundle: Path, manifest: Mapping[str, str]) -> None:
        """Add the captures of ``bundle`` whose validators are usable, once its
        captures/index.json is shown to match ``manifest`` (its SHA256SUMS, ``{path:
        sha256}``): an index edited after the run (to point a URL at other bytes) gives
        nothing. A capture's own bytes are checked when a 304 asks for them."""
        rel = f"{CAPTURES}/{INDEX}"
        try:
            raw = read_regular(bundle / CAPTURES / INDEX, MAX_JSON)
        except (OSError, BundleError) as exc:
            self.problems.append(f"{bundle}: its {rel} cannot be read ({exc})")
            return
        if manifest.get(rel) != hashlib.sha256(raw).hexdigest():
            self.problems.append(f"{bundle}: its {rel} does not match its SHA256SUMS")
            return
        try:
            data = json.loads(raw)
        except ValueError as exc:
            self.problems.append(f"{bundle}: its {rel} is not JSON ({exc})")
            return
        exchanges = data.get("exchanges") if isinstance(data, dict) else None
        for exchange in exchanges if isinstance(exchanges, list) else []:
            if not isinstance(exchange, dict) or exchange.get("purpose") is not None:
                continue  # robots.txt: never asked conditionally, nor any page's answer
            capture = capture_of(bundle, exchange)
            if capture is None:
                url = exchange.get("url")
                if isinstance(url, str):
                    # This baseline got another answer (gone, a fault, no validator that
                    # can be asked again): a 304 says nothing about it.
                    self._disagree(url)
            elif manifest.get(f"{CAPTURES}/{capture.sha256}") == capture.sha256:
                self.add(capture)


@dataclass(frozen=True, eq=False)
class RevalidatedPage(Page):
    """A page the server said is unchanged (HTTP 304): the baseline capture's bytes."""

    revalidated: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """captures/index.json ``revalidated``: ``since``, the headers ``sent``, the 304's kept
    headers (``answered``), the ``baseline`` capture (bundle, fetched_at, sha256), and
    whether the ETag was ``weak``."""

    def evidence(self) -> Evidence:
        """This fetch as evidence, saying the server answered 304 and whose bytes count."""
        return self.evidence_citing(self.revalidated)

    def evidence_citing(self, again: Mapping[str, Any]) -> Evidence:
        """This fetch as evidence with ``again`` as its ``revalidated`` field: a run whose
        own baseline bundle holds the same capture cites it (:func:`own_citation`)."""
        plain = super().evidence()
        baseline = again.get("baseline")
        then = baseline.get("fetched_at") if isinstance(baseline, Mapping) else None
        via = f" via {len(self.hops)} redirect(s) to {self.final_url}" if self.hops else ""
        weak = (
            "; a weak ETag: the server vouches the page means the same" if again.get("weak") else ""
        )
        return dataclasses.replace(
            plain,
            detail=f"GET {self.url} answered 304 Not Modified{via}: unchanged since "
            f"{again.get('since')} (HTTP 304); the baseline's capture of {then} is used "
            f"({len(self.body)} bytes, {self.content_type or 'no content type'}){weak}",
            data={**plain.data, "revalidated": dict(again)},
        )


def revive(answer: Page, capture: BaselineCapture, sent: Mapping[str, str], cap: int) -> Page:
    """The page a 304 ``answer`` stands for: ``capture``'s bytes, read from its bundle and
    verified, with its status and headers (``answer``'s url, time, hops and history).

    :param sent: the conditional headers the request carried.
    :param cap: the size cap of a body (a capture over it is refused, as a page would be).
    Raises :class:`FetchFailed` naming what could not be trusted.
    """
    url = answer.url
    where = f"{capture.bundle}/{CAPTURES}/{capture.sha256}"
    stated = answer.headers.get("content-length")
    expected = capture.headers.get("content-length")
    if expected is None and capture.size is not None and "content-encoding" not in capture.headers:
        expected = str(capture.size)
    if stated is not None and expected is not None and stated.strip() != expected.strip():
        raise FetchFailed(
            url,
            f"answered 304 Not Modified stating Content-Length {stated.strip()[:40]}, but the "
            f"baseline capture it would stand for is {expected.strip()[:40]} bytes: the server "
            "describes another page; a 304 is not trusted (ask again without --baseline)",
        )
    try:
        body = read_regular(capture.bundle / CAPTURES / capture.sha256, cap)
    except FileNotFoundError:
        raise FetchFailed(
            url,
            f"answered 304 Not Modified, but the baseline capture {where} it stands for is "
            "missing: a 304 is not trusted without the bytes it confirms",
        ) from None
    except (OSError, BundleError) as exc:
        raise FetchFailed(
            url,
            f"answered 304 Not Modified, but the baseline capture {where} cannot be read "
            f"({exc}): a 304 is not trusted without the bytes it confirms",
        ) from exc
    if hashlib.sha256(body).hexdigest() != capture.sha256:
        raise FetchFailed(
            url,
            f"answered 304 Not Modified, but the baseline capture {where} does not match the "
            "SHA-256 its bundle recorded (changed since it was written?): a 304 is not "
            "trusted for bytes that are not the baseline's",
        )
    weak = capture.validators.weak and "if-none-match" in sent
    return RevalidatedPage(
        url=url,
        final_url=answer.final_url,
        status=capture.status,
        headers=dict(capture.headers),
        body=body,
        sha256=capture.sha256,
        fetched_at=answer.fetched_at,
        hops=answer.hops,
        attempts=answer.attempts,
        notes=answer.notes,
        history=answer.history,
        revalidated={
            "status": NOT_MODIFIED,
            "since": capture.since,
            "sent": dict(sent),
            "answered": dict(answer.headers),
            "baseline": {
                "bundle": str(capture.bundle),
                "fetched_at": capture.fetched_at,
                "sha256": capture.sha256,
            },
            "weak": weak,
        },
    )


def own_citation(page: Page, own: ConditionalBook | None) -> dict[str, Any] | None:
    """The ``revalidated`` field a run records for ``page`` when the run's own baseline
    bundle (``own``, a book of that one bundle) holds the same capture of its URL, bytes
    verified: citing that bundle, its fetch time and ``since``. ``None``: keep the
    page's own field (not answered 304, no such capture, or the page cites it already).

    A page several partners read is asked again once, with the validators of whichever
    baseline bundle the run's book met first, and the one page is shared by every partner
    (read once); each partner's bundle holds its own copy of the bytes, and its evidence
    names its own baseline bundle, not another partner's."""
    if own is None or not isinstance(page, RevalidatedPage):
        return None
    cited = page.revalidated.get("baseline")
    mine = own.get(page.url)
    if (
        mine is None
        or not isinstance(cited, Mapping)
        or mine.sha256 != cited.get("sha256")
        or str(mine.bundle) == cited.get("bundle")
    ):
        return None
    try:
        held = read_regular(mine.bundle / CAPTURES / mine.sha256, max(len(page.body), 1))
    except (OSError, BundleError):
        return None
    if hashlib.sha256(held).hexdigest() != mine.sha256:
        return None  # altered since: the bundle the validators came from stays cited
    baseline = {**cited, "bundle": str(mine.bundle), "fetched_at": mine.fetched_at}
    return {**page.revalidated, "since": mine.since, "baseline": baseline}


def count_revalidated(exchanges: Iterable[Mapping[str, Any]]) -> int:
    """How many of a bundle's exchanges were answered by a 304 (the baseline's bytes)."""
    return sum(1 for e in exchanges if isinstance(e.get("revalidated"), dict))


def recorded_revalidation(exchange: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``revalidated`` field of a captures/index.json ``exchange``, read back as
    :func:`revive` wrote it (for ``replay`` and the WARC); ``None`` when the exchange has
    none (absent or ``null``: a page fetched whole, or a bundle of an earlier version).

    The index is data from a folder on disk: a field of another shape is not guessed at.
    Raises :class:`ValueError` naming what is wrong (a 304 that cannot be described must
    not be shown as a page fetched whole, nor as an unchanged one).
    """
    again = exchange.get("revalidated")
    if again is None:
        return None
    if not isinstance(again, dict):
        raise ValueError(f"`revalidated` is a {type(again).__name__}, not an object")
    baseline = again.get("baseline")
    if not isinstance(baseline, dict):
        raise ValueError("`revalidated.baseline` is not an object")
    since, then = again.get("since"), baseline.get("fetched_at")
    checks = {
        "status": again.get("status") == NOT_MODIFIED and type(again.get("status")) is int,
        "since": isinstance(since, str) and _moment(since) is not None,
        "sent": isinstance(again.get("sent"), dict) and bool(again.get("sent")),
        "answered": isinstance(again.get("answered"), dict),
        "weak": isinstance(again.get("weak"), bool),
        "baseline.bundle": isinstance(baseline.get("bundle"), str),
        "baseline.fetched_at": isinstance(then, str) and _moment(then) is not None,
        "baseline.sha256": baseline.get("sha256") == exchange.get("sha256"),
    }
    wrong = [name for name, ok in checks.items() if not ok]
    if wrong:
        raise ValueError(
            f"`revalidated` has no valid {', '.join(wrong)}: expected status 304, ISO 8601 "
            "dates with a zone, header objects and the exchange's own sha256"
        )
    return {
        "status": NOT_MODIFIED,
        "since": since,
        "sent": _text_map(again["sent"]),
        "answered": _text_map(again["answered"]),
        "baseline": {
            "bundle": baseline["bundle"],
            "fetched_at": then,
            "sha256": baseline["sha256"],
        },
        "weak": again["weak"],
    }
