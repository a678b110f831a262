"""The renewal roster (CONTRACT.md, "Renewal re-check"), validated at the edge.

A roster lists the partners a re-check verifies again, each by a unique ``id`` (which
names its folder in the output) and the path of its submission, relative to the roster
file. It is read once and bounded like every file a person writes
(:mod:`~verifier.inputs.yamlfile`); a mistake raises :class:`~verifier.errors.RosterError`
naming the file, the line and the field, before anything is fetched.

The submissions are *not* read here: a partner whose submission is wrong is that
partner's ``error`` in the re-check, and the other partners go on. Only the sources files
the roster names are looked for, since a missing one would change what every partner is
verified against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from verifier.errors import Problem, RosterError
from verifier.inputs import yamlfile
from verifier.inputs.submission import Label

MAX_PARTNERS = 5_000
"""Most partners in one roster. The certified partners of every tier number a few
hundred; a roster line per field makes 5,000 partners about 400 KiB, under the 1 MiB of
:data:`~verifier.inputs.yamlfile.MAX_FILE_BYTES`."""
MAX_ID_CHARS = 64
"""Longest partner id: it names a folder, and a path a person types."""
MAX_PATH_CHARS = 1_024
"""Longest path written in a roster (a submission or a sources file)."""

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_partner_id(text: object) -> bool:
    """Whether ``text`` is a valid partner id, so that it may name a folder or a link
    (a recheck.json from elsewhere may hold anything)."""
    return isinstance(text, str) and len(text) <= MAX_ID_CHARS and bool(_ID.fullmatch(text))


def _partner_id(value: str) -> str:
    # It becomes partners/<id>/: no dot, slash or capital (two ids differing in case are
    # one folder on macOS), and no leading '-' (a folder a shell takes for an option).
    if not is_partner_id(value):
        raise ValueError(
            f"{yamlfile.shown(value)} is not a partner id: use lowercase letters, digits "
            "and '-', starting with a letter or digit (it names the partner's folder)"
        )
    return value


def _path_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if _CONTROL.search(value):
        raise ValueError(f"{yamlfile.shown(value)} holds a control character; give a file path")
    return value


def _day(value: Any) -> Any:
    # YAML reads 2027-05-01 as a date and "2027-05-01" as text; both mean the day. A date
    # and time, or a number (pydantic would take 20270501 for a Unix time), is refused.
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{yamlfile.shown(value)} is not a day of the calendar") from exc
    raise ValueError(f"must be a date (YYYY-MM-DD), not {yamlfile.shown(value)}")


def _not_empty(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if not value:
        raise ValueError("lists no partner; a roster needs at least one")
    return value


def _program_text(value: Any) -> Any:
    # `program: 2022` unquoted is an int in YAML; it means the same thing (as in a
    # submission).
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PartnerId = Annotated[
    str, Field(min_length=1, max_length=MAX_ID_CHARS), AfterValidator(_partner_id)
]
"""A partner's id: lowercase letters, digits and '-'."""
PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_path_text)]
"""A file path as written, relative to the roster file."""
Day = Annotated[dt.date, BeforeValidator(_day)]
"""A calendar day, written YYYY-MM-DD."""
Program = Annotated[Label, BeforeValidator(_program_text)]
"""A program version (``2022``)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


# Field names are the file's; their docstrings are what docs/recheck.md says of them.
class _PartnerEntry(_Model):
    id: PartnerId
    """Unique in the roster; names the partner's folder."""
    submission: PathText
    """The partner's submission file."""
    program: Program | None = None
    """Program version for this partner, when not the roster's."""
    sources: PathText | None = None
    """A sources file for this partner, instead of the roster's."""
    certified_since: Day | None = None
    """When the partner was first certified."""
    renewal_due: Day | None = None
    """When its certification is due for renewal."""


class _RosterFile(_Model):
    program: Program | None = None
    """Program version of every partner that names none."""
    sources: PathText | None = None
    """A sources file (overrides of the bundled sources) for every partner."""
    # Not min_length: pydantic then also reports an empty list when any item is wrong.
    partners: Annotated[
        tuple[_PartnerEntry, ...], Field(max_length=MAX_PARTNERS), AfterValidator(_not_empty)
    ]
    """The partners to re-check."""


@dataclass(frozen=True)
class RosterPartner:
    """One partner of a roster, its paths resolved against the roster's folder."""

    id: str
    """Unique id; the partner's folder is ``partners/<id>/``."""
    submission: Path
    """Its submission file (not read yet: a bad one is this partner's error, not the
    roster's)."""
    program: str | None
    """Program version: the partner's own, else the roster's, else ``None`` (the run's
    default). A submission's own ``program`` wins over this."""
    sources: Path | None
    """Sources file: the partner's own, else the roster's, else ``None``."""
    certified_since: dt.date | None
    """When it was first certified, when the roster says."""
    renewal_due: dt.date | None
    """When its certification is due for renewal, when the roster says."""
    line: int | None
    """The roster line of its entry, for messages."""


