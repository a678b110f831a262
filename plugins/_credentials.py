"""The credential registry, where certificate ids are verified, and what makes one valid.

The ``credential-registry`` source (CONTRACT.md, "Source names") is either a CSV file (an
export staff hold) or a URL template holding ``{certificate_id}`` that answers one JSON
record, 404 meaning "no such certificate". Both give records with the fields
``certificate_id, name, certification, issued, expires`` (ISO dates; an empty ``expires``
never expires); ids compare ignoring case. Used by the practitioners and instructors
checks: :func:`open_registry`, :meth:`Registry.lookup_all`, then :func:`judge` and
:func:`record_verdict` for each submitted person.

A malformed CSV is a :class:`RegistryError` naming the file and the line (the whole
registry is unusable), and so is a source only staff hold (``{held_by: ...}`` in the
sources file) in a run that does not have it; a URL that cannot be read is a fault of
that one look-up (:attr:`Lookup.fault`), never a "no such certificate".
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from verifier import CheckContext, FetchError, Page
from verifier.toolkit import person_key

FIELDS = ("certificate_id", "name", "certification", "issued", "expires")
"""The fields of a credential record, in CONTRACT.md's order."""
PLACEHOLDER = "{certificate_id}"
_GONE = (404, 410)


class RegistryError(Exception):
    """The registry as a whole cannot be used: a malformed CSV, a template without
    ``{certificate_id}``. The message names the file and line, or the URL."""


@dataclass(frozen=True)
class Credential:
    """One certificate as the registry records it."""

    certificate_id: str
    """Its id."""
    name: str
    """The holder's name."""
    certification: str
    """What it certifies, e.g. "FinOps Certified Practitioner"."""
    issued: dt.date | None
    """Date of issue (``None`` when the registry leaves it empty)."""
    expires: dt.date | None
    """Last day it is valid; ``None``: it does not expire."""
    where: str
    """Where it was read: ``file.csv:12`` or the URL."""


@dataclass(frozen=True)
class Lookup:
    """The registry's answer about one certificate id."""

    certificate_id: str
    """The id asked."""
    credential: Credential | None
    """The record; ``None`` when the registry knows no such certificate (or on a fault)."""
    fault: str | None = None
    """Why the registry could not answer; ``None`` when it did."""
    page: Page | None = None
    """The fetched answer, for a URL registry."""


@dataclass(frozen=True)
class Verdict:
    """Whether one submitted certificate counts, and why."""

    status: Literal["valid", "invalid", "fault", "review"]
    """``valid``: counts; ``invalid``: the registry shows it does not; ``fault``: unknown;
    ``review``: would count, but the holder's name differs by added words (a middle name
    or an initial), which a person must confirm."""
    reason: str
    """One phrase a person reads."""
    credential: Credential | None
    """The record it is based on."""
    counts_as: str | None = None
    """For a valid one: the accepted certification it counts as, spelled as accepted."""


class Registry:
    """An opened credential registry: the records of a CSV, or a URL template."""

    def __init__(self, location: str, records: Mapping[str, Credential] | None) -> None:
        self.location = location
        """The CSV path or the URL template."""
        self._records = records

    async def lookup(self, ctx: CheckContext[Any], certificate_id: str) -> Lookup:
        """Look one id up; a fetch fault becomes :attr:`Lookup.fault`, not an exception."""
        cid = certificate_id.strip()
        if self._records is not None:
            return Lookup(cid, self._records.get(cid.casefold()))
        if not cid.strip("."):
            # "." or "..": put in a URL's path, it names the registry's folder or the one
            # above it (a dot segment), never a record. No certificate has such an id.
            return Lookup(cid, None)
        url = self.location.replace(PLACEHOLDER, quote(cid, safe=""))
        try:
            page = await ctx.fetch(url)  # records the fetch (or its failure) as evidence
        except FetchError as exc:
            return Lookup(cid, None, fault=exc.reason)
        if page.status in _GONE:
            return Lookup(cid, None, page=page)
        if not page.ok:
            return Lookup(cid, None, fault=f"{url} answered {page.status}", page=page)
        if page.is_html:  # e.g. a human verification page, not a JSON endpoint
            return Lookup(
                cid,
                None,
                fault=f"{url} answered an HTML page, not a JSON credential record; point "
                "the source at a JSON endpoint or a CSV export (--sources)",
                page=page,
            )
        try:
            data = json.loads(page.body)
            if not isinstance(data, dict):
                raise ValueError("the answer is not a JSON object")
            record = _credential(data, url)
        except ValueError as exc:
            return Lookup(cid, None, fault=f"{url} did not answer a credential record: {exc}")
        if record.certificate_id.casefold() != cid.casefold():
            return Lookup(cid, None, fault=f"{url} answered the record of {record.certificate_id}")
        return Lookup(cid, record, page=page)

    async def lookup_all(self, ctx: CheckContext[Any], ids: Iterable[str]) -> dict[str, Lookup]:
        """Look every distinct id up, concurrently; keyed by the stripped id."""
        unique = list(dict.fromkeys(i.strip() for i in ids))
        found = await asyncio.gather(*(self.lookup(ctx, i) for i in unique))
        return dict(zip(unique, found, strict=True))


