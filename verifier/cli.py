"""The command line: ``finops-verify``. :func:`main` is pure (argv in, exit code out)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from verifier._version import __version__
from verifier.cli_bundle import COMMANDS as BUNDLE_COMMANDS
from verifier.errors import InputError
from verifier.exitcodes import ExitCode
from verifier.fetch.settings import FIELDS, FetchSettings
from verifier.models import RequirementResult
from verifier.plugins import PluginHost, build_host
from verifier.policy import find_policy_files, lint_policy, load_policy
from verifier.report import DEFAULT_FORMATS, WRITERS
from verifier.runner import DEFAULT_PROGRAM, RunRequest, execute, prepare
from verifier.sites import serve_sites

STATUS_STYLE = {
    "pass": "green",
    "fail": "red",
    "needs_review": "yellow",
    "error": "magenta",
    "not_applicable": "dim",
}


def _console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=False)


class _Obj:
    """State shared by the commands of one invocation."""

    def __init__(self, host: PluginHost | None) -> None:
        self._host = host

    @property
    def host(self) -> PluginHost:
        if self._host is None:
            self._host = build_host()
        return self._host


# ---------------------------------------------------------------- fetch settings options


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def fetch_options(func: Any) -> Any:
    """Add one option per :class:`FetchSettings` field, with its default and doc."""
    docs = _field_docs()
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
            # Timeouts must be positive; a delay or a count may be zero.
            ptype: Any = (
                click.FloatRange(min=0.0, min_open=f.name.endswith("timeout"))
                if kind is float
                else (click.IntRange(min=0) if kind is int else str)
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


def _field_docs() -> dict[str, str]:
    """Each FetchSettings field's docstring (the line under it in settings.py)."""
    import ast
    import inspect

    from verifier.fetch import settings as mod

    tree = ast.parse(inspect.getsource(mod))
    docs: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "FetchSettings":
            body = node.body
            for a, b in itertools.pairwise(body):
                if (
                    isinstance(a, ast.AnnAssign)
                    and isinstance(a.target, ast.Name)
                    and isinstance(b, ast.Expr)
                    and isinstance(b.value, ast.Constant)
                ):
                    docs[a.target.id] = str(b.value.value)
    return docs


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
        values[f.name] = value
    return FetchSettings(**values)


def _parse_resolve(text: str) -> tuple[str, str]:
    parts = text.rsplit(":", 3) if text.count(":") == 3 else None
    if not parts or not parts[1].isdigit() or not parts[3].isdigit():
        raise click.BadParameter(f"{text!r} is not HOST:PORT:ADDR:PORT", param_hint="--resolve")
    return f"{parts[0]}:{parts[1]}", f"{parts[2]}:{parts[3]}"