@dataclass(frozen=True)
class Roster:
    """A roster file, read once and validated."""

    path: Path
    """The file, as the person named it."""
    sha256: str
    """SHA-256 of the bytes read (recheck.json's ``roster.sha256``)."""
    program: str | None
    """The roster's ``program``."""
    sources: Path | None
    """The roster's ``sources`` file, resolved."""
    partners: tuple[RosterPartner, ...]
    """Its partners, in roster order."""

    def ids(self) -> list[str]:
        """Every partner id, in roster order."""
        return [p.id for p in self.partners]


def _resolve_file(
    text: str | None, base: Path, name: str, line: int | None, field: str, out: list[Problem]
) -> Path | None:
    # A sources file the roster names must be there now: every partner depends on it.
    if text is None:
        return None
    path = base / text
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long for the file system, for one
        out.append(Problem(name, line, field, f"not a usable path: {exc.strerror}"))
        return None
    if not found:
        shown = yamlfile.shown(text)
        out.append(Problem(name, line, field, f"file {shown} not found (looked at {path})"))
        return None
    return path


def parse_roster(data: Any, name: str, lines: yamlfile.LineMap, base: Path, sha256: str) -> Roster:
    """Validate parsed YAML ``data`` from roster file ``name``; paths are relative to
    ``base``. Raises :class:`RosterError` listing every problem, in file order."""
    if not isinstance(data, dict):
        raise RosterError(f"{name} must be a YAML mapping with 'partners' at the top level")
    try:
        raw = _RosterFile.model_validate(data)
    except pydantic.ValidationError as exc:
        probs = yamlfile.problems(exc, name, lines, _RosterFile)
        raise RosterError(_has(name, probs), probs) from exc
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(raw.partners):
        if entry.id in first:
            line = lines.line(("partners", i, "id"))
            j = first[entry.id]
            where = f"partners[{j}], line {lines.line(('partners', j, 'id'))}"
            problems.append(
                Problem(
                    name,
                    line,
                    f"partners[{i}].id",
                    f"'{entry.id}' is already the id of {where}; each partner needs its own",
                )
            )
        first.setdefault(entry.id, i)
        if (
            entry.certified_since
            and entry.renewal_due
            and entry.renewal_due < entry.certified_since
        ):
            problems.append(
                Problem(
                    name,
                    lines.line(("partners", i, "renewal_due")),
                    f"partners[{i}].renewal_due",
                    f"{entry.renewal_due} comes before the first certification, on "
                    f"{entry.certified_since}",
                )
            )
    sources = _resolve_file(raw.sources, base, name, lines.line(("sources",)), "sources", problems)
    partners = []
    for i, entry in enumerate(raw.partners):
        own = _resolve_file(
            entry.sources,
            base,
            name,
            lines.line(("partners", i, "sources")),
            f"partners[{i}].sources",
            problems,
        )
        partners.append(
            RosterPartner(
                id=entry.id,
                submission=base / entry.submission,
                program=entry.program or raw.program,
                sources=own or sources,
                certified_since=entry.certified_since,
                renewal_due=entry.renewal_due,
                line=lines.line(("partners", i)),
            )
        )
    if problems:
        ordered = tuple(sorted(problems, key=lambda p: p.line or 0))
        raise RosterError(_has(name, ordered), ordered)
    return Roster(Path(name), sha256, raw.program, sources, tuple(partners))


def _has(name: str, problems: tuple[Problem, ...]) -> str:
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{name} has {len(problems)} {noun}"


def load_roster(path: Path) -> Roster:
    """Read (once) and validate the roster file at ``path``; raises :class:`RosterError`
    naming file, line and field."""
    raw = yamlfile.read(path, RosterError, "roster file")
    data, lines = yamlfile.parse(raw, str(path), RosterError, "roster file")
    base = path.resolve().parent
    return parse_roster(data, str(path), lines, base, hashlib.sha256(raw).hexdigest())


def select_partners(roster: Roster, ids: Iterable[str]) -> tuple[RosterPartner, ...]:
    """The partners ``--partner ID`` names, in roster order (every partner when ``ids`` is
    empty). An id the roster does not hold raises :class:`RosterError` with the closest
    one: a typo must not silently re-check nobody."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return roster.partners
    known = set(roster.ids())
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise RosterError(
            f"--partner names {'a partner' if len(unknown) == 1 else 'partners'} that "
            f"{roster.path} does not list",
            tuple(
                Problem(
                    str(roster.path),
                    None,
                    "partners",
                    f"no partner {yamlfile.shown(i)}; " + _hint(i, known),
                )
                for i in unknown
            ),
        )
    chosen = set(wanted)
    return tuple(p for p in roster.partners if p.id in chosen)


def _hint(wanted: str, known: set[str]) -> str:
    # did_you_mean lists every id when none is close: for a long roster, a count instead.
    hint = yamlfile.did_you_mean(wanted, known)
    if hint.startswith("did you mean") or len(known) <= 20:
        return hint
    return f"none of its {len(known)} ids is close"