async def open_registry(ctx: CheckContext[Any], source_name: str) -> Registry:
    """The registry of source ``source_name``; raises :class:`RegistryError` if unusable."""
    source = ctx.source(source_name)
    if source.held_by is not None and source.url is None and source.path is None:
        # An applicant checking themselves has no staff export: not checked, never failed.
        raise RegistryError(
            f"not checked: the source {source_name!r} is held by {source.held_by} and this "
            f"run has none; whoever holds it re-runs with --sources naming its location "
            f"({source_name}: path/to/export.csv)"
        )
    if source.path is not None:
        records, digest = await asyncio.to_thread(read_csv, source.path)
        ctx.evidence(
            "registry",
            f"{source_name}: read {len(records)} certificate record(s) from {source.path}",
            file=str(source.path),
            file_sha256=digest,
        )
        return Registry(str(source.path), records)
    assert source.url is not None  # a Source is a URL or a path
    if PLACEHOLDER not in source.url:
        raise RegistryError(
            f"{source_name}: the URL {source.url} has no {PLACEHOLDER} placeholder; "
            "give a URL template or a CSV file"
        )
    return Registry(source.url, None)


class Records(Mapping[str, Credential]):
    """The records of one CSV export read at one path, by case-folded id: a read-only
    view of a table parsed once per content, each record's :attr:`Credential.where`
    naming this path and its line."""

    def __init__(self, table: dict[str, tuple[int, Credential]], path: Path) -> None:
        self._table = table
        self._path = path

    def __getitem__(self, key: str) -> Credential:
        line, record = self._table[key]
        return replace(record, where=f"{self._path}:{line}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


_PARSED: OrderedDict[str, dict[str, tuple[int, Credential]]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_KEPT = 4
"""Registry contents kept parsed: a re-check reads one export for every partner, each
partner's bundle holding its own copy (another path, the same bytes)."""


def read_csv(path: Path) -> tuple[Records, str]:
    """Every record of a registry CSV export, by case-folded id, and the file's SHA-256.

    The file is read every time; its records are parsed once per content (the same bytes
    give the same records wherever they are), so the many runs of a re-check share one
    read-only table instead of each parsing an export that grows with the roster (at 300
    partners, parsing it again for each took a tenth of the run's CPU)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"cannot read the registry file {path}: {exc.strerror}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    with _PARSED_LOCK:
        table = _PARSED.get(digest)
    if table is None:
        table = _parse_csv(path, raw)  # a malformed file raises here, naming this path
        with _PARSED_LOCK:
            _PARSED[digest] = table
            while len(_PARSED) > _PARSED_KEPT:
                _PARSED.popitem(last=False)
    return Records(table, path), digest


def _parse_csv(path: Path, raw: bytes) -> dict[str, tuple[int, Credential]]:
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's export often starts with a BOM
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise RegistryError(
            f"{path}:1: the header lacks {', '.join(missing)} "
            f"(a registry CSV has the columns {', '.join(FIELDS)})"
        )
    reader.fieldnames = header
    out: dict[str, tuple[int, Credential]] = {}
    try:
        for row in reader:
            line = reader.line_num
            where = f"{path}:{line}"
            if None in row or any(row.get(f) is None for f in FIELDS):
                raise RegistryError(f"{where}: expected {len(header)} fields, as in the header")
            try:
                record = _credential(row, "")  # its where: the path that reads it
            except ValueError as exc:
                raise RegistryError(f"{where}: {exc}") from None
            key = record.certificate_id.casefold()  # ids compare as the URL registry's do
            if key in out:
                raise RegistryError(
                    f"{where}: certificate {record.certificate_id} is also at {path}:{out[key][0]}"
                )
            out[key] = (line, record)
    except csv.Error as exc:
        raise RegistryError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    return out


def judge(name: str, lookup: Lookup, accepted: Collection[str], as_of: dt.date) -> Verdict:
    """Whether the certificate in ``lookup``, submitted for ``name``, counts on ``as_of``
    as one of the ``accepted`` certifications (CONTRACT.md's rules)."""
    if lookup.fault is not None:
        return Verdict("fault", f"the registry could not be read: {lookup.fault}", None)
    rec = lookup.credential
    if rec is None:
        return Verdict(
            "invalid", f"the registry knows no certificate {lookup.certificate_id}", None
        )
    close = not same_person(rec.name, name) and close_person(rec.name, name)
    if not same_person(rec.name, name) and not close:
        score = SequenceMatcher(None, person_key(rec.name), person_key(name)).ratio()
        return Verdict(
            "invalid",
            f"the registry names the holder {rec.name!r}, not {name!r} (similarity {score:.2f})",
            rec,
        )
    wanted = {_label(c): c for c in accepted}
    counts_as = wanted.get(_label(rec.certification))
    if counts_as is None:
        return Verdict(
            "invalid",
            f"it certifies {rec.certification!r}, not {' or '.join(map(repr, accepted))}",
            rec,
        )
    if rec.expires is not None and rec.expires < as_of:
        return Verdict("invalid", f"it expired on {rec.expires} (as of {as_of})", rec)
    if rec.issued is not None and rec.issued > as_of:
        return Verdict("invalid", f"it is issued on {rec.issued}, after {as_of}", rec)
    until = f"valid until {rec.expires}" if rec.expires else "with no expiry"
    if close:
        return Verdict(
            "review",
            f"{rec.certification}, {until}, but the registry names the holder {rec.name!r}, "
            f"not {name!r}: a person must confirm they are the same person",
            rec,
            counts_as,
        )
    return Verdict("valid", f"{rec.certification}, {until}", rec, counts_as)


def record_verdict(
    ctx: CheckContext[Any], entry: int, name: str, cid: str, verdict: Verdict, page: Page | None
) -> None:
    """Record one submitted certificate, its verdict and the registry's record as evidence."""
    word = {
        "valid": "counts",
        "invalid": "does not count",
        "fault": "could not be verified",
        "review": "needs a person",
    }
    rec = verdict.credential
    ctx.evidence(
        "certificate",
        f"{cid} ({name}): {word[verdict.status]}: {verdict.reason}",
        page=page,
        entry=entry,
        certificate_id=cid,
        submitted_name=name,
        verdict=verdict.status,
        reason=verdict.reason,
        record=None
        if rec is None
        else {
            "name": rec.name,
            "certification": rec.certification,
            "issued": rec.issued.isoformat() if rec.issued else None,
            "expires": rec.expires.isoformat() if rec.expires else None,
            "where": rec.where,
        },
    )


def same_person(recorded: str, submitted: str) -> bool:
    """Whether two person names are the same, ignoring case, accents, punctuation and word
    order ("Doe, Jane" is "Jane Doe"); a middle name or initial makes them differ."""
    key = person_key(recorded)
    return bool(key) and key == person_key(submitted)


def close_person(recorded: str, submitted: str) -> bool:
    """Whether one name is the other with words added ("Jane A. Doe" for "Jane Doe"): no
    proof of a different person, no proof of the same one. Both need two words at least;
    a resemblance ("Ana Sá", "Ana Se") is not closeness."""
    a, b = set(person_key(recorded).split()), set(person_key(submitted).split())
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small) >= 2 and small < large


def _label(certification: str) -> str:
    return " ".join(certification.casefold().replace("-", " ").split())


def _date(value: Any, field: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:  # a registry may answer a full timestamp ("2027-01-31T23:59:59Z")
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{field} {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _credential(data: dict[str, Any], where: str) -> Credential:
    values = {}
    for f in ("certificate_id", "name", "certification"):
        v = data.get(f)
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"{f} is missing or empty")
        values[f] = v.strip()
    return Credential(
        **values,
        issued=_date(data.get("issued"), "issued"),
        expires=_date(data.get("expires"), "expires"),
        where=where,
    )