# ---------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="finops-verify")
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Verify a FinOps Foundation partner-certification application and write an
    auditable evidence report.

    \b
    Example:
      finops-verify verify submission.yaml --out report/
      finops-verify demo
    """
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2), format="%(levelname)s %(name)s: %(message)s"
    )
    if ctx.obj is None:
        ctx.obj = _Obj(None)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


@cli.command()
@click.argument("submission", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Report directory [default: ./finops-verify-report/<applicant>-<UTC time>/].",
)
@click.option(
    "--program",
    help=f"Program version of the requirements [default: the "
    f"submission's 'program', else {DEFAULT_PROGRAM}].",
)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this policy file instead of a bundled one.",
)
@click.option(
    "--sources",
    "sources_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML mapping of source names to URLs (or a CSV file) overriding the bundled sources.",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="Date for expiry decisions [default: today, UTC].",
)
@click.option(
    "--check-timeout",
    type=click.FloatRange(min=0.001),
    default=120.0,
    show_default=True,
    help="Seconds a requirement may take when its policy sets no timeout.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help=f"Report format besides report.json (repeatable) [default: {', '.join(DEFAULT_FORMATS)}].",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the report path and outcome as JSON instead of the table.",
)
@fetch_options
@click.pass_obj
def verify(
    obj: _Obj,
    /,
    submission: Path,
    out: Path | None,
    program: str | None,
    policy_path: Path | None,
    sources_path: Path | None,
    as_of: dt.date | None,
    check_timeout: float,
    formats: tuple[str, ...],
    as_json: bool,
    **fetch: Any,
) -> None:
    """Verify SUBMISSION against the requirements of its tier and write the report.

    Exit code: 0 pass, 1 fail, 2 bad input or usage, 3 needs review or error.

    \b
    Example:
      finops-verify verify acme.yaml --out acme-report/ --as-of 2026-01-31
    """
    request = RunRequest(
        submission_path=submission,
        out=out,
        program=program,
        policy_path=policy_path,
        sources_path=sources_path,
        as_of=as_of,
        settings=settings_from(fetch),
        check_timeout=check_timeout,
        formats=_formats(formats),
    )
    code = _run_and_print(obj.host, request, as_json=as_json)
    raise SystemExit(int(code))


def _formats(given: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(x.strip() for g in given for x in g.split(",") if x.strip()))
    unknown = [f for f in chosen if f not in WRITERS]
    if unknown:
        raise click.BadParameter(
            f"unknown format {unknown[0]!r}; choose from {', '.join(sorted(WRITERS))}",
            param_hint="--format",
        )
    return chosen or DEFAULT_FORMATS


def _run_and_print(host: PluginHost, request: RunRequest, *, as_json: bool) -> ExitCode:
    prep = prepare(request, host)
    console = _console(err=as_json)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(
            f"Verifying {prep.submission.applicant.name}", total=len(prep.policy.requirements)
        )

        def done(result: RequirementResult) -> None:
            progress.advance(task)

        report = asyncio.run(execute(prep, request, on_done=done))
    code = ExitCode.for_outcome(report["outcome"])
    if as_json:
        click.echo(
            json.dumps(
                {
                    "outcome": report["outcome"],
                    "exit_code": int(code),
                    "report": str(prep.out / "report.json"),
                }
            )
        )
    else:
        print_summary(report, prep.out)
    return code


def print_summary(report: dict[str, Any], out: Path) -> None:
    """The one-screen summary: a table of requirement, status, summary; then the paths."""
    console = _console()
    table = Table(
        # Applicant names and summaries come from submissions and fetched pages: shown
        # as text, never read as rich markup ("[bold]" in a name stays literal).
        title=escape(
            f"{report['applicant']['name']} — {report['policy']['title']} "
            f"(program {report['policy']['program']})"
        ),
        title_justify="left",
        expand=False,
        show_lines=False,
    )
    table.add_column("requirement", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for req in report["requirements"]:
        style = STATUS_STYLE.get(req["status"], "")
        table.add_row(Text(req["id"]), Text(req["status"], style=style), Text(req["summary"]))
    console.print(table)
    outcome = report["outcome"]
    console.print(f"Outcome: [bold {STATUS_STYLE.get(outcome, '')}]{outcome}[/]")
    # soft_wrap: a path folded across lines cannot be copied.
    console.print(f"Report:  {escape(str(out / 'report.json'))}", soft_wrap=True)
    if (out / "report.html").is_file():
        console.print(f"HTML:    {escape(str(out / 'report.html'))}", soft_wrap=True)


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-report"),
    show_default=True,
    help="Directory receiving one report folder per submission.",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="Date for expiry decisions [default: today, UTC].",
)
@click.pass_obj
def demo(obj: _Obj, out: Path, as_of: dt.date | None) -> None:
    """Verify the bundled demo submissions against offline fixture sites on 127.0.0.1.

    Nothing leaves the machine: every host name of the demo resolves to a local server.

    \b
    Example:
      finops-verify demo --out demo-report/
    """
    specs = obj.host.demos()
    if not specs:
        raise InputError("no plugin registers a demo; is finops-verifier installed?")
    worst = ExitCode.PASS
    html_reports: list[Path] = []
    for spec in specs:
        with serve_sites(spec.sites) as server:
            settings = FetchSettings(
                allow_private_network=True,
                resolve=server.resolve_pairs(),
                allowed_ports=(80, 443, server.port),
            )
            for sub in spec.submissions:
                request = RunRequest(
                    submission_path=sub,
                    out=out / sub.stem,
                    sources_path=spec.sources,
                    as_of=as_of,
                    settings=settings,
                    formats=tuple(WRITERS),
                )
                _console().rule(f"demo {spec.name}: {sub.name}")
                code = _run_and_print(obj.host, request, as_json=False)
                worst = max(worst, code)
                html_reports.append(out / sub.stem / "report.html")
    # Last, so that `make demo` ends with what to open.
    for path in html_reports:
        click.echo(f"HTML report: {path}")
    # The demo shows verdicts; its own success does not depend on them.
    raise SystemExit(0)


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def plugins_cmd(obj: _Obj, as_json: bool) -> None:
    """List installed plugins, their checks and versions, and load errors.

    \b
    Example:
      finops-verify plugins --json
    """
    registry = obj.host.checks()
    rows = [
        {
            "check": name,
            "version": info.check.version,
            "plugin": info.plugin,
            "distribution": info.distribution,
            "distribution_version": info.distribution_version,
            "description": info.check.description,
        }
        for name, info in sorted(registry.checks.items())
    ]
    problems = [dataclasses.asdict(p) for p in registry.problems]
    if as_json:
        click.echo(json.dumps({"checks": rows, "problems": problems}, indent=2))
    else:
        console = _console()
        table = Table(title="Checks")
        for col in ("check", "version", "plugin", "distribution", "description"):
            table.add_column(col)
        for r in rows:
            dist = f"{r['distribution'] or '-'} {r['distribution_version'] or ''}".strip()
            table.add_row(
                *(
                    Text(str(x))
                    for x in (r["check"], r["version"], r["plugin"], dist, r["description"])
                )
            )
        console.print(table)
        for p in registry.problems:
            console.print(
                f"[red]problem[/] plugin {p.plugin} ({p.distribution or 'unknown'}): {p.message}"
            )
    raise SystemExit(1 if registry.problems else 0)


@cli.group()
def policies() -> None:
    """List, show and lint policy files.

    \b
    Example:
      finops-verify policies list
      finops-verify policies show platform-2022
      finops-verify policies lint my-policy.yaml
    """


@policies.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def policies_list(obj: _Obj, as_json: bool) -> None:
    """List bundled policies: id, program, tier, requirements."""
    registry = obj.host.checks()
    items = [load_policy(p, registry) for p in find_policy_files(obj.host.policy_dirs())]
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "program": p.program,
            "tier": p.tier,
            "title": p.title,
            "requirements": [r.id for r in p.requirements],
            "file": p.path,
        }
        for p in items
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Bundled policies")
    for col in ("id", "program", "tier", "title", "requirements"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["program"], r["tier"], r["title"], ", ".join(r["requirements"]))
    _console().print(table)


@policies.command("show")
@click.argument("policy_id")
@click.pass_obj
def policies_show(obj: _Obj, policy_id: str) -> None:
    """Print the policy POLICY_ID (or a policy file path) readably."""
    registry = obj.host.checks()
    files = find_policy_files(obj.host.policy_dirs())
    policy = None
    if Path(policy_id).is_file():
        policy = load_policy(Path(policy_id), registry)
    else:
        for f in files:
            candidate = load_policy(f, registry)
            if candidate.id == policy_id:
                policy = candidate
                break
    if policy is None:
        known = ", ".join(load_policy(f, registry).id for f in files)
        raise InputError(f"no policy {policy_id!r}; known: {known}")
    console = _console()
    console.print(
        f"[bold]{policy.title}[/]  id={policy.id} program={policy.program} "
        f"tier={policy.tier} version={policy.version}"
    )
    if policy.source:
        console.print(f"published at {policy.source}")
    console.print(f"file {policy.path} (sha256 {policy.sha256[:16]}…)\n")
    for i, req in enumerate(policy.requirements, 1):
        console.print(f"[bold]{i}. {req.id}[/]  check={req.check}")
        console.print(f"   “{req.text}”", soft_wrap=True)
        for key, value in req.params.items():
            console.print(f"   {key}: {json.dumps(value)}", soft_wrap=True)
        console.print()


@policies.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def policies_lint(obj: _Obj, files: tuple[Path, ...]) -> None:
    """Report every problem of each policy FILE: file, line, requirement and field.

    Exit code 0 when all are clean, 2 otherwise.
    """
    registry = obj.host.checks()
    total = 0
    for path in files:
        problems = lint_policy(path, registry)
        total += len(problems)
        for p in problems:
            click.echo(str(p), err=False)
        if not problems:
            click.echo(f"{path}: ok")
    if total:
        click.echo(f"{total} problem(s) in {len(files)} file(s)", err=True)
        raise SystemExit(int(ExitCode.USAGE))


# Bundle commands (bundle check, replay, review) live in their own module.
for _command in BUNDLE_COMMANDS:
    cli.add_command(_command)


# ---------------------------------------------------------------- entry points


def main(argv: Sequence[str] | None = None, *, host: PluginHost | None = None) -> int:
    """Run the command line with ``argv``; return the exit code (never raises SystemExit).

    :param host: a plugin host to use instead of building one (tests).
    """
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="finops-verify",
            standalone_mode=False,
            obj=_Obj(host),
        )
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        return int(ExitCode.USAGE)
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
