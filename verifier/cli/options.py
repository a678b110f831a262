"""Plumbing shared by the command modules: invocation state, consoles, option types,
and the ``verify`` options built from :class:`~verifier.fetch.settings.FetchSettings`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.engine import DEFAULT_CHECK_TIMEOUT
from verifier.errors import InputError, Problem
from verifier.fetch.client import trusted_ssl_context
from verifier.fetch.guard import proxy_url
from verifier.fetch.settings import FIELDS, FetchSettings
from verifier.host import HostRecipe, PluginHost, build_host
from verifier.models import Status
from verifier.report import DEFAULT_FORMATS, REPORT_JSON
from verifier.report.formats import JSON, ReportFormats, builtin_formats
from verifier.report.model import Report
from verifier.safetext import safe_text
from verifier.schemas import attribute_docstrings

FILE = click.Path(path_type=Path, dir_okay=False)
"""The click type of an argument or option naming a file to read (submission, policy...)."""
DIR = click.Path(path_type=Path, file_okay=False)
"""The click type of an argument or option naming a folder (a report, a bundle...)."""

STATUS_STYLE: dict[str, str] = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.NEEDS_REVIEW: "yellow",
    Status.ERROR: "magenta",
    Status.NOT_APPLICABLE: "dim",
}


def make_console(err: bool = False) -> Console:
    """A rich console on stdout (or stderr); no automatic highlighting of our output."""
    return Console(stderr=err, highlight=False, soft_wrap=False)


def add_id_column(table: Table, header: str, ids: Iterable[str | None]) -> None:
    """Add a column of ids (requirement, partner, policy ids: what a person copies into
    the next command) that the table never cuts: as wide as the longest id when the
    terminal allows (the other columns wrap instead), folded whole onto the next line
    when not, never an ellipsis."""
    widest = max((cell_len(safe_text(i or "")) for i in ids), default=0)
    table.add_column(header, min_width=widest or None, overflow="fold")


def outcome_text(outcome: str) -> Text:
    """The ``Outcome: <status>`` line that ends a command's summary, the status in its
    colour."""
    style = f"bold {STATUS_STYLE.get(outcome, '')}"
    return Text.assemble("Outcome: ", (safe_text(outcome), style))


def error_text(exc: InputError) -> str:
    """The message of a bad-input error as the terminal shows it: its line breaks kept,
    each problem (which quotes the file) on one line, every control character visible."""
    head = safe_text(exc.args[0] if exc.args else "", keep="\n")
    return "\n".join([head, *(f"  {safe_text(p)}" for p in exc.problems)])


class Obj:
    """State shared by the commands of one invocation."""

    def __init__(self, host: PluginHost | None) -> None:
        self._host = host
        self._recipe: HostRecipe | None = None
        self.json = False
        """``--json`` was given: an error is printed as JSON on stdout too (:func:`main`)."""
        self._formats: ReportFormats | None = None
        self.plugins_dirs: tuple[Path, ...] = ()
        """``--plugins-dir`` folders, loaded into the host at its first use."""
        self.prefer_plugins: tuple[str, ...] = ()
        """``--prefer-plugin`` names, given to the host at its first use."""

    @property
    def host(self) -> PluginHost:
        """The plugin host, built on first use, with the command's ``--plugins-dir`` and
        ``--prefer-plugin`` (:func:`plugin_options`) applied."""
        if self._host is None:
            self._host = build_host()
            self._recipe = HostRecipe()
        dirs, prefer = self.plugins_dirs, self.prefer_plugins
        self.plugins_dirs, self.prefer_plugins = (), ()
        for folder in dirs:
            self._host.load_plugins_dir(folder)
        if prefer:
            self._host.prefer(prefer)
        if self._recipe is not None and (dirs or prefer):
            self._recipe = HostRecipe(
                (*self._recipe.plugins_dirs, *dirs), (*self._recipe.prefer, *prefer)
            )
        return self._host

    @property
    def host_recipe(self) -> HostRecipe | None:
        """How :attr:`host` was built, for a worker process to build the same; ``None``
        when the host was given (tests), which no other process can rebuild."""
        _ = self.host
        return self._recipe

    @property
    def formats(self) -> ReportFormats:
        """The report formats: the built-ins and every plugin's, registered once per
        invocation (a refused one is among the host's load problems)."""
        if self._formats is None:
            self._formats = builtin_formats()
            self.host.report_formats(self._formats.add)
        return self._formats


# ---------------------------------------------------------------- --json
def _want_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    # Eager: known before any other option is converted, so that an error in one of them
    # is printed as JSON too.
    if value:
        obj = ctx.find_object(Obj)
        assert obj is not None, "the finops-verify group makes the Obj"
        obj.json = True
    return value


def json_option(what: str) -> Callable[[F], F]:
    """The ``--json`` flag of every command that reports (its value is ``as_json``):
    ``what`` the command prints as one JSON document on stdout; bad input is then the
    JSON error of :func:`error_document` on stdout, exit code 2 (docs/cli.md)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,
        callback=_want_json,
        help=f"Print {what} as one JSON document on stdout (an error too: docs/cli.md).",
    )


def error_document(
    message: str, problems: Sequence[Problem] = (), *, field: str | None = None, code: int
) -> dict[str, Any]:
    """The JSON document a ``--json`` command prints on stdout instead of its result when
    it stops on an error: ``{"error": {"message", "file", "line", "field", "problems"},
    "exit_code"}``; ``file``, ``line`` and ``field`` those of the first problem (or
    null), ``problems`` every one (docs/cli.md). Printed with :func:`json.dumps`'s
    ASCII escapes: the text of a hostile file cannot drive the terminal showing it."""
    listed = [
        {"file": p.file, "line": p.line, "field": p.field or None, "message": p.message}
        for p in problems
    ]
    first = listed[0] if listed else {"file": None, "line": None, "field": field}
    return {
        "error": {
            "message": message,
            "file": first["file"],
            "line": first["line"],
            "field": first["field"],
            "problems": listed,
        },
        "exit_code": int(code),
    }


def report_document(
    report: Report,
    out: Path,
    formats: ReportFormats | None,
    view: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What ``verify --json`` and ``review --json`` print of a report in ``out``: the
    machine outcome and the effective one after review (``view``: a
    :func:`~verifier.bundle.decisions.review_view`; none: no decision, the same), the
    counts, each written report's path, and every requirement with its status and its
    effective status (docs/cli.md)."""
    effective: Mapping[str, str] = view["effective"] if view is not None else {}
    files = {
        name: str(out / file)
        for name in (report.run.formats or (JSON,))
        if (file := (formats or builtin_formats()).file_of(name)) is not None
        and (out / file).is_file()
    }
    return {
        "outcome": report.raw_outcome,
        "effective_outcome": view["outcome"] if view is not None else report.raw_outcome,
        "report": str(out / REPORT_JSON),
        "reports": files,
        "counts": dict(report.counts),
        "requirements": [
            {
                "id": req.id,
                "status": req.raw_status,
                "effective_status": effective.get(str(req.id), req.raw_status),
                "summary": req.summary,
            }
            for req in report.requirements
        ],
    }


# ---------------------------------------------------------------- plugin options
def _remember(ctx: click.Context, param: click.Parameter, value: tuple[Any, ...]) -> None:
    # Kept until the host is built (Obj.host): whatever order the options came in, the
    # folders' plugins are loaded before the preferred names are checked against them.
    obj = ctx.find_object(Obj)
    assert obj is not None, "the finops-verify group makes the Obj"
    setattr(obj, str(param.name), tuple(value))


def plugin_options(func: F) -> F:
    """``--plugins-dir DIR`` and ``--prefer-plugin PLUGIN`` (both repeatable), for the
    commands that load checks; applied by :attr:`Obj.host`, recorded in the report."""
    func = click.option(
        "--prefer-plugin",
        "prefer_plugins",
        multiple=True,
        metavar="PLUGIN",
        expose_value=False,
        callback=_remember,
        help="Where several plugins register a check of one name (a built-in's, e.g.), "
        "use PLUGIN's (repeatable). Recorded in the report.",
    )(func)
    return click.option(
        "--plugins-dir",
        "plugins_dirs",
        multiple=True,
        metavar="DIR",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        expose_value=False,
        callback=_remember,
        help="Load the .py files of DIR as plugins, to try a plugin before packaging it "
        "(repeatable). Recorded in the report, each file with its SHA-256.",
    )(func)


# ---------------------------------------------------------------- fetch settings options
def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback: an ISO date (``2026-01-31``), or a usage error saying so."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


F = TypeVar("F", bound=Callable[..., Any])


def as_of_option(default_help: str) -> Callable[[F], F]:
    """The ``--as-of YYYY-MM-DD`` option every dated command takes; ``default_help`` says
    what date is used without it."""
    return click.option(
        "--as-of",
        callback=parse_date,
        metavar="YYYY-MM-DD",
        help=f"Date for expiry decisions [default: {default_help}].",
    )


def chosen_formats(given: tuple[str, ...], known: ReportFormats) -> tuple[str, ...]:
    """The report formats ``--format`` names (repeatable, or comma-separated), each known
    to ``known``; none given: :data:`~verifier.report.DEFAULT_FORMATS`."""
    chosen = tuple(dict.fromkeys(x.strip() for g in given for x in g.split(",") if x.strip()))
    unknown = [f for f in chosen if f not in known.names]
    if unknown:
        raise click.BadParameter(
            f"unknown format {unknown[0]!r}; choose from {', '.join(sorted(known.names))}",
            param_hint="--format",
        )
    return chosen or DEFAULT_FORMATS


def check_timeout_option(more: str = "") -> Callable[[F], F]:
    """The ``--check-timeout SECONDS`` option of the commands that run checks; ``more``
    adds what it means for that command."""
    return click.option(
        "--check-timeout",
        type=click.FloatRange(min=0.001),
        default=DEFAULT_CHECK_TIMEOUT,
        show_default=True,
        help="Seconds a requirement may take when its policy sets no timeout." + more,
    )


def formats_option(what: str) -> Callable[[F], F]:
    """The ``--format FORMAT`` option (repeatable; read with :func:`chosen_formats`);
    ``what``: whose report formats they are (`` of each bundle``), or nothing."""
    return click.option(
        "--format",
        "formats",
        multiple=True,
        metavar="FORMAT",
        help=f"Report format{what} besides report.json (repeatable) "
        f"[default: {', '.join(DEFAULT_FORMATS)}].",
    )


_AT_LEAST_ONE = frozenset(
    {"max_bytes", "per_host_concurrency", "max_fetches_per_check", "max_tags"}
)


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def fetch_options(func: Any) -> Any:
    """Add one option per :class:`FetchSettings` field, with its default and doc."""
    docs = attribute_docstrings(FetchSettings)
    for f in reversed(FIELDS):
        default = f.default if f.default is not dataclasses.MISSING else None
        help_text = f"{docs.get(f.name, '')}"
        if f.name == "allow_private_network":
            opt = click.option(
                "--allow-private-network",
                is_flag=True,
                default=False,
                help=help_text + " Recorded in the report.",
            )
        elif f.name == "obey_robots":
            opt = click.option(
                "--obey-robots/--ignore-robots",
                default=True,
                help=help_text + " [default: obey] Recorded in the report.",
            )
        elif f.name == "allowed_ports":
            opt = click.option(
                "--allow-port",
                "allowed_ports",
                type=click.IntRange(1, 65535),
                multiple=True,
                help="Allow a port besides 80 and 443 (repeatable).",
            )
        elif f.name == "ca_bundle":
            opt = click.option(
                "--ca-bundle",
                "ca_bundle",
                type=click.Path(exists=True, dir_okay=False, readable=True),
                help=help_text + " Recorded in the report.",
            )
        elif f.name == "proxy":
            opt = click.option(
                "--proxy",
                "proxy",
                metavar="URL",
                default=None,
                help=help_text + " Recorded in the report (password hidden).",
            )
        elif f.name == "resolve":
            opt = click.option(
                "--resolve",
                "resolve",
                multiple=True,
                metavar="HOST:PORT:ADDR:PORT",
                help="Connect to ADDR:PORT for HOST:PORT, like curl "
                "--resolve (repeatable). The address check still applies.",
            )
        else:
            kind = type(default)
            # A delay may be 0; a timeout may not; a cap or a limit of concurrency of 0
            # would make every fetch fail or wait forever.
            ptype: Any = (
                click.FloatRange(min=0.0, min_open=f.name.endswith("timeout"))
                if kind is float
                else (
                    click.IntRange(min=1 if f.name in _AT_LEAST_ONE else 0) if kind is int else str
                )
            )
            opt = click.option(
                _option_name(f.name),
                f.name,
                type=ptype,
                default=default,
                show_default=f.name != "user_agent",
                help=help_text,
            )
        func = opt(func)
    return func


def settings_from(kwargs: dict[str, Any]) -> FetchSettings:
    """Build :class:`FetchSettings` from the options of :func:`fetch_options`."""
    values: dict[str, Any] = {}
    for f in FIELDS:
        if f.name not in kwargs:
            continue
        value = kwargs.pop(f.name)
        if f.name == "allowed_ports":
            value = tuple(dict.fromkeys((*FetchSettings.allowed_ports, *value)))
        elif f.name == "resolve":
            value = tuple(_parse_resolve(v) for v in value)
        elif f.name == "ca_bundle" and value is not None:
            value = str(Path(value).resolve())
            trusted_ssl_context(value)  # a file that holds no CA is bad input: said now
        values[f.name] = value
    settings = FetchSettings(**values)
    proxy_url(settings)  # a proxy URL we cannot use is bad input: said now
    return settings


_RESOLVE = re.compile(r"^([^:\[\]]+):(\d+):(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+):(\d+)$")


def _parse_resolve(text: str) -> tuple[str, str]:
    # HOST:PORT:ADDR:PORT, where ADDR may be an IPv6 address in brackets, as for curl.
    m = _RESOLVE.match(text.strip())
    if not m:
        raise click.BadParameter(
            f"{text!r} is not HOST:PORT:ADDR:PORT (an IPv6 ADDR in brackets)",
            param_hint="--resolve",
        )
    host, port, addr, tport = m.groups()
    try:
        ipaddress.ip_address(addr.strip("[]"))
    except ValueError:
        raise click.BadParameter(
            f"{addr!r} in {text!r} is not an IP address: --resolve connects to an address, "
            "not a name",
            param_hint="--resolve",
        ) from None
    if not (0 < int(port) < 65536 and 0 < int(tport) < 65536):
        raise click.BadParameter(f"a port in {text!r} is not 1-65535", param_hint="--resolve")
    return f"{host.rstrip('.')}:{port}", f"{addr}:{tport}"


# ---------------------------------------------------------------- commands
